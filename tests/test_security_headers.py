"""The security headers as served: a strict Content-Security-Policy (a guidance file keeps its own sandbox), no
framing, no sniffing, a same-origin referrer, powerful features only on the officer's app, HSTS only over HTTPS,
and nothing a logged-in user is shown left in a cache; and the endpoint where browsers report what the policy
blocked."""

import json
import logging

import pytest

from outreach.extensions import db
from outreach.models import Material
from tests.conftest import Auth, today
from tests.test_guidance_files import PNG, SANDBOX
from tests.test_photos import upload
from tests.test_record_types import session_record

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "report-uri": "/csp-report",
}
NOT_ON_THE_WEB = ("microphone", "payment", "usb", "serial", "hid", "midi", "display-capture", "fullscreen")


@pytest.fixture
def material(app, world):
    """A published article with a leaflet file."""
    with app.app_context():
        article = Material(
            slug="leaflet-tppo",
            kind="leaflet",
            topics=["tppo"],
            published=True,
            title_id="Kenali TPPO",
            body_id="Tanda-tanda TPPO.",
            file_data=PNG,
            file_name="kenali.png",
        )
        db.session.add(article)
        db.session.commit()
        return article.id


@pytest.fixture
def photo(app, world):
    """The address of a photo of ani's session."""
    officer = app.test_client()
    auth = Auth(officer)
    auth.login("ani")
    record = session_record()
    assert auth.push([record]).status_code == 200
    answer = upload(officer, auth, record["id"])
    assert answer.status_code == 201
    return f"/kelola/foto/{answer.get_json()['id']}"


def browser(app, username=None):
    client = app.test_client()
    if username:
        Auth(client).login(username)
    return client


def policy(response) -> dict[str, str]:
    parts = [part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";")]
    return dict(parts)


def features(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response.headers["Permissions-Policy"].split(","))


def static_file(client):
    response = client.get("/static/css/app.css")
    response.close()  # a static file is sent from an open file
    return response


def answers(app, material, photo):
    """One of each kind of answer, each as its user gets it."""
    manager, officer, anonymous = browser(app, "maya"), browser(app, "ani"), browser(app)
    return {
        "public article": anonymous.get("/panduan/leaflet-tppo"),
        "public QR code": anonymous.get("/panduan/leaflet-tppo/qr.svg"),
        "manager page": manager.get("/kelola/"),
        "map image": manager.get("/kelola/peta.svg?region=15"),
        "API answer": officer.get("/api/v1/me"),
        "export": manager.get(f"/kelola/ekspor/visit.csv?from={today():%Y-%m-01}&to={today()}"),
        "photo": manager.get(photo),
        "officer's app": officer.get("/petugas"),
        "static file": static_file(anonymous),
        "error page": anonymous.get("/panduan/no-such-article"),
    }


# Answers that are no document: nothing may load under their policy, and they carry no Permissions-Policy.
NOT_DOCUMENTS = {"API answer", "static file"}
NOTHING_LOADS = {"default-src": "'none'", "frame-ancestors": "'none'", "report-uri": "/csp-report"}


def test_every_answer_has_a_strict_policy_and_cannot_be_framed_or_sniffed(app, material, photo):
    for name, response in answers(app, material, photo).items():
        assert response.status_code in (200, 404), name
        # the officer's app alone shows a photo just taken, from the phone's memory, before it is sent
        images = "'self' blob:" if name == "officer's app" else "'self'"
        expected = NOTHING_LOADS if name in NOT_DOCUMENTS else {**DIRECTIVES, "img-src": images}
        assert policy(response) == expected, name
        assert "unsafe" not in response.headers["Content-Security-Policy"], name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["Referrer-Policy"] == "same-origin", name
        assert "Strict-Transport-Security" not in response.headers, name  # plain HTTP


@pytest.mark.parametrize("path", ["/panduan/leaflet-tppo/berkas", "/kelola/materi/{id}/berkas"])
def test_a_guidance_file_keeps_its_sandbox_policy_under_the_apps(app, material, path):
    response = browser(app, "maya").get(path.format(id=material))
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers.getlist("Content-Security-Policy") == [SANDBOX]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_only_the_officers_app_may_ask_for_the_position_and_the_camera(app, material, photo):
    for name, response in answers(app, material, photo).items():
        if name in NOT_DOCUMENTS:
            assert "Permissions-Policy" not in response.headers, name  # only a document reads one
            continue
        allowed = features(response)
        expected = "(self)" if name == "officer's app" else "()"
        assert allowed["geolocation"] == allowed["camera"] == expected, name
        assert all(allowed[feature] == "()" for feature in NOT_ON_THE_WEB), name


