"""Sync between officers' phones and the server: a batch push with one answer per record, and a pull of
what changed after a cursor.

A record is identified by the UUID the phone made. The id is the primary key, so the same record pushed
twice, even at the same moment from two connections, is stored once. Every stored change takes the next
server revision from a single counter row; the row lock held until commit makes revisions appear in commit
order, so a phone that pulls "after revision N" never skips a change that committed late.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from .models import Assignment, DesaBinaan, SyncState, User, iso_utc, utcnow
from .records import RECORD_TYPES

ACCEPTED, DUPLICATE, REJECTED, CONFLICT = "accepted", "duplicate", "rejected", "conflict"


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


def officer_villages(session: Session, officer_id: int) -> set[str]:
    """Return the codes of the active desa binaan the officer is assigned to."""
    rows = session.scalars(
        select(DesaBinaan.village_code)
        .join(Assignment, Assignment.desa_binaan_id == DesaBinaan.id)
        .where(Assignment.officer_id == officer_id, DesaBinaan.ended_on.is_(None))
    )
    return set(rows)


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


def _result(record_id: Any, status: str, *, rev: int | None = None, errors: dict | None = None) -> dict:
    result: dict[str, Any] = {"id": record_id, "status": status}
    if rev is not None:
        result["rev"] = rev
    if errors:
        result["errors"] = errors
    return result


def push(
    session: Session, *, officer_id: int, device_id: str, records: list, now: datetime | None = None
) -> list[dict]:
    """Store a phone's batch; return one result per record, in order. The caller commits.

    One bad record never fails the batch: each is validated alone and stored under its own savepoint.
    """
    now = now or utcnow()
    villages = officer_villages(session, officer_id)
    results = []
    for record in records:
        raw_id = record.get("id") if isinstance(record, dict) else None
        errors = _envelope_errors(record)
        if errors:
            results.append(_result(raw_id, REJECTED, errors=errors))
            continue
        record_id = str(uuid.UUID(str(record["id"])))
        results.append(_push_one(session, record, record_id, raw_id, officer_id, device_id, villages, now))
    return results


def _push_one(session, record, record_id, raw_id, officer_id, device_id, villages, now) -> dict:
    kind = RECORD_TYPES[record["type"]]
    updated_at = parse_instant(record["updated_at"])
    existing = session.get(kind.model, record_id)
    if existing is not None:
        return _answer_existing(existing, raw_id, officer_id, updated_at)
    form, errors = kind.validate(record.get("data"), villages=villages, now=now)
    if errors:
        return _result(raw_id, REJECTED, errors=errors)
    rev = next_revision(session)
    stored = kind.model(
        id=record_id, officer_id=officer_id, client_updated_at=updated_at, device_id=device_id, rev=rev,
        received_at=now,
    )
    kind.fill(stored, form)
    try:
        with session.begin_nested():
            session.add(stored)
    except IntegrityError:
        # Another connection stored the same id between our look-up and our insert.
        existing = session.get(kind.model, record_id, populate_existing=True)
        if existing is None:
            raise
        return _answer_existing(existing, raw_id, officer_id, updated_at)
    return _result(raw_id, ACCEPTED, rev=rev)


def _answer_existing(existing, raw_id, officer_id: int, updated_at: datetime) -> dict:
    if existing.officer_id != officer_id:
        return _result(raw_id, REJECTED, errors={"id": [str(_l("This id is already used by another record."))]})
    if existing.client_updated_at == updated_at:
        return _result(raw_id, DUPLICATE, rev=existing.rev)
    return _result(
        raw_id, CONFLICT, rev=existing.rev,
        errors={"updated_at": [str(_l("The server holds another version of this record."))]},
    )


def is_busy(exc: OperationalError) -> bool:
    """True when SQLite refused a write because another connection holds the lock; the push may be retried."""
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def changes(session: Session, *, user: User, since: int, limit: int) -> dict:
    """Return the records that changed after revision `since` that this officer may see, and the next cursor.

    An officer sees their own records and every record made in their desa binaan.
    """
    villages = officer_villages(session, user.id)
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
    return {
        "id": row.id,
        "type": kind.name,
        "rev": row.rev,
        "data": kind.to_wire(row),
        "updated_at": iso_utc(row.client_updated_at),
        "officer": {"username": row.officer.username, "name": row.officer.display_name},
        "mine": row.officer_id == user.id,
    }
