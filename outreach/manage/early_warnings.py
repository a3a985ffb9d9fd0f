"""The early-warning queue: the office follows up what officers reported, and the status goes back to them."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import imports, notices, push, scope
from ..early_warnings import is_overdue, queue, set_follow_up
from ..extensions import db
from ..models import EarlyWarning, utcnow
from ..records import normal_id
from ..vocabulary import WARNING_STATUS
from . import bp
from .forms import FollowUpForm


@bp.route("/peringatan")
def warnings():
    status = request.args.get("status")
    rows = queue(
        db.session,
        offices=scope.office_ids(db.session, current_user),
        status=status if status in WARNING_STATUS else None,
    )
    now = utcnow()
    return render_template(
        "manage/warnings.html",
        warnings=rows,
        overdue={w.id for w in rows if is_overdue(w, now)},
        status=status,
        told=notices.told(db.session, [w.id for w in rows]),
    )


@bp.route("/peringatan/<warning_id>", methods=["GET", "POST"])
def warning(warning_id: str):
    found = scope.get_or_404(db.session, EarlyWarning, normal_id(warning_id), current_user)
    if found.voided:
        abort(404)
    if request.method == "GET":
        notices.record_opening(db.session, found, current_user, now=utcnow())
    follow_up = found.follow_up
    form = FollowUpForm(obj=follow_up)
    if form.validate_on_submit():
        set_follow_up(
            db.session,
            found,
            status=form.status.data,
            note=form.note.data or "",
            by_user_id=current_user.id,
            referred_to=form.referred_to.data or "",
            responsible=form.responsible.data or "",
            outcome=form.outcome.data or "",
        )
        flash(_("Saved. The reporting officer sees the status on the next sync."))
        return redirect(url_for("manage.warnings"))
    return render_template(
        "manage/warning.html",
        warning=found,
        form=form,
        overdue=is_overdue(found, utcnow()),
        imported=imports.provenance(db.session, [found.id]).get(found.id, []),
        told=notices.told(db.session, [found.id])[found.id],
        mail_server=bool(current_app.config["MAIL_SERVER"]),
        push_ready=push.enabled(current_app.config),
        notifying=notices.NOTIFYING,
    ), 400 if form.errors else 200
