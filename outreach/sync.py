"""Sync between officers' phones and the server: a batch push with one answer per record, and a pull of
what changed after a cursor.

A record is identified by the UUID the phone made. The id is the primary key, so the same record pushed
twice, even at the same moment from two connections, is stored once. Every stored change takes the next
server revision from a single counter row; the row lock held until commit makes revisions appear in commit
order, so a phone that pulls "after revision N" never skips a change that committed late.

An edit is the same id sent with a later `updated_at`. The later edit wins, whichever device sent it and in
whatever order they arrive; every version received is kept in `record_versions`. A void is an edit with
`"voided": true`: records are never deleted.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .models import Assignment, DesaBinaan, Device, Material, RecordVersion, SyncState, User, iso_utc, utcnow
from .records import RECORD_TYPES

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


def next_revision(session: Session) -> int:
    """Take the next server revision (locks the counter row until the transaction ends)."""
    rev = session.execute(
        update(SyncState).where(SyncState.id == 1).values(revision=SyncState.revision + 1).returning(SyncState.revision)
    ).scalar()
    if rev is None:
        session.add(SyncState(id=1, revision=1))
        session.flush()
        rev = 1
    return rev


def current_revision(session: Session) -> int:
    return session.scalar(select(SyncState.revision).where(SyncState.id == 1)) or 0


def officer_villages(session: Session, officer_id: int) -> dict[str, date | None]:
    """The villages an officer may record in, each with the last day a record may be dated (None: no end).

    Those they look after now, and those they looked after until an assignment or a designation ended: a
    record made before the end may still be waiting on the phone, and is accepted when it arrives."""
    allowed: dict[str, date | None] = {}
    rows = session.execute(
        select(DesaBinaan.village_code, DesaBinaan.ended_on, Assignment.ended_on)
        .join(Assignment, Assignment.desa_binaan_id == DesaBinaan.id)
        .where(Assignment.officer_id == officer_id)
    )
    for code, designation_end, assignment_end in rows:
        ends = [day for day in (designation_end, assignment_end) if day is not None]
        until = min(ends) if ends else None
        if code not in allowed:
            allowed[code] = until
        elif allowed[code] is not None:
            allowed[code] = None if until is None else max(allowed[code], until)
    return allowed


def without_nul(value: Any) -> Any:
    """The same JSON value with NUL characters taken out of its text: they mean nothing to a person, and
    PostgreSQL cannot store them, so one would otherwise fail a whole batch."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


