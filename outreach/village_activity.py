"""Activity per village, office and month (`VillageActivity`): what the visits, sessions and hand-outs of a
village added up to in each UTC calendar month, so that a long period's figures read a row per village and month
rather than every record; and activity per office and day (`OfficeActivity`): its visits and sessions on each
UTC day, for the activity chart. A period [lo, hi) is read as its whole UTC months (days) from these rows and
its two partial edges from the records themselves (`whole_months`, `whole_days`, `edges`), so its figures are
exactly the records' whatever the period. The months and days are UTC ones: they hold the same records in
whatever time zone a period is counted.

The rows are kept right in the transaction that writes the records, on each path that writes them, so that no
figure ever waits for a nightly recount or differs from the records it sums:

- the ORM (an edit or a void under the revision lock, a record stored alone, the demo, a test): each flush takes
  out what a changed record counted before (its attribute history, read before `scope` sets the record's office
  again) and adds what the new and changed records count after it (`_count_before`, `_count_after`);
- a push's new records, inserted together by Core before the revision lock: `add_inserted`, called by
  `sync._number` once they are numbered under the lock.

Each upsert of these rows happens under the revision lock (taken first, as every push takes it before its own
writes), so two writers never wait for each other's rows in opposite orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Date,
    Insert,
    Integer,
    Select,
    Table,
    bindparam,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.sql.elements import ColumnElement

from . import revisions
from .extensions import DbSession
from .models import EducationSession, FieldRecord, Handout, OfficeActivity, VillageActivity, Visit
from .records import RecordType

FIGURES = ("visits", "sessions", "people", "people_male", "people_female", "people_under_18", "materials")
KEY = ("village_code", "office_id", "month")
BY = ("village_code", "office_id")  # what the figures of a period may be grouped by from these rows
COUNTED: tuple[type[FieldRecord], ...] = (Visit, EducationSession, Handout)  # the types the rows hold
# An office's day: the records of each type that counts for coverage, in the figure named here.
RECORDS: dict[type[FieldRecord], str] = {Visit: "visits", EducationSession: "sessions"}
CHART = tuple(RECORDS.values())
PEOPLE = ("male_under_18", "female_under_18", "male_adult", "female_adult")
Key = tuple[str, int | None, date]  # village, office, month
OfficeDay = tuple[int, date]
FLUSHED = "village_activity_flush"  # session.info: a flush's changes, from its first listener to its last


def _table() -> Table:
    return cast(Table, VillageActivity.__table__)  # a declarative model's table is a Table


# Reading a period


def _month_start(moment: datetime) -> datetime:
    return datetime.combine(moment.date().replace(day=1), time.min)


def _next_month(moment: datetime) -> datetime:
    first = moment.date().replace(day=1)
    return datetime(first.year + first.month // 12, first.month % 12 + 1, 1)


def first_day_from(moment: datetime) -> date:
    """The first UTC day that begins at or after a moment."""
    return moment.date() if moment.time() == time.min else moment.date() + timedelta(days=1)


def whole_days(lo: datetime, hi: datetime) -> tuple[date, date] | None:
    """The UTC days wholly inside [lo, hi) as (the first, the day after the last); None when none is."""
    first, end = first_day_from(lo), hi.date()
    return (first, end) if first < end else None


def whole_months(lo: datetime, hi: datetime) -> tuple[date, date] | None:
    """The UTC months wholly inside [lo, hi) as (the first, the month after the last); None when none is."""
    first = lo if lo == _month_start(lo) else _next_month(lo)
    end = _month_start(hi)
    return (first.date(), end.date()) if first < end else None


def edges(lo: datetime, hi: datetime, months: tuple[date, date] | None) -> list[tuple[datetime, datetime]]:
    """The parts of [lo, hi) outside its whole months or days (`whole_months`, `whole_days`): the records
    answer for them."""
    if months is None:
        return [(lo, hi)]
    first, end = (datetime.combine(day, time.min) for day in months)
    return [(a, b) for a, b in ((lo, first), (end, hi)) if a < b]


def in_spans(
    query: Select[*tuple[Any, ...]], model: type[FieldRecord], spans: list[tuple[datetime, datetime]]
) -> Select[*tuple[Any, ...]]:
    """A grouped query over a record type, once for each span in one statement (each reads one range of the
    type's period index): the caller adds its rows up, as a key found in two spans comes twice."""
    parts = [query.where(model.occurred_at >= a, model.occurred_at < b) for a, b in spans]
    if len(parts) == 1:
        return parts[0]
    return select(union_all(*parts).subquery())


# What a record counts


def _counts(model: type[FieldRecord], values: Mapping[str, Any]) -> tuple[int, ...]:
    """What a record with these values adds to its row, as FIGURES: nothing when it is void."""
    if values["voided"]:
        return (0,) * len(FIGURES)
    if model is Visit:
        return (1, 0, 0, 0, 0, 0, 0)
    if model is EducationSession:
        mu, fu, ma, fa = (values[name] or 0 for name in PEOPLE)
        return (0, 1, mu + fu + ma + fa, mu + ma, fu + fa, mu + fu, 0)
    return (0, 0, 0, 0, 0, 0, values["quantity"] or 0)


def _columns(model: type[FieldRecord]) -> tuple[str, ...]:
    """The columns that decide what a record counts and where."""
    return ("village_code", "office_id", "occurred_at", "voided", *model.figure_columns)


class Changes:
    """What a flush changes in both tables' rows, by key."""

    def __init__(self) -> None:
        self.villages: dict[Key, list[int]] = {}
        self.offices: dict[OfficeDay, list[int]] = {}

    def add(self, values: Mapping[str, Any], counts: tuple[int, ...], sign: int) -> None:
        """Add (sign 1) or take out (-1) what a record with these values counts."""
        day, office = values["occurred_at"].date(), values["office_id"]
        row = self.villages.setdefault(
            (values["village_code"], office, day.replace(day=1)), [0] * len(FIGURES)
        )
        for i, count in enumerate(counts):
            row[i] += sign * count
        if office is not None:
            chart = self.offices.setdefault((office, day), [0] * len(CHART))
            for i, name in enumerate(CHART):
                chart[i] += sign * counts[FIGURES.index(name)]


# Keeping the rows right: the ORM


def _stored(row: FieldRecord) -> dict[str, Any]:
    """The values a flushed record had before the flush, from its attribute history (the columns that decide
    its figures keep the value they replace: `active_history`)."""
    state = inspect(row)
    values = {}
    for name in _columns(type(row)):
        history = state.attrs[name].history
        values[name] = (history.deleted or history.unchanged or [getattr(row, name)])[0]
    return values


@event.listens_for(Session, "after_flush", insert=True)
def _count_before(session: Session, flush_context: UOWTransaction) -> None:
    """The first of a flush's listeners, before `scope` sets a moved record's office (and forgets the one it
    replaces): take out what each changed record counted before, and note the records that count now."""
    changes = Changes()
    changed = [row for row in session.dirty if isinstance(row, COUNTED) and session.is_modified(row)]
    for row in [*changed, *(row for row in session.deleted if isinstance(row, COUNTED))]:
        values = _stored(row)
        changes.add(values, _counts(type(row), values), -1)
    now = [*changed, *(row for row in session.new if isinstance(row, COUNTED))]
    session.info[FLUSHED] = (changes, now)  # always: what a flush that failed half-way left is dropped


@event.listens_for(Session, "after_flush_postexec")
def _count_after(session: Session, flush_context: UOWTransaction) -> None:
    """After every listener of the flush (a record's office is set): add what the new and changed records
    count now, and store the difference."""
    changes, now = session.info.pop(FLUSHED, (Changes(), []))
    for row in now:
        values = {name: getattr(row, name) for name in _columns(type(row))}
        changes.add(values, _counts(type(row), values), 1)
    # in one order (an office of None sorts as 0), as each writer of the rows takes them
    villages = sorted(
        ((key, counts) for key, counts in changes.villages.items() if any(counts)),
        key=lambda item: (item[0][0], item[0][1] or 0, item[0][2]),
    )
    offices = sorted((key, counts) for key, counts in changes.offices.items() if any(counts))
    if not villages and not offices:
        return
    revisions.take_revisions(cast(DbSession, session), 0)  # the lock first, as every push takes it
    connection = session.connection()
    if villages:
        rows = [
            dict(zip(KEY, key, strict=True)) | dict(zip(FIGURES, counts, strict=True))
            for key, counts in villages
        ]
        connection.execute(_upsert(connection, rows))
    if offices:
        days = [
            {"office_id": office, "day": day} | dict(zip(CHART, counts, strict=True))
            for (office, day), counts in offices
        ]
        connection.execute(_upsert_days(connection, days))


def _upsert(connection: Connection, rows: list[dict[str, Any]] | Select[*tuple[Any, ...]]) -> Insert:
    """An INSERT of rows (values, or a SELECT of KEY and FIGURES) that adds to the row of the same key. A row
    of no office is never the same key (NULL is distinct from NULL in a unique index, on both databases): it
    goes in as a row of its own, and adds up with the others all the same."""
    table = _table()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = (
        statement.values(rows) if isinstance(rows, list) else statement.from_select([*KEY, *FIGURES], rows)
    )
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=[table.c.village_code, table.c.month, table.c.office_id],
        set_={name: table.c[name] + statement.excluded[name] for name in FIGURES},
    )
    return upsert


