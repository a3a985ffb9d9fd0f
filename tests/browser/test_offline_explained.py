"""Offline explained, in a real Chromium: a page the phone does not keep opens the app's offline page, in the
reader's language, never the browser's error; every page says when the phone is offline; and a copy kept in
one language is never the answer to a reader who chose the other (the language is a cookie, not the address)."""

from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from tests.browser.test_guidance_offline import A11Y_CHECK, add_articles

KEPT = """(name) => caches.open(name).then((cache) => cache.keys())
  .then((requests) => requests.map((request) => { const url = new URL(request.url); return url.pathname + url.search; }))"""


def said(app, lang, message):
    """A sentence as the app says it in `lang` (its Indonesian may still be waiting in translations/pending)."""
    with app.test_request_context(), force_locale(lang):
        return gettext(message)


def test_a_page_not_kept_opens_the_offline_page_with_what_the_phone_keeps(app, phone, world):
    add_articles(app, count=2)
    page = phone.open()
    phone.goto("/panduan/artikel-0")
    phone.wait_for_worker()
    page.reload()  # through the worker now, which keeps it
    phone.context.set_offline(True)
    phone.goto("/panduan/artikel-1")  # never read
    expect(page.locator("h1")).to_have_text(said(app, "id", "You are offline"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("#kept-list a")).to_have_text(["Artikel nomor 0"])
    expect(page.locator("#offline-app")).to_be_hidden()  # a villager's phone has no officer's app
    assert page.url.endswith("/panduan/artikel-1")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(A11Y_CHECK) == []  # readable on a small phone
    page.click("#kept-list a")
    expect(page.locator("h1")).to_have_text("Artikel nomor 0")

    phone.goto("/panduan/artikel-1")
    expect(page.locator("h1")).to_have_text(said(app, "id", "You are offline"))
    phone.context.set_offline(False)  # the page asked for opens by itself
    expect(page.locator("h1")).to_have_text("Artikel nomor 1")


def test_a_copy_kept_in_one_language_is_never_shown_to_a_reader_of_the_other(app, phone, world):
    add_articles(app, count=2)
    page = phone.open()  # a browser in Indonesian
    phone.goto("/")
    phone.wait_for_worker()
    page.reload()
    phone.goto("/panduan/artikel-0")  # both kept in Indonesian
    phone.goto("/")
    page.click("button[lang=en]")  # the reader chooses English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("#save-all")
    expect(page.locator("#save-all-message")).to_have_text(
        said(app, "en", "All guidance is saved: you can read it without a connection.")
    )
    phone.context.set_offline(True)
    for path in ("/", "/panduan/artikel-0", "/panduan/artikel-1", "/kontak"):
        phone.goto(path)  # saved in the language chosen, not the browser's
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).not_to_have_text(said(app, "en", "You are offline"))

    phone.context.set_offline(False)
    phone.goto("/kontak")
    page.click("button[lang=id]")  # back to Indonesian
    expect(page.locator("html")).to_have_attribute("lang", "id")
    phone.context.set_offline(True)
    phone.goto("/panduan/artikel-0")  # kept in Indonesian before
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text("Artikel nomor 0")
    phone.goto("/panduan/artikel-1")  # kept in English only: not for this reader
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("h1")).to_have_text(said(app, "id", "You are offline"))
    expect(page.locator("#kept-list a", has_text="Artikel nomor 0")).to_have_count(1)
    expect(page.locator("#kept-list a", has_text="Artikel nomor 1")).to_have_count(0)
    assert "/panduan/artikel-1" in page.evaluate(KEPT, "pimpasa-guidance-en")
    assert "/panduan/artikel-1" not in page.evaluate(KEPT, "pimpasa-guidance-id")


