"""Every kind of page passes axe-core's WCAG 2.1 A/AA and best-practice rules on a 360 px phone: the public pages,
the leaflet, the log-in, each screen of the officer's app (forms showing their errors), each manager's page and
an error page. axe-core comes from npm, installed by .ci/test into tests/.axe (not in the tree); it is run
through `evaluate`, which the pages' Content-Security-Policy does not govern. Beside axe, what it cannot see:
the officer's app moves the focus to each view's heading, and its checkboxes are big enough to hit."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach import sync
from outreach.extensions import db
from outreach.models import Contact
from tests.conftest import earlier_today, today, visit_record
from tests.test_record_types import handout_record, session_record, warning_record
from tests.test_sync import later

AXE = Path(__file__).parents[1] / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"width": 360, "height": 740}
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\\n    `
    + v.nodes.map((n) => n.target.join(' ')).join('\\n    '));
}"""


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        message = f"{AXE} is missing: .ci/test installs axe-core there"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text()


def violations(page, axe_source) -> list[str]:
    page.evaluate(axe_source)
    return page.evaluate(RUN_AXE, TAGS)


def assert_no_violations(page, axe_source):
    found = violations(page, axe_source)
    assert not found, f"axe-core on {page.url}:\n" + "\n".join(found)


def assert_errors_described(page, invalid):
    """Each field marked invalid names, last among what describes it, its error, which says something."""
    assert invalid.count()
    for field in invalid.all():
        error = field.get_attribute("aria-describedby").split()[-1]
        expect(page.locator(f"#{error}")).not_to_be_empty()


@pytest.fixture
def seeded(app, world, library):
    """One record of each type by ani earlier today (the home screen lists them), and a voided visit."""
    warning = warning_record()
    voided = visit_record(purpose="Salah desa")
    records = [visit_record(), session_record(), handout_record(), warning, voided]
    for record in records:
        record["data"]["occurred_at"] = earlier_today().isoformat()
    with app.app_context():
        void = dict(later(voided), voided=True)
        for batch in (records, [void]):
            results = sync.push(db.session, officer_id=world.ani, device_id="phone-1", records=batch)
            assert {result["status"] for result in results} == {"accepted"}, results
        db.session.commit()
        contact = db.session.scalar(select(Contact.id).where(Contact.key == "polri-110"))
    return SimpleNamespace(
        world=world,
        visit=records[0]["id"],
        warning=warning["id"],
        contact=contact,
        article=library,
        month=today().strftime("%Y-%m"),
    )


def open_phone(phone):
    page = phone.open()
    page.set_viewport_size(PHONE)
    return page


PUBLIC_PAGES = {
    "home": "/",
    "search": "/?q=lowongan",
    "article": "/panduan/tanda-lowongan-palsu",
    "article-full-screen": "/panduan/tanda-lowongan-palsu?layar=penuh",
    "leaflet": "/panduan/tanda-lowongan-palsu/cetak",
    "contacts": "/kontak",
    "offices": "/kantor",
    "about": "/tentang",
    "offline": "/luring",
    "login": "/masuk",
    "not-found": "/tidak-ada",
}


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_pages_pass_axe(phone, seeded, axe_source, path):
    page = open_phone(phone)
    phone.goto(path)
    assert_no_violations(page, axe_source)


def test_the_log_in_page_with_its_error_passes_axe(phone, seeded, axe_source):
    page = open_phone(phone)
    phone.goto("/masuk")
    page.fill("#username", "ani")
    page.fill("#password", "salah-sandi")
    page.click("button[type=submit]")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).not_to_be_empty()
    assert_no_violations(page, axe_source)


