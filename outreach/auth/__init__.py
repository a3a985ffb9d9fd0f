"""Log in and out, and the role checks every page and endpoint goes through."""

from functools import wraps

from flask import Blueprint, abort, current_app, jsonify, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from .. import sessions
from ..extensions import db, login_manager

bp = Blueprint("auth", __name__)


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.session_protection = "basic"
    app.before_request(load_session_first)


def load_session_first() -> None:
    """Look the session up before any view runs: noting its last use commits, which must never commit a view's
    half-made change. Static files need no one."""
    if request.endpoint != "static":
        current_user._get_current_object()


@login_manager.user_loader
def load_user(token: str):
    """The user of the session token in the cookie (Flask-Login's "id"), while that session is open. The cookie is
    sent again only when the session's end moved (at most once a minute of use), not with every answer: it
    would add 400 bytes to each and a signature to make."""
    user = sessions.resume(db.session, token, officer_days=officer_days())
    if user is not None and user.login is not None and user.login.moved:
        session.modified = True
    return user


def officer_days() -> int:
    return current_app.config["PERMANENT_SESSION_LIFETIME"].days


@login_manager.unauthorized_handler
def unauthorized():
    if request.blueprint == "api":
        return jsonify(error="unauthorized", message=str(_l("Log in again to continue."))), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def refuse_unless(*roles: str):
    """The role check of every guarded page and endpoint: someone not logged in is sent to log in (a 401 from
    the API), a user of another role gets a 403. Answers None when the user may go on, as a blueprint's
    `before_request` needs."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role.value not in roles:
        abort(403)
    return None


def roles_required(*roles: str):
    """Let a view through only for a logged-in user whose role is one of `roles`: for a view stricter than its
    blueprint's guard, or in a blueprint of mixed roles (the API)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            refused = refuse_unless(*roles)
            return refused if refused is not None else view(*args, **kwargs)

        return wrapped

    return decorator


def end_session() -> None:
    """End this device's session on the server and forget it in the browser."""
    user = current_user._get_current_object()  # the user, not the proxy: it turns anonymous at `logout_user`
    if user.login is not None:
        sessions.end(user.login, "logged_out", by=user)
    logout_user()
    session.clear()


# Sent with a log-out: the browser drops what it cached of the pages seen while logged in (and its back/forward
# cache), so the next person at this computer cannot page back through them.
CLEAR_CACHE = {"Clear-Site-Data": '"cache"'}


def home_for(user) -> str:
    """Where a user lands after logging in."""
    if user.role.value == "officer":
        return url_for("field.app")
    return url_for("manage.dashboard")


from . import password, views  # noqa: E402,F401  (registers the routes on bp)
