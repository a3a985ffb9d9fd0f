"""Who may see what: a Kanim manager sees their own office, a Kanwil manager the offices under it, an admin
everything. "Their office" has two meanings, and each query uses one of them through this module:

- **People** (accounts, the officers' sync health, whose file a manager may bring in) belong to the office they
  work at now: `User.office_id`, `may_see_officer`.
- **Records** (visits, sessions, hand-outs, early warnings), their photos, the warnings' follow-up, exports,
  reports and the activity chart belong to the office that had the record's village as desa binaan when the
  record was made (`record_office`), kept in the record's `office_id`: `records_in`, `may_see`, `get_or_404`.
  So when an officer moves to another Kanim, what they did stays with the Kanim whose villages they did it in.
- **Desa binaan** belong to the office they are designated for (`DesaBinaan.office_id`; coverage counts them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from typing import TypeVar, cast
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import ColumnElement, Select, Table, bindparam, event, inspect, select, true, update
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value

from . import clock
from .extensions import DbSession
from .models import DesaBinaan, FieldRecord, Office, OfficeKind, Photo, Role, User
from .records import RECORD_TYPES

Row = TypeVar("Row")


def office_ids(session: DbSession, user: User) -> set[int] | None:
    """The offices whose people and records the user may see; None means all of them."""
    if user.role == Role.admin:
        return None
    if user.office is None:
        return set()
    return office_and_below(session, user.office)


def office_and_below(session: DbSession, office: Office) -> set[int]:
    """The office and, for the Kanwil, every Kanim under it: what its manager sees and its reports count."""
    if office.kind == OfficeKind.kanwil:
        return {office.id, *session.scalars(select(Office.id).where(Office.parent_id == office.id))}
    return {office.id}


def may_see_office(session: DbSession, user: User, office_id: int | None) -> bool:
    offices = office_ids(session, user)
    return offices is None or office_id in offices


def may_see_officer(session: DbSession, user: User, officer: User) -> bool:
    """People scope: the officer works now at an office the user sees."""
    return may_see_office(session, user, officer.office_id)


def offices_in_scope(session: DbSession, user: User) -> list[Office]:
    """The offices a user may choose in a form (a user's office, a desa binaan's office), Kanwil first."""
    query = select(Office).order_by(Office.kind.desc(), Office.name)
    ids = office_ids(session, user)
    if ids is not None:
        query = query.where(Office.id.in_(ids))
    return list(session.scalars(query))


# Records


Designation = tuple[int, date, date | None, str]  # office_id, designated_on, ended_on, the office's zone


def office_on(designations: Iterable[Designation], moment: datetime) -> int | None:
    """The office a record of a village made at `moment` (naive UTC) belongs to, from the village's
    designations as (office_id, designated_on, ended_on, the office's time zone):

    1. the designation that held on the record's day, the day in the zone of that designation's office
       (designated_on <= day <= ended_on, or not ended); on the day one office hands the village to another,
       the newer designation;
    2. else (a record dated before the village was designated) the designation open when the record is stored;
    3. else none: the village was no desa binaan, and only admins see the record.

    The migration `e6f2a3b4c5d7` filled the records stored before with the same rule."""
    designations = list(designations)

    def held(d: Designation) -> bool:
        day = clock.local_day(moment, ZoneInfo(d[3]))
        return d[1] <= day and (d[2] is None or day <= d[2])

    during = [d for d in designations if held(d)]
    if during:
        return max(during, key=lambda d: d[1])[0]
    still_open = [d for d in designations if d[2] is None]
    return max(still_open, key=lambda d: d[1])[0] if still_open else None


def record_office(session: DbSession, village_code: str, occurred_at: datetime) -> int | None:
    """The office a record made in this village at this moment belongs to (`office_on`, on the day where each
    office is)."""
    designations = village_designations(session, {village_code})
    return office_on(designations.get(village_code, []), occurred_at)


def village_designations(session: DbSession, village_codes: Iterable[str]) -> dict[str, list[Designation]]:
    """The designations of these villages as `office_on` reads them, by village, in one query: a batch of
    records gets its offices before it is inserted (`sync.push`)."""
    rows = session.connection().execute(_designations(), {"codes": list(set(village_codes))})
    designations: dict[str, list[Designation]] = {}
    for code, office_id, start, end, zone in rows:
        designations.setdefault(code, []).append((office_id, start, end, zone))
    return designations


@cache
def _designations() -> Select[str, int, date, date | None, str]:
    """`village_designations`' query, made once (every push runs it), its villages bound as `codes`."""
    return (
        select(
            DesaBinaan.village_code,
            DesaBinaan.office_id,
            DesaBinaan.designated_on,
            DesaBinaan.ended_on,
            Office.timezone,
        )
        .join(Office, Office.id == DesaBinaan.office_id)
        .where(DesaBinaan.village_code.in_(bindparam("codes", expanding=True)))
    )


@event.listens_for(Session, "after_flush")
def _set_record_office(session: Session, flush_context: UOWTransaction) -> None:
    """Every record gets its office when it is stored, and again when an edit moves its village or time:
    whichever way it was made (a phone's push, an imported file, the demo), none can forget it. After the flush,
    so that a desa binaan stored in the same flush counts."""
    for row in [*session.new, *session.dirty]:
        if not isinstance(row, FieldRecord):
            continue
        state = inspect(row)
        if (
            row in session.new
            or state.attrs.village_code.history.has_changes()
            or state.attrs.occurred_at.history.has_changes()
        ):
            office_id = record_office(session, row.village_code, row.occurred_at)
            if office_id != row.office_id:
                table = cast(Table, state.mapper.local_table)  # a record type's mapper maps one Table
                session.connection().execute(
                    update(table).where(table.c.id == row.id).values(office_id=office_id)
                )
            set_committed_value(row, "office_id", office_id)


def records_in(model: type[FieldRecord], offices: set[int] | None) -> ColumnElement[bool]:
    """The condition that keeps the records of a type that belong to these offices (None: all of them)."""
    return true() if offices is None else model.office_id.in_(offices)


def visible_records(session: DbSession, user: User, model: type[FieldRecord]) -> ColumnElement[bool]:
    """The condition that keeps the records of a type this user may see."""
    return records_in(model, office_ids(session, user))


def office_of(session: DbSession, row: object) -> int | None:
    """The office a row belongs to for its scope: a record's (or its photo's record's), a person's, a desa
    binaan's, an office itself."""
    if isinstance(row, FieldRecord):
        return row.office_id
    if isinstance(row, Photo):
        kind = RECORD_TYPES.get(row.record_type)
        record = session.get(kind.model, row.record_id) if kind else None
        return record.office_id if record is not None else None
    if isinstance(row, (User, DesaBinaan)):
        return row.office_id
    if isinstance(row, Office):
        return row.id
    raise TypeError(f"no scope for {type(row).__name__}")


def may_see(session: DbSession, user: User, row: object) -> bool:
    offices = office_ids(session, user)
    return offices is None or office_of(session, row) in offices


def get_or_404(session: DbSession, model: type[Row], key: object, user: User) -> Row:
    """The row of `model` with this key if the user may see it; else a 404, as if it did not exist. `key`
    None (an id that could not be read) is a 404 too."""
    row = session.get(model, key) if key is not None else None
    if row is None or not may_see(session, user, row):
        abort(404)
    return row
