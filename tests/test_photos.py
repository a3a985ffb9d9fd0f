"""Photos of sessions reach the server once, after their record, through PUT /api/v1/photos/<id>."""
import io
import uuid

from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import Photo
from tests.test_record_types import session_record

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000 + b"\xff\xd9"


def count_photos(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Photo))


def upload(client, auth, record_id, data=JPEG, photo_id=None, kind="session"):
    photo_id = photo_id or str(uuid.uuid4())
    return client.put(
        f"/api/v1/photos/{photo_id}?type=session&record={record_id}&kind={kind}",
        data=io.BytesIO(data), content_type="image/jpeg", headers={"X-CSRFToken": auth.token()},
    )


def test_a_photo_of_a_synced_session_is_stored_once(app, client, auth, world):
    auth.login("ani")
    sent = session_record()
    auth.push([sent])
    photo_id = str(uuid.uuid4())
    first = upload(client, auth, sent["id"], photo_id=photo_id)
    assert first.status_code == 201 and first.get_json()["status"] == "accepted"
    again = upload(client, auth, sent["id"], photo_id=photo_id)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    same_bytes = upload(client, auth, sent["id"], kind="attendance")
    assert same_bytes.get_json()["status"] == "duplicate"
    assert count_photos(app) == 1


def test_a_photo_before_its_record_is_refused_for_now(app, client, auth, world):
    auth.login("ani")
    response = upload(client, auth, str(uuid.uuid4()))
    assert response.status_code == 409 and response.get_json()["message"]
    assert count_photos(app) == 0


def test_a_photo_that_is_not_a_jpeg_or_too_large_is_refused(app, client, auth, world):
    auth.login("ani")
    sent = session_record()
    auth.push([sent])
    assert upload(client, auth, sent["id"], data=b"<svg></svg>").status_code == 400
    assert upload(client, auth, sent["id"], data=JPEG[:3] + b"\x00" * 500 * 1024).status_code == 413
    assert count_photos(app) == 0


def test_an_officer_cannot_add_photos_to_another_officers_record(app, client, auth, world):
    auth.login("ani")
    sent = session_record()
    auth.push([sent])
    client.post("/keluar")
    other = app.test_client()
    from tests.conftest import Auth

    Auth(other).login("budi")
    assert upload(other, Auth(other), sent["id"]).status_code == 409
    assert count_photos(app) == 0


def test_photo_uploads_need_the_csrf_token(client, auth, world):
    auth.login("ani")
    response = client.put(f"/api/v1/photos/{uuid.uuid4()}?type=session&record=x", data=JPEG, content_type="image/jpeg")
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"
