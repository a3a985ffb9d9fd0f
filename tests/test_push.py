"""Web Push, the notices' second channel: a manager turns it on in a browser, and an urgent warning reaches that
browser through its push service, encrypted for it alone and signed with the server's VAPID key. The push
service here is a real HTTP server on loopback that checks the signature with the server's public key and
decrypts the message with the browser's keys, as a browser would; nothing of pywebpush is replaced."""

import base64
import json
import os
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from outreach import create_app, notices, push
from outreach.extensions import db
from outreach.models import EarlyWarning, Notice, PushSubscription, User, utcnow
from tests.conftest import form_token, make_user
from tests.test_notices import (  # noqa: F401  (inbox and people are fixtures)
    DESCRIPTION,
    free_port,
    inbox,
    mail_to,
    people,
    warning_record,
)
from tests.test_notices import push as store


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Browser:
    """A browser's side of a subscription: the key pair and auth secret it gives the push service's address
    with, and with which it alone can read what is pushed to it."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self):
        point = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64(point), "auth": b64(self.auth)},
        }

    def read(self, body: bytes):
        return json.loads(
            http_ece.decrypt(body, private_key=self.private, auth_secret=self.auth, version="aes128gcm")
        )


class PushService:
    """A push service on loopback: keeps every message it is posted (its path, headers and body) and answers
    each address with the status set for it (201 unless told), after `delay` seconds."""

    def __init__(self):
        self.received = []
        self.answers = {}
        self.delay = 0.0
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                time.sleep(service.delay)
                self.send_response(service.answers.get(self.path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def browser(self, name):
        return Browser(f"{self.origin}/push/{name}")

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service():
    running = PushService()
    yield running
    running.stop()


@pytest.fixture
def keyed(app, people):  # noqa: F811
    """Push set up with a new VAPID key; e-mail not (no MAIL_SERVER)."""
    private, _public = push.new_keys()
    app.config.update(
        VAPID_PRIVATE_KEY=private, VAPID_SUBJECT="mailto:it@kanim.example.go.id", PUSH_TIMEOUT=5
    )
    return people


def subscribe(auth, body, method="POST"):
    token = form_token(auth.client, "/akun")
    return auth.client.open("/akun/push", method=method, json=body, headers={"X-CSRFToken": token})


def turn_on(auth, username, browser):
    auth.login(username)
    answer = subscribe(auth, browser.subscription())
    assert answer.status_code == 200, answer.get_data(as_text=True)
    log_out(auth)


def log_out(auth):
    auth.client.post("/keluar", data={"csrf_token": form_token(auth.client, "/keluar")})


def verified_claims(authorization: str, public_key: str):
    """The claims of a VAPID header (RFC 8292: `vapid t=<JWT>,k=<key>`), its ES256 signature checked with the
    server's public key; InvalidSignature when it was signed with another."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(part.split("=", 1) for part in params.split(","))
    assert parts["k"] == public_key
    header, claims, signature = parts["t"].split(".")
    raw = unb64(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "ES256"}
    return json.loads(unb64(claims))


