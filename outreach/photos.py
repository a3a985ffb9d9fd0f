"""Photos of sessions and attendance sheets. The phone shrinks them (at most 1600 px, JPEG, about 300 KB)
and uploads each after its record has reached the server. Uploads are idempotent: the same photo id, or the
same bytes for the same record, is stored once."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Photo, utcnow
from .records import RECORD_TYPES

MAX_BYTES = 400 * 1024
KINDS = ("session", "attendance")
JPEG_MAGIC = b"\xff\xd8\xff"


class PhotoError(ValueError):
    """The upload cannot be stored; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Stored:
    photo: Photo
    created: bool


def store(
    session: Session, *, officer_id: int, photo_id: str, record_type: str, record_id: str, kind: str, data: bytes
) -> Stored:
    """Store a photo of one of the officer's records. The caller commits."""
    existing = session.get(Photo, photo_id)
    if existing is not None:
        if existing.officer_id != officer_id or existing.record_id != record_id:
            raise PhotoError(409, _("This photo id is already used."))
        return Stored(existing, created=False)
    if record_type not in RECORD_TYPES or kind not in KINDS:
        raise PhotoError(400, _("Unknown record type or photo kind."))
    if len(data) > MAX_BYTES:
        raise PhotoError(413, _("The photo is larger than %(limit)d bytes.", limit=MAX_BYTES))
    if not data.startswith(JPEG_MAGIC):
        raise PhotoError(400, _("The photo must be a JPEG image."))
    record = session.get(RECORD_TYPES[record_type].model, record_id)
    if record is None or record.officer_id != officer_id:
        raise PhotoError(409, _("The photo's record has not reached the server yet; send it first."))
    digest = hashlib.sha256(data).hexdigest()
    same = session.scalar(select(Photo).where(Photo.record_id == record_id, Photo.sha256 == digest))
    if same is not None:
        return Stored(same, created=False)
    photo = Photo(
        id=photo_id, record_type=record_type, record_id=record_id, officer_id=officer_id, kind=kind,
        content_type="image/jpeg", sha256=digest, size=len(data), data=data, received_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(photo)
    except IntegrityError:
        again = session.get(Photo, photo_id) or session.scalar(
            select(Photo).where(Photo.record_id == record_id, Photo.sha256 == digest)
        )
        if again is None:
            raise
        return Stored(again, created=False)
    return Stored(photo, created=True)
