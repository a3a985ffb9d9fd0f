"""Managers look after the accounts of their own offices; admins after everyone's."""

import re

import pytest
from sqlalchemy import select

from outreach import accounts
from outreach.extensions import db
from outreach.models import Office, Role, User
from tests.conftest import PASSWORD, Auth, make_user


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def new_account(auth, **fields):
    data = {"username": "rina", "full_name": "Rina Marlina", "role": "officer", "office": "", "password": ""}
    data.update(fields)
    return auth.submit("/kelola/pengguna/baru", data)


def test_a_manager_adds_an_officer_who_can_then_log_in_with_the_password_shown_once(app, client, auth, world):
    auth.login("maya")
    response = new_account(auth, office=str(world.kanim))
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    password = re.search(
        r'<code class="password"[^>]*>([^<]+)</code>', response.get_data(as_text=True)
    ).group(1)
    with app.app_context():
        rina = user("rina")
        assert (rina.role, rina.office_id, rina.full_name, rina.active) == (
            Role.officer,
            world.kanim,
            "Rina Marlina",
            True,
        )
    phone = Auth(app.test_client())
    assert phone.login("rina", password).headers["Location"].endswith("/petugas")


def test_a_manager_cannot_make_an_admin_or_an_account_of_another_kanim(app, client, auth, world):
    auth.login("maya")
    with app.app_context():
        bungo = db.session.scalar(select(Office.id).where(Office.code == "kanim-bungo"))
    assert new_account(auth, role="admin", office=str(world.kanim)).status_code == 400
    assert new_account(auth, office=str(bungo)).status_code == 400
    with app.app_context():
        assert user("rina") is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"username": "Rina Marlina!"}, "lower-case"),
        ({"username": "ani"}, "taken"),
        ({"password": "short"}, "at least 10"),
        ({"password": "password1234"}, "too easy to guess"),
        ({"office": ""}, "belong to an office"),
    ],
)
def test_a_bad_account_is_refused_with_a_message_beside_the_field(app, client, auth, world, fields, message):
    auth.login("root")
    client.set_cookie("lang", "en")
    response = new_account(auth, **{"office": str(world.kanim), "password": "panjang-sekali", **fields})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "rina")) is None


def test_a_deactivated_officer_is_logged_out_everywhere_and_cannot_log_in(app, client, auth, world):
    phone = Auth(app.test_client())
    phone.login("ani")
    assert phone.client.get("/api/v1/me").status_code == 200
    auth.login("maya")
    path = f"/kelola/pengguna/{world.ani}"
    response = auth.submit(
        path, {"full_name": "Ani", "role": "officer", "office": str(world.kanim)}
    )  # "active" unticked
    assert response.status_code == 302
    assert phone.client.get("/api/v1/me").status_code == 401
    assert Auth(app.test_client()).login("ani").status_code == 400  # the log-in page again, with a message
    assert "ani" in client.get("/kelola/pengguna?semua=1").get_data(as_text=True)
    assert f'href="{path}"' not in client.get("/kelola/pengguna").get_data(as_text=True)


def test_a_new_password_replaces_the_old_one_at_once(app, client, auth, world):
    auth.login("maya")
    response = auth.submit(
        f"/kelola/pengguna/{world.budi}/sandi", {}, form_page=f"/kelola/pengguna/{world.budi}"
    )
    password = re.search(
        r'<code class="password"[^>]*>([^<]+)</code>', response.get_data(as_text=True)
    ).group(1)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    assert Auth(app.test_client()).login("budi").status_code == 400  # the old password no longer works
    assert Auth(app.test_client()).login("budi", password).status_code == 302


def test_a_manager_sees_and_changes_only_the_accounts_of_their_offices(app, client, auth, world):
    auth.login("maya")
    listing = client.get("/kelola/pengguna").get_data(as_text=True)
    assert "ani" in listing and "citra" not in listing and "root" not in listing
    assert client.get(f"/kelola/pengguna/{world.citra}").status_code == 404
    assert client.get(f"/kelola/pengguna/{world.admin}").status_code == 404
    assert (
        auth.submit(
            f"/kelola/pengguna/{world.citra}/sandi", {}, form_page="/kelola/pengguna/baru"
        ).status_code
        == 404
    )
    with app.app_context():
        assert user("citra").check_password(PASSWORD)


def test_nobody_can_lock_themselves_out(app, client, auth, world):
    auth.login("maya")
    path = f"/kelola/pengguna/{world.manager}"
    response = auth.submit(
        path, {"full_name": "Maya", "role": "manager", "office": str(world.kanim)}
    )  # not active
    assert response.status_code == 400
    response = auth.submit(
        path, {"full_name": "Maya", "role": "officer", "office": str(world.kanim), "active": "y"}
    )
    assert response.status_code == 400
    with app.app_context():
        assert (user("maya").role, user("maya").active) == (Role.manager, True)


def test_a_kanwil_manager_manages_the_kanim_under_it(app, client, auth, world):
    with app.app_context():
        kanwil = db.session.scalar(select(Office).where(Office.code == "kanwil-jambi"))
        make_user("wulan", "manager", kanwil)
        db.session.commit()
        manager = db.session.get(User, world.manager)
        assert {u.username for u in accounts.users(db.session, user("wulan"), include_inactive=False)} >= {
            "ani",
            "citra",
            "maya",
        }
        assert not accounts.may_manage(db.session, manager, user("root"))


def test_officers_cannot_open_the_accounts(client, auth, world):
    auth.login("ani")
    assert client.get("/kelola/pengguna").status_code == 403
    assert client.get("/kelola/pengguna/baru").status_code == 403
