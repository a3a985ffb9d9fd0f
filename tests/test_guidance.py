"""The guidance library: safe Markdown, public pages readable without JavaScript, search, sharing, printing,
and managers keeping it correct."""

import gzip
import io
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from sqlalchemy import select

from outreach import clock, guidance
from outreach.extensions import db
from outreach.models import Contact, Material
from tests.conftest import BODY_ID, Auth, form_token


@pytest.mark.parametrize(
    "markdown, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ("[klik](javascript:alert(1))", "javascript:"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ('<a href="/x" onclick="alert(1)">x</a>', "onclick"),
        ("<style>body{display:none}</style>", "<style"),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ],
)
def test_markdown_never_lets_an_authors_script_or_html_through(markdown, forbidden):
    assert forbidden not in str(guidance.render_markdown(markdown)).lower()


def test_markdown_keeps_headings_lists_emphasis_and_links():
    html = str(guidance.render_markdown(BODY_ID))
    assert "<h2>Tanda bahaya</h2>" in html and "<strong>sangat tinggi</strong>" in html and "<li>" in html
    assert '<a href="/kontak" rel="noopener noreferrer">halaman Kontak</a>' in html


def test_the_library_lists_published_articles_by_topic_and_hides_drafts(client, library):
    page = client.get("/").get_data(as_text=True)
    assert "Tanda Lowongan Kerja Palsu" in page and "Draf rahasia" not in page
    assert 'id="topic-tppo"' in page  # under the first of its topics only: each article once
    assert page.count('href="/panduan/tanda-lowongan-palsu"') == 1
    assert client.get("/panduan/draf").status_code == 404


def test_search_finds_words_in_the_text_in_either_language(client, library):
    assert "Tanda Lowongan Kerja Palsu" in client.get("/?q=visa+turis").get_data(as_text=True)
    assert "Tanda Lowongan Kerja Palsu" in client.get("/?q=salary").get_data(as_text=True)
    missing = client.get("/?q=rahasia").get_data(as_text=True)
    assert "Tidak ditemukan" in missing and "Draf rahasia" not in missing


def test_an_article_page_works_without_javascript_and_shows_its_sources(client, library):
    page = client.get("/panduan/tanda-lowongan-palsu").get_data(as_text=True)
    assert '<html lang="id">' in page and "<h1>Tanda Lowongan Kerja Palsu</h1>" in page
    assert "<strong>sangat tinggi</strong>" in page
    assert "money.kompas.com (28 Agu 2022)" in page and "Ciri lowongan palsu" in page
    assert (
        "belum ditinjau oleh kantor imigrasi" not in page
    )  # the managers' concern (tests/test_public_pages.py)
    assert (
        "https://wa.me/?text=Tanda%20Lowongan%20Kerja%20Palsu%0Ahttp%3A//localhost/panduan/tanda-lowongan-palsu"
        in page
    )
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag
    assert not re.findall(r"<[^>]+\son[a-z]+\s*=", page)


def test_the_article_comes_in_english_when_chosen(client, library):
    client.set_cookie("lang", "en")
    page = client.get("/panduan/tanda-lowongan-palsu").get_data(as_text=True)
    assert (
        '<html lang="en">' in page
        and "<h1>Signs of a fake job offer</h1>" in page
        and "Signs of a fake offer" in page
    )


def test_the_qr_code_holds_the_articles_address(client, library):
    response = client.get("/panduan/tanda-lowongan-palsu/qr.svg")
    assert response.mimetype == "image/svg+xml"
    ET.fromstring(response.data)  # a well-formed SVG
    expected = io.BytesIO()
    segno.make("http://localhost/panduan/tanda-lowongan-palsu", error="m").save(
        expected, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="tanda-lowongan-palsu"
    )
    assert response.data == expected.getvalue()  # the same modules as the code of exactly that address


def test_the_print_view_is_a_clean_leaflet_with_the_qr_code(client, library):
    page = client.get("/panduan/tanda-lowongan-palsu/cetak").get_data(as_text=True)
    assert 'class="leaflet leaflet-a5"' in page and "qr.svg" in page and "<nav" not in page
    assert 'class="leaflet leaflet-a4"' in client.get(
        "/panduan/tanda-lowongan-palsu/cetak?ukuran=a4"
    ).get_data(as_text=True)


