"""Log in and out, and the role checks every page and endpoint goes through."""
from functools import wraps

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User

bp = Blueprint("auth", __name__)


def init_app(app):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def unauthorized():
    if request.blueprint == "api":
        return jsonify(error="unauthorized", message=str(_l("Log in again to continue."))), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def roles_required(*roles: str):
    """Let a view through only for a logged-in user whose role is one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role.value not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def home_for(user) -> str:
    """Where a user lands after logging in."""
    if user.role.value == "officer":
        return url_for("field.app")
    return url_for("manage.dashboard")


from . import views  # noqa: E402,F401  (registers the routes on bp)
