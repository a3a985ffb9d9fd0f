"""Logging in and out, staying logged in on the phone, and roles on every page and endpoint."""

from datetime import UTC, datetime

import pytest

from outreach.extensions import db
from outreach.models import User


def test_an_officer_logs_in_and_lands_in_the_field_app(client, auth, world):
    response = auth.login("ani")
    assert response.status_code == 302 and response.headers["Location"] == "/petugas"
    assert client.get("/petugas").status_code == 200


def test_an_officer_stays_logged_in_on_the_phone_for_weeks(client, auth, world):
    response = auth.login("ani")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    expires = client.get_cookie("session").expires
    assert expires is not None and (expires - datetime.now(UTC)).days >= 59


def test_a_managers_session_cookie_goes_when_the_browser_closes(client, auth, world):
    auth.login("maya")
    assert client.get_cookie("session").expires is None
    assert not [
        h for h in client.get("/kelola/").headers.getlist("Set-Cookie") if h.startswith("remember_token=")
    ]


def test_a_wrong_password_is_refused_with_a_message_in_indonesian(client, auth, world):
    response = auth.login("ani", password="salah")
    assert response.status_code == 400
    assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_log_in(app, client, auth, world):
    with app.app_context():
        db.session.get(User, world.ani).active = False
        db.session.commit()
    response = auth.login("ani")
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_a_login_form_without_its_csrf_token_is_refused(client, world):
    response = client.post("/masuk", data={"username": "ani", "password": "rahasia-123"})
    assert response.status_code == 400
    assert client.get("/api/v1/me").status_code == 401


def test_logging_out_ends_the_session(client, auth, world):
    auth.login("ani")
    page = client.get("/keluar").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/petugas").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_next_address_never_leaves_the_site(client, auth, world, target):
    client.get("/masuk")
    response = client.get(f"/masuk?next={target}")
    assert response.status_code == 200
    auth.login("ani")
    response = client.get(f"/masuk?next={target}")
    assert response.headers["Location"] == "/petugas"


def test_next_keeps_a_local_address(client, auth, world):
    page = client.get("/masuk?next=/petugas").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/masuk?next=/petugas", data={"csrf_token": token, "username": "maya", "password": "rahasia-123"}
    )
    assert response.headers["Location"] == "/petugas"


@pytest.mark.parametrize("path", ["/petugas", "/keluar"])
def test_pages_that_need_a_login_send_a_stranger_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/masuk?next=")


@pytest.mark.parametrize("username", ["maya", "root"])
def test_the_field_app_is_for_officers_only(client, auth, world, username):
    auth.login(username)
    response = client.get("/petugas")
    assert response.status_code == 403
    assert "Peran Anda tidak diizinkan membuka halaman ini." in response.get_data(as_text=True)


def test_a_manager_lands_on_the_coverage_dashboard(client, auth, world):
    assert auth.login("maya").headers["Location"] == "/kelola/"


def test_error_pages_come_in_the_chosen_language(client):
    assert "Halaman ini tidak ada." in client.get("/tidak-ada").get_data(as_text=True)
    client.set_cookie("lang", "en")
    assert "This page does not exist." in client.get("/tidak-ada").get_data(as_text=True)


def test_the_language_switch_is_remembered(client):
    page = client.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/bahasa/en", data={"csrf_token": token, "next": "/masuk"})
    assert response.headers["Location"] == "/masuk"
    assert '<html lang="en">' in client.get("/masuk").get_data(as_text=True)
    assert client.post("/bahasa/xx", data={"csrf_token": token}).status_code == 404


def test_the_browser_language_is_used_when_nothing_was_chosen(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="id">' in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
