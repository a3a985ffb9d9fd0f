"""Log-in and log-out pages."""

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from .. import accounts, notices, push, sessions, throttle
from ..extensions import db
from ..links import safe_next
from ..manage.forms import NoticeSettingsForm
from ..models import LoginSession, Role, User
from . import CLEAR_CACHE, bp, end_session, home_for, officer_days
from .forms import LoginForm, LogoutForm


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
            start_session(user)
            back = safe_next(request.args.get("next")) or home_for(user)
            if user.must_change_password:  # straight there: the phone answers `/petugas` from its cache
                return redirect(url_for("auth.change_password", next=back))
            return redirect(back)
        return render_template("auth/login.html", form=form), 400
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


def locked_out(form: LoginForm, locked: throttle.Locked):
    """429 on the log-in page, saying when to try again; the password was not checked."""
    message = ngettext(
        "Too many failed log-ins. Try again in %(num)d minute.",
        "Too many failed log-ins. Try again in %(num)d minutes.",
        locked.minutes,
    )
    page = render_template("auth/login.html", form=form, locked_message=message)
    return page, 429, {"Retry-After": str(locked.seconds)}


def start_session(user: User) -> None:
    """A new session row and a new cookie: nothing of the session before the log-in is carried over, the CSRF
    secret included. The new secret is made here, in the log-in's own cookie: made later, by the first of
    the app's requests that run at once (the page, its service worker, its sync), each would make its own and
    the last cookie would win, leaving the others' tokens stale."""
    session.clear()
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)  # the log-in form's token, of the old secret
    generate_csrf()
    sessions.start(
        db.session,
        user,
        device=request.user_agent.string,
        address=request.remote_addr or "",
        officer_days=officer_days(),
    )
    session.permanent = sessions.long_lived(user)  # a manager's cookie goes when the browser closes
    login_user(user)


@bp.route("/keluar", methods=["GET", "POST"])
@login_required
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        end_session()
        flash(_("You have logged out."))
        return redirect(url_for("auth.login")), 302, CLEAR_CACHE
    return render_template("auth/logout.html", form=form)


@bp.route("/akun")
@login_required
def account():
    """The user's own account: the devices signed in, each with a button to sign it out; for a manager, their
    e-mail address and the urgencies of early warnings that notify them."""
    form = None
    if current_user.role == Role.manager:
        form = NoticeSettingsForm(email=current_user.email or "", notify=notices.levels_of(current_user))
    return _account_page(form)


def _account_page(form: NoticeSettingsForm | None):
    devices = sessions.open_sessions(db.session, current_user)
    browsers = push.subscriptions_of(db.session, current_user.id) if form is not None else []
    return render_template(
        "auth/account.html",
        devices=devices,
        describe=sessions.describe,
        sign_out=lambda device: url_for("auth.sign_out_device", session_id=device.id),
        notice_form=form,
        push_key=push.public_key(current_app.config),
        browsers=browsers,
    ), 400 if form is not None and form.errors else 200


@bp.post("/akun/pemberitahuan")
@login_required
def notice_settings():
    """A manager sets where their notices go and which urgencies send them, in the language they use now."""
    if current_user.role != Role.manager:
        abort(403)
    form = NoticeSettingsForm()
    if form.validate_on_submit():
        try:
            accounts.set_notices(
                db.session, current_user, email=form.email.data or "", levels=form.notify.data or []
            )
        except accounts.AccountError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            current_user.language = str(get_locale())
            flash(_("Saved."))
            return redirect(url_for("auth.account"))
    return _account_page(form)


@bp.route("/akun/push", methods=["POST", "DELETE"])
@login_required
def push_subscription():
    """A manager turns the notices of early warnings on in this browser (POST: its subscription, as
    `PushSubscription.toJSON()` gives it) or off (DELETE: `{"endpoint": ...}`). JSON in, JSON out; the CSRF
    token in X-CSRFToken."""
    if current_user.role != Role.manager:
        return _push_answer(403, _("Only managers receive notices of early warnings."))
    config = current_app.config
    if not push.enabled(config):
        return _push_answer(409, _("Notifications in the browser are not set up on this server."))
    body = request.get_json(silent=True)
    try:
        if request.method == "DELETE":
            push.unsubscribe(db.session, current_user, body)
        else:
            push.subscribe(
                db.session,
                current_user,
                body,
                device=request.user_agent.string,
                allow_loopback=bool(config["TESTING"] or config.get("PUSH_ALLOW_LOOPBACK")),
            )
    except push.SubscriptionError as exc:
        return _push_answer(400, str(exc))
    count = len(push.subscriptions_of(db.session, current_user.id))
    return jsonify(on=request.method != "DELETE", browsers=count)


def _push_answer(code: int, message: str):
    return jsonify(error="push", message=message), code


@bp.post("/akun/perangkat/<int:session_id>/keluar")
@login_required
def sign_out_device(session_id: int):
    login = db.session.get(LoginSession, session_id)
    if login is None or login.user_id != current_user.id:
        abort(404)
    if login.id == current_user.login.id:
        end_session()
        return redirect(url_for("auth.login")), 302, CLEAR_CACHE
    sessions.end(login, "signed_out", by=current_user)
    flash(_("That device has been signed out."))
    return redirect(url_for("auth.account"))


@bp.post("/akun/perangkat/keluar-semua")
@login_required
def sign_out_other_devices():
    count = sessions.end_all(db.session, current_user, "signed_out", by=current_user, keep=current_user.login)
    flash(
        ngettext(
            "%(num)d other device has been signed out.", "%(num)d other devices have been signed out.", count
        )
    )
    return redirect(url_for("auth.account"))
