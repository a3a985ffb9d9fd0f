"""The installable officer app: shell page, service worker and manifest, as the server serves them."""

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from outreach.field import shell
from outreach.records import RECORD_TYPES


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_service_worker_is_served_at_the_root_as_javascript_and_never_cached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    assert f'const VERSION = "{shell.release_version()}";' in body


def test_every_precached_url_is_served(client, auth, world):
    auth.login("ani")
    body = client.get("/sw.js").get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1))
    static = shell.static_url  # the versioned addresses the pages use (outreach/assets.py)
    assert "/petugas" in precache and static("js/app.js") in precache and static("js/sync.js") in precache
    for module in ("api", "outbox", "store", "guidance-cache", "service-worker"):
        assert static(f"js/{module}.js") in precache
    for url in precache:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_the_guidance_pages_worker_keeps_only_what_public_pages_use_and_has_no_outbox(client):
    body = client.get("/sw.js?guidance").get_data(as_text=True)
    assert json.loads(re.search(r"const PRECACHE = (\[.*?\]);", body).group(1)) == []
    public = json.loads(re.search(r"const PUBLIC_PRECACHE = (\[.*?\]);", body).group(1))
    assert shell.static_url("js/public.js") in public and shell.static_url("css/app.css") in public
    assert not [url for url in public if url.endswith(("/app.js", "/sync.js", "/store.js"))]
    assert "sync.js" not in body and "outbox: null" in body
    whole = client.get("/sw.js").get_data(as_text=True)
    assert (
        f"import * as outbox from '{shell.static_url('js/sync.js')}';" in whole and "outbox: outbox" in whole
    )


def test_the_guidance_pages_worker_keeps_every_static_file_a_public_page_uses(client, world, library):
    public = json.loads(
        re.search(
            r"const PUBLIC_PRECACHE = (\[.*?\]);", client.get("/sw.js?guidance").get_data(as_text=True)
        ).group(1)
    )
    page = client.get("/panduan/tanda-lowongan-palsu").get_data(as_text=True)
    used = set(re.findall(r'"(/static/[^"]+)"', page))
    script = next(url for url in used if url.endswith("/js/public.js"))
    imports = re.findall(r"from '\./([\w-]+\.js)'", client.get(script).get_data(as_text=True))
    used |= {script.rsplit("/", 1)[0] + "/" + name for name in imports}
    assert used and used <= set(public)


def test_the_service_worker_and_the_shell_answer_304_when_unchanged(client, auth, world):
    worker = client.get("/sw.js")
    assert client.get("/sw.js", headers={"If-None-Match": worker.headers["ETag"]}).status_code == 304
    auth.login("ani")
    for encoding in ("gzip", "identity"):
        page = client.get("/petugas", headers={"Accept-Encoding": encoding})
        again = client.get(
            "/petugas", headers={"Accept-Encoding": encoding, "If-None-Match": page.headers["ETag"]}
        )
        assert again.status_code == 304 and again.data == b"", encoding
        assert (
            again.headers["Cache-Control"] == "no-store"
        )  # kept by the worker only, never by a browser cache


def test_the_release_version_changes_when_a_shell_asset_changes(tmp_path, monkeypatch):
    (tmp_path / "css").mkdir()
    asset = tmp_path / "css" / "app.css"
    asset.write_text("body { color: black; }")
    monkeypatch.setattr(shell, "STATIC", tmp_path)
    shell.release_version.cache_clear()
    try:
        before = shell.release_version()
        asset.write_text("body { color: navy; }")
        shell.release_version.cache_clear()
        assert shell.release_version() != before
    finally:
        shell.release_version.cache_clear()


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert (
        manifest["start_url"] == "/petugas"
        and manifest["display"] == "standalone"
        and manifest["scope"] == "/"
    )
    sizes = {}
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as response:
            data = response.data
        assert png_size(data) == tuple(int(n) for n in icon["sizes"].split("x"))
        sizes.setdefault(icon["sizes"], set()).add(icon["purpose"])
    assert "any" in sizes["192x192"] and {"any", "maskable"} <= sizes["512x512"]


def test_the_shell_renders_the_visit_form_from_its_one_definition(client, auth, world):
    auth.login("ani")
    response = client.get("/petugas")
    page = response.get_data(as_text=True)
    assert response.headers["X-Release"] == shell.release_version()
    for name in RECORD_TYPES["visit"].field_names:
        assert f'name="{name}"' in page
    assert 'type="datetime-local"' in page
    assert re.search(r'<input[^>]*name="purpose"[^>]*required', page)
    assert 'rel="manifest"' in page


def test_the_shell_holds_no_user_data_no_token_and_no_inline_script(client, auth, world):
    auth.login("ani")
    page = client.get("/petugas").get_data(as_text=True)
    assert "csrf_token" not in page and ">Ani<" not in page and '"ani"' not in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag
    assert not re.findall(r"<[^>]+\son[a-z]+\s*=", page)


def test_the_phone_sends_a_record_the_server_failed_on_alone_and_ever_more_slowly():
    """The phone's pure logic (the queue policy of static/js/outbox.js, the answers sorted by api.js, what the
    service worker keeps), in tests/js/*.test.mjs, under Node's own test runner."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    tests = sorted(str(path) for path in (Path(__file__).parent / "js").glob("*.test.mjs"))
    run = subprocess.run([node, "--test", *tests], check=False, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("language, high", [("id", "Tinggi"), ("en", "High")])
def test_the_app_gets_the_words_for_a_villages_risk_level_in_the_officers_language(
    client, auth, world, language, high
):
    auth.login("ani")
    client.set_cookie("lang", language)
    page = client.get("/petugas").get_data(as_text=True)
    codes = json.loads(re.search(r'<script type="application/json" id="codes">(.*?)</script>', page).group(1))
    assert codes["risk_level"]["tinggi"] == high and set(codes["risk_level"]) == {
        "tinggi",
        "sedang",
        "rendah",
    }


@pytest.mark.parametrize(
    ("form", "names"),
    [("warning", ["category", "urgency", "source"]), ("handout", ["format", "recipient_group"])],
)
def test_what_a_record_reports_starts_unchosen_in_the_phones_form(client, auth, world, form, names):
    auth.login("ani")
    page = client.get("/petugas").get_data(as_text=True)
    form_html = re.search(rf'<form[^>]*id="form-{form}".*?</form>', page, re.S).group(0)
    for name in names:
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', form_html, re.S).group(0)
        options = re.findall(r"<option[^>]*>", select)
        assert options[0] == '<option value="" selected disabled hidden>'
        assert not any("selected" in option for option in options[1:])