def test_contacts_come_from_the_data_and_unfilled_ones_are_left_out(client, library):
    page = client.get("/kontak").get_data(as_text=True)
    assert '<a href="tel:110">110</a>' in page
    assert "Pimpasa desa Anda" not in page  # not filled in yet: only managers see it, on /kelola/kontak


def test_an_article_page_is_small_for_a_slow_phone(client, library):
    assert page_weight(client, "/panduan/tanda-lowongan-palsu") <= 30 * 1024


def test_no_public_page_loads_anything_from_another_origin(client, library):
    for path in (
        "/",
        "/panduan/tanda-lowongan-palsu",
        "/kontak",
        "/kantor",
        "/tentang",
        "/panduan/tanda-lowongan-palsu/cetak",
    ):
        page = client.get(path).get_data(as_text=True)
        assert not re.findall(r'<(?:script|img|link|iframe|source)[^>]+(?:src|href)="(?:https?:)?//', page), (
            path
        )


def material_form(client, path, **changes):
    data = {
        "csrf_token": form_token(client, path),
        "slug": "tanda-lowongan-palsu",
        "kind": "article",
        "topics": ["tppo"],
        "title_id": "Tanda Lowongan Kerja Palsu",
        "title_en": "Signs of a fake job offer",
        "summary_id": "Ringkas.",
        "summary_en": "",
        "body_id": BODY_ID,
        "body_en": "",
        "published": "y",
        "sources": "Ciri lowongan palsu | money.kompas.com (28 Agu 2022)",
        "action": "save",
    }
    data.update(changes)
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def test_an_admin_previews_then_saves_a_new_version(app, client, auth, world, library):
    auth.login("root")  # an admin: the Kanwil's right (tests/test_edit_rights.py)
    path = f"/kelola/materi/{library}"
    preview = material_form(
        client, path, body_id="## Baru\n\n<script>alert(1)</script>Teks baru", action="preview"
    )
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "<h2>Baru</h2>" in page and "<script>alert" not in page
    with app.app_context():
        assert db.session.get(Material, library).version == 1  # a preview saves nothing
    saved = material_form(client, path, body_id="## Baru\n\nTeks baru")
    assert saved.status_code == 302
    with app.app_context():
        material = db.session.get(Material, library)
        assert material.version == 2 and "Teks baru" in material.body_id
        assert material.sources[0]["status"] == "terverifikasi"  # an unchanged source keeps what it knew
    assert "Teks baru" in client.get("/panduan/tanda-lowongan-palsu").get_data(as_text=True)


def test_unpublishing_takes_the_article_off_the_public_library(client, auth, world, library):
    auth.login("root")  # an admin: the Kanwil's right (tests/test_edit_rights.py)
    material_form(client, f"/kelola/materi/{library}", published=None)
    assert client.get("/panduan/tanda-lowongan-palsu").status_code == 404
    assert "Tanda Lowongan Kerja Palsu" not in client.get("/").get_data(as_text=True)


