"""Villagers' guidance in a real Chromium: readable with JavaScript off, pages once read stay readable
offline, and "save all guidance" keeps the whole library."""

from playwright.sync_api import expect

from outreach import guidance
from outreach.extensions import db
from outreach.models import Material
from tests.browser.conftest import ARGS, CHROMIUM


def add_articles(app, count=3):
    with app.app_context():
        for n in range(count):
            guidance.save(
                db.session,
                Material(
                    slug=f"artikel-{n}",
                    kind="article",
                    topics=["tppo"],
                    published=True,
                    title_id=f"Artikel nomor {n}",
                    summary_id="Ringkasan.",
                    body_id=f"## Bagian\n\nIsi artikel nomor {n}.",
                    sources=[],
                ),
                by="test",
            )
        db.session.commit()


def test_the_library_reads_with_javascript_off(app, playwright, live_server, world):
    add_articles(app)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        context = browser.new_context(java_script_enabled=False, locale="id-ID")
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.click("text=Artikel nomor 1")
        expect(page.locator("h1")).to_have_text("Artikel nomor 1")
        expect(page.locator("#article-body")).to_contain_text("Isi artikel nomor 1")
        expect(page.locator("#listen")).to_be_hidden()
        page.goto(live_server.url + "/?q=nomor+2")
        expect(page.locator("section[aria-labelledby=results] li")).to_have_count(1)
        page.click("button[lang=en]")  # the language switch is a plain form
        expect(page.locator("html")).to_have_attribute("lang", "en")
    finally:
        browser.close()


def test_a_page_once_read_stays_readable_offline(app, phone, world):
    add_articles(app)
    page = phone.open()
    phone.goto("/panduan/artikel-0")
    phone.wait_for_worker()
    page.reload()  # now through the service worker, which keeps a copy
    phone.context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Artikel nomor 0")


def test_save_all_keeps_the_whole_library_for_reading_offline(app, phone, world):
    add_articles(app, count=4)
    page = phone.open()
    phone.goto("/")
    phone.wait_for_worker()
    page.click("#save-all")
    expect(page.locator("#save-all-message")).to_have_text(
        "Semua panduan sudah tersimpan: Anda bisa membacanya tanpa koneksi."
    )
    phone.context.set_offline(True)
    for n in range(4):
        phone.goto(f"/panduan/artikel-{n}")
        expect(page.locator("h1")).to_have_text(f"Artikel nomor {n}")
    phone.goto("/kontak")
    expect(page.locator("h1")).to_have_text("Kontak dan layanan pengaduan")


def test_an_officer_opens_a_material_full_screen_in_a_village_without_signal(app, phone, world):
    page = phone.ready()
    link = page.locator("#material-list a", has_text="Kenali TPPO")
    expect(link).to_have_count(1)
    page.wait_for_function(
        """async () => Boolean(await (await caches.open('pimpasa-guidance-id')).match('/panduan/kenali-tppo?layar=penuh'))"""
    )
    phone.context.set_offline(True)
    link.click()
    expect(page.locator("h1")).to_have_text("Kenali TPPO")
    expect(page.locator("body")).to_have_class("full-screen")
    expect(page.locator("header.top")).to_be_hidden()


A11Y_CHECK = """() => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const parse = (color) => (color.match(/[\\d.]+/g) || []).map(Number);
  const background = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const problems = [];
  for (const node of document.querySelectorAll('p, li, a, button, label, input, select, textarea, h1, h2, dt, dd, span, strong')) {
    if (!node.offsetParent || !node.textContent.trim()) continue;
    const style = getComputedStyle(node);
    if (parseFloat(style.fontSize) < 16) problems.push(`small text: ${node.textContent.trim().slice(0, 30)}`);
    const [fg, bg] = [luminance(parse(style.color).slice(0, 3)), luminance(background(node))];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${node.textContent.trim().slice(0, 30)}`);
  }
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push(`wider than ${window.innerWidth}px`);
  return problems;
}"""


def test_pages_are_readable_on_a_320px_phone_with_large_enough_text_and_contrast(
    app, playwright, live_server, world
):
    add_articles(app, count=1)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        page = browser.new_context(viewport={"width": 320, "height": 640}, locale="id-ID").new_page()
        for path in ("/", "/panduan/artikel-0", "/kontak", "/kantor", "/tentang", "/masuk"):
            page.goto(live_server.url + path)
            assert page.evaluate(A11Y_CHECK) == [], path
    finally:
        browser.close()


def test_an_officer_can_install_the_app_on_a_phone_that_first_read_guidance(app, phone, world):
    page = phone.open()
    phone.goto("/")
    phone.wait_for_worker()  # installed for reading guidance, before anyone logged in
    phone.login("ani")
    phone.wait_until_ready(villages=2)
    phone.context.set_offline(True)
    page.reload()
    expect(page.locator("#sync-count")).to_have_text("Semua catatan sudah terkirim")
