"""Pages anyone can open without logging in."""
from flask import Blueprint, current_app, redirect, request, render_template
from werkzeug.exceptions import NotFound

from ..auth.views import safe_next

bp = Blueprint("public", __name__)


@bp.route("/")
def home():
    return render_template("public/home.html")


@bp.route("/bahasa/<code>", methods=["POST"])
def choose_language(code: str):
    """Remember the chosen language in a cookie for a year."""
    if code not in current_app.config["LANGUAGES"]:
        raise NotFound()
    response = redirect(safe_next(request.form.get("next")) or "/")
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
