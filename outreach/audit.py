"""The audit log: every change an office user makes to users, offices, desa binaan, assignments, materials,
contacts and the follow-up of warnings, with who, when, and the values before and after.

A listener on the session writes the entries in the same flush as the change, so a change is never stored
without its entry, and a view cannot forget to log. What officers write from the field is not logged here:
every version of it is kept in `record_versions` already.

The actor is the user of the managers' request (`act_as`), or, for a command run on the server (`flask
create-user`, `flask demo`...), the command line and the account of the system that ran it.
"""

from __future__ import annotations

import enum
import getpass
import os
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, cast

import click
from flask import has_request_context
from sqlalchemy import Table, event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction

from .extensions import Base, DbSession
from .models import (
    Assignment,
    AuditEntry,
    Contact,
    DesaBinaan,
    Material,
    Office,
    User,
    WarningFollowUp,
    utcnow,
)

ACTOR = "audit_actor"
HIDDEN = {"password_hash"}  # logged as changed, never with its value
NOT_LOGGED = {"updated_at", "rev", "version", "updated_by_id"}  # bookkeeping that changes with every save
PAGE_SIZE = 100
LONGEST = 2000  # a material's text is kept whole in its versions; the log keeps its start
AUDITED = (User, Office, DesaBinaan, Assignment, Material, Contact, WarningFollowUp)
REGIONS = "regions"  # an import of a region file is logged as one entry, not one per village
ENTITIES = [model.__tablename__ for model in AUDITED] + [REGIONS]


def act_as(session: DbSession, user: User) -> None:
    """Log the session's changes from now on as made by `user`."""
    session.info[ACTOR] = (user.id, user.username)


def command_line_actor() -> tuple[None, str] | None:
    """The actor of a change made by a command (`flask ...`) outside any request; None elsewhere."""
    if has_request_context() or click.get_current_context(silent=True) is None:
        return None
    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # a container's user with no name
        account = str(os.getuid()) if hasattr(os, "getuid") else "?"
    return None, f"command line ({account})"[:120]


def _actor(session: DbSession) -> tuple[int | None, str] | None:
    return session.info.get(ACTOR) or command_line_actor()


def note(
    session: DbSession, *, action: str, entity: str, entity_id: str, label: str, after: dict[str, Any]
) -> None:
    """Log a change the listener does not see row by row (a whole file of regions), as the current actor."""
    actor = _actor(session)
    if actor is None:
        return
    session.add(
        AuditEntry(
            at=utcnow(),
            actor_id=actor[0],
            actor_name=actor[1],
            action=action,
            entity=entity,
            entity_id=entity_id[:60],
            label=label[:200],
            before={},
            after=after,
        )
    )


# The column that names each kind of row for a reader; an assignment is named by its officer and village.
LABELS = {
    User: "username",
    Office: "code",
    DesaBinaan: "village_code",
    Material: "slug",
    Contact: "key",
    WarningFollowUp: "warning_id",
}


def _label(session: DbSession, row: Base) -> str:
    """A name a reader recognises, from the row's own columns (or rows already in the session)."""
    if isinstance(row, Assignment):
        officer = session.get(User, row.officer_id) if row.officer_id else None
        desa = session.get(DesaBinaan, row.desa_binaan_id) if row.desa_binaan_id else None
        return f"{officer.username if officer else row.officer_id} → {desa.village_code if desa else row.desa_binaan_id}"
    return str(getattr(row, LABELS[type(row)]))


def _plain(value: object) -> object:
    """A value as JSON can hold it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    if isinstance(value, str) and len(value) > LONGEST:
        return value[:LONGEST] + "…"
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__table__"):  # a related row in a collection (an office's regencies)
        return inspect(value).identity[0] if inspect(value).identity else str(value)
    return value


def _logged_attributes(entry: Base) -> Iterator[str]:
    mapper = inspect(entry).mapper
    for attr in mapper.column_attrs:
        if attr.key not in NOT_LOGGED:
            yield attr.key
    for rel in mapper.relationships:
        if rel.secondary is not None:  # many-to-many collections are part of the row (an office's regencies)
            yield rel.key


def _value(entry: Base, key: str) -> object:
    if key in HIDDEN:
        return "***"
    state = inspect(entry)
    if key in state.unloaded:  # a deferred column (a material's file) that was not changed
        return None
    return _plain(getattr(entry, key))


def _snapshot(entry: Base) -> dict[str, object]:
    values = {key: _value(entry, key) for key in _logged_attributes(entry)}
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def _changes(entry: Base) -> tuple[dict[str, object], dict[str, object]]:
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    state = inspect(entry)
    for key in _logged_attributes(entry):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old: object
        new: object
        rel = state.mapper.relationships.get(key)
        if rel is not None:
            old = [_plain(v) for v in (*history.unchanged, *history.deleted)]
            new = [_plain(v) for v in (*history.unchanged, *history.added)]
        elif key in HIDDEN:
            old, new = "***", "*** (new)"
        else:
            old = _plain(history.deleted[0]) if history.deleted else None
            new = _plain(history.added[0]) if history.added else None
        if old != new:
            before[key], after[key] = old, new
    return before, after


def _entry(
    session: Session,
    actor: tuple[int | None, str],
    action: str,
    row: Base,
    before: dict[str, object],
    after: dict[str, object],
) -> dict[str, object]:
    actor_id, actor_name = actor
    identity = inspect(row).mapper.primary_key_from_instance(row)
    return {
        "at": utcnow(),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "entity": row.__tablename__,
        "entity_id": ",".join(str(part) for part in identity),
        "label": _label(session, row)[:200],
        "before": before,
        "after": after,
    }


@event.listens_for(Session, "after_flush")
def _log_changes(session: Session, flush_context: UOWTransaction) -> None:
    actor = _actor(session)
    if actor is None:
        return
    rows = []
    for row in session.new:
        if isinstance(row, AUDITED):
            rows.append(_entry(session, actor, "create", row, {}, _snapshot(row)))
    for row in session.dirty:
        if isinstance(row, AUDITED) and session.is_modified(row):
            before, after = _changes(row)
            if before or after:
                rows.append(_entry(session, actor, "update", row, before, after))
    for row in session.deleted:
        if isinstance(row, AUDITED):
            rows.append(_entry(session, actor, "delete", row, _snapshot(row), {}))
    if rows:
        # A declarative model's `__table__` is a Table; SQLAlchemy types it as any FROM clause.
        session.connection().execute(insert(cast(Table, AuditEntry.__table__)), rows)


def entries(
    session: DbSession,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor_id: int | None = None,
    older_than: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[AuditEntry]:
    """The newest entries first, optionally of one kind of row, one row, or one person; `older_than` pages on."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if older_than:
        query = query.where(AuditEntry.id < older_than)
    return list(session.scalars(query))
