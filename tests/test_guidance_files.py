"""A leaflet's or poster's file: kept only when its bytes are a PDF, PNG or JPEG, and served as a download no
browser runs as a page of the site, which the service worker never keeps."""

import io
import re

import pytest
from PIL import Image

from outreach.extensions import db
from outreach.models import Material
from tests.conftest import form_token
from tests.test_guidance import material_form
from tests.test_photos import JPEG

SCRIPT = b"<!doctype html><html><body><script>fetch('/kelola/pengguna')</script></body></html>"
REFUSED = "This file is not a PDF, PNG or JPEG: its contents were checked, not its name."
SANDBOX = "sandbox; default-src 'none'"


def image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (20, 20, 220)).save(out, kind)
    return out.getvalue()


PDF = image("PDF")
PNG = image("PNG")


def upload(client, material_id, data, name, content_type="text/html"):
    return material_form(
        client, f"/kelola/materi/{material_id}", kind="leaflet", file=(io.BytesIO(data), name, content_type)
    )


def assert_served_as_a_download(response, mimetype, filename):
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == SANDBOX


@pytest.mark.parametrize(
    "data, name",
    [
        (SCRIPT, "leaflet.pdf"),
        (b"%PDF-1.7\n" + SCRIPT, "leaflet.pdf"),  # a PDF's header, no PDF after it
        (b"\x89PNG\r\n\x1a\n" + SCRIPT, "poster.png"),
        (b"\xff\xd8\xff\xe0" + SCRIPT, "poster.jpg"),
        (PNG[: len(PNG) // 2], "poster.png"),  # cut short
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "poster.png"),
        (b"", "leaflet.pdf"),
    ],
)
def test_a_file_whose_bytes_are_not_a_pdf_png_or_jpeg_is_refused_whatever_its_name(
    app, client, auth, world, library, data, name
):
    auth.login("maya")
    client.post("/bahasa/en", data={"csrf_token": form_token(client, "/kelola/"), "next": "/kelola/"})
    response = upload(client, library, data, name)
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)
    with app.app_context():
        material = db.session.get(Material, library)
        assert not material.file_data and material.version == 1
    assert client.get("/panduan/tanda-lowongan-palsu/berkas").status_code == 404


@pytest.mark.parametrize(
    "data, name, mimetype, filename",
    [
        (PDF, "Leaflet TPPO.pdf", "application/pdf", '"Leaflet TPPO.pdf"'),
        (PNG, "poster.png", "image/png", "poster.png"),
        (JPEG, "../Dokumen/poster.jpeg", "image/jpeg", "poster.jpg"),
        (PNG, "poster.pdf", "image/png", "poster.png"),  # the bytes name the type, not the name
        (PDF, "a" * 300 + ".pdf", "application/pdf", "a" * 100 + ".pdf"),  # the column holds 200 characters
    ],
)
def test_a_real_pdf_png_or_jpeg_is_kept_and_downloads_with_the_type_its_bytes_are(
    app, client, auth, world, library, data, name, mimetype, filename
):
    auth.login("root")  # publishes directly; a Kanim's file waits in its proposal (tests/test_edit_rights.py)
    assert upload(client, library, data, name).status_code == 302
    with app.app_context():
        assert db.session.get(Material, library).file_type == mimetype
    for path in ("/panduan/tanda-lowongan-palsu/berkas", f"/kelola/materi/{library}/berkas"):
        response = client.get(path)
        assert_served_as_a_download(response, mimetype, filename)
        assert response.data == data


def test_an_html_file_kept_before_the_check_is_a_download_of_bytes_never_a_page(
    app, client, auth, world, library
):
    with app.app_context():
        material = db.session.get(Material, library)
        material.file_data, material.file_type = SCRIPT, "text/html"
        material.file_name = 'leaflet"\r\nSet-Cookie: x=1;.pdf'
        db.session.commit()
    auth.login("maya")  # the manager's page and the public one, both in a logged-in manager's browser
    for path in ("/panduan/tanda-lowongan-palsu/berkas", f"/kelola/materi/{library}/berkas"):
        response = client.get(path)
        assert_served_as_a_download(response, "application/octet-stream", '"leaflet_Set-Cookie_ x_1.bin"')
        assert "text/html" not in response.headers["Content-Type"] and response.data == SCRIPT


def test_a_name_beyond_ascii_keeps_its_letters_for_the_browsers_that_read_them(app, client, library):
    with app.app_context():
        material = db.session.get(Material, library)
        material.file_data, material.file_type, material.file_name = (
            PDF,
            "application/pdf",
            "Brosur ké desa.pdf",
        )
        db.session.commit()
    disposition = client.get("/panduan/tanda-lowongan-palsu/berkas").headers["Content-Disposition"]
    assert (
        disposition
        == "attachment; filename=\"Brosur ke desa.pdf\"; filename*=UTF-8''Brosur%20k%C3%A9%20desa.pdf"
    )


def test_the_service_worker_keeps_guidance_pages_but_never_an_uploaded_file(client):
    """The regex is read from the served module the worker imports; it uses only syntax JavaScript and Python
    read alike."""
    with client.get("/static/js/guidance-cache.js") as response:
        served = response.get_data(as_text=True)
    source = re.search(r"const GUIDANCE_PAGES = /(.+)/;", served).group(1)
    guidance_pages = re.compile(source)
    kept = [
        "/",
        "/panduan/kenali-tppo",
        "/panduan/kenali-tppo/qr.svg",
        "/panduan/kenali-tppo/cetak",
        "/panduan.json",
        "/kontak",
        "/kantor",
        "/tentang",
    ]
    never = [
        "/panduan/kenali-tppo/berkas",
        "/panduan/kenali-tppo/berkas/",
        "/panduan/berkas/berkas",
        "/kelola/materi/1/berkas",
        "/petugas",
        "/masuk",
        "/api/v1/me",
        "/kelola/",
    ]
    assert [path for path in kept if not guidance_pages.search(path)] == []
    assert [path for path in never if guidance_pages.search(path)] == []
