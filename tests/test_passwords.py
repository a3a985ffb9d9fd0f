"""One password rule everywhere a password is set; users change their own; a password a manager chose is changed at
the first log-in."""

import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from outreach import accounts, passwords, throttle
from outreach.extensions import db
from outreach.models import LoginSession, User
from tests.conftest import PASSWORD, Auth

STRONG = "kopi-hujan-sepeda"


def refusal(password, username="rina", full_name="Rina Marlina"):
    """The rule's answer in English, or None when the password may be used."""
    with force_locale("en"):
        message = passwords.problem(password, username=username, full_name=full_name)
        return None if message is None else str(message)


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def ended(app, username):
    """The reasons the user's sessions ended, None for one still open, oldest first."""
    with app.app_context():
        query = select(LoginSession.ended_reason).join(User, LoginSession.user_id == User.id)
        return list(db.session.scalars(query.where(User.username == username).order_by(LoginSession.id)))


def change(auth, current, new, repeat=None, path="/akun/kata-sandi"):
    return auth.submit(
        path,
        {"current": current, "new": new, "repeat": new if repeat is None else repeat},
        form_page="/akun/kata-sandi",
    )


# The rule


def test_a_password_needs_ten_characters(ctx):
    assert refusal("kopi-huja") == "The password must be at least 10 characters."
    assert refusal("kopi-hujan") is None


@pytest.mark.parametrize(
    "password, reason",
    [
        ("password1234", "one of the most common passwords"),
        ("qwertyuiop", "one of the most common passwords"),
        ("pimpasa2026!", "the program's name"),
        ("imigrasi-jambi", "the program's name"),
        ("rina12345678", "your name, your username"),
        ("rina-marlina1", "your name, your username"),  # zxcvbn alone lets this one through
        ("Marlina.2026", "your name, your username"),
        ("aaaaaaaaaaaa", "repeats"),
        ("abcdefghijklm", "sequence"),
    ],
)
def test_a_common_or_guessable_password_is_refused_saying_why(ctx, password, reason):
    message = refusal(password)
    assert message is not None and message.startswith("This password is too easy to guess")
    assert reason in message


@pytest.mark.parametrize(
    "password", [STRONG, "correct horse battery staple", "rina-8372-9104", "Tepian.Batanghari"]
)
def test_a_passphrase_or_a_long_random_password_is_accepted(ctx, password):
    assert refusal(password) is None


def test_a_name_is_guessable_only_for_the_person_it_belongs_to(ctx):
    assert refusal("rina-marlina-77") is not None
    assert refusal("rina-marlina-77", username="budi", full_name="Budi Santoso") is None


def test_a_very_long_password_is_checked_without_an_error(ctx):
    assert refusal("sepeda-merah-" * 20) is None  # zxcvbn itself refuses more than 72 characters
    assert refusal("a" * 200) is not None


def test_the_passwords_managers_hand_out_on_paper_pass_the_rule(ctx):
    handed_out = {accounts.new_password() for _ in range(300)}
    assert len(handed_out) == 300
    assert [p for p in handed_out if refusal(p, username="budi", full_name="Budi Santoso") is not None] == []


# Managers set passwords


def test_a_manager_cannot_give_a_new_account_a_weak_password(app, client, auth, world):
    auth.login("maya")
    client.set_cookie("lang", "en")
    response = auth.submit(
        "/kelola/pengguna/baru",
        {
            "username": "rina",
            "full_name": "Rina Marlina",
            "role": "officer",
            "office": str(world.kanim),
            "password": "rina2026!!",
        },
    )
    assert response.status_code == 400
    assert "too easy to guess: it contains your name" in response.get_data(as_text=True)
    with app.app_context():
        assert user("rina") is None


