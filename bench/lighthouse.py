"""Benchmark: Lighthouse 12 (mobile, its defaults) on the home page, an article, the log-in page, the officer's
app and the coverage dashboard, the last two logged in.

    python bench/lighthouse.py [--runs 3] [--pages home,article,login,petugas,kelola] [--lang id]

The first run installs lighthouse@12 with npm into bench/.lighthouse (git-ignored). The script builds the demo
database in a temporary folder, serves the app on 127.0.0.1 from a thread, and starts Debian's Chromium
(headless, its own profile, a remote debugging port). Lighthouse cannot log in, so Playwright, connected to that
browser over CDP, logs in through the log-in page; the lighthouse CLI then runs in the same browser (`--port`)
and sees the session cookie (its storage reset leaves cookies alone). Prints, per page, the median of each
category score and of the cumulative layout shift over the runs, then what kept a score below 100 in the last
run. No browser is downloaded; nothing leaves 127.0.0.1.
"""

import argparse
import json
import logging
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIGHTHOUSE_DIR = ROOT / "bench" / ".lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench-lighthouse-1"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUN_TIMEOUT = 180  # seconds for one Lighthouse run, on a busy shared machine
# page name: (path, the demo account logged in to see it, or None)
PAGES = {
    "home": ("/", None),
    "article": ("/panduan/kenali-tppo", None),
    "login": ("/masuk", None),
    "petugas": ("/petugas", "petugas.jambi1"),
    "kelola": ("/kelola/", "manajer.jambi"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--lang", default="id", help="the browser's language (the app follows it)")
    parser.add_argument("--reports", help="keep Lighthouse's JSON reports in this folder")
    args = parser.parse_args()
    pages = [name.strip() for name in args.pages.split(",") if name.strip()]
    unknown = set(pages) - PAGES.keys()
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    print("$ python " + " ".join(sys.argv))
    install_lighthouse()
    folder = Path(tempfile.mkdtemp(prefix="pimpasa-lighthouse-"))
    try:
        measure(folder, pages, runs=args.runs, lang=args.lang, reports=Path(args.reports or folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def install_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(
            ["npm", "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit", "--no-fund", "lighthouse@12"],
            check=True,
            timeout=600,
        )
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True, check=True)
    print(f"lighthouse {version.stdout.strip()}, {chromium_version()}")


def chromium_version() -> str:
    found = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=True)
    return found.stdout.strip()


def demo_app(folder: Path):
    """The app on a fresh SQLite database holding the demo (Jambi's regions, offices, people and activity), with
    the production security headers."""
    from flask_migrate import upgrade

    from outreach import create_app, demo
    from outreach.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.sqlite", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        with demo.jambi_regions() as stream:
            demo.build(db.session, regions=stream, password=PASSWORD)
        db.session.commit()
        db.engine.dispose()
    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_chromium(profile: Path, port: int, lang: str) -> subprocess.Popen:
    browser = subprocess.Popen(
        [
            CHROMIUM,
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={profile}",
            f"--lang={lang}",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return browser
        except OSError:
            time.sleep(0.2)
    browser.kill()
    raise RuntimeError("Chromium did not open its debugging port")


def measure(folder: Path, pages: list[str], *, runs: int, lang: str, reports: Path) -> None:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    reports.mkdir(parents=True, exist_ok=True)
    logging.disable(logging.INFO)  # a line per migration or request would bury the figures
    app = demo_app(folder)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    port = free_port()
    browser_process = start_chromium(folder / "profile", port, lang)
    results: dict[str, list[dict]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
            context = browser.contexts[0]
            page = context.pages[0] if context.pages else context.new_page()
            logged_in = None
            for name in pages:
                path, account = PAGES[name]
                if account != logged_in:
                    context.clear_cookies()
                    if account:
                        log_in(page, base, account, path)
                    page.goto("about:blank")
                    logged_in = account
                results[name] = [
                    lighthouse(base + path, port, reports / f"{name}-{n}.json") for n in range(runs)
                ]
            browser.close()
    finally:
        browser_process.terminate()
        browser_process.wait(10)
        server.shutdown()
    report(results, runs)


def log_in(page, base: str, username: str, home: str) -> None:
    page.goto(f"{base}/masuk?next={home}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + home)


def lighthouse(url: str, port: int, output: Path) -> dict:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            f"--port={port}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={output}",
            "--quiet",
        ],
        check=True,
        timeout=RUN_TIMEOUT,
    )
    return json.loads(output.read_text())


def report(results: dict[str, list[dict]], runs: int) -> None:
    print(f"\nmedian of {runs} run(s) per page; scores 0-100, CLS unitless")
    print(f"{'page':<9} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'CLS':>7}  url")
    for name, reports in results.items():
        scores = [
            statistics.median(round(100 * (r["categories"][c]["score"] or 0)) for r in reports)
            for c in CATEGORIES
        ]
        cls = statistics.median(r["audits"]["cumulative-layout-shift"]["numericValue"] for r in reports)
        cells = " ".join(f"{score:>5g}" for score in scores)
        print(f"{name:<9} {cells} {cls:>7.3f}  {reports[0]['finalDisplayedUrl']}")
    for name, reports in results.items():
        below = list(shortfalls(reports[-1]))
        if below:
            print(f"\n{name}: below 100 in the last run")
            for line in below:
                print(f"  {line}")


def shortfalls(result: dict):
    """The audits that cost points: each failing weighted audit of a category, with its score and value."""
    for category in CATEGORIES:
        for ref in result["categories"][category]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                yield f"{category}: {ref['id']} ({round(100 * audit['score'])}) {value}".rstrip()


if __name__ == "__main__":
    main()
