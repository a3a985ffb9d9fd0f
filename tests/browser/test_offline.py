"""The officer's app in a real Chromium: it opens with no network, keeps records through reloads and
restarts, and each record reaches the server exactly once."""

import time
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Visit
from tests.conftest import today


def stored(app, purpose):
    with app.app_context():
        return list(db.session.scalars(select(Visit).where(Visit.purpose == purpose)))


def wait_for(page, condition, timeout=15.0):
    """Poll a condition while Playwright keeps handling events (routes run only inside its calls)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        page.wait_for_timeout(100)
    return condition()


ALL_SYNCED = "Semua catatan sudah terkirim"


def test_the_shell_opens_offline_after_one_online_visit(phone, world):
    page = phone.ready()
    phone.context.set_offline(True)
    phone.goto("/petugas")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    expect(page.locator("#village-list li")).to_have_count(2)
    expect(page.locator("#village-list li .risk").first).to_have_text(
        "Risiko: Tinggi"
    )  # a word, not the code
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert page.evaluate("navigator.onLine") is False


def test_a_visit_made_offline_survives_reload_and_restart_and_reaches_the_server_once(
    app, live_server, phone, world
):
    page = phone.ready()
    phone.context.set_offline(True)
    phone.record_visit("15.71.01.1001", "Sosialisasi di balai desa")
    expect(page.locator("#sync-count")).to_have_text("1 menunggu sinkronisasi")
    expect(page.locator("#today-list li.state-waiting")).to_have_count(1)
    assert stored(app, "Sosialisasi di balai desa") == []

    page.reload()
    expect(page.locator("#sync-count")).to_have_text("1 menunggu sinkronisasi")

    phone.close()
    live_server.stop()  # out of reach while the browser starts again (it may replay Background Sync then)
    page = phone.open(offline=True)
    phone.goto("/petugas")
    expect(page.locator("#sync-count")).to_have_text("1 menunggu sinkronisasi")
    expect(page.locator("#today-list li.state-waiting")).to_contain_text("Sosialisasi di balai desa")
    assert stored(app, "Sosialisasi di balai desa") == []

    live_server.start()
    phone.context.set_offline(False)  # the app syncs by itself when the connection returns
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    assert wait_for(page, lambda: len(stored(app, "Sosialisasi di balai desa")) == 1)
    [visit] = stored(app, "Sosialisasi di balai desa")
    assert visit.village_code == "15.71.01.1001"
    expect(page.locator("#today-list li.state-confirmed")).to_contain_text("Sosialisasi di balai desa")
    page.wait_for_timeout(1000)
    assert len(stored(app, "Sosialisasi di balai desa")) == 1


def test_a_lost_answer_is_retried_and_the_server_still_has_one_row(app, live_server, phone, world):
    page = phone.ready()
    live_server.drop_push_answers = (
        True  # the server stores each push, and the answer never reaches the phone
    )
    phone.record_visit("15.71.01.1002", "Jawaban hilang")
    assert wait_for(page, lambda: live_server.dropped >= 1)
    assert len(stored(app, "Jawaban hilang")) == 1
    expect(page.locator("#sync-count")).to_have_text("1 menunggu sinkronisasi")

    [visit] = stored(app, "Jawaban hilang")
    live_server.drop_push_answers = False
    page.click("#sync-now")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    assert [r["status"] for r in live_server.push_results if r["id"] == visit.id] == ["duplicate"]
    assert len(stored(app, "Jawaban hilang")) == 1


def test_an_ended_session_asks_to_log_in_again_and_loses_nothing(app, phone, world):
    page = phone.ready()
    phone.context.set_offline(True)
    phone.record_visit("15.71.01.1001", "Sesi berakhir")
    phone.context.clear_cookies()  # the session ended while the phone was offline
    phone.context.set_offline(False)
    expect(page.locator("#login-again")).to_be_visible()
    expect(page.locator("#sync-count")).to_have_text("1 menunggu sinkronisasi")
    assert stored(app, "Sesi berakhir") == []

    page.click("#login-again a")
    page.fill("#username", "ani")
    page.fill("#password", "rahasia-123")
    page.click("button[type=submit]")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    expect(page.locator("#login-again")).to_be_hidden()
    assert len(stored(app, "Sesi berakhir")) == 1


def test_a_visit_made_before_the_office_took_the_officer_off_the_village_still_reaches_the_server(
    app, phone, world
):
    from outreach import designations
    from outreach.models import DesaBinaan, User

    page = phone.ready()
    phone.context.set_offline(True)
    phone.record_visit("15.71.01.1002", "Kunjungan terakhir ke Legok")
    with app.app_context():  # meanwhile the office gives Legok to another officer
        designations.unassign(
            db.session,
            db.session.get(DesaBinaan, world.desa["15.71.01.1002"]),
            db.session.get(User, world.ani),
            today=today(),
        )
        db.session.commit()
    phone.context.set_offline(False)
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    assert len(stored(app, "Kunjungan terakhir ke Legok")) == 1
    expect(page.locator("#village-list li")).to_have_count(1)  # Legok has left the phone


def test_a_rejected_record_stays_on_the_phone_with_the_servers_reason(app, phone, world):
    from outreach.models import Assignment

    page = phone.ready()
    phone.context.set_offline(True)
    phone.record_visit("15.71.01.1002", "Desa sudah dialihkan")
    with (
        app.app_context()
    ):  # the office had taken the officer off Legok two days before; the phone had not synced
        db.session.execute(
            Assignment.__table__.update()
            .where(Assignment.desa_binaan_id == world.desa["15.71.01.1002"])
            .values(ended_on=today() - timedelta(days=2))
        )
        db.session.commit()
    phone.context.set_offline(False)
    rejected = page.locator("#to-fix-list li.state-rejected")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text("Perlu diperbaiki")
    expect(rejected).to_contain_text("Desa ini tidak lagi menjadi desa binaan Anda sejak")
    page.reload()
    expect(page.locator("#to-fix-list li.state-rejected")).to_have_count(1)
    assert stored(app, "Desa sudah dialihkan") == []
