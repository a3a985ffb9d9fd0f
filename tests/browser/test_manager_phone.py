"""A manager on a 360 x 740 phone: no page is wider than the screen, the header and the menu leave most of the
first screen to the page, a wide table says it scrolls and can be scrolled from the keyboard, and the period is
chosen one way."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from outreach import boundaries, charts, demo, sync
from outreach.extensions import db
from tests.conftest import today, visit_record
from tests.test_record_types import handout_record, session_record, warning_record

PHONE = {"width": 360, "height": 740}
# What sticks out on the right of the screen, the outermost first: says why a page is too wide.
STICKING_OUT = """(width) => [...document.querySelectorAll('main *, header *, nav *')]
  .filter((e) => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-wrap, .subnav, .top nav'))
  .slice(0, 4).map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px ${e.textContent.slice(0, 40)}`)"""

# (user, address) of each kind of manager's page; {…} is filled from `seeded`.
PAGES = {
    "maya": [
        "/kelola/",
        "/kelola/?region=15.71",
        "/kelola/peringatan",
        "/kelola/peringatan/{warning}",
        "/kelola/petugas",
        "/kelola/laporan",
        "/kelola/laporan/{world.kanim}/{month}",
        "/kelola/kontak",
        "/kelola/desa-binaan",
        "/kelola/desa/15.71.01.1001",
        "/kelola/pengguna",
        "/kelola/materi",
        "/kelola/impor",
        "/kelola/sosialisasi",
    ],
    "root": ["/kelola/kantor", "/kelola/audit", "/kelola/", "/kelola/?region=15"],
}


@pytest.fixture
def seeded(app, world, library):
    """A record of each type by ani, so that every list and the report have rows; the outlines of Jambi for the
    map."""
    warning = warning_record()
    with app.app_context():
        sync.push(
            db.session,
            officer_id=world.ani,
            device_id="phone-1",
            records=[visit_record(), session_record(), handout_record(), warning],
        )
        with demo.jambi_boundaries() as outlines:
            boundaries.import_boundaries(db.session, outlines)
        db.session.commit()
    return SimpleNamespace(world=world, warning=warning["id"], month=today().strftime("%Y-%m"))


def open_phone(phone, user):
    page = phone.open()
    page.set_viewport_size(PHONE)
    phone.login(user, home="/kelola/")
    return page


@pytest.mark.parametrize("user", PAGES)
def test_no_managers_page_is_wider_than_a_phone_and_the_menu_leaves_the_screen_to_the_page(
    phone, seeded, user
):
    page = open_phone(phone, user)
    for path in PAGES[user]:
        phone.goto(path.format(**vars(seeded)))
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{path}: {wide}px, {page.evaluate(STICKING_OUT, PHONE['width'])}"
        main_top = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
        assert main_top < PHONE["height"] / 3, path


def test_a_wide_table_says_it_scrolls_and_takes_the_keyboard(phone, seeded):
    page = open_phone(phone, "maya")
    phone.goto(f"/kelola/laporan/{seeded.world.kanim}/{seeded.month}")
    wide = page.locator(".table-wrap[role=region]").first
    expect(wide).to_have_attribute("tabindex", "0")
    expect(page.locator(".scroll-hint").first).to_be_visible()
    phone.goto("/kelola/")
    # the coverage table becomes one card per region: each figure named beside it, nothing to scroll
    card = page.locator("table.cards tbody tr").first
    expect(card.locator("td[data-label]").first).to_be_visible()
    assert page.evaluate("document.querySelector('table.cards').scrollWidth") <= PHONE["width"]


def test_the_menu_is_one_row_that_scrolls_and_every_page_in_it_is_reachable(phone, seeded):
    page = open_phone(phone, "maya")
    menu = page.locator("nav.subnav")
    links = menu.get_by_role("link")
    assert menu.bounding_box()["height"] < 56  # one row of links the size of a finger
    users = menu.get_by_role("link", name="Akun")
    users.focus()  # the keyboard scrolls the row to it
    expect(users).to_be_in_viewport()
    assert links.count() == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_period_is_chosen_from_one_list_and_dates_only_when_asked_for(phone, seeded):
    page = open_phone(phone, "maya")
    expect(page.locator("input[name=from]")).to_be_hidden()
    page.select_option("select[name=period]", "90")
    page.get_by_role("button", name="Tampilkan").first.click()
    expect(page.locator(".period-days")).to_contain_text("90")
    page.locator(".crumbs").get_by_role("link", name="Jambi").click()  # a link keeps the choice
    expect(page.locator("select[name=period]")).to_have_value("90")
    expect(page.locator("input[name=from]")).to_be_hidden()
    page.locator("details.own-dates summary").click()
    page.fill("input[name=from]", "2026-01-01")
    page.fill("input[name=to]", "2026-01-31")
    page.locator("details.own-dates button").click()
    expect(page.locator(".period-days")).to_contain_text("31")
    assert "from=2026-01-01" in page.url and "period=" not in page.url


def test_the_charts_text_is_at_least_11_pixels_on_a_phone(phone, seeded):
    page = open_phone(phone, "maya")
    shown = page.locator(".activity-chart img").bounding_box()["width"]
    assert charts.FONT_SIZE * shown / charts.CHART_WIDTH >= 11
