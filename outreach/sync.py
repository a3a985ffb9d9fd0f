"""Sync between officers' phones and the server: a batch push with one answer per record, and a pull of
what changed after a cursor.

A record is identified by the UUID the phone made, compared in one form (`records.normal_id`). Every id is a
row of `record_ids`, whatever the record's type, so one id is one record: the same record pushed twice is
stored once, and an id that another type holds is refused.

A push goes in three steps, so that pushes hold the lock only to number what they wrote and to commit:

1. Without a lock: every record's envelope is read, and what is stored of the batch's ids is read in one
   query per table. A record that what is stored already answers is answered then: an id held by another
   officer or type, or a version already received (`duplicate`). The data of the others is checked by their
   type's form (most of a push's work). These answers hold whatever commits meanwhile: an id's holder never
   changes, a version is never removed. A push of nothing but duplicates never takes the lock.
2. Still without the lock, the valid first versions of ids that were new go in together, one INSERT per table
   (`record_ids`, each type's table, `record_versions`; on PostgreSQL the rows as one JSON parameter, read in
   batch order), their office set before the insert
   (`scope.village_designations`), each with a provisional revision below zero: -1, -2, … in batch order.
   Nobody else sees them before the commit. If another push registered one of the ids meanwhile,
   `record_ids`' primary key refuses the insert (on PostgreSQL after waiting for that push to end); the
   insert is undone (a savepoint) and its records go to step 3 one by one. Ids are inserted in sorted order,
   so two pushes that share ids wait for each other in one order.
3. The rest takes the write lock of the revision counter, in the same UPDATE of its one row that takes the
   revisions of step 2's records: a row lock on PostgreSQL, the database's write lock on SQLite. One UPDATE
   per table turns the provisional revisions into the real ones, in order. Edits, voids, ids sent twice in
   the batch and ids registered since step 1 then go one by one, each reading its stored row under the lock.

SQLite has one write lock for the whole database, which step 2's first INSERT would take anyway, so there a
push takes it before step 2. It must: Python's sqlite3 opens a transaction only for a write, not for a
SAVEPOINT, so step 2's savepoint, were it the transaction's first write, would be the whole transaction and
its release would commit the records with their provisional revisions.

The lock is held until the request commits, so revisions are handed out in commit order (a phone that pulls
"after revision N" never skips a change that committed late), and a row never commits with a provisional
revision: the transaction either numbers it or rolls back. Of simultaneous edits of one record the later
`updated_at` wins on both databases, because an edit reads the row it replaces under the lock. An id is
stored once: `record_ids`' primary key refuses a second registration, in step 2 or under the lock.

One wait can still go round: a push that, under the lock, stores one by one an id that another push inserted
in step 2 waits for that push, which waits for the lock (the same record sent again while its first push is
still running, voided meanwhile). PostgreSQL breaks it by failing one of the two; like SQLite's "database is
locked", that push is run again from the start (`is_busy`), and its second run finds the id stored.

An edit is the same id sent with a later `updated_at`. The later edit wins, whichever device sent it and in
whatever order they arrive; every version received is kept in `record_versions`. A void is an edit with
`"voided": true`, and it is final: records are never deleted, a voided record never comes back, and a void is
kept even when its data would no longer pass validation.

A stored record belongs to the office that had its village as desa binaan on the record's day, whoever made it
(`scope.record_office`): set before a batch's new records are inserted (`scope.village_designations`, one
query), or when a record stored alone is flushed, and again when an edit moves its village or time.

One record never fails the batch: each is read and checked alone. When the database refuses the batch's
insert, the insert is undone (a savepoint) and its records are stored again one by one, each under its own
savepoint: the one the database cannot take is answered `rejected` with a reason while the others are stored.

A new warning of a notifying urgency (`notices.NOTIFYING`) gets its managers' notices in the same transaction,
after the records: one INSERT ... SELECT for the whole batch, none when the batch has no such warning; it never
fails the push (`notices.announce`). Sending them is another process's or thread's work, after the commit.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CursorResult,
    Integer,
    Select,
    Table,
    TextClause,
    Update,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import BindParameter

from . import notices, scope, village_activity
from .extensions import DbSession
from .models import (
    Assignment,
    DesaBinaan,
    Device,
    EarlyWarning,
    FieldRecord,
    Material,
    RecordId,
    RecordVersion,
    User,
    iso_utc,
    utcnow,
)
from .records import CLOCK_SKEW, RECORD_TYPES, RecordReader, RecordType, normal_id
from .revisions import next_revision, take_revisions
from .text import clean_text

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
# What a phone may say is still waiting on it: far more than any phone holds, and within the database's integer.
MAX_PENDING = 1_000_000
# A timestamp before this is a phone whose clock was reset, not a record of the program. A warning received by
# SMS is stored dated exactly this, so that the phone's own version of it is later whatever its clock (`sms`).
EARLIEST = datetime(2000, 1, 1)

log = logging.getLogger(__name__)


def officer_villages(session: DbSession, officer_id: int) -> dict[str, date | None]:
    """The villages an officer may record in, each with the last day a record may be dated (None: no end).

    Those they look after now, and those they looked after until an assignment or a designation ended: a
    record made before the end may still be waiting on the phone, and is accepted when it arrives."""
    allowed: dict[str, date | None] = {}
    rows = session.execute(_statements().officer_villages, {"officer": officer_id})
    for code, designation_end, assignment_end in rows:
        ends = [day for day in (designation_end, assignment_end) if day is not None]
        until = min(ends) if ends else None
        if code not in allowed:
            allowed[code] = until
        elif (current := allowed[code]) is not None:
            allowed[code] = None if until is None else max(current, until)
    return allowed


@dataclass(frozen=True)
class _Statements:
    """The statements every push runs, made once (making one costs about what running it does), their values
    bound when they run: an officer's villages, the published materials, what is stored of a batch's ids (each
    table's rows and their versions), the numbering of its new records, and what the phone said of itself."""

    officer_villages: Select[str, date | None, date | None]
    catalogue: Select[str]
    holders: Select[str, int, str]
    current: dict[str, Select[str, datetime, int]]
    received: Select[str, datetime]
    number: dict[str, Update]  # each table's provisional revisions -n of `ids` made `before` + n
    device_seen: Update  # a known device's last sync (`record_device`), run on the table past the ORM


@cache
def _statements() -> _Statements:
    ids: BindParameter[Any] = bindparam("ids", expanding=True)
    devices = _table(Device)
    return _Statements(
        officer_villages=select(DesaBinaan.village_code, DesaBinaan.ended_on, Assignment.ended_on)
        .join(Assignment, Assignment.desa_binaan_id == DesaBinaan.id)
        .where(Assignment.officer_id == bindparam("officer")),
        catalogue=select(Material.slug).where(Material.published.is_(True)),
        holders=select(RecordId.id, RecordId.officer_id, RecordId.record_type).where(RecordId.id.in_(ids)),
        current={
            name: select(kind.model.id, kind.model.client_updated_at, kind.model.rev).where(
                kind.model.id.in_(ids)
            )
            for name, kind in RECORD_TYPES.items()
        },
        received=select(RecordVersion.record_id, RecordVersion.client_updated_at).where(
            RecordVersion.record_id.in_(ids)
        ),
        number={
            name: update(table)
            .where(table.c.id.in_(ids))
            .values(rev=bindparam("before", type_=Integer) - table.c.rev)
            for name, table in ((name, _table(kind.model)) for name, kind in RECORD_TYPES.items())
        },
        device_seen=update(devices)
        .where(devices.c.officer_id == bindparam("officer"), devices.c.device_id == bindparam("device"))
        .values(**{name: bindparam(f"seen_{name}") for name in ("pending", "user_agent", "last_sync")}),
    )


def parse_instant(value: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp to naive UTC; None when it is not one (or not one a calendar can hold)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class Envelope:
    """What a pushed record says about itself, checked: its type, id, version time, and whether it is a void."""

    kind: RecordType
    id: str
    updated_at: datetime
    voided: bool
    data: Any


def read_envelope(record: Any, *, now: datetime) -> tuple[Envelope | None, dict[str, list[str]]]:
    """Check a pushed record's id, type, `updated_at` and `voided`; its `data` is checked by its type's form."""
    if not isinstance(record, dict):
        return None, {"record": [str(_l("Must be an object with id, type, data and updated_at."))]}
    errors: dict[str, list[str]] = {}
    record_id = normal_id(record.get("id"))
    if record_id is None:
        errors["id"] = [str(_l("Must be a UUID made on the phone."))]
    kind = RECORD_TYPES.get(record["type"]) if isinstance(record.get("type"), str) else None
    if kind is None:
        errors["type"] = [
            str(_l("Unknown record type. Known types: %(types)s.", types=", ".join(RECORD_TYPES)))
        ]
    updated_at = parse_instant(record.get("updated_at"))
    if updated_at is None:
        errors["updated_at"] = [str(_l("Must be an ISO 8601 timestamp."))]
    elif updated_at > now + CLOCK_SKEW:
        errors["updated_at"] = [str(_l("This change is dated in the future: check the phone's clock."))]
    elif updated_at < EARLIEST:
        errors["updated_at"] = [str(_l("This change is dated before 2000: check the phone's clock."))]
    voided = record.get("voided")
    voided = False if voided is None else voided
    if not isinstance(voided, bool):
        errors["voided"] = [str(_l("Must be true or false."))]
    if errors:
        return None, errors
    assert kind is not None and record_id is not None and updated_at is not None  # else each has its error
    return Envelope(
        kind=kind, id=record_id, updated_at=updated_at, voided=voided, data=record.get("data")
    ), {}


def _result(
    record_id: Any,
    status: str,
    *,
    rev: int | None = None,
    errors: dict[str, list[str]] | None = None,
    superseded: bool = False,
) -> dict[str, Any]:
    # The id goes back as the phone sent it: the phone finds its record by its own spelling of the id.
    result: dict[str, Any] = {"id": record_id if isinstance(record_id, str) else None, "status": status}
    if rev is not None:
        result["rev"] = rev
    if errors:
        result["errors"] = errors
    if superseded:
        result["superseded"] = True
    return result


def push(
    session: DbSession,
    *,
    officer_id: int,
    device_id: str,
    records: list[Any],
    now: datetime | None = None,
    import_id: int | None = None,
) -> list[dict[str, Any]]:
    """Store a phone's batch; return one result per record, in order. `import_id`: the batch came in a file a
    manager uploaded (`imports.bring_in`), and each version it stores says so. The caller commits."""
    context = _Context(
        officer_id=officer_id,
        device_id=device_id,
        now=now or utcnow(),
        villages=officer_villages(session, officer_id),
        materials=catalogue_slugs(session),
        import_id=import_id,
    )
    results: list[dict[str, Any] | None] = [None] * len(records)
    sent = []
    for index, record in enumerate(records):
        raw_id = record.get("id") if isinstance(record, dict) else None
        envelope, errors = read_envelope(record, now=context.now)
        if envelope is None:
            results[index] = _result(raw_id, REJECTED, errors=errors)
        else:
            sent.append(_Sent(index, raw_id, envelope))
    readers: dict[str, RecordReader] = {}
    waiting = []
    for item in _answer_stored(session, sent, context, results):
        kind = item.envelope.kind
        if kind.name not in readers:
            readers[kind.name] = kind.reader(
                villages=context.villages, materials=context.materials, now=context.now
            )
        waiting.append(
            _Checked(item.index, item.raw_id, item.envelope, *readers[kind.name].read(item.envelope.data))
        )
    if waiting:
        times_sent = Counter(item.envelope.id for item in waiting)
        fresh = [
            item
            for item in waiting
            if not item.errors and not item.envelope.voided and times_sent[item.envelope.id] == 1
        ]
        if fresh and session.get_bind().dialect.name == "sqlite":
            take_revisions(session, 0)  # SQLite: the lock before step 2 (see the module's docstring)
        inserted = _insert_new(session, fresh, context)
        first = take_revisions(session, len(inserted))  # the lock, until the commit
        _number(session, inserted, first, results)
        for item in inserted:
            _note_warning(context, item.envelope.kind, item.envelope.id, item.values)
        done = {item.index for item in inserted}
        _store(session, [item for item in waiting if item.index not in done], context, results)
    if context.notify:
        notices.announce(session, context.notify, now=context.now)
    return [result for result in results if result is not None]


@dataclass(frozen=True)
class _Sent:
    """A pushed record whose envelope was read, at its place in the batch."""

    index: int
    raw_id: Any
    envelope: Envelope


@dataclass(frozen=True)
class _Checked(_Sent):
    """A pushed record whose data its type's form read (`values`) and checked (`errors`)."""

    values: dict[str, Any]
    errors: dict[str, list[str]]


def _answer_stored(
    session: DbSession, checked: list[_Sent], context: _Context, results: list[dict[str, Any] | None]
) -> list[_Sent]:
    """Answer, without the lock, the records whose answer what is stored already settles: an id another
    officer or type holds, a version already received. Once true these stay true. Return the others."""
    if not checked:
        return []
    holders: dict[str, tuple[int, str]] = {}
    held: dict[str, list[str]] = {}
    statements = _statements()
    for id_, officer_id, record_type in session.execute(
        statements.holders, {"ids": list({item.envelope.id for item in checked})}
    ):
        holders[id_] = (officer_id, record_type)
        held.setdefault(record_type, []).append(id_)
    current: dict[str, tuple[datetime, int]] = {}
    for record_type, ids in held.items():
        rows = session.execute(statements.current[record_type], {"ids": ids})
        current.update((id_, (updated_at, rev)) for id_, updated_at, rev in rows)
    received = (
        {
            (id_, updated_at)
            for id_, updated_at in session.execute(statements.received, {"ids": list(holders)})
        }
        if holders
        else set()
    )
    waiting = []
    for item in checked:
        envelope = item.envelope
        holder = holders.get(envelope.id)
        if holder is None:
            waiting.append(item)
        elif holder[0] != context.officer_id:
            results[item.index] = _result(item.raw_id, REJECTED, errors=_used_by_another())
        elif holder[1] != envelope.kind.name:
            results[item.index] = _result(item.raw_id, REJECTED, errors=_used_by_type(holder[1]))
        elif (envelope.id, envelope.updated_at) in received or (
            envelope.id in current and current[envelope.id][0] == envelope.updated_at
        ):
            stored = current.get(envelope.id)
            results[item.index] = _result(item.raw_id, DUPLICATE, rev=stored[1] if stored else None)
        else:
            waiting.append(item)
    return waiting


def _store(
    session: DbSession, waiting: list[_Checked], context: _Context, results: list[dict[str, Any] | None]
) -> None:
    """Under the lock, one by one: edits, voids, ids sent twice in the batch, ids registered since
    `_answer_stored` read, and new records that `_insert_new` could not store together."""
    if not waiting:
        return
    registered = set(
        session.scalars(select(RecordId.id).where(RecordId.id.in_({item.envelope.id for item in waiting})))
    )
    for item in waiting:
        if item.errors and not item.envelope.voided and item.envelope.id not in registered:
            results[item.index] = _result(item.raw_id, REJECTED, errors=item.errors)
        else:
            results[item.index] = _push_alone(session, item, context)


def _insert_new(session: DbSession, new: list[_Checked], context: _Context) -> list[_Checked]:
    """Before the lock, insert the first versions of new records: one statement per table, each record with a
    provisional revision (-1, -2, … in batch order) that `_number` replaces under the lock. Return the records
    inserted: none when the database refuses the batch, whose records then go one by one."""
    if not new:
        return []
    made = [(item, _new_rows(item, context), -n) for n, item in enumerate(new, start=1)]
    # pushes that share ids lock them in one order
    made.sort(key=lambda new_record: new_record[0].envelope.id)
    offices = scope.village_designations(session, {row.record["village_code"] for _, row, _ in made})
    by_type: dict[RecordType, list[dict[str, Any]]] = {}
    for item, row, provisional in made:
        office_id = scope.office_on(offices.get(row.record["village_code"], []), row.record["occurred_at"])
        by_type.setdefault(item.envelope.kind, []).append(
            {**row.record, "rev": provisional, "office_id": office_id}
        )
    try:
        with session.begin_nested():
            _insert_rows(session, _table(RecordId), [row.registration for _, row, _ in made])
            for kind, records in by_type.items():
                _insert_rows(session, _table(kind.model), records)
            _insert_rows(session, _table(RecordVersion), [row.version for _, row, _ in made])
    except OperationalError:
        raise  # the database itself (busy, gone): the whole push is answered and retried as one
    except (SQLAlchemyError, ValueError, TypeError, ArithmeticError, RecursionError):
        log.info("A batch of %d new records could not be stored together; storing one by one", len(new))
        return []
    return new


def _insert_rows(session: DbSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows of the same columns, in their order, in one statement. On PostgreSQL they go as one JSON
    parameter that the database reads into the table's own types (`json_populate_recordset`): an executemany
    there is a statement per row, most of a push's time; SQLite's runs inside its library."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    session.execute(
        _insert_from_json(table, tuple(rows[0])),
        {"rows": json.dumps(rows, default=_json_value, allow_nan=False)},
    )


@cache
def _insert_from_json(table: Table, columns: tuple[str, ...]) -> TextClause:
    names = ", ".join(f'"{name}"' for name in columns)
    return text(
        f'INSERT INTO "{table.name}" ({names}) SELECT {names} '
        f'FROM json_populate_recordset(NULL::"{table.name}", :rows) WITH ORDINALITY AS batch '
        "ORDER BY batch.ordinality"
    )


def _json_value(value: Any) -> str:
    """A moment or a day in a row for `_insert_rows`: as PostgreSQL reads it (moments are naive UTC)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def _number(
    session: DbSession, inserted: list[_Checked], first: int, results: list[dict[str, Any] | None]
) -> None:
    """Under the lock, give the records `_insert_new` stored their revisions, from `first` on in batch order:
    one UPDATE per table turns provisional revision -n into first + n - 1."""
    ids: dict[RecordType, list[str]] = {}
    for rev, item in enumerate(inserted, start=first):
        ids.setdefault(item.envelope.kind, []).append(item.envelope.id)
        results[item.index] = _result(item.raw_id, ACCEPTED, rev=rev)
    for kind, record_ids in ids.items():
        session.execute(_statements().number[kind.name], {"ids": record_ids, "before": first - 1})
    village_activity.add_inserted(session, ids)  # under the lock, as every write of those rows


@dataclass(frozen=True)
class _NewRows:
    """A new record's rows, made before the lock: its id's registration, its row (without its revision and
    office) and its first version."""

    registration: dict[str, Any]
    record: dict[str, Any]
    version: dict[str, Any]


def _new_rows(item: _Checked, context: _Context) -> _NewRows:
    envelope, kind = item.envelope, item.envelope.kind
    fields = SimpleNamespace()
    kind.fill(cast(FieldRecord, fields), item.values)
    return _NewRows(
        registration={"id": envelope.id, "record_type": kind.name, "officer_id": context.officer_id},
        record={
            **vars(fields),
            "id": envelope.id,
            "officer_id": context.officer_id,
            "client_updated_at": envelope.updated_at,
            "device_id": context.device_id,
            "received_at": context.now,
            "voided": False,
            "version": 1,
        },
        version=_version(kind, envelope, kind.wire_from_values(item.values), context, voided=False),
    )


def _table(model: type[Any]) -> Table:
    """A model's table, for an INSERT of many rows in one statement without the ORM's per-row work."""
    return cast(Table, model.__table__)


def _push_alone(session: DbSession, item: _Checked, context: _Context) -> dict[str, Any]:
    """Store one record under its own savepoint: one the database cannot take is rejected with a reason."""
    try:
        with session.begin_nested():
            return _push_one(session, item, context)
    except OperationalError:
        raise  # the database itself (busy, gone): the whole push is answered and retried as one
    except (SQLAlchemyError, ValueError, TypeError, ArithmeticError, RecursionError):
        log.exception("Record %r could not be stored", item.raw_id)
        return _result(
            item.raw_id,
            REJECTED,
            errors={
                "record": [
                    str(_l("The server could not store this record. It stays on the phone; tell the office."))
                ]
            },
        )


@dataclass(frozen=True)
class _Context:
    officer_id: int
    device_id: str
    now: datetime
    villages: dict[str, date | None]
    materials: set[str]
    import_id: int | None = None
    # The new warnings of this push whose urgency notifies managers (`notices.announce`).
    notify: list[str] = field(default_factory=list)


def _note_warning(context: _Context, kind: RecordType, record_id: str, values: dict[str, Any]) -> None:
    if kind.has_follow_up and values["urgency"] in notices.NOTIFYING:
        context.notify.append(record_id)


def catalogue_slugs(session: DbSession) -> set[str]:
    """The materials an officer may record handing out."""
    return set(session.scalars(_statements().catalogue))


def _used_by_another() -> dict[str, list[str]]:
    return {"id": [str(_l("This id is already used by another record."))]}


def _used_by_type(record_type: str) -> dict[str, list[str]]:
    return {
        "type": [
            str(
                _l(
                    "This id is already used by a record of another type (%(type)s).",
                    type=RECORD_TYPES[record_type].label,
                )
            )
        ]
    }


def _push_one(session: DbSession, item: _Checked, context: _Context) -> dict[str, Any]:
    """One record under the lock, reading what is stored of its id now."""
    envelope, raw_id, values, errors = item.envelope, item.raw_id, item.values, item.errors
    kind = envelope.kind
    holder = session.get(RecordId, envelope.id)
    existing = None
    if holder is not None:
        if holder.officer_id != context.officer_id:
            return _result(raw_id, REJECTED, errors=_used_by_another())
        if holder.record_type != kind.name:
            return _result(raw_id, REJECTED, errors=_used_by_type(holder.record_type))
        existing = session.get(kind.model, envelope.id)
        if (existing is not None and existing.client_updated_at == envelope.updated_at) or _has_version(
            session, envelope.id, envelope.updated_at
        ):
            return _result(raw_id, DUPLICATE, rev=existing.rev if existing is not None else None)
    # A registered id without a row of its type is a void that came first: the record is void for good.
    void_for_good = existing.voided if existing is not None else holder is not None
    if errors and not (envelope.voided or void_for_good):
        return _result(raw_id, REJECTED, errors=errors)
    if existing is None and errors:
        # Nothing valid to show, but the void is kept: an older version arriving later finds it.
        if holder is None:
            session.add(RecordId(id=envelope.id, record_type=kind.name, officer_id=context.officer_id))
        data = envelope.data if isinstance(envelope.data, dict) else {}
        _keep_version(session, kind, envelope, data, context, voided=True)
        return _result(raw_id, ACCEPTED)
    if existing is None:
        return _insert(session, envelope, raw_id, values, context, void_of=holder)
    _keep_version(
        session,
        kind,
        envelope,
        kind.to_wire(existing) if errors else kind.wire_from_values(values),
        context,
        voided=envelope.voided,
    )
    if envelope.updated_at < existing.client_updated_at:
        # An earlier edit that arrived late: kept in the history, the later one stays current.
        return _result(raw_id, ACCEPTED, rev=existing.rev, superseded=True)
    if not errors:
        kind.fill(existing, values)
    existing.voided = existing.voided or envelope.voided
    existing.version += 1
    existing.client_updated_at = envelope.updated_at
    existing.device_id = context.device_id
    existing.received_at = context.now
    existing.rev = next_revision(session)
    return _result(raw_id, ACCEPTED, rev=existing.rev)


def _insert(
    session: DbSession,
    envelope: Envelope,
    raw_id: Any,
    values: dict[str, Any],
    context: _Context,
    *,
    void_of: RecordId | None,
) -> dict[str, Any]:
    """Store the first valid version of a record; after a void that came first (`void_of`), stored void."""
    kind = envelope.kind
    current_at, version, superseded = envelope.updated_at, 1, False
    if void_of is not None:
        void_at, earlier = session.execute(
            select(func.max(RecordVersion.client_updated_at), func.count()).where(
                RecordVersion.record_id == envelope.id
            )
        ).one()
        current_at, version, superseded = (
            max(void_at, envelope.updated_at),
            earlier + 1,
            void_at > envelope.updated_at,
        )
    rev = next_revision(session)
    stored = kind.model(
        id=envelope.id,
        registration=void_of,
        officer_id=context.officer_id,
        client_updated_at=current_at,
        device_id=context.device_id,
        rev=rev,
        received_at=context.now,
        voided=envelope.voided or void_of is not None,
        version=version,
    )
    kind.fill(stored, values)
    session.add(stored)
    if not stored.voided:
        _note_warning(context, kind, envelope.id, values)
    _keep_version(session, kind, envelope, kind.wire_from_values(values), context, voided=envelope.voided)
    return _result(raw_id, ACCEPTED, rev=rev, superseded=superseded)


def _has_version(session: DbSession, record_id: str, updated_at: datetime) -> bool:
    return (
        session.scalar(
            select(RecordVersion.id).where(
                RecordVersion.record_id == record_id, RecordVersion.client_updated_at == updated_at
            )
        )
        is not None
    )


def _keep_version(
    session: DbSession,
    kind: RecordType,
    envelope: Envelope,
    data: dict[str, Any],
    context: _Context,
    *,
    voided: bool,
) -> None:
    session.add(RecordVersion(**_version(kind, envelope, data, context, voided=voided)))


def _version(
    kind: RecordType, envelope: Envelope, data: dict[str, Any], context: _Context, *, voided: bool
) -> dict[str, Any]:
    """A version's columns, for one row (`_keep_version`) or a batch (`_insert_new`)."""
    return {
        "record_type": kind.name,
        "record_id": envelope.id,
        "officer_id": context.officer_id,
        "data": data,
        "voided": voided,
        "client_updated_at": envelope.updated_at,
        "device_id": context.device_id,
        "received_at": context.now,
        "import_id": context.import_id,
    }


def history(session: DbSession, record_id: str) -> list[RecordVersion]:
    """Every version of a record the server received, oldest edit first."""
    return list(
        session.scalars(
            select(RecordVersion)
            .where(RecordVersion.record_id == record_id)
            .order_by(RecordVersion.client_updated_at)
        )
    )


def record_device(
    session: DbSession, *, officer_id: int, device_id: str, pending: int, user_agent: str, now: datetime
) -> None:
    """Remember that this officer's phone synced, and how many records it says are still waiting on it: one
    UPDATE on every push but a phone's first."""
    seen = {"pending": pending, "user_agent": clean_text(user_agent)[:300], "last_sync": now}
    known = session.execute(
        _statements().device_seen,
        {"officer": officer_id, "device": device_id, **{f"seen_{k}": v for k, v in seen.items()}},
    )
    if cast(CursorResult[Any], known).rowcount == 0:
        session.add(Device(officer_id=officer_id, device_id=device_id, first_seen=now, **seen))


# PostgreSQL's deadlock_detected and serialization_failure: the transaction was failed to let another go on
RUN_AGAIN = {"40P01", "40001"}


def is_busy(exc: OperationalError) -> bool:
    """True when the database refused the push only because of others at the same moment (SQLite's write
    lock, a PostgreSQL deadlock it broke): the push may be run again from the start."""
    message = str(exc.orig)
    return (
        "database is locked" in message
        or "database is busy" in message
        or getattr(exc.orig, "sqlstate", None) in RUN_AGAIN
    )


def changes(session: DbSession, *, user: User, since: int, limit: int) -> dict[str, Any]:
    """Return the records that changed after revision `since` that this officer may see, and the next cursor.

    An officer sees their own records and every record made in their desa binaan. A page costs one query for
    the villages and one per record type, each bringing its records' officers and follow-ups along, whatever
    the number of records.
    """
    villages = [code for code, until in officer_villages(session, user.id).items() if until is None]
    rows: list[tuple[RecordType, FieldRecord]] = []
    for kind in RECORD_TYPES.values():
        model = kind.model
        loads = [joinedload(model.officer)]
        if kind.has_follow_up:
            loads.append(joinedload(cast(type[EarlyWarning], model).follow_up))
        rows.extend(
            (kind, row)
            for row in session.scalars(
                select(model)
                .where(model.rev > since, or_(model.officer_id == user.id, model.village_code.in_(villages)))
                .options(*loads)
                .order_by(model.rev)
                .limit(limit + 1)
            )
        )
    rows.sort(key=lambda item: item[1].rev)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = rows[-1][1].rev if rows else since
    return {"changes": [_change(kind, row, user) for kind, row in rows], "next": next_cursor, "more": more}


def _change(kind: RecordType, row: FieldRecord, user: User) -> dict[str, Any]:
    change = {
        "id": row.id,
        "type": kind.name,
        "rev": row.rev,
        "data": kind.to_wire(row),
        "updated_at": iso_utc(row.client_updated_at),
        "voided": row.voided,
        "version": row.version,
        "officer": {"username": row.officer.username, "name": row.officer.display_name},
        "mine": row.officer_id == user.id,
    }
    if kind.has_follow_up:
        follow_up = cast(EarlyWarning, row).follow_up  # the one type the office follows up
        change["follow_up"] = (
            {"status": follow_up.status, "note": follow_up.note, "updated_at": iso_utc(follow_up.updated_at)}
            if follow_up
            else {"status": "new", "note": "", "updated_at": None}
        )
        # when it reached the office as an SMS (`outreach.sms`): the phone says so while its copy still waits
        sms_received_at = cast(EarlyWarning, row).sms_received_at
        change["sms_received_at"] = iso_utc(sms_received_at) if sms_received_at else None
    return change
