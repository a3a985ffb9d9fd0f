"""Every session can be ended: log-out, deactivation, the user's own device list, a manager cutting off a lost
phone; managers' sessions are short, officers' long."""

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from outreach import sessions
from outreach.extensions import db
from outreach.models import LoginSession, User, utcnow
from tests.conftest import Auth, form_token


@pytest.fixture
def other_client(app):
    return app.test_client()


def copy_cookie(source, target):
    """What an attacker with a copy of the cookie (or a second tab) sends."""
    target.set_cookie("session", source.get_cookie("session").value)


def rows(app, username):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        ).all()


def test_each_log_in_makes_a_new_token_and_only_its_hash_is_stored(app, client, other_client, auth, world):
    auth.login("ani")
    first = client.get_cookie("session").value
    Auth(other_client).login("ani")
    second = other_client.get_cookie("session").value
    assert first != second
    stored = rows(app, "ani")
    assert len(stored) == 2 and all(row.ended_at is None for row in stored)
    with app.test_request_context():
        tokens = [
            app.session_interface.get_signing_serializer(app).loads(cookie)["_user_id"]
            for cookie in (first, second)
        ]
    assert {row.token_hash for row in stored} == {sessions.digest(token) for token in tokens}
    assert not {row.token_hash for row in stored} & set(tokens)


def test_a_copied_cookie_stops_working_when_its_owner_logs_out(client, other_client, auth, world):
    auth.login("ani")
    copy_cookie(client, other_client)
    assert other_client.get("/api/v1/me").status_code == 200
    response = auth.submit("/keluar", {})
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"cache"'
    assert other_client.get("/api/v1/me").status_code == 401


def test_the_cookie_from_before_the_log_in_is_not_logged_in_after_it(client, other_client, auth, world):
    client.get("/masuk")
    copy_cookie(client, other_client)  # planted by someone before the officer logged in on this phone
    auth.login("ani")
    assert client.get("/api/v1/me").status_code == 200
    assert other_client.get("/api/v1/me").status_code == 401


def test_deactivating_an_account_ends_its_sessions(app, client, other_client, world):
    Auth(other_client).login("ani")
    auth = Auth(client)
    auth.login("maya")
    page = f"/kelola/pengguna/{world.ani}"
    response = auth.submit(page, {"full_name": "Ani", "role": "officer", "office": str(world.kanim)})
    assert response.status_code == 302
    assert other_client.get("/api/v1/me").status_code == 401
    assert [row.ended_reason for row in rows(app, "ani")] == ["deactivated"]


def test_users_see_their_devices_and_sign_one_out(app, client, other_client, auth, world):
    phone = Auth(other_client)
    phone.client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Linux; Android 13) Chrome/131.0 Mobile Safari/537.36"
    )
    phone.login("ani")
    auth.login("ani")
    page = client.get("/akun").get_data(as_text=True)
    assert "Chrome · Android" in page and "perangkat ini" in page
    phone_row = rows(app, "ani")[0]
    response = client.post(
        f"/akun/perangkat/{phone_row.id}/keluar", data={"csrf_token": form_token(client, "/akun")}
    )
    assert response.status_code == 302
    assert other_client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200


def test_signing_out_all_other_devices_keeps_this_one(client, other_client, auth, world):
    Auth(other_client).login("maya")
    auth.login("maya")
    response = client.post("/akun/perangkat/keluar-semua", data={"csrf_token": form_token(client, "/akun")})
    assert response.status_code == 302
    assert other_client.get("/kelola/").status_code == 302
    assert client.get("/kelola/").status_code == 200


def test_nobody_signs_out_another_users_device_from_their_own_account_page(
    app, client, other_client, auth, world
):
    Auth(other_client).login("budi")
    auth.login("ani")
    budi_row = rows(app, "budi")[0]
    response = client.post(
        f"/akun/perangkat/{budi_row.id}/keluar", data={"csrf_token": form_token(client, "/akun")}
    )
    assert response.status_code == 404
    assert other_client.get("/api/v1/me").status_code == 200


def test_a_manager_signs_out_a_lost_phone_and_it_needs_a_log_in(app, client, other_client, auth, world):
    phone = Auth(other_client)
    phone.login("ani")
    auth.login("maya")
    page = f"/kelola/pengguna/{world.ani}"
    assert "Keluarkan dari semua perangkat" in client.get(page).get_data(as_text=True)
    phone_row = rows(app, "ani")[0]
    response = auth.submit(
        f"/kelola/pengguna/{world.ani}/perangkat/{phone_row.id}/keluar", {}, form_page=page
    )
    assert response.status_code == 302
    answer = other_client.get("/api/v1/me")
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
    ended = rows(app, "ani")[0]
    assert ended.ended_reason == "signed_out" and ended.ended_by_id == world.manager


