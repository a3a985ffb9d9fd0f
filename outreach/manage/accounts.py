"""Accounts: a manager adds, changes and deactivates the officers and managers of their offices, and hands a new
password to whoever forgot theirs; an admin does the same for everyone."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from .. import accounts, notices, scope, sessions
from ..extensions import db
from ..models import Assignment, LoginSession, Office, Role, User
from . import bp
from .forms import ROLE_LABELS, UserForm


@bp.route("/pengguna")
def users():
    include_inactive = request.args.get("semua") == "1"
    rows = accounts.users(db.session, current_user, include_inactive=include_inactive)
    return render_template(
        "manage/users.html", users=rows, include_inactive=include_inactive, role_labels=ROLE_LABELS
    )


def _form(**kwargs) -> UserForm:
    form = UserForm(**kwargs)
    form.narrow(accounts.roles_for(current_user), scope.offices_in_scope(db.session, current_user))
    return form


def _office(form: UserForm) -> Office | None:
    return db.session.get(Office, int(form.office.data)) if form.office.data else None


def _password_page(user: User, password: str, status: int = 200):
    """The new password, shown once and never stored in a cookie or a cache."""
    response = render_template("manage/user_password.html", user=user, password=password)
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/pengguna/baru", methods=["GET", "POST"])
def new_user():
    form = _form()
    del form.active, form.end_assignments
    if request.method == "GET":
        form.notify.data = list(notices.DEFAULT_LEVELS)
        if current_user.office_id:
            form.office.data = str(current_user.office_id)
    if form.validate_on_submit():
        password = form.password.data or accounts.new_password()
        try:
            user = accounts.create(
                db.session,
                current_user,
                username=form.username.data,
                full_name=form.full_name.data or "",
                role=Role(form.role.data),
                office=_office(form),
                password=password,
            )
            accounts.set_notices(db.session, user, email=form.email.data or "", levels=form.notify.data or [])
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            if form.password.data:
                flash(_("Account %(name)s created.", name=user.username))
                return redirect(url_for("manage.users"))
            return _password_page(user, password, 201)
    return render_template("manage/user_form.html", form=form, user=None), 400 if form.errors else 200


def _managed_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not accounts.may_manage(db.session, current_user, user):
        abort(404)
    return user


@bp.route("/pengguna/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = _managed_user(user_id)
    form = _form(
        full_name=user.full_name,
        role=user.role.value,
        office=str(user.office_id or ""),
        active=user.active,
        email=user.email or "",
        notify=notices.levels_of(user),
    )
    del form.username, form.password
    if form.validate_on_submit():
        try:
            accounts.set_notices(db.session, user, email=form.email.data or "", levels=form.notify.data or [])
            accounts.update(
                db.session,
                current_user,
                user,
                full_name=form.full_name.data or "",
                role=Role(form.role.data),
                office=_office(form),
                active=form.active.data,
                end_assignments=form.end_assignments.data,
            )
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash(_("Saved."))
            return redirect(url_for("manage.users"))
    if not form.end_assignments.errors:  # the confirmation is asked only when a move would end assignments
        del form.end_assignments
    assignments = list(
        db.session.scalars(
            select(Assignment).where(Assignment.officer_id == user.id, Assignment.ended_on.is_(None))
        )
    )
    page = render_template(
        "manage/user_form.html",
        form=form,
        user=user,
        assignments=assignments,
        devices=sessions.open_sessions(db.session, user),
        describe=sessions.describe,
        sign_out=lambda device: url_for("manage.sign_out_device", user_id=user.id, session_id=device.id),
    )
    return page, 400 if form.errors else 200


@bp.post("/pengguna/<int:user_id>/perangkat/<int:session_id>/keluar")
def sign_out_device(user_id: int, session_id: int):
    """Cut one device off (a lost phone): its next request needs a log-in; its waiting records stay on it."""
    user = _managed_user(user_id)
    login = db.session.get(LoginSession, session_id)
    if login is None or login.user_id != user.id:
        abort(404)
    sessions.end(login, "signed_out", by=current_user)
    flash(
        _(
            "The device has been signed out. Records waiting on it stay there until %(name)s logs in again.",
            name=user.display_name,
        )
    )
    return redirect(url_for("manage.edit_user", user_id=user.id))


@bp.post("/pengguna/<int:user_id>/perangkat/keluar-semua")
def sign_out_everywhere(user_id: int):
    user = _managed_user(user_id)
    count = sessions.end_all(
        db.session,
        user,
        "signed_out",
        by=current_user,
        keep=current_user.login if user.id == current_user.id else None,
    )
    flash(ngettext("%(num)d device has been signed out.", "%(num)d devices have been signed out.", count))
    return redirect(url_for("manage.edit_user", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/sandi", methods=["POST"])
def reset_password(user_id: int):
    """A new password on paper: whoever knew the old one is signed out, and the user chooses their own at once."""
    user = _managed_user(user_id)
    password = accounts.new_password()
    user.set_password(password)
    user.must_change_password = True
    sessions.end_all(db.session, user, "password_reset", by=current_user)
    return _password_page(user, password)
