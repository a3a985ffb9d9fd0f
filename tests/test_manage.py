"""Managers bring in records exported from a phone, and see session photos, within their office only."""

import io
import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Office, User, Visit
from tests.conftest import Auth, make_user, visit_record
from tests.test_photos import JPEG, upload
from tests.test_record_types import session_record


def exported(records, officer="ani"):
    body = {
        "format": "pimpasa-outbox",
        "version": 1,
        "officer": officer,
        "device_id": "phone-9",
        "exported_at": "2026-11-28T10:00:00Z",
        "records": records,
    }
    return json.dumps(body).encode()


def send_file(client, raw, name="pimpasa-ani.json"):
    page = client.get("/kelola/impor").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(
        "/kelola/impor",
        data={"csrf_token": token, "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


def visits(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Visit))


def test_a_manager_brings_in_an_officers_exported_records_exactly_once(app, client, auth, world):
    records = [visit_record(), visit_record(village="15.71.01.1003")]
    auth.login("maya")
    response = send_file(client, exported(records))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 diterima, 0 sudah ada di server, 1 ditolak." in page
    assert visits(app) == 1
    again = send_file(client, exported(records)).get_data(as_text=True)
    assert "0 diterima, 1 sudah ada di server, 1 ditolak." in again

    phone = app.test_client()  # the phone syncs later: nothing is doubled
    Auth(phone).login("ani")
    assert [r["status"] for r in Auth(phone).push(records).get_json()["results"]] == ["duplicate", "rejected"]
    assert visits(app) == 1
    with app.app_context():
        assert db.session.scalar(select(Visit.device_id)) == "phone-9"


def test_a_manager_of_another_office_cannot_bring_in_the_records(app, client, auth, world):
    with app.app_context():
        other = db.session.scalar(select(Office).where(Office.code == "kanim-bungo"))
        make_user("rudi", "manager", other)
        db.session.commit()
    auth.login("rudi")
    response = send_file(client, exported([visit_record()]))
    assert response.status_code == 400 and "bukan petugas kantor Anda" in response.get_data(as_text=True)
    assert visits(app) == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"format": "other"}',
        b'{"format": "pimpasa-outbox", "version": 7}',
        b'{"format": "pimpasa-outbox", "version": 1, "officer": "ani"}',
        "é".encode("latin-1"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_with_a_message(app, client, auth, world, raw):
    auth.login("maya")
    response = send_file(client, raw)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert visits(app) == 0


def test_officers_cannot_open_the_managers_pages(client, auth, world):
    auth.login("ani")
    assert client.get("/kelola/impor").status_code == 403
    assert client.get("/kelola/sosialisasi").status_code == 403


def test_managers_see_session_photos_of_their_own_office_only(app, client, auth, world):
    officer = app.test_client()
    Auth(officer).login("ani")
    sent = session_record()
    Auth(officer).push([sent])
    photo_id = str(uuid.uuid4())
    upload(officer, Auth(officer), sent["id"], photo_id=photo_id)

    auth.login("maya")
    page = client.get("/kelola/sosialisasi").get_data(as_text=True)
    assert f"/kelola/foto/{photo_id}" in page and "Balai desa" in page
    photo = client.get(f"/kelola/foto/{photo_id}")
    assert (
        photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data[:2] == JPEG[:2]
    )  # re-encoded

    with app.app_context():
        make_user("rudi", "manager", db.session.scalar(select(Office).where(Office.code == "kanim-bungo")))
        db.session.commit()
    stranger = app.test_client()
    Auth(stranger).login("rudi")
    assert stranger.get(f"/kelola/foto/{photo_id}").status_code == 404
    assert "Balai desa" not in stranger.get("/kelola/sosialisasi").get_data(as_text=True)


def test_a_nul_character_in_a_form_is_refused_and_nothing_changes(app, client, auth, world):
    auth.login("maya")
    response = auth.submit(
        f"/kelola/pengguna/{world.ani}",
        {"full_name": "A\x00ni", "role": "officer", "office": str(world.kanim), "active": "y"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, world.ani).full_name == "Ani"


@pytest.mark.parametrize(
    "path",
    [
        "/kelola/pengguna/99999999999999999999",
        "/kelola/desa-binaan/2147483648",
        "/kelola/laporan/99999999999999999999/2026-01",
        "/kelola/materi/-1",
    ],
)
def test_an_id_in_an_address_beyond_any_row_is_not_found_never_an_error(client, auth, world, path):
    auth.login("root")
    assert client.get(path).status_code == 404


def test_a_warning_opens_from_its_id_in_any_case(app, client, auth, world):
    from tests.test_record_types import warning_record

    phone = Auth(app.test_client())
    phone.login("ani")
    warning = warning_record()
    assert phone.push([warning]).get_json()["results"][0]["status"] == "accepted"
    auth.login("maya")
    assert client.get(f"/kelola/peringatan/{warning['id'].upper()}").status_code == 200
    assert client.get("/kelola/peringatan/not-an-id").status_code == 404
