"""Records brought to the office in a file: the last resort for a phone that cannot reach the server.

The officer's app saves its waiting records to a JSON file; a manager uploads it and the records go through
the same sync rules as if the phone had sent them (same ids, so nothing is doubled when the phone syncs later).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from .sync import BodyError, load_json

FORMAT = "pimpasa-outbox"
VERSION = 1


class OutboxFileError(ValueError):
    """The file is not an export of the officer's app."""


@dataclass(frozen=True)
class OutboxFile:
    officer: str
    device_id: str
    exported_at: str
    records: list


def read_outbox_file(raw: bytes) -> OutboxFile:
    """Parse and check an exported outbox file."""
    try:
        body = load_json(raw)
    except BodyError:
        raise OutboxFileError(_("This file is not an export of the officer's app (it is not JSON).")) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise OutboxFileError(_("This file is not an export of the officer's app."))
    if body.get("version") != VERSION:
        raise OutboxFileError(_("This export comes from another version of the app (%(version)s).", version=body.get("version")))
    officer, device, records = body.get("officer"), body.get("device_id", ""), body.get("records")
    if not isinstance(officer, str) or not isinstance(device, str) or not isinstance(records, list):
        raise OutboxFileError(_("The export is incomplete: it needs the officer, the device and the records."))
    return OutboxFile(officer=officer, device_id=device[:100], exported_at=str(body.get("exported_at", "")), records=records)
