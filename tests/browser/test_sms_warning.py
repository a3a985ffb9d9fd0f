"""The whole loop of an urgent warning by SMS, in a real Chromium: an officer with no data saves an urgent warning,
the app offers "Kirim lewat SMS" with the coded text for the office's gateway, that text fed to the webhook
stores the warning, the managers are told (an e-mail over SMTP on loopback, a Web Push notification decrypted
as the manager's browser would), the phone then says "diterima lewat SMS", and its sync completes the same
warning."""

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect
from sqlalchemy import select

from outreach import notices as outbox
from outreach.extensions import db
from outreach.models import EarlyWarning, Notice, Office
from tests.browser.test_offline import wait_for
from tests.conftest import Auth
from tests.test_notices import inbox, mail_to, people, subject_of, text_of  # noqa: F401  (fixtures)
from tests.test_push import keyed, service, turn_on  # noqa: F401  (fixtures)

GATEWAY = "+6281200001111"
SECRET = "gateway-secret-123"
DESCRIPTION = "Dua calo menjemput empat pemuda malam ini"


def stored(app):
    with app.app_context():
        return [
            (w.id, w.description, w.people_count, w.version, w.sms_received_at is not None)
            for w in db.session.scalars(select(EarlyWarning))
        ]


def notices(app):
    with app.app_context():
        return sorted((n.user.username, n.channel, n.warning_id) for n in db.session.scalars(select(Notice)))


def test_an_urgent_warning_goes_by_sms_without_data_and_its_sync_completes_it(
    app,
    live_server,
    phone,
    keyed,  # noqa: F811  maya (the Kanim) and wati (the Kanwil) have e-mail; push is set up
    service,  # noqa: F811
    inbox,  # noqa: F811
):
    world = keyed
    app.config.update(SMS_WEBHOOK_SECRET=SECRET)
    mail_to(app, inbox.port)
    mayas_browser = service.browser("maya")
    turn_on(Auth(app.test_client()), "maya", mayas_browser)
    with app.app_context():
        db.session.get(Office, world.kanim).sms_gateway = GATEWAY
        db.session.commit()
    page = phone.ready()
    phone.context.set_offline(True)
    phone.record(
        "warning",
        village="15.71.01.1001",
        category="non_procedural_departure",
        urgency="segera",
        description=DESCRIPTION,
        people_count=4,
        source="seen",
    )
    phone.record_visit("15.71.01.1002", "Koordinasi")  # an ordinary record is offered no SMS
    expect(page.locator("#sync-count")).to_have_text("2 menunggu sinkronisasi")
    link = page.locator("#today-list li.state-waiting a.sms-link")
    expect(link).to_have_count(1)
    expect(link).to_have_text("Kirim lewat SMS")
    expect(link).to_be_visible()  # once its code is computed
    href = urlsplit(link.get_attribute("href"))
    assert href.scheme == "sms" and href.path == GATEWAY
    [text] = parse_qs(href.query)["body"]
    assert len(text) <= 160 and text.startswith(f"PIMPASA W {world.ani} ")
    assert " 15.71.01.1001 segera non_procedural_departure seen 4 " in text

    # The office's gateway forwards the SMS (here in SMS Gateway for Android's format).
    answer = app.test_client().post(
        "/api/v1/sms",
        json={
            "event": "sms:received",
            "deviceId": "gateway-1",
            "id": "event-1",
            "webhookId": "hook-1",
            "payload": {"messageId": "m1", "message": text, "phoneNumber": "+6281299998888", "simNumber": 1},
        },
        headers={"Authorization": f"Bearer {SECRET}"},
    )
    assert answer.status_code == 201, answer.get_json()
    warning_id = answer.get_json()["id"]
    assert stored(app) == [(warning_id, "(sms)", 4, 1, True)]
    told = [("maya", "email", warning_id), ("maya", "push", warning_id), ("wati", "email", warning_id)]
    assert notices(app) == told

    # The managers hear of it within the minute: by e-mail, and in maya's browser.
    with app.app_context():
        assert outbox.run_once(db.session(), app.config) == (0, 3)
    mails = {rcpt[0]: message for rcpt, message in inbox.messages}
    assert set(mails) == {"Maya@kanim.example.org", "wati@kanwil.example.org"}
    link = f"https://pimpasa.example.go.id/kelola/peringatan/{warning_id}"
    assert link in text_of(mails["Maya@kanim.example.org"])
    assert "Segera" in subject_of(mails["wati@kanwil.example.org"])
    [(path, _headers, body)] = service.received
    notification = mayas_browser.read(body)
    assert path == "/push/maya" and notification["url"] == link
    assert "Segera" in notification["title"] and "Sungai Putri" in notification["title"]
    for message in (notification["body"], text_of(mails["Maya@kanim.example.org"])):
        assert DESCRIPTION not in message and "Ani" not in message

    # Data comes back, but the server fails on the full record (a bug of its own): the phone pulls all the same,
    # and says the office has the warning by SMS while its record still waits.
    live_server.failing_ids = {warning_id}
    phone.context.set_offline(False)
    item = page.locator(f"#today-list li[data-id='{warning_id}']")
    for _ in range(3):
        page.click("#sync-now")
        if wait_for(page, lambda: item.locator(".sms-received").count() == 1, timeout=8):
            break
    expect(item.locator(".sms-received")).to_have_text("diterima lewat SMS")
    expect(item.locator("a.sms-link")).to_have_count(0)
    assert stored(app)[0][1] == "(sms)"

    live_server.failing_ids = set()
    page.click("#sync-now")
    expect(page.locator("#sync-count")).to_have_text("Semua catatan sudah terkirim")
    assert stored(app) == [(warning_id, DESCRIPTION, 4, 2, True)]
    assert notices(app) == told  # told once
    expect(item.locator(".sms-received")).to_have_count(0)
