"""Static files at addresses that name their content, so that a browser keeps them for a year and never asks
again, each compressed once per process rather than on every request.

`url_for("static", filename=...)` gives `/static/<fingerprint>/<filename>`, where the fingerprint hashes the whole
static folder: a path, not a query, so that an ES module's relative `import './store.js'` resolves to the same
version as the module importing it (a query would be lost). A new release changes every address at once; the
files are small, and a phone then downloads each once again. An address of an earlier release is sent to the
current one; an address without a version (`/static/js/app.js`) is served as before, revalidated each time.
"""

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import click
from flask import Flask, Response, abort, current_app, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.typing import ResponseReturnValue
from werkzeug.routing import BaseConverter
from werkzeug.security import safe_join

from . import PROJECT_ROOT

STATIC = PROJECT_ROOT / "static"
VERSION_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".webmanifest", ".txt"}


class ReleaseConverter(BaseConverter):
    """A static folder's version in an address: exactly its hex digits, so `/static/js/...` never matches."""

    regex = f"[0-9a-f]{{{VERSION_LENGTH}}}"


@dataclass(frozen=True)
class Prepared:
    """A static file ready to send: its bytes, their gzip (when that is smaller) and its media type."""

    body: bytes
    gzipped: bytes | None
    mimetype: str


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@lru_cache(maxsize=1)
def release() -> str:
    """A hash of every file of the static folder, names and bytes: the part of the address that changes with
    any of them."""
    digest = hashlib.sha256()
    for path in files(STATIC):
        digest.update(path.relative_to(STATIC).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:VERSION_LENGTH]


@lru_cache(maxsize=256)
def prepared(filename: str) -> Prepared | None:
    """The file `filename`, read and compressed once per process."""
    found = safe_join(str(STATIC), filename)
    if found is None or not Path(found).is_file():
        return None
    path = Path(found)
    body = path.read_bytes()
    gzipped = None
    if path.suffix in COMPRESSIBLE:
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".js":
        mimetype = "text/javascript"
    return Prepared(body, gzipped, mimetype)


def static_file(filename: str, fingerprint: str | None = None) -> ResponseReturnValue:
    """Serve a static file: without a version as Flask does (revalidated); with the current one for a year,
    gzipped when the browser takes it; with another one, a redirect to the current address."""
    if fingerprint is None:
        return current_app.send_static_file(filename)
    current = release()
    if fingerprint != current:
        response = redirect(url_for("static", filename=filename))
        response.headers["Cache-Control"] = "no-cache"
        return response
    found = prepared(filename)
    if found is None:
        abort(404)
    use_gzip = found.gzipped is not None and request.accept_encodings.quality("gzip") > 0
    response = current_app.response_class(found.gzipped if use_gzip else found.body, mimetype=found.mimetype)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if found.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = IMMUTABLE
    response.set_etag(f"{current}{'-gzip' if use_gzip else ''}")
    return response.make_conditional(request)


class SessionsBesideStaticFiles(SecureCookieSessionInterface):
    """The signed-cookie session, never saved on a static file: the file is the same for everyone, and a
    `Vary: Cookie` (which saving adds once anything read the session, as Flask-Login does after every request)
    would make the browser ask again for it after each log-in."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.endpoint != "static":
            super().save_session(app, session, response)


def add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static":
        values.setdefault("fingerprint", release())


def init_app(app: Flask) -> None:
    """Serve the static folder at versioned addresses too, and make `url_for("static", ...)` give them."""
    app.url_map.converters["release"] = ReleaseConverter
    app.view_functions["static"] = static_file
    app.add_url_rule(
        f"{app.static_url_path}/<release:fingerprint>/<path:filename>",
        endpoint="static",
        view_func=static_file,
    )
    app.url_defaults(add_version)
    app.session_interface = SessionsBesideStaticFiles()
    app.cli.add_command(export_static_command)
    if app.debug:
        app.before_request(forget)


def export(target: Path) -> Path:
    """Write the static folder at its versioned addresses under `target` (`static/<release>/...`), each
    compressible file beside its gzip as `prepared` makes it, for a reverse proxy to serve without the app."""
    folder = target / "static" / release()
    for path in files(STATIC):
        relative = path.relative_to(STATIC).as_posix()
        found = prepared(relative)
        if found is None:
            continue  # removed while we wrote the others
        out = folder / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(found.body)
        if found.gzipped is not None:
            out.with_name(out.name + ".gz").write_bytes(found.gzipped)
    return folder


@click.command("export-static")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def export_static_command(target: Path) -> None:
    """Write the static files at their versioned addresses, with their gzip, for the reverse proxy."""
    click.echo(f"Static files of release {release()} written to {export(target)}")


def forget() -> None:
    """Read the folder afresh (debug mode: the files change while the server runs)."""
    release.cache_clear()
    prepared.cache_clear()
