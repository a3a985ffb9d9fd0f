"""Desa binaan: which villages an office designates, how risky they are, when a designation ends, and which
officers look after them.

A designation is never deleted: ending it keeps the row (with its end date) so that coverage of past periods
and everything recorded in the village stay as they were. Officers' phones only get villages whose designation
has not ended. The caller commits.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, or_, select
from sqlalchemy.orm import QueryableAttribute, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from .domain import DomainError
from .extensions import DbSession
from .models import Assignment, DesaBinaan, Office, OfficeKind, Region, RegionLevel, RiskLevel, Role, User


def with_path(to_village: QueryableAttribute[Region] | None = None) -> LoaderOption:
    """Loader option for villages' districts, regencies and provinces, so that `path()` costs three queries
    for any number of villages; `to_village` leads from the entity queried to its village."""
    district = (
        selectinload(Region.parent)
        if to_village is None
        else selectinload(to_village).selectinload(Region.parent)
    )
    return district.selectinload(Region.parent).selectinload(Region.parent)


class DesignationError(DomainError):
    """A rule of the program refuses the change; `field` names the form field the message belongs to (None: the
    whole desa binaan)."""

    def __init__(self, message: str | LazyString, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def regency_of(code: str) -> str:
    """The regency code a region code lies in (`15.71.01.1001` → `15.71`)."""
    return ".".join(code.split(".")[:2])


def office_area(office: Office) -> set[str] | None:
    """The regencies an office may designate villages in: its own, and for the Kanwil those of its Kanim too.
    None (anywhere) when it covers none, so an office set up without regencies is not stuck."""
    codes = {r.code for r in office.regencies}
    if office.kind == OfficeKind.kanwil:
        for child in office.children:
            codes |= {r.code for r in child.regencies}
    return codes or None


def area(offices: list[Office]) -> set[str] | None:
    """The regencies where any of these offices may designate villages; None when one of them may anywhere."""
    codes: set[str] = set()
    for office in offices:
        covered = office_area(office)
        if covered is None:
            return None
        codes |= covered
    return codes


def in_area(code: str, regencies: set[str] | None) -> bool:
    """Whether a region lies in (a province: reaches into) the given regencies; None means anywhere."""
    if regencies is None:
        return True
    if "." not in code:
        return any(r.startswith(code + ".") for r in regencies)
    return regency_of(code) in regencies


def children(session: DbSession, region: Region | None, regencies: set[str] | None) -> list[Region]:
    """The regions one level below `region` (the top of the tree when None) that lie in the given regencies:
    provinces when the area is anywhere, else the regencies themselves."""
    query = select(Region).order_by(Region.name)
    if region is not None:
        query = query.where(Region.parent_code == region.code)
        if regencies is not None and region.level == RegionLevel.province:
            query = query.where(Region.code.in_(regencies))
    elif regencies is None:
        query = query.where(Region.parent_code.is_(None))
    else:
        query = query.where(Region.code.in_(regencies))
    return list(session.scalars(query))


def find_villages(session: DbSession, text: str, regencies: set[str] | None, *, limit: int) -> list[Region]:
    """Villages whose name contains `text` (any case), in the given regencies, with their paths."""
    if regencies is not None and not regencies:
        return []
    query = select(Region).where(
        Region.level == RegionLevel.village, func.lower(Region.name).contains(text.lower(), autoescape=True)
    )
    if regencies is not None:
        query = query.where(
            or_(*(Region.code.startswith(f"{code}.", autoescape=True) for code in sorted(regencies)))
        )
    return list(session.scalars(query.options(with_path()).order_by(Region.name, Region.code).limit(limit)))


def active_offices(session: DbSession, village_codes: list[str]) -> dict[str, str]:
    """For each of these villages that is an active desa binaan, the name of its office."""
    if not village_codes:
        return {}
    rows = session.execute(
        select(DesaBinaan.village_code, Office.name)
        .join(Office, DesaBinaan.office_id == Office.id)
        .where(DesaBinaan.ended_on.is_(None), DesaBinaan.village_code.in_(village_codes))
    )
    return dict(rows.all())


def covering_office(offices: list[Office], village: Region) -> Office | None:
    """The office among these that covers the village by its regencies, a Kanim before the Kanwil."""
    for office in sorted(offices, key=lambda o: o.kind != OfficeKind.kanim):
        covered = office_area(office)
        if covered is not None and regency_of(village.code) in covered:
            return office
    return None


def designate(
    session: DbSession,
    *,
    village: Region,
    office: Office,
    risk_level: RiskLevel,
    reason: str,
    designated_on: date,
    today: date,
) -> DesaBinaan:
    """Make a village a desa binaan of an office.

    Refused: a region that is not a village; a date in the future (the designation would appear on phones
    before it starts); a village that already is an active desa binaan (its officers and coverage would be
    counted twice); a village outside the regencies the office covers.
    """
    if village.level != RegionLevel.village:
        raise DesignationError(_l("%(name)s is not a village: choose a village.", name=village.name))
    if designated_on > today:
        raise DesignationError(_l("The date cannot be in the future."), field="designated_on")
    # Hold the village row so that two managers designating it at once cannot both pass the next check.
    session.execute(select(Region.code).where(Region.code == village.code).with_for_update())
    current = session.scalar(
        select(DesaBinaan).where(DesaBinaan.village_code == village.code, DesaBinaan.ended_on.is_(None))
    )
    if current is not None:
        raise DesignationError(
            _l(
                "%(village)s is a desa binaan of %(office)s already.",
                village=village.name,
                office=current.office.name,
            )
        )
    if not in_area(village.code, office_area(office)):
        raise DesignationError(
            _l(
                "%(village)s lies outside the regencies %(office)s covers.",
                village=village.name,
                office=office.name,
            ),
            field="office",
        )
    desa = DesaBinaan(
        village=village, office=office, risk_level=risk_level, reason=reason, designated_on=designated_on
    )
    session.add(desa)
    return desa


def change(desa: DesaBinaan, *, risk_level: RiskLevel, reason: str) -> None:
    """Change how risky a desa binaan is and why it was chosen. An ended designation is kept as it was."""
    if not desa.active:
        raise DesignationError(_l("This designation has ended already."))
    desa.risk_level, desa.reason = risk_level, reason


def end(desa: DesaBinaan, *, ended_on: date, today: date) -> None:
    """End a designation on a day between its start and today. Its records and past coverage stay; from now on
    it leaves the officers' phones and the coverage of later periods."""
    if not desa.active:
        raise DesignationError(_l("This designation has ended already."))
    if ended_on > today:
        raise DesignationError(_l("The date cannot be in the future."), field="ended_on")
    if ended_on < desa.designated_on:
        raise DesignationError(
            _l("The end cannot be before the designation (%(date)s).", date=desa.designated_on.isoformat()),
            field="ended_on",
        )
    desa.ended_on = ended_on


