"""Static files at versioned addresses (outreach/assets.py), and pages a browser revalidates with an ETag."""

import gzip
import re

from flask import url_for

from outreach import assets
from tests.conftest import Auth

ARTICLE = "/panduan/tanda-lowongan-palsu"


def versioned(filename: str) -> str:
    return f"/static/{assets.release()}/{filename}"


def test_pages_link_static_files_at_their_versioned_address(app, client, world, library):
    with app.test_request_context():
        assert url_for("static", filename="js/app.js") == versioned("js/app.js")
    page = client.get(ARTICLE).get_data(as_text=True)
    assert f'src="{versioned("js/public.js")}"' in page and f'href="{versioned("css/app.css")}"' in page


def test_a_versioned_file_is_kept_for_a_year_and_sent_gzipped_to_a_browser_that_takes_it(client):
    plain = client.get(versioned("js/app.js"), headers={"Accept-Encoding": "identity"})
    packed = client.get(versioned("js/app.js"), headers={"Accept-Encoding": "gzip, deflate, br"})
    for response in (plain, packed):
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert "Cookie" not in response.headers["Vary"]  # the same file for everyone: no log-in asks again
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    assert plain.headers["ETag"] != packed.headers["ETag"]


def test_a_versioned_file_is_compressed_once_not_on_every_request(client, monkeypatch):
    assets.prepared.cache_clear()
    calls = []
    real = gzip.compress
    monkeypatch.setattr(gzip, "compress", lambda *a, **k: calls.append(1) or real(*a, **k))
    for _ in range(3):
        client.get(versioned("css/app.css"), headers={"Accept-Encoding": "gzip"})
    assert len(calls) == 1


def test_a_versioned_file_answers_304_to_its_etag(client):
    first = client.get(versioned("css/app.css"), headers={"Accept-Encoding": "gzip"})
    again = client.get(
        versioned("css/app.css"), headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_an_image_is_sent_as_it_is(client):
    response = client.get(versioned("icons/icon-192.png"), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "Content-Encoding" not in response.headers
    assert response.data.startswith(b"\x89PNG")


def test_an_earlier_release_is_sent_to_the_current_address_and_an_unversioned_one_still_works(client):
    old = client.get("/static/0123456789ab/js/app.js")
    assert old.status_code == 302 and old.headers["Location"] == versioned("js/app.js")
    assert old.headers["Cache-Control"] == "no-cache"  # the next release moves it again
    with client.get("/static/js/app.js") as unversioned:
        assert unversioned.status_code == 200 and unversioned.headers["Cache-Control"] == "no-cache"
    assert client.get(versioned("js/no-such-module.js")).status_code == 404
    assert client.get(versioned("../pyproject.toml")).status_code == 404


def test_a_modules_relative_imports_resolve_to_files_of_the_same_version(client):
    """`import './store.js'` in /static/<v>/js/app.js is /static/<v>/js/store.js: every one is served."""
    source = client.get(versioned("js/app.js")).get_data(as_text=True)
    imported = re.findall(r"from '\./([\w-]+\.js)'", source)
    assert "store.js" in imported
    for name in imported:
        assert client.get(versioned(f"js/{name}")).status_code == 200, name


def test_a_public_page_answers_304_to_its_etag(client, world, library):
    first = client.get(ARTICLE, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(ARTICLE, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    plain = client.get(ARTICLE, headers={"Accept-Encoding": "identity"})
    assert client.get(ARTICLE, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_a_page_shown_to_a_logged_in_user_stays_no_store_without_an_etag(client, world, library):
    Auth(client).login("ani")
    response = client.get(ARTICLE)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
