"""Error answers: a page in the user's language, or JSON under /api/; and the body limits they name."""

import io
from typing import NoReturn

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import ClientDisconnected, HTTPException, SecurityError, default_exceptions
from werkzeug.http import parse_set_header
from werkzeug.wsgi import LimitedStream

from .coverage import UnknownRegion
from .periods import PeriodError


def messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Check what you entered and try again."),
        401: _("Log in again to continue."),
        403: _("Your role may not open this page."),
        404: _("This page does not exist."),
        405: _("This address does not accept that kind of request."),
        429: _("Too many attempts. Wait a moment and try again."),
        500: _("Something went wrong on the server. Nothing you sent was lost; try again later."),
    }


def too_large() -> str:
    """Name the limit this request went over: its body's (the app's, or its view's `body_limit`), or, the body
    being within that, the form parser's (a field too long, or too many fields)."""
    limit, length = request.max_content_length, request.content_length
    if limit is not None and (length is None or length > limit):
        return _(
            "What you sent is too large: the limit is %(size)s (%(limit)d bytes).",
            size=size_text(limit),
            limit=limit,
        )
    return _(
        "This form is too large: at most %(parts)d fields, each at most %(size)s.",
        parts=request.max_form_parts,
        size=size_text(request.max_form_memory_size or 0),
    )


def size_text(size: int) -> str:
    """A byte count as limits are set and read: 400 KB, 1 MB (1024-based)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} B"


def body_limit(size: int):
    """Give a view a body limit below the app's MAX_CONTENT_LENGTH (a photo's, say), so that a larger body is
    refused with a 413 that names this limit."""

    def mark(view):
        view.max_content_length = size
        return view

    return mark


def apply_body_limit(endpoint, values):
    # A URL value preprocessor runs before every before_request function, the CSRF check (which reads
    # forms) included: the limit is in place before anything reads the body.
    limit = getattr(current_app.view_functions.get(endpoint), "max_content_length", None)
    if limit is not None:
        request.max_content_length = limit


class ChunkedBodyLimit:
    """WSGI middleware: read a chunked body (sent without Content-Length) here, up to the app's limit.

    Werkzeug cannot check such a body's length up front, and it stops reading it at the limit without saying
    so: a sync body cut there reads as bad JSON, a photo as a broken JPEG. Reading one byte past the limit and
    handing the body on with its length lets the usual check answer 413, naming the limit that applies. Only
    when the server says the stream ends (`wsgi.input_terminated`, as Werkzeug's and gunicorn's do)."""

    def __init__(self, app):
        self.app = app
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ, start_response):
        limit = self.app.config["MAX_CONTENT_LENGTH"]
        chunked = "chunked" in parse_set_header(environ.get("HTTP_TRANSFER_ENCODING"))
        if chunked and limit is not None and environ.get("wsgi.input_terminated"):
            try:
                body = LimitedStream(environ["wsgi.input"], limit + 1, is_max=True).read()
            except ClientDisconnected:  # a broken chunk: nothing usable was sent
                body = b""
            del environ["HTTP_TRANSFER_ENCODING"]
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


def abort_with(code: int, message: str) -> NoReturn:
    """Stop the request with an error answer that says what was wrong, instead of the general message."""
    raise with_message(default_exceptions[code](), message)


def with_message(exc: HTTPException, message: str) -> HTTPException:
    """The error answer, carrying what was wrong in the user's words (kept apart from `description`, which
    Werkzeug and Flask fill with English details of their own)."""
    vars(exc)["api_message"] = message
    return exc


def handle_http_error(exc: HTTPException):
    code = exc.code or 500
    message = getattr(exc, "api_message", None) or (
        too_large() if code == 413 else messages().get(code, exc.description or "")
    )
    if request.path.startswith("/api/"):
        return jsonify(error=exc.name.lower().replace(" ", "_"), message=message), code
    if isinstance(
        exc, SecurityError
    ):  # a host TRUSTED_HOSTS does not list: no address can be built, so no page
        return message, code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", code=code, message=message), code


def refuse_nul_characters():
    """A NUL character in an address or a form is never typed by a person, and PostgreSQL cannot store it."""
    if "\x00" in request.path or any(
        "\x00" in value for value in (*request.args.values(), *request.form.values())
    ):
        abort_with(400, _("The text contains a NUL character, which is not allowed."))


def answer_with(code: int):
    """An error handler that answers a domain exception, whose message says what was wrong, with this HTTP
    status: the domain raises its own exceptions, and the web's codes are chosen here."""

    def handle(exc: Exception):
        return handle_http_error(with_message(default_exceptions[code](), str(exc)))

    return handle


def init_app(app):
    app.wsgi_app = ChunkedBodyLimit(app)
    app.url_value_preprocessor(apply_body_limit)
    app.before_request(refuse_nul_characters)
    # Unhandled exceptions reach this handler as InternalServerError, after Flask has logged them.
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(PeriodError, answer_with(400))
    app.register_error_handler(UnknownRegion, answer_with(404))
