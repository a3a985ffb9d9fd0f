"""Photos of sessions reach the server once, after their record, through PUT /api/v1/photos/<id>.

The server decodes each photo and stores it again without its metadata: the JPEGs here are made with Pillow,
the way the phone's canvas makes them, some with EXIF a camera writes (a GPS position, an orientation)."""

import hashlib
import io
import json
import re
import struct
import threading
import uuid

import httpx
import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select
from werkzeug.serving import make_server

from outreach.extensions import db
from outreach.models import EducationSession, Photo
from outreach.photos import MAX_BYTES
from tests.conftest import PASSWORD, Auth
from tests.test_record_types import session_record

RED, BLUE = (220, 20, 20), (20, 20, 220)


def jpeg(size=(640, 480), *, exif=None, comment=None, noise=False) -> bytes:
    """A real JPEG; `noise` makes one that does not compress (for photos of a given file size)."""
    image = Image.effect_noise(size, 100).convert("RGB") if noise else Image.new("RGB", size, RED)
    out = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    image.save(out, "JPEG", quality=90, comment=comment or b"", **extra)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    """What a phone's camera writes: its make, and where the photo was taken (Sungai Putri, Jambi)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (1.0, 36.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (103.0, 36.0, 0.0)
    return exif


def with_size_in_header(data: bytes, width: int, height: int) -> bytes:
    """The same file, its frame header (SOF0) claiming another size."""
    at = data.index(b"\xff\xc0") + 5  # marker, length (2), precision (1), then height and width
    return data[:at] + struct.pack(">HH", height, width) + data[at + 4 :]


JPEG = jpeg()


def count_photos(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Photo))


def stored_photo(app, photo_id) -> Photo:
    with app.app_context():
        photo = db.session.get(Photo, photo_id)
        db.session.expunge(photo)
        return photo


def manager(app):
    """maya, the Kanim's manager, on her own browser."""
    browser = app.test_client()
    Auth(browser).login("maya")
    return browser


def upload(client, auth, record_id, data=JPEG, photo_id=None, kind="session", headers=(), **kwargs):
    photo_id = photo_id or str(uuid.uuid4())
    return client.put(
        f"/api/v1/photos/{photo_id}?type=session&record={record_id}&kind={kind}",
        data=io.BytesIO(data),
        content_type="image/jpeg",
        headers={"X-CSRFToken": auth.token(), **dict(headers)},
        **kwargs,
    )


@pytest.fixture
def sent(client, auth, world):
    """ani logged in (answers in English), with one session on the server."""
    client.set_cookie("lang", "en")
    auth.login("ani")
    record = session_record()
    assert auth.push([record]).status_code == 200
    return record


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
    Auth(other).login("budi")
    assert upload(other, Auth(other), sent["id"]).status_code == 409
    assert count_photos(app) == 0


def test_photo_uploads_need_the_csrf_token(client, auth, world):
    auth.login("ani")
    response = client.put(
        f"/api/v1/photos/{uuid.uuid4()}?type=session&record=x", data=JPEG, content_type="image/jpeg"
    )
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"