def test_a_manager_cannot_sign_out_an_officer_of_another_office(app, client, other_client, auth, world):
    Auth(other_client).login("citra")
    auth.login("maya")
    citra_row = rows(app, "citra")[0]
    response = client.post(
        f"/kelola/pengguna/{world.citra}/perangkat/keluar-semua",
        data={"csrf_token": form_token(client, "/kelola/")},
    )
    assert response.status_code == 404
    response = client.post(
        f"/kelola/pengguna/{world.citra}/perangkat/{citra_row.id}/keluar",
        data={"csrf_token": form_token(client, "/kelola/")},
    )
    assert response.status_code == 404
    assert other_client.get("/api/v1/me").status_code == 200


def age(app, username, by, *, expires_in=None):
    """Make a user's sessions look last used `by` ago (and end `expires_in` from now)."""
    with app.app_context():
        for row in rows(app, username):
            row = db.session.merge(row)
            row.last_seen_at -= by
            row.created_at -= by
            if expires_in is not None:
                row.expires_at = utcnow() + expires_in
        db.session.commit()


def test_a_manager_idle_for_half_an_hour_must_log_in_again(app, client, auth, world):
    auth.login("maya")
    age(app, "maya", timedelta(minutes=29))
    assert client.get("/kelola/").status_code == 200  # and that use counts as activity
    age(app, "maya", timedelta(minutes=29))
    assert client.get("/kelola/").status_code == 200
    age(app, "maya", timedelta(minutes=31))
    response = client.get("/kelola/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk")
    assert rows(app, "maya")[0].ended_reason == "expired"


def test_a_busy_manager_still_logs_in_again_after_a_working_day(app, client, auth, world):
    auth.login("maya")
    age(app, "maya", timedelta(0), expires_in=timedelta(seconds=-1))
    assert client.get("/kelola/").status_code == 302


def test_an_officer_offline_for_weeks_is_still_logged_in_and_the_session_moves_on(app, client, auth, world):
    auth.login("ani")
    age(app, "ani", timedelta(days=50), expires_in=timedelta(days=10))
    assert client.get("/api/v1/me").status_code == 200
    assert rows(app, "ani")[0].expires_at > utcnow() + timedelta(days=59)


def session_cookies(response):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]


def test_the_phones_cookie_moves_on_with_its_session_and_is_not_sent_with_every_answer(
    app, client, auth, world
):
    auth.login("ani")
    assert client.get("/api/v1/me").status_code == 200
    assert session_cookies(client.get("/api/v1/me")) == []  # nothing changed: nothing to send
    age(app, "ani", timedelta(days=50), expires_in=timedelta(days=10))
    answer = client.get("/api/v1/me")
    assert len(session_cookies(answer)) == 1
    assert client.get_cookie("session").expires > utcnow().replace(tzinfo=UTC) + timedelta(days=59)
    assert session_cookies(client.get("/api/v1/me")) == []
    assert client.get("/api/v1/me").status_code == 200


def test_an_officer_whose_phone_was_unused_past_the_limit_logs_in_again(app, client, auth, world):
    auth.login("ani")
    age(app, "ani", timedelta(days=60), expires_in=timedelta(minutes=-1))
    assert client.get("/api/v1/me").status_code == 401


def test_the_phone_logs_out_through_the_api(app, client, auth, world):
    auth.login("ani")
    response = client.post("/api/v1/logout", headers={"X-CSRFToken": auth.token()})
    assert response.status_code == 200 and response.headers["Clear-Site-Data"] == '"cache"'
    assert client.get("/api/v1/me").status_code == 401
    assert rows(app, "ani")[0].ended_reason == "logged_out"


def test_an_api_log_out_needs_the_csrf_token(client, auth, world):
    auth.login("ani")
    assert client.post("/api/v1/logout").status_code == 400
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("token", ["", "x" * 500, "1", "null", "\x00"])
def test_a_forged_session_token_is_nobody(app, client, token, world):
    with app.test_request_context():
        cookie = app.session_interface.get_signing_serializer(app).dumps({"_user_id": token, "_fresh": True})
    client.set_cookie("session", cookie)
    assert client.get("/api/v1/me").status_code == 401


def test_a_device_is_named_as_its_owner_would(ctx):
    phone = LoginSession(
        device="Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 Chrome/131.0.0.0 Mobile Safari/537.36"
    )
    laptop = LoginSession(
        device="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0"
    )
    assert sessions.describe(phone) == "Chrome · Android"
    assert sessions.describe(laptop) == "Edge · Windows"


def test_the_log_in_cookie_carries_a_new_csrf_secret(app, client, auth, world):
    before = form_token(client, "/masuk")
    auth.login("ani")
    with app.test_request_context():
        stored = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)
    # Made at log-in, not by whichever of the app's first requests comes first (they run at once, and each
    # would make its own): every token the phone gets from now on is checked against this one secret.
    assert "csrf_token" in stored
    assert client.post("/api/v1/logout", headers={"X-CSRFToken": before}).status_code == 400
    assert client.post("/api/v1/logout", headers={"X-CSRFToken": auth.token()}).status_code == 200
