"""The phone checks a record before saving it, in a real Chromium with no signal: the errors the server would
give, beside their fields and in a summary at the top that takes the focus; and a record the server refused
shows the server's reasons, in its detail and in the form that fixes it."""

from playwright.sync_api import expect
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import EducationSession
from tests.browser.conftest import SAVE_UNCHECKED_SESSION

ALL_SYNCED = "Semua catatan sudah terkirim"


def sessions(app):
    with app.app_context():
        return list(db.session.scalars(select(EducationSession)))


def test_a_session_with_nobody_counted_and_no_topic_is_not_saved_until_fixed(app, phone, world):
    page = phone.ready()
    phone.context.set_offline(True)
    page.evaluate("location.hash = '#new/session'")
    form = page.locator("#form-session")
    title = form.locator(".form-title")
    expect(title).to_have_text(title.get_attribute("data-new"))
    expect(title).to_contain_text("Sosialisasi")
    expect(page.locator("#new-title")).to_be_hidden()
    form.locator("[name=village]").select_option("15.71.01.1001")
    form.locator("[name=venue]").fill("Balai Desa")
    form.locator("button[type=submit]").click()

    summary = form.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(2)
    expect(form.locator("[data-error-for=topics]")).to_have_text("Kolom ini wajib diisi.")
    expect(form.locator("[data-error-for=male_under_18]")).to_have_text(
        "Hitung paling sedikit satu orang yang hadir."
    )
    expect(form.locator("[data-error-for=female_adult]")).to_have_text("")
    assert "#new/session" in page.url
    expect(page.locator("#sync-count")).not_to_contain_text("menunggu")

    summary.locator("li a").first.click()  # the topics, first in the form
    expect(form.locator("input[name=topics]").first).to_be_focused()
    assert "#new/session" in page.url

    form.locator("input[name=topics][value=tppo]").check()
    form.locator("[name=female_adult]").fill("12")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**#home")
    expect(page.locator("#sync-count")).to_have_text("1 menunggu sinkronisasi")
    phone.context.set_offline(False)
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    [session] = sessions(app)
    assert session.topics == ["tppo"] and session.female_adult == 12


def test_a_record_the_server_refused_shows_its_reasons_and_opens_to_be_fixed(app, live_server, phone, world):
    page = phone.ready()
    # A session saved as it was by a release that did not check it yet: nobody counted, no topic.
    page.evaluate(SAVE_UNCHECKED_SESSION)
    page.click("#sync-now")
    to_fix = page.locator("#to-fix-list li")
    expect(to_fix).to_have_count(1)
    assert sessions(app) == []

    to_fix.locator("a").click()
    fields = page.locator("#record-fields")
    expect(fields.locator("dt", has_text="Topik")).to_be_visible()  # empty, and shown for its reason
    errors = fields.locator("dd.error")
    expect(errors).to_have_count(2)
    expect(errors.filter(has_text="Kolom ini wajib diisi.")).to_have_count(1)
    expect(errors.filter(has_text="Hitung paling sedikit satu orang yang hadir.")).to_have_count(1)

    page.click("#record-edit")
    form = page.locator("#form-session")
    title = form.locator(".form-title")
    expect(title).to_have_text(title.get_attribute("data-fix"))
    expect(title).to_contain_text("Sosialisasi")
    expect(form.locator(".error-summary li")).to_have_count(2)
    expect(form.locator("[data-error-for=topics]")).to_have_text("Kolom ini wajib diisi.")
    expect(form.locator("[data-error-for=male_under_18]")).to_contain_text("satu orang")

    form.locator("input[name=topics][value=passports]").check()
    form.locator("[name=male_adult]").fill("4")
    form.locator("button[type=submit]").click()
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    [session] = sessions(app)
    assert session.topics == ["passports"] and session.male_adult == 4