def test_the_manager_sees_the_photo_without_its_gps_position_or_camera_data(app, client, auth, sent):
    sent_bytes = jpeg(exif=gps_exif(), comment=b"Desa Sungai Putri")
    assert b"PhoneMaker" in sent_bytes and Image.open(io.BytesIO(sent_bytes)).getexif().get_ifd(
        ExifTags.IFD.GPSInfo
    )
    photo_id = str(uuid.uuid4())
    answer = upload(client, auth, sent["id"], data=sent_bytes, photo_id=photo_id)
    assert answer.status_code == 201
    assert answer.get_json()["sha256"] == hashlib.sha256(sent_bytes).hexdigest()  # what a retry sends again

    served = manager(app).get(f"/kelola/foto/{photo_id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG" and image.size == (640, 480)
    assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
    for trace in (b"Exif", b"PhoneMaker", b"Sungai Putri"):
        assert trace not in served.data
    assert stored_photo(app, photo_id).size == len(served.data)


def test_a_photo_taken_with_the_phone_on_its_side_is_stored_upright(app, client, auth, sent):
    sideways = Image.new("RGB", (200, 100), BLUE)
    sideways.paste(RED, (0, 0, 100, 100))  # red on the left as the sensor saw it: the top once turned upright
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # the viewer turns it a quarter clockwise
    out = io.BytesIO()
    sideways.save(out, "JPEG", exif=exif)
    photo_id = str(uuid.uuid4())
    assert upload(client, auth, sent["id"], data=out.getvalue(), photo_id=photo_id).status_code == 201

    image = Image.open(io.BytesIO(stored_photo(app, photo_id).data))
    assert image.size == (100, 200) and not image.getexif()
    top, bottom = image.getpixel((50, 20)), image.getpixel((50, 180))
    assert top[0] > 180 and top[2] < 80, top
    assert bottom[2] > 180 and bottom[0] < 80, bottom


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), RED).save(out, "PNG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (64, 64)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "must be a JPEG"),
        (b"\xff\xd8\xff", "damaged or incomplete"),
        (JPEG[: len(JPEG) // 2], "damaged or incomplete"),
        (JPEG[:400], "damaged or incomplete"),  # cut inside the header: not even its size can be read
        (png(), "must be a JPEG"),
        (gif(), "must be a JPEG"),
        (bytes(range(256)) * 16, "must be a JPEG"),
        (with_size_in_header(JPEG, 65535, 65535), "more than 24 megapixels"),
        (with_size_in_header(JPEG, 5000, 5000), "more than 24 megapixels"),
    ],
    ids=["empty", "3 bytes", "truncated", "header only", "png", "gif", "random", "65535x65535", "25 MP"],
)
def test_a_body_that_is_not_a_whole_jpeg_of_at_most_24_megapixels_is_refused_with_why(
    app, client, auth, sent, body, message
):
    response = upload(client, auth, sent["id"], data=body)
    assert response.status_code == 400
    assert message in response.get_json()["message"]
    assert count_photos(app) == 0


def test_a_photo_of_exactly_24_megapixels_is_accepted(app, client, auth, sent):
    response = upload(client, auth, sent["id"], data=with_size_in_header(JPEG, 6000, 4000))
    assert response.status_code == 201


def test_a_photo_over_400_kb_is_told_the_photo_limit_not_the_body_limit(app, client, auth, sent):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024 and MAX_BYTES == 400 * 1024
    just_over = jpeg((600, 600), noise=True)
    assert len(just_over) < MAX_BYTES
    just_over += b"\x00" * (MAX_BYTES + 1 - len(just_over))  # after the end of the image: still a whole JPEG
    for body in (just_over, JPEG + b"\x00" * 1024 * 1024):  # over the photo limit; over the body limit too
        response = upload(client, auth, sent["id"], data=body)
        assert response.status_code == 413
        message = response.get_json()["message"]
        assert "400 KB" in message and "409600" in message and "1 MB" not in message
    chunked = upload(
        client,
        auth,
        sent["id"],
        data=just_over,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert chunked.status_code == 413 and "400 KB" in chunked.get_json()["message"]
    assert count_photos(app) == 0
    at_the_limit = upload(client, auth, sent["id"], data=just_over[:-1])
    assert at_the_limit.status_code == 201


def test_a_record_sent_with_an_upper_case_id_gets_its_photo_and_the_manager_sees_it(app, client, auth, world):
    auth.login("ani")
    record = session_record()
    record["id"] = record["id"].upper()  # as some phones spell a UUID
    assert auth.push([record]).get_json()["results"][0]["status"] == "accepted"
    photo_id = str(uuid.uuid4())
    response = upload(client, auth, record["id"], photo_id=photo_id.upper())
    assert response.status_code == 201 and response.get_json()["id"] == photo_id
    assert upload(client, auth, record["id"].lower(), photo_id=photo_id).get_json()["status"] == "duplicate"
    with app.app_context():
        assert db.session.get(EducationSession, record["id"].lower()) is not None
        assert db.session.scalar(select(Photo.record_id)) == record["id"].lower()
    maya = manager(app)
    assert maya.get(f"/kelola/foto/{photo_id.upper()}").status_code == 200
    assert maya.get("/kelola/foto/not-a-uuid").status_code == 404


def test_a_record_query_value_that_is_no_id_is_refused_with_a_message(client, auth, sent):
    response = upload(client, auth, "session-1")
    assert response.status_code == 400 and '"record"' in response.get_json()["message"]


def sync_body(records, size):
    """A push body of exactly `size` bytes: the records, padded with spaces (still valid JSON)."""
    body = json.dumps({"device_id": "phone-1", "records": records}).encode()
    return body + b" " * (size - len(body))


def test_an_over_long_chunked_sync_body_is_413_naming_the_limit(app, client, auth, sent):
    limit = app.config["MAX_CONTENT_LENGTH"]
    # A server that can read a chunked body to its end says so; the test client is told as Werkzeug's server does.
    chunked = {
        "headers": {"X-CSRFToken": auth.token(), "Transfer-Encoding": "chunked"},
        "environ_overrides": {"wsgi.input_terminated": True},
        "content_type": "application/json",
    }
    over = client.post("/api/v1/sync", data=sync_body([session_record()], limit + 1), **chunked)
    assert over.status_code == 413
    assert "1 MB" in over.get_json()["message"] and str(limit) in over.get_json()["message"]
    record = session_record()
    at_limit = client.post("/api/v1/sync", data=sync_body([record], limit), **chunked)
    assert at_limit.status_code == 200 and at_limit.get_json()["results"][0]["status"] == "accepted"


@pytest.fixture
def live_url(app):
    """The app behind Werkzeug's own server on loopback, which reads chunked bodies as a real server does."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def in_chunks(body, size=64 * 1024):
    """A body httpx sends with Transfer-Encoding: chunked, having no length to announce."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_an_over_long_chunked_sync_body_is_413_over_a_real_socket(app, world, live_url):
    limit = app.config["MAX_CONTENT_LENGTH"]
    with httpx.Client(base_url=live_url, timeout=30, headers={"Accept-Language": "en"}) as phone:
        page = phone.get("/masuk").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        phone.post("/masuk", data={"csrf_token": token, "username": "ani", "password": PASSWORD})
        headers = {
            "X-CSRFToken": phone.get("/api/v1/me").json()["csrf_token"],
            "Content-Type": "application/json",
        }

        record = session_record()
        within = phone.post("/api/v1/sync", content=in_chunks(sync_body([record], limit)), headers=headers)
        assert (
            within.request.headers["Transfer-Encoding"] == "chunked"
            and "Content-Length" not in within.request.headers
        )
        assert within.status_code == 200 and within.json()["results"][0]["status"] == "accepted"

        over = phone.post(
            "/api/v1/sync", content=in_chunks(sync_body([session_record()], limit + 1)), headers=headers
        )
        assert over.status_code == 413
        assert "1 MB" in over.json()["message"] and str(limit) in over.json()["message"]


def test_a_form_field_over_the_form_limit_is_told_that_limit_not_the_body_limit(app, client):
    app.config["MAX_FORM_MEMORY_SIZE"] = 10 * 1024
    client.set_cookie("lang", "en")
    response = client.post(
        "/masuk", data={"username": "x" * 20_000, "password": PASSWORD}, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "at most 1000 fields, each at most 10 KB" in page and "1 MB" not in page
