"""Benchmark: the bytes a phone downloads, everything the service worker fetches included.

    python bench/weight.py

Builds the demo (the Jambi regions, the shipped guidance, the demo offices and officers) in a fresh SQLite
database, serves the app on 127.0.0.1 (werkzeug's threaded server), and drives Debian's Chromium with
Playwright through three moments:

1. a villager opens an article, until the service worker has finished installing and is active;
2. an officer logs in and opens the app, until the worker controls the page and the villages are shown;
3. the officer opens the app again in the same browser profile.

The bytes are counted where they leave the server: status line, headers and body of every answer (compressed
when the app compresses them), so that the page's and the worker's requests are counted alike. Each request is
listed with its status, size and `Sec-Fetch-Dest` (`empty` is a fetch: the worker's precache, the app's API).
"""

import logging
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "bench-weight-1"
ACTIVE = "navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'"


class Meter:
    """A WSGI middleware that writes down every answer's size as sent on the wire (HTTP/1.1 framing aside)."""

    def __init__(self, app):
        self.app, self.lock, self.seen = app, threading.Lock(), []

    def __call__(self, environ, start_response):
        answer = {}

        def start(status, headers, exc_info=None):
            answer["head"] = len(f"HTTP/1.1 {status}\r\n") + sum(len(f"{k}: {v}\r\n") for k, v in headers) + 2
            answer["status"] = status.split()[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        size = 0
        try:
            for chunk in body:
                size += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()
        path = environ["PATH_INFO"] + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
        with self.lock:
            self.seen.append(
                (
                    environ["REQUEST_METHOD"],
                    path,
                    answer.get("status", "?"),
                    answer.get("head", 0) + size,
                    size,
                    environ.get("HTTP_SEC_FETCH_DEST", "-"),
                )
            )

    def take(self) -> list[tuple]:
        with self.lock:
            taken, self.seen = self.seen, []
        return taken


def report(title: str, requests: list[tuple], *, besides: str | None = None) -> int:
    total, bodies = sum(r[3] for r in requests), sum(r[4] for r in requests)
    print(f"\n{title}: {total / 1024:.1f} KB in {len(requests)} requests ({bodies / 1024:.1f} KB of bodies)")
    for method, path, status, size, _body, dest in requests:
        print(f"  {size / 1024:7.1f} KB  {status}  {method:4} {path}  [{dest}]")
    if besides:
        rest = [r for r in requests if not re.match(besides, r[1])]
        print(
            f"  besides {besides}: {sum(r[3] for r in rest) / 1024:.1f} KB"
            f" ({sum(r[4] for r in rest) / 1024:.1f} KB of bodies)"
        )
    return total


def settle(page, meter, quiet=1.5, limit=30.0):
    """Wait until no request reached the server for `quiet` seconds (the worker's precache is done)."""
    deadline, count, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        with meter.lock:
            now = len(meter.seen)
        if now != count:
            count, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def main():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the list below says it all
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select

    from outreach import create_app, demo
    from outreach.extensions import db
    from outreach.models import Material, Role, User

    folder = Path(tempfile.mkdtemp(prefix="pimpasa-weight-"))
    try:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/weight.sqlite", "SECRET_KEY": "bench"}
        )
        with app.app_context():
            upgrade()
            with demo.jambi_regions() as regions:
                demo.build(db.session, regions=regions, password=PASSWORD)
            db.session.commit()
            officer = db.session.scalars(
                select(User.username).where(User.role == Role.officer).order_by(User.username)
            ).first()
            slug = db.session.scalars(select(Material.slug).order_by(Material.slug)).first()
        meter = Meter(app)
        server = make_server("127.0.0.1", 0, meter, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as pw:
                measure(pw, base, meter, folder, officer, slug)
        finally:
            server.shutdown()
            server.server_close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(pw, base, meter, folder, officer, slug):
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    villager = browser.new_context(locale="id-ID")
    page = villager.new_page()
    page.goto(f"{base}/panduan/{slug}")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    settle(page, meter)
    article = report(f"1. A villager's first article (/panduan/{slug}, worker installed)", meter.take())
    villager.close()
    browser.close()

    def phone():
        context = pw.chromium.launch_persistent_context(
            str(folder / "profile"), executable_path=CHROMIUM, args=ARGS, locale="id-ID"
        )
        return context, (context.pages[0] if context.pages else context.new_page())

    context, page = phone()
    page.goto(f"{base}/masuk?next=/petugas")
    page.fill("#username", officer)
    page.fill("#password", PASSWORD)
    meter.take()
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/petugas")
    deadline = time.monotonic() + 60
    while not page.evaluate(ACTIVE) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    settle(page, meter)
    first = report(
        f"2. An officer's first load after log-in ({officer})", meter.take(), besides=r"/api/v1/changes"
    )
    # Time for Chromium to store the registration in the profile: closed at once, a reopened browser sometimes
    # opened /petugas without its worker.
    page.wait_for_timeout(3000)
    context.close()

    context, page = phone()
    meter.take()
    page.goto(f"{base}/petugas")
    deadline = time.monotonic() + 30
    while not page.evaluate(ACTIVE) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    settle(page, meter)
    again = report("3. The officer opens /petugas again", meter.take())
    context.close()
    print(
        f"\nsummary: article {article / 1024:.1f} KB, officer first load {first / 1024:.1f} KB, "
        f"repeat open {again / 1024:.1f} KB"
    )


if __name__ == "__main__":
    main()
