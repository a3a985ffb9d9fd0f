"""Desa binaan of the offices in the user's scope: the list; choosing a village from the region tree (a page
of links per level, no JavaScript) or by name; designating it; changing its risk; ending it; its officers."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock, designations, scope
from ..designations import DesignationError
from ..errors import abort_with
from ..extensions import db
from ..models import DesaBinaan, Office, Region, RegionLevel, RiskLevel, Role, User
from ..regions import CODE_PATTERNS
from . import bp
from .forms import AssignOfficerForm, DesignationForm, EndDesignationForm, NewDesignationForm

SEARCH_RESULTS = 30
SEARCH_LENGTH = 60
STATUSES = ("active", "ended")


@bp.route("/desa-binaan")
def desa_binaan_list():
    status = request.args.get("status", "active")
    if status not in STATUSES:
        abort_with(400, _("Unknown filter: show active or ended desa binaan."))
    active = DesaBinaan.ended_on.is_(None)
    query = (
        select(DesaBinaan)
        .options(designations.with_path(DesaBinaan.village), selectinload(DesaBinaan.office))
        .where(active if status == "active" else ~active)
    )
    offices = scope.office_ids(db.session, current_user)
    if offices is not None:
        query = query.where(DesaBinaan.office_id.in_(offices))
    rows = list(db.session.scalars(query.order_by(DesaBinaan.village_code, DesaBinaan.designated_on)))
    return render_template(
        "manage/desa_binaan_list.html",
        rows=rows,
        status=status,
        officers=designations.assigned_officers(db.session, [d.id for d in rows]),
    )


@bp.route("/desa-binaan/baru", methods=["GET", "POST"])
def new_desa_binaan():
    """Without `village`: the region tree and the name search. With it: the form designating that village."""
    offices = scope.offices_in_scope(db.session, current_user)
    regencies = None if current_user.role == Role.admin else designations.area(offices)
    code = request.args.get("village")
    if code is None:
        if request.method != "GET":
            abort_with(400, _("Choose a village first."))
        return _choose_village(regencies)
    village = _region_or_404(code)
    if village.level != RegionLevel.village:
        abort_with(400, _("%(name)s is not a village: choose a village.", name=village.name))
    if not designations.in_area(village.code, regencies):
        abort(404)
    form = NewDesignationForm()
    form.office.choices = [(office.id, office.name) for office in offices]
    if request.method == "GET":
        covering = designations.covering_office(offices, village)
        form.office.data = covering.id if covering else None
    if form.validate_on_submit():
        try:
            desa = designations.designate(
                db.session,
                village=village,
                office=(chosen := db.session.get_one(Office, form.office.data)),  # one of the choices
                risk_level=RiskLevel(form.risk_level.data),
                reason=form.reason.data or "",
                designated_on=form.designated_on.data,
                today=clock.today(clock.zone_of(chosen)),  # where the office designating it is
            )
        except DesignationError as exc:
            _show_error(form, exc)
        else:
            db.session.flush()  # the new desa binaan's id, for the address below
            flash(
                _(
                    "%(village)s is a desa binaan of %(office)s. Assign its officers below.",
                    village=village.name,
                    office=desa.office.name,
                )
            )
            return redirect(url_for("manage.desa_binaan", desa_id=desa.id))
    taken = designations.active_offices(db.session, [village.code]).get(village.code)
    return render_template(
        "manage/desa_binaan_new.html", form=form, village=village, taken=taken
    ), 400 if form.errors else 200


def _choose_village(regencies: set[str] | None):
    code = request.args.get("region")
    region = _region_or_404(code) if code else None
    if region is not None and not designations.in_area(region.code, regencies):
        abort(404)
    if region is not None and region.level == RegionLevel.village:
        return redirect(url_for("manage.new_desa_binaan", village=region.code))
    text = request.args.get("q", "").strip()[:SEARCH_LENGTH]
    found = designations.find_villages(db.session, text, regencies, limit=SEARCH_RESULTS) if text else []
    children = designations.children(db.session, region, regencies)
    villages = [v.code for v in found] + [c.code for c in children if c.level == RegionLevel.village]
    return render_template(
        "manage/choose_village.html",
        region=region,
        children=children,
        text=text,
        found=found,
        more=len(found) == SEARCH_RESULTS,
        taken=designations.active_offices(db.session, villages),
    )


def _region_or_404(code: str) -> Region:
    region = db.session.get(Region, code) if any(p.match(code) for p in CODE_PATTERNS.values()) else None
    if region is None:
        abort_with(404, _("No region has the code %(code)s.", code=code[:20]))
    return region


@bp.route("/desa-binaan/<int:desa_id>", methods=["GET", "POST"])
def desa_binaan(desa_id: int):
    desa = _desa_binaan_or_404(desa_id)
    form = _details_form(desa)
    if form.validate_on_submit():
        try:
            designations.change(
                desa, risk_level=RiskLevel(form.risk_level.data), reason=form.reason.data or ""
            )
        except DesignationError as exc:
            _show_error(form, exc)
        else:
            flash(_("Saved."))
            return redirect(url_for("manage.desa_binaan", desa_id=desa.id))
    return _page(desa, form=form)


@bp.route("/desa-binaan/<int:desa_id>/akhiri", methods=["POST"])
def end_desa_binaan(desa_id: int):
    desa = _desa_binaan_or_404(desa_id)
    form = EndDesignationForm(prefix="end")
    if form.validate_on_submit():
        try:
            designations.end(desa, ended_on=form.ended_on.data, today=clock.today(clock.zone_of(desa.office)))
        except DesignationError as exc:
            _show_error(form, exc)
        else:
            flash(
                _(
                    "%(village)s is no longer a desa binaan from %(date)s: it has left the officers' phones; "
                    "everything recorded there is kept.",
                    village=desa.village.name,
                    date=format_date(desa.ended_on, "long"),
                )
            )
            return redirect(url_for("manage.desa_binaan", desa_id=desa.id))
    return _page(desa, end_form=form)


@bp.route("/desa-binaan/<int:desa_id>/petugas", methods=["POST"])
def add_officer(desa_id: int):
    desa = _desa_binaan_or_404(desa_id)
    form = _assign_form(desa)
    if form.validate_on_submit():
        officer = db.session.get_one(User, form.officer.data)  # one of the form's choices
        try:
            designations.assign(db.session, desa, officer, today=clock.today(clock.zone_of(desa.office)))
        except DesignationError as exc:
            _show_error(form, exc)
        else:
            flash(
                _(
                    "%(name)s looks after %(village)s: it appears on their phone at the next sync.",
                    name=officer.display_name,
                    village=desa.village.name,
                )
            )
            return redirect(url_for("manage.desa_binaan", desa_id=desa.id))
    return _page(desa, assign_form=form)


@bp.route("/desa-binaan/<int:desa_id>/petugas/<int:officer_id>/hapus", methods=["POST"])
def remove_officer(desa_id: int, officer_id: int):
    desa = _desa_binaan_or_404(desa_id)
    officer = db.session.get(User, officer_id)
    if officer is None:
        abort(404)
    try:
        designations.unassign(db.session, desa, officer, today=clock.today(clock.zone_of(desa.office)))
    except DesignationError as exc:
        abort_with(404, str(exc))
    flash(
        _(
            "%(name)s no longer looks after %(village)s. What they recorded there is kept.",
            name=officer.display_name,
            village=desa.village.name,
        )
    )
    return redirect(url_for("manage.desa_binaan", desa_id=desa.id))


def _desa_binaan_or_404(desa_id: int) -> DesaBinaan:
    """The desa binaan, if it belongs to an office in the user's scope: others do not exist for the user."""
    return scope.get_or_404(db.session, DesaBinaan, desa_id, current_user)


