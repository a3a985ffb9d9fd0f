"""Log-in and log-out pages."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import throttle
from ..extensions import db
from ..models import User
from . import bp, home_for
from .forms import LoginForm, LogoutForm


def safe_next(target: str | None) -> str | None:
    """Keep a `next` address only when it stays on this site (no scheme, no host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        locked = throttle.begin(username, request.remote_addr or "")
        if locked is not None:
            return locked_out(form, locked)
        user = db.session.scalar(select(User).where(User.username == username))
        if not throttle.password_matches(user, form.password.data):
            form.password.errors.append(_("Wrong username or password."))
        elif not user.active:
            form.username.errors.append(_("This account has been deactivated. Ask your manager."))
        else:
            throttle.succeeded(username)
            session.permanent = True
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or home_for(user))
        return render_template("auth/login.html", form=form), 400
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


def locked_out(form: LoginForm, locked: throttle.Locked):
    """429 on the log-in page, saying when to try again; the password was not checked."""
    message = ngettext("Too many failed log-ins. Try again in %(num)d minute.",
                       "Too many failed log-ins. Try again in %(num)d minutes.", locked.minutes)
    page = render_template("auth/login.html", form=form, locked_message=message)
    return page, 429, {"Retry-After": str(locked.seconds)}


@bp.route("/keluar", methods=["GET", "POST"])
@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You have logged out."))
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)
