"""Changing one's own password, and making a user whose password a manager chose change it before anything
else."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import passwords, throttle
from ..extensions import db
from ..links import safe_next
from . import bp, home_for
from .forms import ChangePasswordForm

# What a user with a password to change may still open: the public guidance, the phone's API (so its waiting
# records still sync), the service worker and manifest, log-out and this page.
OPEN_BLUEPRINTS = {"public", "api"}
OPEN_ENDPOINTS = {"static", "field.service_worker", "field.manifest", "auth.logout", "auth.change_password"}


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():
    """The current password, checked and counted like a log-in so this page cannot be used to guess it."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        locked = throttle.begin(current_user.username, request.remote_addr or "")
        if locked is not None:
            message = ngettext(
                "Too many wrong passwords. Try again in %(num)d minute.",
                "Too many wrong passwords. Try again in %(num)d minutes.",
                locked.minutes,
            )
            return _page(form, locked_message=message), 429, {"Retry-After": str(locked.seconds)}
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            throttle.succeeded(current_user.username)
            refused = passwords.problem(
                form.new.data, username=current_user.username, full_name=current_user.full_name
            )
            if refused is not None:
                form.new.errors.append(str(refused))
            elif form.new.data == form.current.data:
                form.new.errors.append(_("Choose a password other than the current one."))
            else:
                passwords.set_own(db.session, current_user, form.new.data, keep=current_user.login)
                flash(_("Your password has been changed. Your other devices have been signed out."))
                return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    return _page(form), 400 if form.errors else 200


def _page(form: ChangePasswordForm, **extra) -> str:
    return render_template("auth/change_password.html", form=form, min_length=passwords.MIN_LENGTH, **extra)


@bp.before_app_request
def password_to_change():
    """A password a manager chose is known to two people: until its user has chosen their own, every page leads
    to this one (which says why)."""
    if request.blueprint in OPEN_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.change_password", next=back))
