"""Log-outs the server must hear of: one made with no signal, and a phone the office signed out."""

from playwright.sync_api import expect
from sqlalchemy import select

from outreach import sessions
from outreach.extensions import db
from outreach.models import LoginSession, User, Visit

ALL_SYNCED = "Semua catatan sudah terkirim"


def open_sessions(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return sessions.open_sessions(db.session, user)


def visits(app):
    with app.app_context():
        return list(db.session.scalars(select(Visit)))


SEEN_BY = """(viewer) => new Promise((resolve, reject) => {
  const open = indexedDB.open('pimpasa-outreach');
  open.onsuccess = () => {
    const count = open.result.transaction('seen').objectStore('seen').index('viewer').count(viewer);
    count.onsuccess = () => { open.result.close(); resolve(count.result); };
    count.onerror = () => reject(count.error);
  };
  open.onerror = () => reject(open.error);
})"""


def test_a_log_out_made_offline_is_finished_before_the_next_officer_sees_anything(
    app, live_server, phone, world
):
    page = phone.ready()
    phone.record_visit("15.71.01.1002", "Terkirim")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    page.wait_for_function(f"async () => (await ({SEEN_BY})('ani')) > 0")  # pulled back from the server
    phone.context.set_offline(True)
    phone.record_visit("15.71.01.1001", "Milik Ani")
    page.click("#logout")
    page.click("#logout-yes")
    notice = page.locator("#logged-out")
    expect(notice).to_contain_text("Anda sudah keluar di ponsel ini")
    expect(page.locator("#main > .view:visible")).to_have_count(0)
    assert page.evaluate(SEEN_BY, "ani") == 0  # the copies of the server's records are gone from the phone
    assert len(open_sessions(app, "ani")) == 1  # the server has not heard yet

    page.reload()  # the shell opens offline, and stays closed
    expect(notice).to_be_visible()
    expect(page.locator("#today-list li:visible")).to_have_count(0)

    # Back in signal, the next officer opens the log-in page (the app is closed): the first one's session
    # ends before it loads.
    page.goto("about:blank")
    phone.context.set_offline(False)
    seen = []
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    phone.goto("/masuk")
    expect(page.locator("#username")).to_be_visible()
    assert not [
        url for url in seen if "/petugas" in url
    ]  # not even the empty shell of the first officer's app
    assert open_sessions(app, "ani") == []
    with app.app_context():
        [ended] = db.session.scalars(select(LoginSession))
        assert ended.ended_reason == "logged_out"

    phone.login("budi")
    phone.wait_until_ready(villages=1)
    expect(page.locator("#who")).to_have_text("Budi")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    page.evaluate("location.hash = '#records'")
    expect(page.locator("#record-list li")).to_have_count(0)
    assert [visit.purpose for visit in visits(app)] == ["Terkirim"]  # Ani's unsent record waits for Ani


def test_the_app_finishes_an_offline_log_out_when_the_signal_returns(app, phone, world):
    page = phone.ready()
    phone.context.set_offline(True)
    page.click("#logout")
    expect(page.locator("#logged-out")).to_be_visible()
    phone.context.set_offline(False)
    page.wait_for_url("**/masuk")
    assert open_sessions(app, "ani") == []


def test_a_phone_the_office_signed_out_keeps_its_records_and_sends_them_when_the_officer_is_back(
    app, live_server, phone, world
):
    page = phone.ready()
    phone.context.set_offline(True)
    phone.record_visit("15.71.01.1001", "Ponsel hilang")
    with app.app_context():  # the manager's "sign out" on the officer's page
        user = db.session.get(User, world.ani)
        sessions.end_all(db.session, user, "signed_out")
        db.session.commit()
    phone.context.set_offline(False)
    page.click("#sync-now")
    expect(page.locator("#login-again")).to_be_visible()
    expect(page.locator("#sync-count")).to_have_text("1 menunggu sinkronisasi")
    assert visits(app) == []

    page.click("#login-again a")
    page.fill("#username", "ani")
    page.fill("#password", "rahasia-123")
    page.click("button[type=submit]")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    [visit] = visits(app)
    assert visit.purpose == "Ponsel hilang" and visit.officer_id == world.ani


CACHED_PAGES = """async () => {
  const cache = await caches.open('pimpasa-guidance-id');
  const pages = [];
  for (const request of await cache.keys()) pages.push([request.url, await (await cache.match(request)).text()]);
  return pages;
}"""


def test_guidance_read_by_a_logged_in_manager_is_never_kept_with_their_menu(app, live_server, phone, world):
    page = phone.open()
    phone.login("maya", home="/kelola/")
    phone.goto("/")
    phone.wait_for_worker()
    phone.goto("/panduan/kenali-tppo")
    expect(page.locator("a[href='/kelola/']")).to_be_visible()  # the manager's menu is on the page...
    phone.goto("/")
    page.click("#save-all")
    expect(page.locator("#save-all-message")).to_contain_text("Semua panduan sudah tersimpan")
    pages = page.evaluate(CACHED_PAGES)
    assert any(url.endswith("/panduan/kenali-tppo") for url, _ in pages)
    for url, text in pages:  # ...but the copies kept for reading offline are a stranger's
        assert "/kelola/" not in text and "Maya" not in text and "/keluar" not in text, url
