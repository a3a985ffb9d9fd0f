"""What the service worker precaches, and the version that changes whenever any of it changes."""
import hashlib
from functools import lru_cache
from pathlib import Path

from .. import PROJECT_ROOT

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
    sources = shell_assets() + sorted((PACKAGE / "templates").rglob("*")) + sorted(
        (PROJECT_ROOT / "translations").rglob("*.po")
    )
    for path in sources:
        if path.is_file():
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