def _details_form(desa: DesaBinaan, **kwargs) -> DesignationForm:
    return DesignationForm(data={"risk_level": desa.risk_level.value, "reason": desa.reason}, **kwargs)


def _assign_form(desa: DesaBinaan, **kwargs) -> AssignOfficerForm:
    form = AssignOfficerForm(prefix="assign", **kwargs)
    form.officer.choices = [
        (officer.id, officer.display_name) for officer in designations.assignable_officers(db.session, desa)
    ]
    return form


def _show_error(form, exc: DesignationError) -> None:
    """Put a refused rule's message next to its field; one about the whole desa binaan gets its own page."""
    if exc.field is None:
        abort_with(400, str(exc))
    form[exc.field].errors.append(str(exc))


def _page(desa: DesaBinaan, *, form=None, end_form=None, assign_form=None):
    """The desa binaan page; answered with 400 when the form just sent was refused."""
    form = form if form is not None else _details_form(desa, formdata=None)
    end_form = end_form if end_form is not None else EndDesignationForm(prefix="end", formdata=None)
    assign_form = assign_form if assign_form is not None else _assign_form(desa, formdata=None)
    refused = any(f.errors for f in (form, end_form, assign_form))
    return render_template(
        "manage/desa_binaan.html",
        desa=desa,
        form=form,
        end_form=end_form,
        assign_form=assign_form,
        officers=designations.assigned_officers(db.session, [desa.id]).get(desa.id, []),
    ), 400 if refused else 200