def _upsert_days(connection: Connection, rows: list[dict[str, Any]] | Select[*tuple[Any, ...]]) -> Insert:
    """An INSERT of office days (values, or a SELECT of office, day and CHART) that adds to the rows there."""
    table = cast(Table, OfficeActivity.__table__)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = (
        statement.values(rows)
        if isinstance(rows, list)
        else statement.from_select(["office_id", "day", *CHART], rows)
    )
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=[table.c.office_id, table.c.day],
        set_={name: table.c[name] + statement.excluded[name] for name in CHART},
    )
    return upsert


# Keeping the rows right: a push's new records; filling them in SQL


def day_of(connection: Connection, moment: Any) -> ColumnElement[date]:
    """The UTC day of a stored moment, in SQL."""
    if connection.dialect.name == "postgresql":
        return cast(ColumnElement[date], moment.cast(Date))
    return func.date(moment, type_=Date)


def month_of(connection: Connection, moment: Any) -> ColumnElement[date]:
    """The first day of the UTC month of a stored moment, in SQL."""
    if connection.dialect.name == "postgresql":
        return func.date_trunc(literal_column("'month'"), moment).cast(Date)
    return func.date(moment, literal_column("'start of month'"), type_=Date)


def _figures(model: type[FieldRecord]) -> list[ColumnElement[Any]]:
    """FIGURES as SQL sums over a record type's rows."""
    zero = literal_column("0", Integer)
    if model is Visit:
        return [func.count(), zero, zero, zero, zero, zero, zero]
    if model is EducationSession:
        s = EducationSession
        return [
            zero,
            func.count(),
            func.sum(s.male_under_18 + s.female_under_18 + s.male_adult + s.female_adult),
            func.sum(s.male_under_18 + s.male_adult),
            func.sum(s.female_under_18 + s.female_adult),
            func.sum(s.male_under_18 + s.female_under_18),
            zero,
        ]
    return [zero, zero, zero, zero, zero, zero, func.sum(Handout.quantity)]