def assigned_officers(session: DbSession, desa_ids: list[int]) -> dict[int, list[User]]:
    """The officers assigned to each of these desa binaan, by name."""
    officers: dict[int, list[User]] = {}
    if desa_ids:
        rows = session.execute(
            select(Assignment.desa_binaan_id, User)
            .join(User, Assignment.officer_id == User.id)
            .where(Assignment.desa_binaan_id.in_(desa_ids), Assignment.ended_on.is_(None))
            .order_by(User.full_name, User.username)
        )
        for desa_id, officer in rows:
            officers.setdefault(desa_id, []).append(officer)
    return officers


def assignable_officers(session: DbSession, desa: DesaBinaan) -> list[User]:
    """Active officers of the desa binaan's office who do not look after it yet."""
    assigned = select(Assignment.officer_id).where(
        Assignment.desa_binaan_id == desa.id, Assignment.ended_on.is_(None)
    )
    return list(
        session.scalars(
            select(User)
            .where(
                User.role == Role.officer,
                User.active.is_(True),
                User.office_id == desa.office_id,
                User.id.not_in(assigned),
            )
            .order_by(User.full_name, User.username)
        )
    )


def assign(session: DbSession, desa: DesaBinaan, officer: User, *, today: date) -> Assignment:
    """Let an officer look after a desa binaan: an active officer of its office, once. The village reaches the
    officer's phone at its next sync."""
    if not desa.active:
        raise DesignationError(_l("This designation has ended already."))
    if officer.role != Role.officer or not officer.active or officer.office_id != desa.office_id:
        raise DesignationError(
            _l(
                "%(name)s is not an active officer of %(office)s.",
                name=officer.display_name,
                office=desa.office.name,
            ),
            field="officer",
        )
    assignment = session.scalar(
        select(Assignment).where(Assignment.desa_binaan_id == desa.id, Assignment.officer_id == officer.id)
    )
    if assignment is not None and assignment.ended_on is None:
        raise DesignationError(
            _l("%(name)s looks after this desa binaan already.", name=officer.display_name), field="officer"
        )
    if assignment is None:
        assignment = Assignment(officer=officer, desa_binaan=desa)
        session.add(assignment)
    assignment.assigned_on, assignment.ended_on = today, None
    return assignment


def unassign(session: DbSession, desa: DesaBinaan, officer: User, *, today: date) -> None:
    """Take an officer off a desa binaan from today. What the officer recorded there stays, and records made
    before today that are still waiting on the phone are accepted when they arrive."""
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.desa_binaan_id == desa.id,
            Assignment.officer_id == officer.id,
            Assignment.ended_on.is_(None),
        )
    )
    if assignment is None:
        raise DesignationError(
            _l("%(name)s does not look after this desa binaan.", name=officer.display_name)
        )
    assignment.ended_on = today