def test_public_pages_say_when_the_phone_is_offline_or_the_server_out_of_reach(app, phone, world):
    page = phone.open()
    phone.goto("/")
    phone.wait_for_worker()
    page.reload()
    status = page.locator("#online-status")
    expect(status).to_be_hidden()
    expect(status).to_have_attribute("role", "status")
    phone.context.set_offline(True)
    expect(status).to_be_visible()
    expect(status).to_have_text(said(app, "id", "You are offline. Pages saved on this phone still open."))
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate(A11Y_CHECK) == []  # readable on a small phone: large enough, enough contrast
    phone.context.set_offline(False)
    expect(status).to_be_hidden()

    # The browser believes it has a connection, but no request gets through: the page the worker answers from
    # the phone says so, until a request reaches the server again.
    phone.context.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.reload()
    expect(page.locator("h1")).to_have_text(said(app, "id", "Guidance for working abroad safely"))
    expect(status).to_be_visible()
    assert page.evaluate("navigator.onLine") is True
    phone.context.unroute_all()
    page.reload()
    expect(status).to_be_hidden()


def test_the_officers_app_says_when_it_is_offline_and_the_offline_page_leads_back_to_it(app, phone, world):
    page = phone.ready()
    page.wait_for_function("caches.match('/petugas').then(Boolean)", timeout=30_000)
    status = page.locator("#online-status")
    expect(status).to_be_hidden()
    phone.context.set_offline(True)
    expect(status).to_have_text(
        said(
            app, "id", "You are offline. Records are kept on this phone and sent when the connection returns."
        )
    )
    phone.goto("/akun")  # a page the phone does not keep
    expect(page.locator("h1")).to_have_text(said(app, "id", "You are offline"))
    expect(page.locator("#offline-app")).to_be_visible()
    page.click("#offline-app a")
    expect(page.locator("#village-list li")).to_have_count(2)
    expect(status).to_be_visible()
    phone.context.set_offline(False)
    expect(status).to_be_hidden()


def test_guidance_kept_before_languages_were_kept_apart_is_sorted_by_language(app, phone, world):
    page = phone.open()
    phone.goto("/masuk")  # no worker yet: a page of the guidance installs it
    page.evaluate(
        """async () => {
          const old = await caches.open('pimpasa-guidance');
          const copy = (lang, title) => new Response(`<!doctype html>\\n<html lang="${lang}"><h1>${title}</h1></html>`,
            { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
          await old.put('/panduan/lama', copy('en', 'An old English copy'));
          await old.put('/kontak', copy('id', 'Salinan lama'));
          await old.put('/panduan/lama/qr.svg', new Response('<svg/>', { headers: { 'Content-Type': 'image/svg+xml' } }));
        }"""
    )
    phone.goto("/")
    phone.wait_for_worker()
    page.wait_for_function("caches.has('pimpasa-guidance').then((has) => !has)")
    assert page.evaluate(KEPT, "pimpasa-guidance-en") == ["/panduan/lama"]
    assert "/kontak" in page.evaluate(KEPT, "pimpasa-guidance-id")
    phone.context.set_offline(True)
    phone.goto("/kontak")
    expect(page.locator("h1")).to_have_text("Salinan lama")
    phone.goto("/panduan/lama")  # kept in English: this reader reads Indonesian
    expect(page.locator("h1")).to_have_text(said(app, "id", "You are offline"))


APP_KEPT_IN = """(lang) => caches.keys()
  .then((names) => Promise.all(names.filter((name) => name.endsWith(`-${lang}`)).map((cacheName) => caches.match('/petugas', { cacheName }))))
  .then((found) => found.some(Boolean))"""


def test_an_officer_who_chose_english_opens_the_app_offline_in_english(app, phone, world):
    page = phone.ready()  # in Indonesian, the browser's language
    phone.goto("/akun")
    page.click("button[lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.wait_for_function(APP_KEPT_IN, "en", timeout=30_000)  # kept in English at once, with a connection
    phone.context.set_offline(True)
    phone.goto("/petugas")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#village-list li")).to_have_count(2)
    phone.goto("/akun")
    expect(page.locator("h1")).to_have_text(said(app, "en", "You are offline"))
    expect(page.locator("#offline-app")).to_be_visible()
