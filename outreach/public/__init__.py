"""Pages anyone can open without logging in: the guidance library, contacts, offices, the program."""

from flask import Blueprint, current_app, redirect, request
from werkzeug.exceptions import NotFound

from ..links import safe_next

bp = Blueprint("public", __name__)


@bp.route("/bahasa/<code>", methods=["POST"])
def choose_language(code: str):
    """Remember the chosen language in a cookie for a year."""
    if code not in current_app.config["LANGUAGES"]:
        raise NotFound()
    response = redirect(safe_next(request.form.get("next")) or "/")
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


from . import views  # noqa: E402,F401