def _grouped(
    connection: Connection, model: type[FieldRecord], *conditions: ColumnElement[bool]
) -> Select[*tuple[Any, ...]]:
    """A record type's figures by village, office and month, voids left out, named as KEY and FIGURES."""
    month = month_of(connection, model.occurred_at)
    figures = (figure.label(name) for figure, name in zip(_figures(model), FIGURES, strict=True))
    return (
        select(model.village_code, model.office_id, month.label("month"), *figures)
        .where(model.voided.is_(False), *conditions)
        .group_by(model.village_code, model.office_id, month)
    )


def _office_days(
    connection: Connection, model: type[FieldRecord], *conditions: ColumnElement[bool]
) -> Select[*tuple[Any, ...]]:
    """A type that counts for coverage: its records by office and UTC day, named as CHART (voids and records of
    no office left out)."""
    day = day_of(connection, model.occurred_at)
    counts = [func.count() if name == RECORDS[model] else literal_column("0", Integer) for name in CHART]
    return (
        select(
            model.office_id,
            day.label("day"),
            *(count.label(name) for count, name in zip(counts, CHART, strict=True)),
        )
        .where(model.voided.is_(False), model.office_id.is_not(None), *conditions)
        .group_by(model.office_id, day)
    )


def add_inserted(session: DbSession, ids: Mapping[RecordType, Iterable[str]]) -> None:
    """Add the figures of the records a push inserted together (`sync._insert_new`), given as their ids by
    record type: an upsert per counted type and table, under the revision lock the push holds."""
    connection = session.connection()
    for kind, record_ids in ids.items():
        if kind.model in COUNTED:
            for statement in _inserted_upserts(connection, kind.model):
                connection.execute(statement, {"ids": list(record_ids)})


_INSERTED_UPSERTS: dict[tuple[str, type[FieldRecord]], list[Insert]] = {}


def _inserted_upserts(connection: Connection, model: type[FieldRecord]) -> list[Insert]:
    """`add_inserted`'s upserts for one type, the records' ids bound as `ids`: made once per kind of database,
    as making them costs a push more than running them."""
    key = (connection.dialect.name, model)
    if key not in _INSERTED_UPSERTS:
        chosen = model.id.in_(bindparam("ids", expanding=True))
        statements = [_upsert(connection, _grouped(connection, model, chosen))]
        if model in RECORDS:
            statements.append(_upsert_days(connection, _office_days(connection, model, chosen)))
        _INSERTED_UPSERTS[key] = statements
    return _INSERTED_UPSERTS[key]


def refill(connection: Connection) -> None:
    """Count every row again from the records, for a database filled in SQL past the ORM (the benchmark)."""
    connection.execute(_table().delete())
    every = union_all(*(_grouped(connection, model) for model in COUNTED)).subquery()
    key = [every.c[name] for name in KEY]
    sums = select(*key, *(func.sum(every.c[name]) for name in FIGURES)).group_by(*key)
    connection.execute(insert(_table()).from_select([*KEY, *FIGURES], sums))
    connection.execute(cast(Table, OfficeActivity.__table__).delete())
    days = union_all(*(_office_days(connection, model) for model in RECORDS)).subquery()
    key = [days.c.office_id, days.c.day]
    sums = select(*key, *(func.sum(days.c[name]) for name in CHART)).group_by(*key)
    connection.execute(insert(OfficeActivity).from_select(["office_id", "day", *CHART], sums))
