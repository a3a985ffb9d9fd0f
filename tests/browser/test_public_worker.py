"""A villager's phone keeps what the guidance pages use and never downloads the officer's app; an officer who
logs in on that phone then gets the whole app, and it opens offline."""

from playwright.sync_api import expect

from tests.browser.test_guidance_offline import add_articles

OFFICERS_FILES = ("app.js", "sync.js", "store.js", "outbox.js", "api.js", "records.js", "photos.js")
CACHED = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""
WORKER = "navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL"


def officers(paths):
    return [path for path in paths if path == "/petugas" or path.rsplit("/", 1)[-1] in OFFICERS_FILES]


def test_a_guidance_pages_worker_never_fetches_the_officers_app(app, phone, world):
    add_articles(app, count=1)
    page = phone.open()
    asked = []  # the page's and the worker's requests alike (PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS)
    phone.context.on("request", lambda request: asked.append(request.url))
    phone.goto("/panduan/artikel-0")
    phone.wait_for_worker()
    page.reload()  # the worker answers now, and keeps the page
    expect(page.locator("h1")).to_have_text("Artikel nomor 0")
    assert page.evaluate(WORKER).endswith("/sw.js?guidance")
    cached = page.evaluate(CACHED)
    assert any(path.endswith("/js/public.js") for path in cached) and "/panduan/artikel-0" in cached
    assert officers(cached) == []
    assert officers(url.split("?")[0].replace(phone.base_url, "") for url in asked) == []

    # The officer logs in on this phone: the app replaces the worker with the whole one, which keeps the shell.
    phone.login("ani")
    phone.wait_for_worker(script="/sw.js")
    phone.wait_until_ready(villages=2)
    page.wait_for_function(f"({CACHED})().then((urls) => urls.includes('/petugas'))", timeout=30_000)
    assert set(OFFICERS_FILES) <= {path.rsplit("/", 1)[-1] for path in page.evaluate(CACHED)}
    phone.context.set_offline(True)
    phone.goto("/petugas")
    expect(page.locator("#village-list li")).to_have_count(2)