def test_an_urgent_warning_is_pushed_signed_and_readable_only_by_the_managers_browser(
    app, keyed, service, auth
):
    maya, wati = service.browser("maya"), service.browser("wati")
    turn_on(auth, "maya", maya)
    turn_on(auth, "wati", wati)
    with app.app_context():
        sent = warning_record()
        store(keyed.ani, [sent])
        assert notices.run_once(db.session(), app.config) == (0, 2)  # no MAIL_SERVER: the e-mails wait
        by_channel = {(n.user.username, n.channel): n.status for n in db.session.scalars(select(Notice))}
        public_key = push.public_key(app.config)
    assert by_channel == {
        ("maya", "email"): "pending",
        ("wati", "email"): "pending",
        ("maya", "push"): "sent",
        ("wati", "push"): "sent",
    }
    assert sorted(path for path, _, _ in service.received) == ["/push/maya", "/push/wati"]
    _, headers, body = next(r for r in service.received if r[0] == "/push/maya")
    claims = verified_claims(headers["authorization"], public_key)
    assert claims["aud"] == service.origin and claims["sub"] == "mailto:it@kanim.example.go.id"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert headers["content-encoding"] == "aes128gcm" and headers["urgency"] == "high"
    assert int(headers["ttl"]) > 0
    message = maya.read(body)
    assert set(message) == {"title", "body", "url"}
    assert message["url"] == f"https://pimpasa.example.go.id/kelola/peringatan/{sent['id']}"
    assert "Segera" in message["title"] and "Sungai Putri" in message["title"]
    assert "calo" in message["body"] and "Kota Baru" in message["body"]
    text = json.dumps(message, ensure_ascii=False)
    for private in (DESCRIPTION, "Pak Darto", "Rina", "Sari", "Ani", "Maya"):
        assert private not in text
    with pytest.raises(http_ece.ECEException):  # the body is encrypted for maya's browser alone
        wati.read(body)
    with pytest.raises(InvalidSignature):  # and signed with this server's key alone
        other = push.new_keys()[1]
        verified_claims(headers["authorization"].replace(public_key, other), other)
    auth.login("maya")
    auth.client.set_cookie("lang", "en")
    page = auth.client.get(f"/kelola/peringatan/{sent['id']}").get_data(as_text=True)
    assert "browser notification: sent" in page and "e-mail: not sent: no mail server is set up" in page
    listing = auth.client.get("/kelola/peringatan").get_data(as_text=True)
    assert (
        listing.split("Told:")[1].split("Opened by")[0].count("Maya") == 1
    )  # once, by whichever channel reached her


def test_a_browser_its_push_service_forgot_is_removed_and_the_notice_given_up(app, keyed, service, auth):
    gone = service.browser("gone")
    turn_on(auth, "maya", gone)
    service.answers["/push/gone"] = 410
    with app.app_context():
        store(keyed.ani, [warning_record(urgency="tinggi")])
        assert notices.run_once(db.session(), app.config) == (0, 0)
        [notice] = db.session.scalars(select(Notice).where(Notice.channel == "push")).all()
        assert (notice.status, notice.attempts) == ("failed", 1)
        assert notice.last_error.startswith("Undeliverable")
        assert db.session.scalars(select(PushSubscription)).all() == []
    auth.login("maya")
    auth.client.set_cookie("lang", "en")
    page = auth.client.get(f"/kelola/peringatan/{notice.warning_id}").get_data(as_text=True)
    assert "no browser with notifications turned on any more" in page


def test_a_notice_reaches_the_browsers_still_there_when_one_is_gone(app, keyed, service, auth):
    gone, kept = service.browser("old-laptop"), service.browser("phone")
    turn_on(auth, "maya", gone)
    turn_on(auth, "maya", kept)
    service.answers["/push/old-laptop"] = 404
    with app.app_context():
        store(keyed.ani, [warning_record(urgency="tinggi")])
        assert notices.run_once(db.session(), app.config) == (0, 1)
        assert db.session.scalars(select(PushSubscription.endpoint)).all() == [kept.endpoint]
    [(_, headers, body)] = [r for r in service.received if r[0] == "/push/phone"]
    assert kept.read(body)["title"] and headers["urgency"] == "normal"  # tinggi is not the most urgent


def test_a_push_service_failing_for_now_is_tried_again_later(app, keyed, service, auth):
    browser = service.browser("maya")
    turn_on(auth, "maya", browser)
    service.answers["/push/maya"] = 500
    with app.app_context():
        store(keyed.ani, [warning_record(urgency="tinggi")])
        assert notices.run_once(db.session(), app.config) == (0, 0)
        [notice] = db.session.scalars(select(Notice).where(Notice.channel == "push")).all()
        assert (notice.status, notice.attempts) == ("pending", 1) and "500" in notice.last_error
        assert notice.next_try_at > utcnow()
        assert db.session.scalar(select(PushSubscription.endpoint)) == browser.endpoint  # kept
        assert notices.run_once(db.session(), app.config) == (0, 0)  # not before its time
        assert len(service.received) == 1
        service.answers.clear()
        assert notices.run_once(db.session(), app.config, now=notice.next_try_at) == (0, 1)
        notice = db.session.get(Notice, notice.id, populate_existing=True)
        assert (notice.status, notice.attempts) == ("sent", 2)
    assert browser.read(service.received[-1][2])["url"].endswith(notice.warning_id)


