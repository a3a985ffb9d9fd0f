"""The offline page (/luring), as the server serves it for the service worker to keep: in the reader's
language, whoever asks, and holding nothing of a logged-in reader, since a phone keeps it for anyone."""

import json
import re

import pytest
from flask_babel import force_locale, gettext

from outreach import PROJECT_ROOT


@pytest.mark.parametrize(
    ("headers", "cookie", "lang"),
    [
        ({}, None, "id"),
        ({"Accept-Language": "en"}, None, "en"),  # how the worker asks for a language without a cookie
        ({"Accept-Language": "en"}, "id", "id"),  # the reader's choice wins over the browser's
        ({}, "en", "en"),
    ],
)
def test_the_offline_page_is_in_the_readers_language(app, client, headers, cookie, lang):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/luring", headers=headers)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    with app.test_request_context(), force_locale(lang):
        assert f"<h1>{gettext('You are offline')}</h1>" in page


def test_the_offline_page_holds_nothing_of_a_logged_in_officer(client, auth, world):
    auth.login("ani")
    page = client.get("/luring").get_data(as_text=True)
    assert "csrf_token" not in page and "/keluar" not in page and "/akun" not in page
    assert 'href="/petugas"' in page  # the way back to the app, which works offline
    assert '<meta name="robots" content="noindex">' in page


def test_the_worker_keeps_the_offline_page_at_its_address_and_all_it_uses(client):
    """The service worker's address of the offline page is this route's, and every static file the page uses is
    kept by every phone (the guidance pages' worker too): offline, it opens whole, styled and listing."""
    worker = (PROJECT_ROOT / "static" / "js" / "service-worker.js").read_text()
    assert re.search(r"const OFFLINE = '(.+)';", worker).group(1) == "/luring"
    public = json.loads(
        re.search(
            r"const PUBLIC_PRECACHE = (\[.*?\]);", client.get("/sw.js?guidance").get_data(as_text=True)
        ).group(1)
    )
    used = set(re.findall(r'"(/static/[^"]+)"', client.get("/luring").get_data(as_text=True)))
    script = next(url for url in used if url.endswith("/js/online-status.js"))
    imports = re.findall(r"from '\./([\w-]+\.js)'", client.get(script).get_data(as_text=True))
    assert imports == ["guidance-cache.js"]
    used |= {script.rsplit("/", 1)[0] + "/" + name for name in imports}
    assert used <= set(public)
