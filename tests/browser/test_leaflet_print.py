"""The A5 leaflet of a shipped article, printed to PDF by Chromium: one sheet, front and back, with the key
numbers and the QR code of its page; a print button; no word of its footer cut in two. And the pages with the
shipped contacts (the home page's hotline strip, /kontak) on a small phone."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from outreach import guidance
from outreach.extensions import db
from outreach.models import Contact, Material
from tests.browser.conftest import ARGS, CHROMIUM
from tests.browser.test_guidance_offline import A11Y_CHECK


@pytest.fixture
def shipped(app):
    """The shipped articles and contacts, the village's Pimpasa and the office's WhatsApp filled in (the longest
    list of key numbers); the articles' slugs."""
    with app.app_context():
        guidance.load(db.session, publish=True)
        for key, number in (("pimpasa-desa", "0812-7000-1234"), ("kanim-pembina-wa", "0813-7000-5678")):
            db.session.scalar(select(Contact).where(Contact.key == key)).value = number
        db.session.commit()
        return list(db.session.scalars(select(Material.slug).order_by(Material.slug)))


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_every_shipped_leaflet_prints_on_one_a5_sheet_with_the_key_numbers(app, phone, shipped):
    page = phone.open()
    assert len(shipped) >= 8
    for language in ("id", "en"):
        phone.context.add_cookies([{"name": "lang", "value": language, "url": phone.base_url}])
        for slug in shipped:
            phone.goto(f"/panduan/{slug}/cetak")
            expect(page.locator(".leaflet-numbers")).to_contain_text("110")
            expect(page.locator(".leaflet-numbers")).to_contain_text("WhatsApp 0812-7000-1234")
            qr = page.locator(".qr img")
            expect(qr).to_have_attribute("src", f"/panduan/{slug}/qr.svg")
            page.wait_for_function("document.querySelector('.qr img').complete")
            assert page.evaluate("document.querySelector('.qr img').naturalWidth") > 0
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            assert pdf[:5] == b"%PDF-"
            assert 1 <= pages(pdf) <= 2, (language, slug, pages(pdf))
            assert (
                page.locator("details.sources").count() == 0
            )  # A5: the sources are on the page the QR opens


def test_the_a5_page_size_comes_from_the_stylesheet(app, phone, shipped):
    page = phone.open()
    phone.goto(f"/panduan/{shipped[0]}/cetak")
    pdf = page.pdf(prefer_css_page_size=True)
    # A5 is 148 by 210 mm: 419.5 by 595.3 points
    width, height = (float(n) for n in re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    assert (round(width), round(height)) == (420, 595)


def test_the_print_button_opens_printing_and_is_not_printed(app, phone, shipped):
    page = phone.open()
    phone.goto(f"/panduan/{shipped[0]}/cetak")
    button = page.locator("#print")
    expect(button).to_be_visible()
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button.click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
    expect(page.locator(".leaflet-tools")).to_be_hidden()


def test_no_word_of_the_leaflets_footer_is_cut_in_two(app, phone, shipped):
    """Each word of the footer (the address's parts between its slashes and hyphens too) lies on one line, at
    the width an A5 sheet leaves for it."""
    page = phone.open()
    page.set_viewport_size({"width": 500, "height": 800})  # 148 mm less the margins, at 96 dpi
    page.emulate_media(media="print")
    longest = max(shipped, key=len)
    phone.goto(f"/panduan/{longest}/cetak")
    split = page.evaluate(
        """() => {
          const cut = [];
          const walker = document.createTreeWalker(document.querySelector('.leaflet-foot'), NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.textContent.matchAll(/[^\\s\\/-]+/g)) {
              const range = document.createRange();
              range.setStart(node, match.index);
              range.setEnd(node, match.index + match[0].length);
              const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
              if (lines.size > 1) cut.push(match[0]);
            }
          }
          return cut;
        }"""
    )
    assert split == []
    assert page.locator(".leaflet-foot .address").inner_text().startswith("http://127.0.0.1")


def test_the_contacts_and_the_hotline_strip_are_readable_on_a_320px_phone(
    app, playwright, live_server, shipped
):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        page = browser.new_context(viewport={"width": 320, "height": 640}, locale="id-ID").new_page()
        for path in ("/", "/kontak", "/?q=lapor"):
            page.goto(live_server.url + path)
            assert page.evaluate(A11Y_CHECK) == [], path
        page.goto(live_server.url + "/kontak")
        assert page.locator("details.contact-source[open]").count() == 0
        assert page.evaluate("document.documentElement.scrollHeight") < 12 * 640  # was some 25 screens
    finally:
        browser.close()