def test_a_silent_push_service_holds_the_sender_no_longer_than_the_timeout(app, keyed, service, auth):
    turn_on(auth, "maya", service.browser("maya"))
    app.config["PUSH_TIMEOUT"] = 0.5
    service.delay = 3
    with app.app_context():
        store(keyed.ani, [warning_record(urgency="tinggi")])
        started = time.monotonic()
        assert notices.run_once(db.session(), app.config) == (0, 0)
        assert time.monotonic() - started < 2.5
        [notice] = db.session.scalars(select(Notice).where(Notice.channel == "push")).all()
        assert notice.status == "pending" and "Timeout" in notice.last_error


def test_email_and_push_go_without_waiting_for_each_other(app, keyed, service, inbox, auth):  # noqa: F811
    turn_on(auth, "maya", service.browser("maya"))
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    with app.app_context():
        store(keyed.ani, [warning_record(urgency="tinggi")])
        assert notices.run_once(db.session(), app.config) == (0, 1)
        statuses = {n.channel: n.status for n in db.session.scalars(select(Notice))}
        assert statuses == {"email": "pending", "push": "sent"}
    mail_to(app, inbox.port)
    service.answers["/push/maya"] = 503
    with app.app_context():
        store(keyed.ani, [warning_record(urgency="tinggi")])
        later = utcnow() + timedelta(minutes=2)  # the first e-mail's retry is due too
        assert notices.run_once(db.session(), app.config, now=later) == (0, 2)
    assert len(inbox.messages) == 2


def test_a_manager_with_push_but_no_address_is_told_and_escalated_to_by_push(app, keyed, service, auth):
    with app.app_context():
        db.session.get(User, keyed.manager).email = None
        wati = db.session.scalar(select(User).where(User.username == "wati"))
        wati.email, wati.notify_urgencies = None, ""
        db.session.commit()
    maya, wati = service.browser("maya"), service.browser("wati")
    turn_on(auth, "maya", maya)
    turn_on(auth, "wati", wati)
    with app.app_context():
        sent = warning_record(urgency="tinggi")
        store(keyed.ani, [sent])
        arrived = db.session.get(EarlyWarning, sent["id"]).received_at
        assert notices.run_once(db.session(), app.config, now=arrived) == (0, 1)
        assert notices.run_once(db.session(), app.config, now=arrived + timedelta(hours=6, minutes=1)) == (
            1,
            1,
        )
        told = {(n.user.username, n.channel, n.reason) for n in db.session.scalars(select(Notice))}
    assert told == {("maya", "push", "new"), ("wati", "push", "escalated")}
    escalated = wati.read(service.received[-1][2])
    assert escalated["title"].startswith(("Not yet opened", "Belum dibuka"))


def test_push_notices_wait_without_a_vapid_key_and_the_account_page_says_so(app, people, auth):  # noqa: F811
    auth.login("maya")
    auth.client.set_cookie("lang", "en")
    page = auth.client.get("/akun").get_data(as_text=True)
    assert "Notifications in the browser are not set up on this server" in page
    assert 'id="push-on"' not in page
    answer = subscribe(auth, Browser("https://push.example.com/x").subscription())
    assert answer.status_code == 409 and "not set up" in answer.get_json()["message"]


def test_the_account_page_offers_the_button_with_the_servers_public_key(app, keyed, auth):
    auth.login("maya")
    auth.client.set_cookie("lang", "en")
    page = auth.client.get("/akun").get_data(as_text=True)
    assert "Enable notifications on this browser" in page and "Turned on in 0 browsers." in page
    with app.app_context():
        assert push.public_key(app.config) in page
    log_out(auth)
    auth.login("ani")
    assert "push-settings" not in auth.client.get("/akun").get_data(as_text=True)  # officers get no notices