def test_an_earlier_version_can_be_restored_as_a_new_one(app, client, auth, world, library):
    auth.login("root")  # an admin: the Kanwil's right (tests/test_edit_rights.py)
    material_form(client, f"/kelola/materi/{library}", title_id="Judul yang salah")
    versions = client.get(f"/kelola/materi/{library}/versi").get_data(as_text=True)
    assert "Judul yang salah" in versions
    token = re.search(r'name="csrf_token" value="([^"]+)"', versions).group(1)
    response = client.post(f"/kelola/materi/{library}/versi/1/pulihkan", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        material = db.session.get(Material, library)
        assert material.title_id == "Tanda Lowongan Kerja Palsu" and material.version == 3
        assert [v.version for v in guidance.versions(db.session, material)] == [3, 2, 1]


def test_a_bad_material_form_answers_400_with_the_reasons_in_indonesian(client, auth, world, library):
    auth.login("root")  # an admin: the Kanwil's right (tests/test_edit_rights.py)
    response = material_form(client, "/kelola/materi/baru", slug="Bukan Slug!", title_id="")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Gunakan huruf kecil, angka, dan tanda hubung saja." in page and "Kolom ini wajib diisi." in page
    clash = material_form(client, "/kelola/materi/baru")
    assert clash.status_code == 400 and "Nama alamat ini sudah dipakai materi lain." in clash.get_data(
        as_text=True
    )


def test_the_office_fills_in_a_contact_with_the_date_it_checked_it(app, client, auth, world, library):
    auth.login("root")  # an admin: the Kanwil's right (tests/test_edit_rights.py)
    with app.app_context():
        contact_id = db.session.scalar(db.select(Contact.id).where(Contact.key == "pimpasa-desa"))
    path = f"/kelola/kontak/{contact_id}"
    response = client.post(
        path,
        data={
            "csrf_token": form_token(client, path),
            "name_id": "Pimpasa desa Anda",
            "value": "0812 0000 1111",
            "verified_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    page = client.get("/kontak").get_data(as_text=True)
    assert "0812 0000 1111" in page and "20 November 2026" in page


def test_officers_and_villagers_cannot_edit_materials(client, auth, world, library):
    assert client.get("/kelola/materi").status_code == 302
    auth.login("ani")
    assert client.get(f"/kelola/materi/{library}").status_code == 403


def test_the_shipped_guidance_loads_once_and_keeps_the_offices_own_edits(app, ctx):
    first = guidance.load(db.session)
    db.session.commit()
    assert (
        first.added == len(list((guidance.content_dir() / "articles").glob("*.id.md"))) and first.contacts > 0
    )
    again = guidance.load(db.session)
    db.session.commit()
    assert (again.added, again.updated, again.contacts) == (0, 0, 0)
    edited = db.session.scalar(select(Material).where(Material.slug == "ke-mana-melapor"))
    edited.title_id = "Judul dari kantor"
    guidance.save(db.session, edited, by="Manajer")
    db.session.commit()
    guidance.load(db.session)
    db.session.commit()
    assert db.session.get(Material, edited.id).title_id == "Judul dari kantor"


def test_shipped_articles_wait_as_drafts_until_the_kanwil_reviews_and_publishes_them(
    app, client, auth, world
):
    with app.app_context():
        guidance.load(db.session)
        db.session.commit()
        article = db.session.scalar(select(Material).where(Material.slug == "ke-mana-melapor"))
        assert not article.published and article.reviewed_on is None
        article_id = article.id
    assert client.get("/panduan/ke-mana-melapor").status_code == 404
    assert "/panduan/ke-mana-melapor" not in client.get("/").get_data(as_text=True)

    auth.login("maya")  # a Kanim manager proposes; only the Kanwil or an admin publishes
    page = f"/kelola/materi/{article_id}"
    assert "Sudah ditinjau: terbitkan" not in client.get(page).get_data(as_text=True)
    assert auth.submit(f"{page}/tinjau", {}, form_page="/kelola/materi").status_code == 403
    admin = Auth(app.test_client())
    admin.login("root")
    assert "belum ditinjau" in admin.client.get("/kelola/materi").get_data(as_text=True)
    assert admin.submit(f"{page}/tinjau", {}, form_page=page).status_code == 302
    public = client.get("/panduan/ke-mana-melapor").get_data(as_text=True)
    assert "Ditinjau oleh Root" in public  # villagers see who reviewed it (full name "Root")
    with app.app_context():
        reviewed = db.session.get(Material, article_id)
        assert reviewed.published and reviewed.reviewed_on == clock.today() and reviewed.version == 2


def test_the_about_page_says_once_that_the_demos_articles_are_examples(app, client):
    with app.app_context():
        guidance.load(db.session, by=guidance.EXAMPLES, publish=True)
        db.session.commit()
    about = client.get("/tentang").get_data(as_text=True)
    assert about.count("contoh bawaan aplikasi") == 1
    article = client.get("/panduan/ke-mana-melapor").get_data(as_text=True)
    assert "contoh bawaan" not in article and "perlu dicek" not in article


def test_every_shipped_article_cites_its_sources_and_invents_no_local_number(app, ctx):
    guidance.load(db.session)
    db.session.commit()
    for material in db.session.scalars(select(Material)):
        assert material.title_en and material.body_en, material.slug
        assert material.sources, material.slug
        for source in material.sources:
            assert source["status"] in ("terverifikasi", "sebagian")
    for contact in db.session.scalars(select(Contact).where(Contact.status == "isi-oleh-program")):
        assert contact.value == "", contact.key  # left for the program to fill in, never guessed


def test_check_sources_names_each_cited_source_missing_from_the_facts_file(runner, tmp_path):
    articles = sorted((guidance.content_dir() / "articles").glob("*.id.md"))
    cited = [
        (path.name.split(".")[0], entry["source"])
        for path in articles
        for entry in guidance.read_article(path).meta["sources"]
    ]
    facts = tmp_path / "FACTS.md"
    facts.write_text(
        "# FACTS\n\n" + "".join(f"- A fact. — {source}\n" for _, source in cited), encoding="utf-8"
    )
    result = runner.invoke(args=["check-sources", str(facts)])
    assert result.exit_code == 0, result.output
    assert f"All {len(cited)} sources of the {len(articles)} articles are in {facts}." in result.output

    # a source cited once, and not part of another one, goes missing from the facts
    slug, dropped = next(
        (slug, s) for slug, s in cited if sum(s.rstrip(".") in other for _, other in cited) == 1
    )
    facts.write_text(
        "".join(f"- A fact. — {source}\n" for _, source in cited if source != dropped), encoding="utf-8"
    )
    result = runner.invoke(args=["check-sources", str(facts)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"{slug}: {dropped}"
    assert f"1 of {len(cited)} sources are not in {facts}." in result.output


def test_a_real_article_page_stays_under_30_kb_for_a_slow_phone(app, client):
    with app.app_context():
        guidance.load(db.session, publish=True)
        db.session.commit()
        slugs = [m.slug for m in db.session.scalars(select(Material))]
    for slug in slugs:
        assert page_weight(client, f"/panduan/{slug}") <= 30 * 1024, slug


def page_weight(client, path):
    """Bytes a phone downloads for a page: the page, its stylesheet and scripts, its QR code (gzip where the
    app compresses)."""
    page = client.get(path, headers={"Accept-Encoding": "gzip"})
    total = len(page.data)
    html = (
        gzip.decompress(page.data).decode()
        if page.headers.get("Content-Encoding") == "gzip"
        else page.get_data(as_text=True)
    )
    for asset in re.findall(r'(?:href|src)="(/(?:static|panduan)/[^"]+\.(?:css|js|svg))"', html):
        with client.get(asset, headers={"Accept-Encoding": "gzip"}) as response:
            total += len(response.data)
    return total


PUBLIC_PAGES = (
    "/",
    "/panduan/tanda-lowongan-palsu",
    "/panduan/tanda-lowongan-palsu/cetak",
    "/kontak",
    "/kantor",
    "/tentang",
    "/masuk",
)


def meta_description(page: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', page)
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_describes_itself_to_search_engines(client, library, path, language):
    client.set_cookie("lang", language)
    page = client.get(path).get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert 20 <= len(meta_description(page)) <= 300


def test_an_article_is_described_by_its_summary_in_the_readers_language(client, library):
    described = {}
    for language in ("id", "en"):
        client.set_cookie("lang", language)
        described[language] = meta_description(
            client.get("/panduan/tanda-lowongan-palsu").get_data(as_text=True)
        )
    assert described == {"id": "Kenali ciri lowongan palsu.", "en": "Know the signs of a fake offer."}
    client.set_cookie("lang", "id")
    home = meta_description(client.get("/").get_data(as_text=True))
    client.set_cookie("lang", "en")
    assert meta_description(client.get("/").get_data(as_text=True)) != home  # translated