# (user, address) of each manager's page; {…} is filled from `seeded`.
MANAGER_PAGES = {
    "dashboard": ("maya", "/kelola/"),
    "officers": ("maya", "/kelola/petugas"),
    "warnings": ("maya", "/kelola/peringatan"),
    "warning": ("maya", "/kelola/peringatan/{warning}"),
    "sessions": ("maya", "/kelola/sosialisasi"),
    "report-choice": ("maya", "/kelola/laporan"),
    "report": ("maya", "/kelola/laporan/{world.kanim}/{month}"),
    "desa-binaan-list": ("maya", "/kelola/desa-binaan"),
    "desa-binaan": ("maya", "/kelola/desa-binaan/{world.desa[15.71.01.1001]}"),
    "desa-binaan-new": ("maya", "/kelola/desa-binaan/baru"),
    "desa-binaan-choose-village": ("maya", "/kelola/desa-binaan/baru?region=15.71.01"),
    "village": ("maya", "/kelola/desa/15.71.01.1001"),
    "contacts": ("maya", "/kelola/kontak"),
    "contact": ("maya", "/kelola/kontak/{contact}"),
    "materials": ("maya", "/kelola/materi"),
    "material": ("root", "/kelola/materi/{article}"),
    "material-versions": ("root", "/kelola/materi/{article}/versi"),
    "material-new": ("root", "/kelola/materi/baru"),
    "users": ("maya", "/kelola/pengguna"),
    "user": ("maya", "/kelola/pengguna/{world.ani}"),
    "user-new": ("maya", "/kelola/pengguna/baru"),
    "offices": ("root", "/kelola/kantor"),
    "office": ("root", "/kelola/kantor/{world.kanim}"),
    "office-new": ("root", "/kelola/kantor/baru"),
    "audit-log": ("root", "/kelola/audit"),
    "import": ("maya", "/kelola/impor"),
    "account": ("maya", "/akun"),
    "change-password": ("maya", "/akun/kata-sandi"),
    "not-found": ("maya", "/kelola/desa/99"),
}


@pytest.mark.parametrize(("user", "path"), MANAGER_PAGES.values(), ids=MANAGER_PAGES.keys())
def test_managers_pages_pass_axe(phone, seeded, axe_source, user, path):
    page = open_phone(phone)
    phone.login(user, home="/kelola/")
    phone.goto(path.format(**vars(seeded)))
    assert_no_violations(page, axe_source)


# Server-rendered forms, sent empty (past the browser's own checks, as an older browser would): their errors are
# tied to their fields.
FORMS_WITH_ERRORS = {
    "user-new": ("maya", "/kelola/pengguna/baru"),
    "office-new": ("root", "/kelola/kantor/baru"),
    "change-password": ("maya", "/akun/kata-sandi"),
}


@pytest.mark.parametrize(("user", "path"), FORMS_WITH_ERRORS.values(), ids=FORMS_WITH_ERRORS.keys())
def test_forms_with_errors_pass_axe_and_tie_each_error_to_its_field(phone, seeded, axe_source, user, path):
    page = open_phone(phone)
    phone.login(user, home="/kelola/")
    phone.goto(path)
    form = page.locator("main form").first
    form.evaluate("(form) => { form.noValidate = true; }")
    form.locator("button[type=submit]").click()
    invalid = page.locator("[aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    assert_errors_described(page, invalid)
    assert_no_violations(page, axe_source)


OFFICER_VIEWS = {
    "home": "#home",
    "choose-type": "#new",
    "form": "#new/visit",
    "edit": "#edit/{visit}",
    "records": "#records",
    "record": "#record/{visit}",
}


@pytest.mark.parametrize("view", OFFICER_VIEWS.values(), ids=OFFICER_VIEWS.keys())
def test_officer_screens_pass_axe_and_take_the_focus_to_their_heading(phone, seeded, axe_source, view):
    page = phone.ready()
    page.set_viewport_size(PHONE)
    expect(page.locator("#record-list li, #today-list li").first).to_be_attached()
    page.evaluate(f"location.hash = '{view.format(**vars(seeded))}'")
    heading = page.locator(".view:not([hidden]) h1:visible")
    expect(heading).to_be_focused()
    expect(heading).not_to_be_empty()
    assert_no_violations(page, axe_source)


@pytest.mark.parametrize("kind", ["visit", "session", "handout", "warning"])
def test_officer_forms_with_their_errors_pass_axe(phone, seeded, axe_source, kind):
    page = phone.ready()
    page.set_viewport_size(PHONE)
    page.evaluate(f"location.hash = '#new/{kind}'")
    form = page.locator(f"#form-{kind}")
    form.locator("button[type=submit]").click()
    expect(form.locator(".error-summary")).to_be_focused()
    assert_errors_described(page, form.locator("[aria-invalid=true]"))
    for box in form.locator("input[type=checkbox]").all():
        size = box.bounding_box()
        assert size["width"] >= 24 and size["height"] >= 24, box.get_attribute("id")
    assert_no_violations(page, axe_source)