def test_hsts_only_over_https_and_plain_http_is_not_redirected(client, world):
    assert (
        client.get("/", base_url="https://localhost")
        .headers["Strict-Transport-Security"]
        .startswith("max-age=")
    )
    over_http = client.get("/")
    assert over_http.status_code == 200 and "Strict-Transport-Security" not in over_http.headers
    behind_a_proxy = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in behind_a_proxy.headers


def test_the_apps_cookie_flags_are_kept(app, client, world):
    """Talisman would mark the session cookie Secure: over plain HTTP (a laptop demo) nobody could log in."""
    response = Auth(client).login("ani")
    assert response.status_code == 302
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert client.get("/api/v1/me").status_code == 200


def test_what_needs_a_log_in_is_never_stored_in_a_cache(app, material, photo):
    served = answers(app, material, photo)
    for name in ("manager page", "map image", "API answer", "export", "photo", "officer's app"):
        assert served[name].headers["Cache-Control"] == "no-store", name
    officer = browser(app, "ani")
    assert officer.get("/api/v1/changes?since=0").headers["Cache-Control"] == "no-store"
    assert browser(app).get("/masuk").headers["Cache-Control"] == "no-store"
    assert browser(app).get("/kelola/").headers["Cache-Control"] == "no-store"  # the redirect to log in


def test_a_public_page_is_no_store_only_when_a_logged_in_user_views_it(app, material):
    manager, anonymous = browser(app, "maya"), browser(app)
    for path in ("/panduan/leaflet-tppo", "/", "/panduan/leaflet-tppo/qr.svg"):
        assert manager.get(path).headers["Cache-Control"] == "no-store", path
    assert "Cache-Control" not in anonymous.get("/panduan/leaflet-tppo").headers
    assert anonymous.get("/panduan/leaflet-tppo/qr.svg").headers["Cache-Control"] == "private, max-age=86400"


def test_static_files_and_the_public_files_of_the_officers_app_keep_their_caching(app, world):
    for client in (browser(app, "ani"), browser(app)):
        assert static_file(client).headers["Cache-Control"] == "no-cache"
        assert client.get("/sw.js").headers["Cache-Control"] == "no-cache"
        assert "Cache-Control" not in client.get("/manifest.webmanifest").headers
        assert "Cache-Control" not in client.get("/api/v1/openapi.json").headers


REPORT = {
    "csp-report": {
        "document-uri": "http://localhost/kelola/",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "blocked-uri": "inline",
        "disposition": "enforce",
        "original-policy": "default-src 'self'",
    }
}


def test_a_browsers_report_is_answered_204_and_logged_on_one_line(client, caplog):
    forged = {"csp-report": {"blocked-uri": "inline\nWARNING forged log line"}}
    with caplog.at_level(logging.WARNING):
        first = client.post("/csp-report", data=json.dumps(REPORT), content_type="application/csp-report")
        second = client.post("/csp-report", data=json.dumps(forged), content_type="application/csp-report")
    assert first.status_code == second.status_code == 204 and first.data == b""
    logged = [r.getMessage() for r in caplog.records if "Content-Security-Policy violation" in r.getMessage()]
    assert len(logged) == 2 and '"effective-directive": "style-src-attr"' in logged[0]
    assert "\n" not in logged[1]


def test_a_report_of_the_reporting_api_is_taken_too(client, caplog):
    body = [
        {
            "type": "csp-violation",
            "url": "http://localhost/",
            "body": {"effectiveDirective": "script-src-elem"},
        }
    ]
    with caplog.at_level(logging.WARNING):
        response = client.post("/csp-report", data=json.dumps(body), content_type="application/reports+json")
    assert response.status_code == 204 and "script-src-elem" in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'"csp-report"',
        b'{"csp-report": "inline"}',
        b"{\xff\xfe}",
        b'{"other": {}}',
        b'[{"type": "deprecation", "body": {}}]',
    ],
)
def test_a_report_that_is_no_report_is_refused_with_400(client, body):
    assert client.post("/csp-report", data=body, content_type="application/csp-report").status_code == 400


def test_an_oversized_report_is_refused_with_413(client):
    huge = {"csp-report": {"blocked-uri": "x" * 20_000}}
    assert (
        client.post("/csp-report", data=json.dumps(huge), content_type="application/csp-report").status_code
        == 413
    )


def test_the_report_endpoint_takes_only_posts_and_needs_no_csrf_token(client):
    assert client.get("/csp-report").status_code == 405
    assert client.post("/csp-report", json=REPORT).status_code == 204
    assert client.post("/bahasa/en").status_code == 400  # any other form needs its token
