"""Photos of sessions and attendance sheets. The phone shrinks them (at most 1600 px, JPEG, about 300 KB)
and uploads each after its record has reached the server.

What is stored is not what was sent: the photo is decoded, turned upright by its EXIF orientation and encoded
again with no metadata at all, so no GPS position, camera or comment in the file reaches a manager. A body
that is not a whole JPEG, or has more than MAX_PIXELS pixels, is refused before anything is stored.

Uploads are idempotent: the same photo id, or the same bytes for the same record, is stored once. For that
`Photo.sha256` is the digest of the bytes the phone uploaded (a retry sends them again), not of the stored
re-encoded file; `Photo.size` is the stored file's size.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import ImageFile, ImageOps, JpegImagePlugin
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .domain import DomainError
from .extensions import DbSession
from .models import Photo, utcnow
from .records import RECORD_TYPES

MAX_BYTES = 400 * 1024  # the upload route's body limit (`errors.body_limit`): larger is a 413 naming it
MAX_PIXELS = 24_000_000
QUALITY = 85
KINDS = ("session", "attendance")
JPEG_START = b"\xff\xd8\xff"


class PhotoError(DomainError):
    """The upload cannot be stored: the photo itself is wrong (not a JPEG, too large, damaged)."""


class PhotoConflict(PhotoError):
    """The upload cannot be stored as things stand on the server: its id is taken, or its record has not
    arrived yet."""


@dataclass(frozen=True)
class Stored:
    photo: Photo
    created: bool


def store(
    session: DbSession,
    *,
    officer_id: int,
    photo_id: str,
    record_type: str,
    record_id: str,
    kind: str,
    data: bytes,
) -> Stored:
    """Store a photo of one of the officer's records; ids in `records.normal_id` form. The caller commits."""
    existing = session.get(Photo, photo_id)
    if existing is not None:
        if existing.officer_id != officer_id or existing.record_id != record_id:
            raise PhotoConflict(_("This photo id is already used."))
        return Stored(existing, created=False)
    if record_type not in RECORD_TYPES or kind not in KINDS:
        raise PhotoError(_("Unknown record type or photo kind."))
    record = session.get(RECORD_TYPES[record_type].model, record_id)
    if record is None or record.officer_id != officer_id:
        raise PhotoConflict(_("The photo's record has not reached the server yet; send it first."))
    digest = hashlib.sha256(data).hexdigest()
    same = session.scalar(select(Photo).where(Photo.record_id == record_id, Photo.sha256 == digest))
    if same is not None:
        return Stored(same, created=False)
    clean = without_metadata(data)
    photo = Photo(
        id=photo_id,
        record_type=record_type,
        record_id=record_id,
        officer_id=officer_id,
        kind=kind,
        content_type="image/jpeg",
        sha256=digest,
        size=len(clean),
        data=clean,
        received_at=utcnow(),
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


def without_metadata(data: bytes) -> bytes:
    """The photo decoded, upright, and encoded again as a JPEG with no EXIF, GPS, comment or profile."""
    if not data.startswith(JPEG_START):
        raise PhotoError(_("The photo must be a JPEG image."))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as in `decoded`: corrupt EXIF is judged by what it breaks
        image = decoded(JpegImagePlugin.JpegImageFile, data)
        try:
            upright = ImageOps.exif_transpose(image)
        except Exception:  # noqa: BLE001 (see `decoded`)
            raise damaged() from None
    if upright.mode not in ("L", "RGB"):
        upright = upright.convert("RGB")
    upright.info = {}  # Pillow would otherwise carry the original's comment into the new file
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def decoded(image_file: type[ImageFile.ImageFile], data: bytes) -> ImageFile.ImageFile:
    """An image read by one of Pillow's format classes (`JpegImageFile`, `PngImageFile`) and decoded whole.

    The size is read from the header and checked before any pixel is decoded: a small file can claim
    65535 x 65535 pixels (13 GB once decoded). The format's class is used directly rather than Image.open,
    which would first apply Pillow's own, process-wide and much higher, bomb limit.

    A damaged file fails in many ways inside Pillow (OSError, SyntaxError, ValueError, TypeError, struct.error):
    all are the file's fault, a PhotoError here. Pillow's warnings (corrupt EXIF, say) are ignored, so that a
    file is taken or refused the same way whatever the process does with warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            image = image_file(io.BytesIO(data))
        except Exception:  # noqa: BLE001 (see the docstring)
            raise damaged() from None
        if image.width * image.height > MAX_PIXELS:
            raise PhotoError(
                _("The photo has more than %(limit)d megapixels.", limit=MAX_PIXELS // 1_000_000)
            )
        try:
            image.load()
        except Exception:  # noqa: BLE001
            raise damaged() from None
    return image


def damaged() -> PhotoError:
    return PhotoError(_("The photo is damaged or incomplete: take or choose it again."))
