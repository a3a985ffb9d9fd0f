"""Managers' views: bring in an officer's exported records; see session photos."""

from collections import Counter

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import imports, scope
from ..extensions import db
from ..imports import OutboxFileError, read_outbox_file
from ..models import EducationSession, Photo, Role, User
from ..records import RECORD_TYPES, normal_id
from . import bp
from .forms import OutboxUploadForm

RECENT_SESSIONS = 50


@bp.route("/impor", methods=["GET", "POST"])
def import_outbox():
    form = OutboxUploadForm()
    results, officer, entry, earlier = None, None, None, None
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            exported = read_outbox_file(raw)
        except OutboxFileError as exc:
            form.file.errors.append(str(exc))
        else:
            officer = db.session.scalar(select(User).where(User.username == exported.officer))
            if officer is None or officer.role != Role.officer:
                form.file.errors.append(_("No officer named %(name)s.", name=exported.officer))
            elif not scope.may_see_officer(db.session, current_user, officer):
                form.file.errors.append(
                    _("%(name)s is not an officer of your office.", name=exported.officer)
                )
            else:
                earlier = imports.earlier_import(db.session, exported)
                entry, results = imports.bring_in(
                    db.session, exported, file_name=form.file.data.filename, officer=officer, by=current_user
                )
    status = 400 if form.errors else 200
    counts = Counter(result["status"] for result in results or [])
    return render_template(
        "manage/import.html",
        form=form,
        results=results,
        counts=counts,
        officer=officer,
        entry=entry,
        earlier=earlier,
        recent=imports.recent(db.session, scope.office_ids(db.session, current_user)),
    ), status


@bp.route("/sosialisasi")
def sessions():
    """Recent education sessions of the manager's offices' desa binaan, with their photos."""
    query = select(EducationSession).where(scope.visible_records(db.session, current_user, EducationSession))
    rows = list(
        db.session.scalars(query.order_by(EducationSession.occurred_at.desc()).limit(RECENT_SESSIONS))
    )
    photos: dict[str, list[Photo]] = {}
    if rows:
        for photo in db.session.scalars(select(Photo).where(Photo.record_id.in_([r.id for r in rows]))):
            photos.setdefault(photo.record_id, []).append(photo)
    return render_template("manage/sessions.html", sessions=rows, photos=photos, kind=RECORD_TYPES["session"])


@bp.route("/foto/<photo_id>")
def photo(photo_id: str):
    found = scope.get_or_404(db.session, Photo, normal_id(photo_id), current_user)
    return current_app.response_class(found.data, mimetype=found.content_type)  # no-store: outreach.security
