"""Administrators set up the offices: the Kanwil, each Kanim under it and the regencies it covers. An
office's own managers edit its address, numbers and hours (linked from the contacts page)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import clock, rights
from ..auth import roles_required
from ..errors import abort_with
from ..extensions import db
from ..models import Office, OfficeKind, Region, RegionLevel
from ..offices import OfficeError, kanim_of_regencies, overview, save
from ..vocabulary import ZONE_ABBREVIATIONS
from . import bp
from .forms import OfficeDetailsForm, OfficeForm


@bp.route("/kantor")
@roles_required("admin")
def offices():
    return render_template("manage/offices.html", rows=overview(db.session), zone_names=ZONE_ABBREVIATIONS)


@bp.route("/kantor/baru", methods=["GET", "POST"], defaults={"office_id": None})
@bp.route("/kantor/<int:office_id>/wilayah", methods=["GET", "POST"])
@roles_required("admin")
def office_setup(office_id: int | None):
    office = db.session.get(Office, office_id) if office_id is not None else Office()
    if office is None:
        abort(404)
    form = OfficeForm(
        data=None
        if office_id is None
        else {
            "code": office.code,
            "name": office.name,
            "kind": office.kind.value,
            "parent": office.parent_id,
            "regencies": [r.code for r in office.regencies],
            "timezone": office.timezone,
        }
    )
    if office_id is None and not form.is_submitted():
        form.timezone.data = clock.default_zone_name()
    kanwils = db.session.scalars(
        select(Office).where(Office.kind == OfficeKind.kanwil, Office.id != office.id).order_by(Office.name)
    )
    form.parent.choices = [("", "—")] + [(kanwil.id, kanwil.name) for kanwil in kanwils]
    covered = kanim_of_regencies(db.session)
    regencies = db.session.scalars(
        select(Region).where(Region.level == RegionLevel.regency).order_by(Region.code)
    )
    form.regencies.choices = [
        (r.code, f"{r.name} ({r.code})" + (f" · {covered[r.code].name}" if r.code in covered else ""))
        for r in regencies
    ]
    if form.validate_on_submit():
        try:
            save(
                db.session,
                office,
                code=form.code.data,
                name=form.name.data,
                kind=OfficeKind(form.kind.data),
                parent_id=form.parent.data,
                regency_codes=form.regencies.data,
                timezone=form.timezone.data,
            )
        except OfficeError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(_("Saved."))
            return redirect(url_for("manage.offices"))
    return render_template("manage/office_form.html", form=form, office=office), 400 if form.errors else 200


@bp.route("/kantor/<int:office_id>", methods=["GET", "POST"])
def edit_office(office_id: int):
    """An office's address, numbers and hours, edited by its own managers (the Kanwil's: its Kanim too)."""
    office = db.session.get(Office, office_id) or abort(404)
    if not rights.may_edit_office(db.session, current_user, office):
        abort_with(
            403,
            _(
                "Only the managers of %(office)s or of its Kanwil, or an admin, may change its details.",
                office=office.name,
            ),
        )
    form = OfficeDetailsForm(obj=office)
    if form.validate_on_submit():
        form.populate_obj(office)
        flash(_("Saved."))
        return redirect(url_for("manage.contacts"))
    page = render_template("manage/simple_form.html", form=form, title=office.name)
    return page, 400 if form.errors else 200
