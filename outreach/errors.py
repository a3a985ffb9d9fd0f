"""Error answers: a page in the user's language, or JSON under /api/."""
from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, default_exceptions


def messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Check what you entered and try again."),
        401: _("Log in again to continue."),
        403: _("Your role may not open this page."),
        404: _("This page does not exist."),
        405: _("This address does not accept that kind of request."),
        413: _("What you sent is too large: the limit is %(limit)d bytes.", limit=current_app.config["MAX_CONTENT_LENGTH"]),
        429: _("Too many attempts. Wait a moment and try again."),
        500: _("Something went wrong on the server. Nothing you sent was lost; try again later."),
    }


def abort_with(code: int, message: str):
    """Stop the request with an error answer that says what was wrong, instead of the general message."""
    exc = default_exceptions[code]()
    exc.api_message = message
    raise exc


def handle_http_error(exc: HTTPException):
    message = getattr(exc, "api_message", None) or messages().get(exc.code, exc.description)
    if request.path.startswith("/api/"):
        return jsonify(error=exc.name.lower().replace(" ", "_"), message=message), exc.code
    return render_template("error.html", code=exc.code, message=message), exc.code


def refuse_nul_characters():
    """A NUL character in an address or a form is never typed by a person, and PostgreSQL cannot store it."""
    if "\x00" in request.path or any("\x00" in value for value in (*request.args.values(), *request.form.values())):
        abort_with(400, _("The text contains a NUL character, which is not allowed."))


def init_app(app):
    app.before_request(refuse_nul_characters)
    # Unhandled exceptions reach this handler as InternalServerError, after Flask has logged them.
    app.register_error_handler(HTTPException, handle_http_error)
