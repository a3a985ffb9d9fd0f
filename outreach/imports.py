"""Records brought to the office in a file: the last resort for a phone that cannot reach the server.

The officer's app saves its waiting records to a JSON file; a manager uploads it and the records go through
the same sync rules as if the phone had sent them (same ids, so nothing is doubled when the phone syncs later).

Each upload is kept as an `Import`: who brought it in, when, the file's name and SHA-256, whose records they
are and what became of them; each record version it stored points to it, so a record brought in by a manager
never passes for one the officer's phone sent. The same file brought in again is recognised by its hash.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from . import scope, sync, text
from .domain import DomainError
from .extensions import DbSession
from .models import Import, RecordVersion, User, utcnow
from .records import RECORD_TYPES
from .text import BodyError, load_json

RECENT = 20

FORMAT = "pimpasa-outbox"
VERSION = 1


class OutboxFileError(DomainError):
    """The file is not an export of the officer's app."""


@dataclass(frozen=True)
class OutboxFile:
    officer: str
    device_id: str
    exported_at: str
    records: list[Any]  # as the file has them: each is checked as a push checks it
    sha256: str  # of the file's bytes: the same file brought in again is known by it


def read_outbox_file(raw: bytes) -> OutboxFile:
    """Parse and check an exported outbox file, and take its digest."""
    try:
        body = load_json(raw)
    except BodyError:
        raise OutboxFileError(
            _("This file is not an export of the officer's app (it is not JSON).")
        ) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise OutboxFileError(_("This file is not an export of the officer's app."))
    if body.get("version") != VERSION:
        raise OutboxFileError(
            _("This export comes from another version of the app (%(version)s).", version=body.get("version"))
        )
    officer, device, records = body.get("officer"), body.get("device_id", ""), body.get("records")
    if not isinstance(officer, str) or not isinstance(device, str) or not isinstance(records, list):
        raise OutboxFileError(
            _("The export is incomplete: it needs the officer, the device and the records.")
        )
    return OutboxFile(
        officer=officer,
        device_id=device[:100],
        exported_at=str(body.get("exported_at", "")),
        records=records,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def earlier_import(session: DbSession, exported: OutboxFile) -> Import | None:
    """The first time this very file (the same bytes) was brought in, if it was."""
    return session.scalar(select(Import).where(Import.sha256 == exported.sha256).order_by(Import.id).limit(1))


def bring_in(
    session: DbSession, exported: OutboxFile, *, file_name: str, officer: User, by: User
) -> tuple[Import, list[dict[str, Any]]]:
    """Store the file's records as the officer's phone would have sent them, and keep who brought in which file.
    Returns the import and one sync result per record. The caller commits."""
    name = PurePosixPath(text.clean_text(file_name or "").replace("\\", "/")).name[:200]
    entry = Import(
        imported_by_id=by.id,
        imported_at=utcnow(),
        file_name=name,
        sha256=exported.sha256,
        officer_id=officer.id,
        device_id=exported.device_id,
    )
    session.add(entry)
    session.flush()
    results = sync.push(
        session,
        officer_id=officer.id,
        device_id=exported.device_id,
        records=exported.records,
        now=entry.imported_at,
        import_id=entry.id,
    )
    counts = Counter(result["status"] for result in results)
    entry.stored, entry.duplicates = counts[sync.ACCEPTED], counts[sync.DUPLICATE]
    entry.rejected = counts[sync.REJECTED]
    return entry, results


def recent(session: DbSession, offices: set[int] | None, limit: int = RECENT) -> list[Import]:
    """The latest imports that brought in records belonging to these offices (None: all imports), newest first:
    an import shows where its records do (`scope`), not where its officer works now."""
    query = select(Import).order_by(Import.id.desc()).limit(limit)
    if offices is not None:
        query = query.where(
            or_(
                *(
                    select(RecordVersion.id)
                    .join(kind.model, kind.model.id == RecordVersion.record_id)
                    .where(RecordVersion.import_id == Import.id, scope.records_in(kind.model, offices))
                    .exists()
                    for kind in RECORD_TYPES.values()
                )
            )
        )
    return list(session.scalars(query))


def provenance(session: DbSession, record_ids: list[str]) -> dict[str, list[Import]]:
    """For each record, the imports that brought in any of its versions, oldest first (records that only
    phones sent are left out)."""
    found: dict[str, list[Import]] = {}
    if not record_ids:
        return found
    rows = session.execute(
        select(RecordVersion.record_id, Import)
        .join(Import, RecordVersion.import_id == Import.id)
        .where(RecordVersion.record_id.in_(record_ids))
        .order_by(Import.id)
    )
    for record_id, entry in rows:
        if entry not in found.setdefault(record_id, []):
            found[record_id].append(entry)
    return found
