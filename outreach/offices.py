"""The offices of the program and the regencies they cover: the Kanwil, and each Kanim under it.

Which regencies a Kanim covers decides where it may designate desa binaan and what its managers see in the
region tree, so one regency belongs to one Kanim at most. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from . import clock
from .domain import DomainError
from .extensions import DbSession
from .models import DesaBinaan, Office, OfficeKind, Region, RegionLevel, User, office_regencies
from .vocabulary import TIME_ZONE


class OfficeError(DomainError):
    """A rule refuses the office as entered; `field` names the form field the message belongs to."""

    def __init__(self, message: str | LazyString, *, field: str):
        super().__init__(message)
        self.field = field


@dataclass
class OfficeRow:
    office: Office
    users: int
    desa_binaan: int


def overview(session: DbSession) -> list[OfficeRow]:
    """Every office, the Kanwil first, with its active users and active desa binaan counted."""
    users = dict(
        session.execute(
            select(User.office_id, func.count())
            .where(User.active.is_(True), User.office_id.is_not(None))
            .group_by(User.office_id)
        ).all()
    )
    desa = dict(
        session.execute(
            select(DesaBinaan.office_id, func.count())
            .where(DesaBinaan.ended_on.is_(None))
            .group_by(DesaBinaan.office_id)
        ).all()
    )
    offices = session.scalars(
        select(Office).options(selectinload(Office.regencies)).order_by(Office.kind.desc(), Office.name)
    )
    return [OfficeRow(office, users.get(office.id, 0), desa.get(office.id, 0)) for office in offices]


def kanim_of_regencies(session: DbSession) -> dict[str, Office]:
    """Which Kanim covers each regency that is covered."""
    rows = session.execute(
        select(office_regencies.c.regency_code, Office)
        .join(Office, Office.id == office_regencies.c.office_id)
        .where(Office.kind == OfficeKind.kanim)
    )
    return dict(rows.all())


def save(
    session: DbSession,
    office: Office,
    *,
    code: str,
    name: str,
    kind: OfficeKind,
    parent_id: int | None,
    regency_codes: list[str],
    timezone: str | None = None,
) -> None:
    """Set an office's code, name, kind, Kanwil, regencies and time zone (None: a new office gets the
    configured default, an office keeps its own); a new office is added to the session.

    Refused: a code another office has; a Kanim without its Kanwil, or a Kanwil under another office (a
    Kanwil manager's scope is the Kanwil and the Kanim under it); a Kanwil with Kanim under it made a Kanim;
    codes that are not regencies; a regency another Kanim covers; a time zone not WIB, WITA or WIT.
    """
    if timezone is not None and timezone not in TIME_ZONE:
        raise OfficeError(_l("Not a time zone of Indonesia: %(zone)s.", zone=timezone), field="timezone")
    if session.scalar(select(Office.id).where(Office.code == code, Office.id != office.id)) is not None:
        raise OfficeError(_l("Another office has the code %(code)s.", code=code), field="code")
    parent = session.get(Office, parent_id) if parent_id is not None else None
    if kind == OfficeKind.kanim:
        if parent is None or parent.kind != OfficeKind.kanwil or parent is office:
            raise OfficeError(_l("A Kanim belongs to a Kanwil: choose it."), field="parent")
        if office.children:
            raise OfficeError(
                _l("%(office)s has Kanim under it: it stays a Kanwil.", office=office.name), field="kind"
            )
    elif parent is not None:
        raise OfficeError(_l("A Kanwil belongs to no other office."), field="parent")
    regencies = list(
        session.scalars(
            select(Region)
            .where(Region.code.in_(regency_codes), Region.level == RegionLevel.regency)
            .order_by(Region.code)
        )
    )
    missing = sorted(set(regency_codes) - {r.code for r in regencies})
    if missing:
        raise OfficeError(_l("Not regencies: %(codes)s.", codes=", ".join(missing)), field="regencies")
    covered = kanim_of_regencies(session)
    for regency in regencies:
        other = covered.get(regency.code)
        if other is not None and other is not office:
            raise OfficeError(
                _l("%(regency)s is covered by %(office)s already.", regency=regency.name, office=other.name),
                field="regencies",
            )
    office.code, office.name, office.kind, office.parent = code, name, kind, parent
    office.regencies = regencies
    if timezone is not None:
        office.timezone = timezone
    elif office.timezone is None:
        office.timezone = clock.default_zone_name()
    session.add(office)
