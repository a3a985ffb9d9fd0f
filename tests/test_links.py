"""Shared links, printed addresses and QR codes point to the app's public address, never to a host that a
request's Host header names; hosts outside TRUSTED_HOSTS are refused."""

import io
from urllib.parse import quote

import pytest
import segno

from outreach import config, create_app
from outreach.extensions import db
from outreach.public.views import is_local
from tests.conftest import Auth

PUBLIC = "https://outreach.imigrasi.go.id"
ARTICLE = "/panduan/tanda-lowongan-palsu"
EVIL = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}


def qr_of(address: str) -> bytes:
    """The QR code the app draws for an address, drawn here with the same settings."""
    out = io.BytesIO()
    segno.make(address, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="tanda-lowongan-palsu"
    )
    return out.getvalue()


def test_with_a_public_url_the_share_link_print_and_qr_code_point_to_it_whatever_the_host_says(
    app, client, library
):
    app.config["PUBLIC_URL"] = PUBLIC
    page = client.get(ARTICLE, headers=EVIL).get_data(as_text=True)
    assert "https://wa.me/?text=Tanda%20Lowongan%20Kerja%20Palsu%0A" + quote(PUBLIC + ARTICLE) in page
    assert f"<figcaption>{PUBLIC}{ARTICLE}</figcaption>" in page
    assert "evil.example" not in page
    leaflet = client.get(ARTICLE + "/cetak", headers=EVIL).get_data(as_text=True)
    assert PUBLIC + ARTICLE in leaflet and "evil.example" not in leaflet
    qr = client.get(ARTICLE + "/qr.svg", headers=EVIL)
    assert qr.data == qr_of(PUBLIC + ARTICLE)  # the same modules as the code of exactly that address
    assert qr.data != qr_of("http://evil.example" + ARTICLE)
    assert qr.headers["Cache-Control"] == "public, max-age=86400"  # the same image for every request


def test_without_a_public_url_an_untrusted_host_is_never_written_into_a_page_or_a_qr_code(client, library):
    page = client.get(ARTICLE, headers=EVIL)
    assert page.status_code == 200 and "Tanda Lowongan Kerja Palsu" in page.get_data(as_text=True)
    assert "evil.example" not in page.get_data(as_text=True)
    assert "wa.me" not in page.get_data(as_text=True) and "qr.svg" not in page.get_data(as_text=True)
    leaflet = client.get(ARTICLE + "/cetak", headers=EVIL).get_data(as_text=True)
    assert "evil.example" not in leaflet and "qr.svg" not in leaflet
    assert client.get(ARTICLE + "/qr.svg", headers=EVIL).status_code == 404
    saved = client.get("/panduan.json", headers=EVIL).get_json()["urls"]
    assert ARTICLE in saved and not any(
        url.endswith("qr.svg") for url in saved
    )  # "save all" never fetches a 404


def test_without_a_public_url_a_local_host_gets_links_and_a_qr_code_only_its_browser_may_keep(
    client, library
):
    host = "192.168.1.20:5000"  # a demo on a laptop's Wi-Fi, opened on a phone
    page = client.get(ARTICLE, headers={"Host": host}).get_data(as_text=True)
    assert (
        "https://wa.me/?text=Tanda%20Lowongan%20Kerja%20Palsu%0A" + quote(f"http://{host}{ARTICLE}") in page
    )
    qr = client.get(ARTICLE + "/qr.svg", headers={"Host": host})
    assert qr.data == qr_of(f"http://{host}{ARTICLE}")
    assert (
        qr.headers["Cache-Control"] == "private, max-age=86400"
    )  # no shared cache hands it to another host's visitors
    assert ARTICLE + "/qr.svg" in client.get("/panduan.json", headers={"Host": host}).get_json()["urls"]


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("localhost:5000", True),
        ("app.localhost", True),
        ("127.0.0.1:8000", True),
        ("[::1]:5000", True),
        ("10.1.2.3", True),
        ("192.168.1.20:5000", True),
        ("evil.example", False),
        ("localhost.evil.example", False),
        ("8.8.8.8", False),
        ("[2001:4860::8888]", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
    ],
)
def test_only_this_machine_and_private_addresses_count_as_local(host, local):
    assert is_local(host) is local


def test_with_trusted_hosts_another_host_is_a_400_on_every_kind_of_page(app, client, world, library):
    app.config["TRUSTED_HOSTS"] = ["outreach.imigrasi.go.id", "localhost"]
    Auth(client).login("maya")
    for path in (
        ARTICLE,
        ARTICLE + "/qr.svg",
        "/",
        "/kelola/",
        "/kelola/ekspor/visit.csv",
        "/api/v1/me",
        "/api/v1/coverage",
        "/static/css/app.css",
        "/tidak-ada",
    ):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "evil.example" not in response.get_data(as_text=True)
    assert client.get("/api/v1/me", headers={"Host": "evil.example"}).get_json()["error"] == "bad_request"
    page = client.get(ARTICLE, headers={"Host": "outreach.imigrasi.go.id"}).get_data(as_text=True)
    assert quote("http://outreach.imigrasi.go.id" + ARTICLE) in page  # a trusted host is used for links
    assert client.get("/kelola/", headers={"Host": "localhost"}).status_code == 200


def test_public_url_and_trusted_hosts_are_read_from_the_environment(monkeypatch, database_uri):
    monkeypatch.setenv("PUBLIC_URL", PUBLIC + "/")
    monkeypatch.setenv("TRUSTED_HOSTS", " Localhost , 127.0.0.1,")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "SECRET_KEY": "test"})
    assert app.config["PUBLIC_URL"] == PUBLIC
    assert app.config["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1", "outreach.imigrasi.go.id"]
    assert app.test_client().get("/tentang", headers={"Host": "evil.example"}).status_code == 400
    assert app.test_client().get("/tentang", headers={"Host": "outreach.imigrasi.go.id"}).status_code == 200
    with app.app_context():
        db.engine.dispose()  # its own engine: a connection left in its pool would be closed by the collector later
    monkeypatch.delenv("PUBLIC_URL")
    monkeypatch.delenv("TRUSTED_HOSTS")
    assert config.public_url() is None and config.trusted_hosts(None) is None  # unset: any host is answered


@pytest.mark.parametrize(
    "url",
    [
        "outreach.imigrasi.go.id",
        "https://outreach.imigrasi.go.id/app",
        "ftp://x.go.id",
        "https://user@x.go.id",
        "https://x.go.id:port",
        "https://x.go.id?a=1",
    ],
)
def test_a_public_url_that_is_not_an_address_without_a_path_stops_the_app_from_starting(monkeypatch, url):
    monkeypatch.setenv("PUBLIC_URL", url)
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        config.public_url()