def parse_instant(value: Any) -> datetime | None:
    """Parse an ISO 8601 timestamp to naive UTC; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _envelope_errors(record: Any) -> dict[str, list[str]]:
    if not isinstance(record, dict):
        return {"record": [str(_l("Must be an object with id, type, data and updated_at."))]}
    errors: dict[str, list[str]] = {}
    try:
        uuid.UUID(str(record.get("id")))
    except ValueError:
        errors["id"] = [str(_l("Must be a UUID made on the phone."))]
    if record.get("type") not in RECORD_TYPES:
        errors["type"] = [str(_l("Unknown record type. Known types: %(types)s.", types=", ".join(RECORD_TYPES)))]
    if parse_instant(record.get("updated_at")) is None:
        errors["updated_at"] = [str(_l("Must be an ISO 8601 timestamp."))]
    return errors


def _result(
    record_id: Any, status: str, *, rev: int | None = None, errors: dict | None = None, superseded: bool = False
) -> dict:
    result: dict[str, Any] = {"id": record_id, "status": status}
    if rev is not None:
        result["rev"] = rev
    if errors:
        result["errors"] = errors
    if superseded:
        result["superseded"] = True
    return result


def lock_revisions(session: Session) -> None:
    """Hold the revision counter for the rest of the transaction, so pushes of one record never interleave.

    PostgreSQL takes a row lock; SQLite has one writer at a time anyway (FOR UPDATE is not sent to it).
    """
    session.execute(select(SyncState.id).where(SyncState.id == 1).with_for_update())


def push(
    session: Session, *, officer_id: int, device_id: str, records: list, now: datetime | None = None
) -> list[dict]:
    """Store a phone's batch; return one result per record, in order. The caller commits.

    One bad record never fails the batch: each is validated alone and stored under its own savepoint.
    """
    lock_revisions(session)
    context = _Context(
        officer_id=officer_id, device_id=device_id, now=now or utcnow(),
        villages=officer_villages(session, officer_id), materials=catalogue_slugs(session),
    )
    results = []
    for record in records:
        raw_id = record.get("id") if isinstance(record, dict) else None
        errors = _envelope_errors(record)
        if errors:
            results.append(_result(raw_id, REJECTED, errors=errors))
            continue
        results.append(_push_one(session, record, raw_id, context))
    return results


@dataclass(frozen=True)
class _Context:
    officer_id: int
    device_id: str
    now: datetime
    villages: dict[str, date | None]
    materials: set[str]


def catalogue_slugs(session: Session) -> set[str]:
    """The materials an officer may record handing out."""
    return set(session.scalars(select(Material.slug).where(Material.published.is_(True))))


def _push_one(session: Session, record: dict, raw_id, context: _Context) -> dict:
    kind = RECORD_TYPES[record["type"]]
    record_id = str(uuid.UUID(str(record["id"])))
    updated_at = parse_instant(record["updated_at"])
    voided = record.get("voided") is True
    existing = session.get(kind.model, record_id)
    if existing is not None:
        if existing.officer_id != context.officer_id:
            return _result(raw_id, REJECTED, errors={"id": [str(_l("This id is already used by another record."))]})
        if existing.client_updated_at == updated_at or _has_version(session, record_id, updated_at):
            return _result(raw_id, DUPLICATE, rev=existing.rev)
    form, errors = kind.validate(
        record.get("data"), villages=context.villages, materials=context.materials, now=context.now
    )
    if errors and not voided:
        return _result(raw_id, REJECTED, errors=errors)
    if existing is None:
        if errors:  # voided before it was ever valid: there is nothing to keep
            return _result(raw_id, ACCEPTED)
        return _insert(session, kind, record_id, raw_id, form, updated_at, voided, context)
    data = kind.to_wire(existing) if errors else kind.wire_from_form(form)
    _keep_version(session, kind, existing, data, updated_at, voided, context)
    if updated_at < existing.client_updated_at:
        # An earlier edit that arrived late: kept in the history, the later one stays current.
        return _result(raw_id, ACCEPTED, rev=existing.rev, superseded=True)
    if not errors:
        kind.fill(existing, form)
    existing.voided = voided
    existing.version += 1
    existing.client_updated_at = updated_at
    existing.device_id = context.device_id
    existing.received_at = context.now
    existing.rev = next_revision(session)
    return _result(raw_id, ACCEPTED, rev=existing.rev)


def _insert(session, kind, record_id, raw_id, form, updated_at, voided, context: _Context) -> dict:
    rev = next_revision(session)
    stored = kind.model(
        id=record_id, officer_id=context.officer_id, client_updated_at=updated_at, device_id=context.device_id,
        rev=rev, received_at=context.now, voided=voided, version=1,
    )
    kind.fill(stored, form)
    try:
        with session.begin_nested():
            session.add(stored)
            _keep_version(session, kind, stored, kind.wire_from_form(form), updated_at, voided, context)
    except IntegrityError:
        # Another connection stored the same id between our look-up and our insert.
        existing = session.get(kind.model, record_id, populate_existing=True)
        if existing is None:
            raise
        status = DUPLICATE if existing.officer_id == context.officer_id else REJECTED
        return _result(raw_id, status, rev=existing.rev if status == DUPLICATE else None)
    return _result(raw_id, ACCEPTED, rev=rev)


def _has_version(session: Session, record_id: str, updated_at: datetime) -> bool:
    return session.scalar(
        select(RecordVersion.id).where(RecordVersion.record_id == record_id, RecordVersion.client_updated_at == updated_at)
    ) is not None


def _keep_version(session, kind, record, data: dict, updated_at: datetime, voided: bool, context: _Context) -> None:
    session.add(
        RecordVersion(
            record_type=kind.name, record_id=record.id, officer_id=context.officer_id, data=data, voided=voided,
            client_updated_at=updated_at, device_id=context.device_id, received_at=context.now,
        )
    )


def history(session: Session, record_id: str) -> list[RecordVersion]:
    """Every version of a record the server received, oldest edit first."""
    return list(
        session.scalars(
            select(RecordVersion).where(RecordVersion.record_id == record_id).order_by(RecordVersion.client_updated_at)
        )
    )


def record_device(session: Session, *, officer_id: int, device_id: str, pending: int, user_agent: str, now: datetime) -> None:
    """Remember that this officer's phone synced, and how many records it says are still waiting on it."""
    device = session.scalar(select(Device).where(Device.officer_id == officer_id, Device.device_id == device_id))
    if device is None:
        device = Device(officer_id=officer_id, device_id=device_id, first_seen=now)
        session.add(device)
    device.pending, device.user_agent, device.last_sync = pending, user_agent[:300], now


def is_busy(exc: OperationalError) -> bool:
    """True when SQLite refused a write because another connection holds the lock; the push may be retried."""
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def changes(session: Session, *, user: User, since: int, limit: int) -> dict:
    """Return the records that changed after revision `since` that this officer may see, and the next cursor.

    An officer sees their own records and every record made in their desa binaan.
    """
    villages = [code for code, until in officer_villages(session, user.id).items() if until is None]
    items: list[tuple[int, dict]] = []
    for kind in RECORD_TYPES.values():
        model = kind.model
        rows = session.scalars(
            select(model)
            .where(model.rev > since, or_(model.officer_id == user.id, model.village_code.in_(villages)))
            .order_by(model.rev)
            .limit(limit + 1)
        )
        for row in rows:
            items.append((row.rev, _change(kind, row, user)))
    items.sort(key=lambda item: item[0])
    more = len(items) > limit
    items = items[:limit]
    next_cursor = items[-1][0] if items else since
    return {"changes": [change for _, change in items], "next": next_cursor, "more": more}


def _change(kind, row, user: User) -> dict:
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
    if kind.name == "warning":
        follow_up = row.follow_up
        change["follow_up"] = (
            {"status": follow_up.status, "note": follow_up.note, "updated_at": iso_utc(follow_up.updated_at)}
            if follow_up else {"status": "new", "note": "", "updated_at": None}
        )
    return change
