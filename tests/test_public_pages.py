"""What a villager sees on the public pages (issue 13): the review state kept for managers, sources folded away,
contacts most useful first and opening what they are, search by relevance, each article once on the home page
with the key numbers, and the leaflet's content (its printing: tests/browser/test_leaflet_print.py)."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from outreach import guidance
from outreach.extensions import db
from outreach.models import Contact, Material, Office

ARTICLE = "/panduan/tanda-lowongan-palsu"


def page_of(client, path, language="id"):
    client.set_cookie("lang", language)
    response = client.get(path)
    assert response.status_code == 200, path
    return response


def text(client, path, language="id"):
    return page_of(client, path, language).get_data(as_text=True)


@pytest.fixture
def single_source(app, library):
    """The fixture's article gets a second source, known from a single source only; the article's id."""
    with app.app_context():
        article = db.session.get(Material, library)
        article.sources = [
            *article.sources,
            {"fact": "Gaji USD 1.000", "source": "satu-blog.example (2025)", "status": "sebagian"},
        ]
        db.session.commit()
    return library


def add_contact(app, **fields):
    with app.app_context():
        db.session.add(Contact(**{"status": "terverifikasi", "kind": "hotline", **fields}))
        db.session.commit()


# -- The review state is the managers' ------------------------------------------------------------------------


def test_a_villager_reads_when_the_article_changed_never_that_the_office_has_not_reviewed_it(
    app, client, single_source
):
    with app.app_context():
        db.session.get(Material, single_source).updated_at = datetime(2026, 12, 1, 3, 0)
        db.session.commit()
    for language in ("id", "en"):
        page = text(client, ARTICLE, language)
        for hidden in ("belum ditinjau", "perlu dicek", "not yet reviewed", "should check it"):
            assert hidden not in page, hidden
        assert "satu-blog.example (2025)" in page  # the source itself is there, folded away
    assert "Updated December 1, 2026." in text(client, ARTICLE, "en")


def test_once_the_office_reviewed_it_the_villager_sees_who_did(app, client, library):
    with app.app_context():
        article = db.session.get(Material, library)
        article.reviewed_on, article.reviewed_by = date(2026, 12, 1), "Kanim Jambi"
        db.session.commit()
    assert "Reviewed by Kanim Jambi on December 1, 2026." in text(client, ARTICLE, "en")


def test_a_manager_still_sees_what_the_office_has_to_check_on_a_page_no_one_keeps(
    client, auth, world, single_source
):
    auth.login("maya")
    response = page_of(client, ARTICLE, "en")
    page = response.get_data(as_text=True)
    assert "not yet reviewed by the immigration office" in page
    assert page.count("single or older source: the office should check it") == 1  # the "sebagian" one only
    assert response.headers["Cache-Control"] == "no-store"


def test_an_officer_showing_an_article_in_a_session_sees_it_as_villagers_do(
    client, auth, world, single_source
):
    auth.login("ani")
    page = text(client, ARTICLE + "?layar=penuh", "en")
    assert "not yet reviewed" not in page and "should check it" not in page


def test_the_sources_fold_away_under_the_article_closed(client, library):
    page = text(client, ARTICLE)
    sources = re.search(
        r'<details class="sources">\s*<summary>[^<]+\(1\)</summary>(.*?)</details>', page, re.S
    )
    assert sources and "money.kompas.com (28 Agu 2022)" in sources.group(1)
    assert page.index('id="article-body"') < page.index('<details class="sources">')


# -- Contacts ---------------------------------------------------------------------------------------------------


def test_contacts_open_what_they_are_and_only_filled_ones_show(app, client, library):
    add_contact(
        app, key="kp2mi-wa", kind="whatsapp", name_id="WhatsApp KP2MI", value="0811-8080-141", sort_order=1
    )
    add_contact(app, key="abroad", name_id="KP2MI dari luar negeri", value="+62 21 2924 4800", sort_order=2)
    add_contact(app, key="site", kind="website", name_id="LAPOR!", value="lapor.go.id", sort_order=3)
    page = text(client, "/kontak")
    assert '<a href="tel:110">110</a>' in page
    assert (
        '<a href="https://wa.me/628118080141" rel="noopener">WhatsApp <span class="number">0811-8080-141'
        in page
    )
    assert 'href="tel:+622129244800"' in page and '<a href="https://lapor.go.id" rel="noopener">' in page
    assert "tel:0811" not in page  # a WhatsApp number is not dialled
    assert "Pimpasa desa Anda" not in page and "Belum diisi" not in page  # not filled in: managers' page only


def test_a_manager_is_told_how_many_contacts_are_left_out_and_where_to_fill_them_in(
    client, auth, world, library
):
    assert "Managers only" not in text(client, "/kontak", "en")
    auth.login("maya")
    page = text(client, "/kontak", "en")
    assert (
        "contacts not filled in yet are left out of this page (1)." in page
        and 'href="/kelola/kontak"' in page
    )


def test_the_local_contacts_come_first_once_filled_in(app, client, world, library):
    with app.app_context():
        db.session.scalar(select(Contact).where(Contact.key == "pimpasa-desa")).value = "0812 0000 1111"
        kanim = db.session.scalar(select(Office).where(Office.code != "kanwil-jambi"))
        db.session.add(
            Contact(key="kanim-wa", kind="whatsapp", name_id="WA Kanim", value="0813 1", office_id=kanim.id)
        )
        db.session.commit()
    page = text(client, "/kontak")
    assert page.index("Pimpasa desa Anda") < page.index("Call Center Polri 110")
    assert page.index("WA Kanim") < page.index("Call Center Polri 110")
    assert "https://wa.me/6281200001111" in page


def test_only_a_national_number_from_a_single_source_says_the_office_has_not_checked_it(app, client, library):
    add_contact(app, key="kemlu", name_id="Hotline Kemlu", value="+62 812 9007 0027", status="sebagian")
    add_contact(
        app, key="checked", name_id="Checked one", value="1500", status="sebagian", verified_on=date.today()
    )
    with app.app_context():
        db.session.scalar(select(Contact).where(Contact.key == "pimpasa-desa")).value = "0812 0000 1111"
        db.session.commit()
    page = text(client, "/kontak", "en")
    cards = dict(re.findall(r"<h3>([^<]+)</h3>(.*?)</li>", page, re.S))
    notice = "Not yet checked by the office"
    assert notice in cards["Hotline Kemlu"]
    assert notice not in cards["Call Center Polri 110"]  # two sources confirm it: never doubted
    assert notice not in cards["Pimpasa desa Anda"]  # the office filled it in itself
    assert notice not in cards["Checked one"] and "Checked by the office on" in cards["Checked one"]


def test_phone_and_whatsapp_links_are_built_from_the_numbers_digits():
    assert guidance.tel_url("0800-1000") == "tel:08001000"
    assert guidance.tel_url("+62 21 2924 4800") == "tel:+622129244800"
    assert guidance.whatsapp_url("08111-129-129") == "https://wa.me/628111129129"
    assert guidance.whatsapp_url("+62 813-9967-9966") == "https://wa.me/6281399679966"


def test_an_offices_whatsapp_opens_whatsapp(app, client, world):
    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.code == "kanwil-jambi"))
        office.phone, office.whatsapp = "0741 123", "0812-1111-2222"
        db.session.commit()
    page = text(client, "/kantor")
    assert 'href="https://wa.me/6281211112222"' in page and 'href="tel:0741123"' in page


# -- Search and the home page ----------------------------------------------------------------------------------


def add_material(app, slug, **fields):
    with app.app_context():
        guidance.save(
            db.session,
            Material(slug=slug, kind="article", topics=["report"], published=True, sources=[], **fields),
            by="test",
        )
        db.session.commit()


def result_slugs(client, query):
    page = text(client, "/?q=" + query)
    results = page.split('id="results"')[1]
    return re.findall(r'href="/panduan/([^"]+)"', results)


def test_search_ranks_the_title_over_the_summary_over_the_text_in_either_language(app, client, library):
    add_material(app, "a-body", title_id="A", summary_id="-", body_id="Cara melapor ke polisi.")
    add_material(app, "b-summary", title_id="B", summary_id="Tempat pelaporan.", body_id="-")
    add_material(app, "c-title", title_id="C", title_en="Where to report", body_id="-")
    add_material(app, "d-title", title_id="Ke Mana Melapor", body_id="-")
    assert result_slugs(client, "lapor") == ["d-title", "b-summary", "a-body"]
    assert result_slugs(client, "report")[0] == "c-title"


def test_search_finds_the_materials_with_the_most_of_a_villagers_words(app, client, library):
    assert result_slugs(client, "visa+turis+umroh") == ["tanda-lowongan-palsu"]
    assert result_slugs(client, "%25") == [] and result_slugs(client, "_") == []


def test_the_library_does_not_repeat_under_the_results(client, library):
    page = text(client, "/?q=visa")
    assert 'id="topic-' not in page and page.count('href="/panduan/tanda-lowongan-palsu"') == 1


def test_with_the_shipped_guidance_lapor_finds_where_to_report_first(app, client):
    with app.app_context():
        guidance.load(db.session, publish=True)
        db.session.commit()
    assert result_slugs(client, "lapor")[0] == "ke-mana-melapor"
    home = text(client, "/")
    for slug in re.findall(r'href="/panduan/([^"/]+)"', home):
        assert home.count(f'href="/panduan/{slug}"') == 1, slug  # each article once
    strip = home.split('class="hotlines"')[1].split("</section>")[0]
    assert 'href="tel:110"' in strip and 'href="tel:129"' in strip and 'href="tel:08001000"' in strip
    assert "Pimpasa" not in strip  # not filled in yet


def test_the_home_page_strip_has_the_villages_pimpasa_once_filled_in(app, client, library):
    with app.app_context():
        db.session.scalar(select(Contact).where(Contact.key == "pimpasa-desa")).value = "0812 0000 1111"
        db.session.commit()
    strip = text(client, "/").split('class="hotlines"')[1].split("</section>")[0]
    assert strip.index("https://wa.me/6281200001111") < strip.index("tel:110")


@pytest.mark.parametrize("path", ["/", ARTICLE, "/kontak", "/panduan/istilah", "/tentang"])
def test_a_villagers_page_carries_the_guides_indonesian_name_and_a_staff_page_the_apps(client, library, path):
    """Issue 14, item 5: villagers read the guidance under a name in plain Indonesian, never the English
    product name, which stays on the staff's pages (the about page may still say what the field app is)."""
    page = text(client, path)
    assert '<a class="brand" href="/">Panduan Migrasi Aman</a>' in page
    assert "<title>Pimpasa Outreach" not in page and ">Pimpasa Outreach</a>" not in page
    assert '<a class="brand" href="/">Pimpasa Outreach</a>' in text(client, "/masuk")


# -- The leaflet ------------------------------------------------------------------------------------------------


def test_the_a5_leaflet_has_the_key_numbers_the_qr_code_and_a_print_button_without_inline_script(
    client, single_source
):
    page = text(client, ARTICLE + "/cetak")
    assert "110" in page.split('class="leaflet-numbers"')[1] and "qr.svg" in page
    assert '<button type="button" id="print" class="primary js-only" hidden>' in page
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert not re.findall(r"<[^>]+\son[a-z]+\s*=", page)
    assert "<details" not in page and "satu-blog" not in page  # the sources are on the page the QR opens
    assert "http://localhost/<wbr>panduan/<wbr>tanda-lowongan-palsu" in page  # wraps at a slash only


def test_the_a4_print_has_the_sources_open_and_no_managers_note(client, auth, world, single_source):
    auth.login("maya")
    page = text(client, ARTICLE + "/cetak?ukuran=a4")
    assert '<details class="sources" open>' in page and "satu-blog.example (2025)" in page
    assert "should check" not in page and "perlu dicek" not in page