def test_an_officer_given_a_password_by_a_manager_chooses_their_own_at_the_first_log_in(
    app, client, auth, world
):
    auth.login("maya")
    response = auth.submit(
        "/kelola/pengguna/baru",
        {
            "username": "rina",
            "full_name": "Rina Marlina",
            "role": "officer",
            "office": str(world.kanim),
            "password": STRONG,
        },
    )
    assert response.status_code == 302
    phone = Auth(app.test_client())
    assert phone.login("rina", STRONG).headers["Location"] == "/akun/kata-sandi?next=/petugas"
    assert phone.client.get("/petugas").headers["Location"] == "/akun/kata-sandi?next=/petugas"
    assert phone.client.get("/akun").headers["Location"] == "/akun/kata-sandi?next=/akun"
    page = phone.client.get("/akun/kata-sandi", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "only you should know it" in page
    assert phone.client.get("/api/v1/me").status_code == 200  # waiting records still sync
    assert phone.client.get("/panduan/kenali-tppo").status_code == 200
    response = change(phone, STRONG, "tepian-sungai-batanghari", path="/akun/kata-sandi?next=/petugas")
    assert response.status_code == 302 and response.headers["Location"] == "/petugas"
    assert phone.client.get("/petugas").status_code == 200
    with app.app_context():
        assert not user("rina").must_change_password


def test_a_manager_with_a_password_to_change_sees_no_managing_page_until_it_is_changed(
    app, client, auth, world
):
    with app.app_context():
        user("maya").must_change_password = True
        db.session.commit()
    assert auth.login("maya").headers["Location"] == "/akun/kata-sandi?next=/kelola/"
    assert client.get("/kelola/pengguna").headers["Location"] == "/akun/kata-sandi?next=/kelola/pengguna"
    posted = auth.submit("/kelola/pengguna/baru", {"username": "rina"}, form_page="/akun/kata-sandi")
    assert posted.headers["Location"] == "/akun/kata-sandi"
    assert client.get("/keluar").status_code == 200


def test_a_reset_password_signs_the_user_out_everywhere_and_must_be_changed(app, client, auth, world):
    phone = Auth(app.test_client())
    phone.login("budi")
    assert phone.client.get("/api/v1/me").status_code == 200
    auth.login("maya")
    page = auth.submit(f"/kelola/pengguna/{world.budi}/sandi", {}, form_page=f"/kelola/pengguna/{world.budi}")
    password = re.search(r'<code class="password"[^>]*>([^<]+)</code>', page.get_data(as_text=True)).group(1)
    assert phone.client.get("/api/v1/me").status_code == 401
    assert ended(app, "budi") == ["password_reset"]
    assert phone.login("budi", password).headers["Location"] == "/akun/kata-sandi?next=/petugas"


def test_the_command_line_refuses_a_weak_password_and_its_admin_needs_no_change(runner, ctx):
    result = runner.invoke(args=["create-user", "root", "--role", "admin", "--password", "password1234"])
    assert result.exit_code != 0
    assert "This password is too easy to guess: it is one of the most common passwords." in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert runner.invoke(args=["create-user", "root", "--role", "admin", "--password", STRONG]).exit_code == 0
    assert not user("root").must_change_password


def test_the_demo_refuses_a_guessable_password(runner, ctx):
    result = runner.invoke(args=["demo", "--password", "demo-pimpasa"])
    assert result.exit_code != 0
    assert "too easy to guess: it contains your name, your username or the program's name" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


# Changing one's own password


@pytest.mark.parametrize(
    "current, new, repeat, message",
    [
        ("salah-sekali", STRONG, STRONG, "This is not your current password."),
        (PASSWORD, "password1234", "password1234", "one of the most common passwords"),
        (PASSWORD, "ani.2026.ani", "ani.2026.ani", "your name, your username"),
        (PASSWORD, PASSWORD, PASSWORD, "other than the current one"),
        (PASSWORD, STRONG, "kopi-hujan-sepedA", "not the same"),
    ],
)
def test_a_wrong_current_password_or_a_weak_new_one_is_refused(
    app, client, auth, world, current, new, repeat, message
):
    auth.login("ani")
    client.set_cookie("lang", "en")
    response = change(auth, current, new, repeat)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert Auth(app.test_client()).login("ani").status_code == 302  # the old password still works


def test_a_new_password_signs_out_the_other_devices_and_keeps_this_one(app, client, auth, world):
    phone = Auth(app.test_client())
    phone.login("maya")
    auth.login("maya")
    response = change(auth, PASSWORD, STRONG)
    assert response.status_code == 302 and response.headers["Location"] == "/kelola/"
    assert phone.client.get("/kelola/").status_code == 302  # to the log-in page
    assert client.get("/kelola/").status_code == 200
    assert ended(app, "maya") == ["password_changed", None]
    assert Auth(app.test_client()).login("maya").status_code == 400
    assert Auth(app.test_client()).login("maya", STRONG).status_code == 302


def test_the_page_cannot_be_used_to_guess_the_password(app, client, auth, world):
    auth.login("ani")
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert change(auth, "tebakan-salah", STRONG).status_code == 400
    response = change(auth, PASSWORD, STRONG)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert Auth(app.test_client()).login("ani").status_code == 429  # the same count as the log-in page
    with app.app_context():
        assert user("ani").check_password(PASSWORD)


@pytest.mark.parametrize("username, page", [("ani", "/petugas"), ("maya", "/kelola/"), ("root", "/kelola/")])
def test_every_role_finds_the_page_from_its_own_pages(client, auth, world, username, page):
    auth.login(username)
    assert 'href="/akun"' in client.get(page).get_data(as_text=True)
    assert 'href="/akun/kata-sandi"' in client.get("/akun").get_data(as_text=True)
    assert client.get("/akun/kata-sandi").status_code == 200
