"""The service worker as served at /sw.js: what it precaches, the version that changes whenever any of it
changes, and the few lines that start its logic (static/js/service-worker.js) with them."""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from .. import PROJECT_ROOT, assets
from ..vocabulary import URGENCY

STATIC = PROJECT_ROOT / "static"
PACKAGE = Path(__file__).resolve().parent.parent
SHELL_PAGES = ["/petugas", "/manifest.webmanifest"]
SHELL_ASSET_DIRS = ["css", "js", "icons"]
# Named by the manifest only: the browser fetches them itself, online, when the app is installed; no page shows
# them, so no phone keeps them ahead (7 KB of an officer's first load).
INSTALL_ICONS = ["icons/icon-512.png", "icons/icon-maskable-512.png"]
# Used on a manager's account page only (turning push on), never by the officer's app: no phone keeps it ahead.
MANAGER_ONLY = ["js/push.js"]
# What a public page and the offline page use (templates/base.html, templates/offline.html and what their
# scripts import): all a villager's phone keeps ahead.
PUBLIC_ASSETS = [
    "css/app.css",
    "icons/icon-192.png",
    "js/guidance-cache.js",
    "js/online-status.js",
    "js/public.js",
]


def shell_assets() -> list[Path]:
    return sorted(p for d in SHELL_ASSET_DIRS for p in (STATIC / d).rglob("*") if p.is_file())


def static_url(filename: str) -> str:
    """A static file's versioned address (outreach/assets.py), as `url_for("static", ...)` gives it."""
    return f"/static/{assets.release()}/{filename}"


def precache_urls() -> list[str]:
    """The shell page, the manifest and every asset the shell uses, as URLs: what an officer's phone keeps."""
    names = [p.relative_to(STATIC).as_posix() for p in shell_assets()]
    return SHELL_PAGES + [static_url(name) for name in names if name not in INSTALL_ICONS + MANAGER_ONLY]


def public_precache_urls() -> list[str]:
    """What every phone that opened a guidance page keeps: the assets of the public pages, not the officer's
    app (a villager's phone downloads that only if it opens /petugas)."""
    return [static_url(filename) for filename in PUBLIC_ASSETS]


@lru_cache(maxsize=1)
def release_version() -> str:
    """A short hash of everything the shell is made of: a new release gets a new service worker and cache."""
    digest = hashlib.sha256()
    sources = (
        shell_assets()
        + sorted((PACKAGE / "templates").rglob("*"))
        + sorted((PROJECT_ROOT / "translations").rglob("*.po"))
    )
    for path in sources:
        if path.is_file():
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# /sw.js is served at the site's root, so that its scope is the whole site; it is this short module, which
# imports the logic, so that static/js/service-worker.js stays a plain file that is checked and tested like the
# others, and the server writes only the constants. The browser installs a new worker when the bytes of /sw.js
# change; the modules it imports are at versioned addresses (outreach/assets.py), so a change to any of them
# changes the address of the logic here, and VERSION too: a new release always installs a new worker.
WORKER = """// Written by the server (outreach/field/shell.py): the constants only it knows. The logic: {logic}
import {{ start }} from '{logic}';
{officer_import}
const VERSION = {version};
const PRECACHE = {precache};
const PUBLIC_PRECACHE = {public};
const URGENCY = {urgency};

start({{ version: VERSION, precache: PRECACHE, publicPrecache: PUBLIC_PRECACHE, urgency: URGENCY, outbox: {outbox}, shell: {shell} }});
"""
# The officer's worker hands the outbox's code and the officer's part of the logic to the rest; the guidance
# pages' worker has neither.
OFFICER_IMPORT = "import * as outbox from '{sync}';\nimport * as shell from '{shell}';\n"


def worker_script(version: str, *, guidance: bool = False) -> str:
    """The text of /sw.js for the release `version`: the release, the shell's and the public pages' URLs and the
    urgency order, then the worker's logic started with the outbox's code and the officer's part
    (static/js/shell-worker.js). With `guidance`, the worker the public pages install (/sw.js?guidance): the
    same logic without the shell or the outbox; the officer's app replaces it with the whole worker when it is
    first opened."""
    return WORKER.format(
        logic=static_url("js/service-worker.js"),
        officer_import=""
        if guidance
        else OFFICER_IMPORT.format(sync=static_url("js/sync.js"), shell=static_url("js/shell-worker.js")),
        outbox="null" if guidance else "outbox",
        shell="null" if guidance else "shell",
        version=json.dumps(version),
        precache=json.dumps([] if guidance else precache_urls()),
        public=json.dumps(public_precache_urls()),
        urgency=json.dumps(list(URGENCY.values)),
    )