def test_a_subscription_is_refused_with_a_reason_when_it_is_not_one(app, keyed, auth):
    good = Browser("https://fcm.googleapis.com/fcm/send/abc").subscription()
    keys = good["keys"]
    refused = {
        "not an object": [1, 2],
        "no endpoint": {"keys": keys},
        "an http endpoint": {**good, "endpoint": "http://push.example.com/x"},
        "another scheme": {**good, "endpoint": "ftp://push.example.com/x"},
        "a private address": {**good, "endpoint": "https://10.1.2.3/push"},
        "a link-local address": {**good, "endpoint": "https://[fe80::1]/push"},
        "a password in it": {**good, "endpoint": "https://me:pw@push.example.com/x"},
        "a bad port": {**good, "endpoint": "https://push.example.com:99999/x"},
        "too long": {**good, "endpoint": "https://push.example.com/" + "x" * 1000},
        "no keys": {"endpoint": good["endpoint"]},
        "no auth": {**good, "keys": {"p256dh": keys["p256dh"]}},
        "p256dh not base64url": {**good, "keys": {**keys, "p256dh": "a+b/c$"}},
        "p256dh not a point": {**good, "keys": {**keys, "p256dh": b64(b"\x04" + b"\x01" * 64)}},
        "auth too short": {**good, "keys": {**keys, "auth": b64(b"short")}},
    }
    auth.login("maya")
    for case, body in refused.items():
        answer = subscribe(auth, body)
        assert answer.status_code == 400, case
        assert answer.get_json()["message"], case
    answer = auth.client.post(
        "/akun/push", data="{not json", headers={"X-CSRFToken": form_token(auth.client, "/akun")}
    )
    assert answer.status_code == 400
    assert auth.client.post("/akun/push", json=good).status_code == 400  # no CSRF token
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []
    assert subscribe(auth, good).status_code == 200
    log_out(auth)
    auth.login("ani")
    assert subscribe(auth, good).status_code == 403


def test_plain_http_on_loopback_is_for_tests_and_a_flag_only():
    body = Browser("http://127.0.0.1:8000/push/x").subscription()
    assert push.checked(body, allow_loopback=True)[0] == body["endpoint"]
    for endpoint in ("http://127.0.0.1:8000/push/x", "https://127.0.0.1/push/x", "https://localhost/x"):
        with pytest.raises(push.SubscriptionError):
            push.checked({**body, "endpoint": endpoint}, allow_loopback=False)


def test_a_browser_turned_off_or_taken_over_by_another_manager(app, keyed, auth):
    browser = Browser("https://updates.push.services.mozilla.com/wpush/v2/abc")
    auth.login("maya")
    assert subscribe(auth, browser.subscription()).get_json() == {"on": True, "browsers": 1}
    assert subscribe(auth, browser.subscription()).get_json() == {"on": True, "browsers": 1}  # once
    with app.app_context():
        make_user("wulan", "manager", db.session.get(User, keyed.manager).office)
        db.session.commit()
    log_out(auth)
    auth.login("wulan")
    assert subscribe(auth, browser.subscription()).status_code == 200  # the same browser, now wulan's
    log_out(auth)
    auth.login("maya")
    assert subscribe(auth, {"endpoint": browser.endpoint}, method="DELETE").get_json() == {
        "on": False,
        "browsers": 0,
    }
    with app.app_context():
        [kept] = db.session.scalars(select(PushSubscription)).all()
        assert kept.user.username == "wulan"  # maya could not turn off wulan's
    log_out(auth)
    auth.login("wulan")
    subscribe(auth, {"endpoint": browser.endpoint}, method="DELETE")
    with app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []
    assert subscribe(auth, {}, method="DELETE").status_code == 400


def test_vapid_keys_prints_a_key_the_app_starts_with(runner, tmp_path):
    result = runner.invoke(args=["vapid-keys"])
    assert result.exit_code == 0
    settings = dict(line.split("=", 1) for line in result.output.splitlines() if not line.startswith("#"))
    config = {
        "TESTING": True,
        "SECRET_KEY": "t",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "unused.sqlite"),
        **settings,
    }
    app = create_app(config)
    assert push.public_key(app.config) in result.output
    pem = push.server_key(app.config).private_pem().decode()
    assert push.public_key({**app.config, "VAPID_PRIVATE_KEY": pem}) == push.public_key(app.config)
    for wrong in ({"VAPID_PRIVATE_KEY": "not a key"}, {"VAPID_SUBJECT": "it@example.org"}):
        with pytest.raises(ValueError, match="VAPID"):
            create_app({**config, **wrong})
