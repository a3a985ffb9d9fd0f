"""The service worker as served at /sw.js: what it precaches, the version that changes whenever any of it
changes, and the few lines that start its logic (static/js/service-worker.js) with them."""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from .. import PROJECT_ROOT
from ..vocabulary import URGENCY

STATIC = PROJECT_ROOT / "static"
PACKAGE = Path(__file__).resolve().parent.parent
SHELL_PAGES = ["/petugas", "/manifest.webmanifest"]
SHELL_ASSET_DIRS = ["css", "js", "icons"]


def shell_assets() -> list[Path]:
    return sorted(p for d in SHELL_ASSET_DIRS for p in (STATIC / d).rglob("*") if p.is_file())


def precache_urls() -> list[str]:
    """The shell page, the manifest and every asset the shell uses, as URLs."""
    return SHELL_PAGES + ["/static/" + p.relative_to(STATIC).as_posix() for p in shell_assets()]


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
# change (static files are served `no-cache`, so the modules it imports are fetched fresh then); VERSION hashes
# every shell asset, service-worker.js and the modules it imports among them, so any change to the logic
# changes these bytes too, and a new release always installs a new worker.
WORKER = """// Written by the server (outreach/field/shell.py): the constants only it knows. The logic: {logic}
import {{ start }} from '{logic}';

const VERSION = {version};
const PRECACHE = {precache};
const URGENCY = {urgency};

start({{ version: VERSION, precache: PRECACHE, urgency: URGENCY }});
"""


def worker_script(version: str) -> str:
    """The text of /sw.js for the release `version`: the release, the shell's URLs and the urgency order, then the
    worker's logic started."""
    return WORKER.format(
        logic="/static/js/service-worker.js",
        version=json.dumps(version),
        precache=json.dumps(precache_urls()),
        urgency=json.dumps(list(URGENCY.values)),
    )
