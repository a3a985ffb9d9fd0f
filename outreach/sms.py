"""Urgent early warnings by SMS, for an officer with voice coverage but no data.

The phone composes the text (static/js/sms.js) and opens the SMS app with it, addressed to the office's gateway
number (`Office.sms_gateway`). The office's gateway (an Android phone running SMS Gateway for Android, or any
gateway that can post JSON) forwards it to `POST /api/v1/sms`, which stores the warning through the same path
as a sync push (`sync.push`: the same checks, office and notices), marked with `sms_received_at`.

The text, GSM-7 only (letters, digits, `.`, `_`, spaces) and one SMS long (137 characters at the longest codes
and numbers, of 160), fields separated by spaces, read without regard to case:

    PIMPASA W <officer> <record> <village> <urgency> <category> <source> <people> <when> <code>

- `officer`: the officer's user id;
- `record`: the warning's UUID, as the base32 of its 16 bytes without padding (26 characters);
- `village`: the desa binaan's Kemendagri code (15.71.01.1001);
- `urgency`, `category`, `source`: codes of outreach/vocabulary.py;
- `people`: how many people are at risk (`people_count`; 0: not counted), never who;
- `when`: when it happened, in UTC, as yyMMddHHmm;
- `code`: the first 10 characters of the base32 of HMAC-SHA256 keyed with the officer's SMS secret, over the
  text before it in its canonical form (the fields above joined by one space, `PIMPASA W` and the record in
  upper case, the codes in lower case).

The officer's secret (`officer_secret`) comes to the phone at log-in in `/api/v1/me`. It is derived from the
app's SECRET_KEY, the officer's id and their password hash, so that it changes (and every code made with the
old one stops verifying) when the password does. The code covers the record id: copied onto another record it
proves nothing. A replayed SMS names a record already stored: it is answered as a duplicate, without a second
warning. A text that is not in the format, names no active officer of an office, or whose code does not verify
is refused (`Refused`) and logged, never stored.

The SMS carries no description: the warning is stored with a neutral one (`PLACEHOLDER`, shown in the reader's
language) and no names. Its version is dated `sync.EARLIEST`, before any version a phone can send, so the
full record, synced later with the same id, replaces it as an ordinary later edit: one warning, no conflict,
and no second notice (notices are written for new warnings only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import sync
from .extensions import DbSession
from .models import EarlyWarning, RecordId, Role, User, iso_utc
from .records import MAX_PEOPLE, RECORD_TYPES
from .vocabulary import URGENCY, WARNING_CATEGORY, WARNING_SOURCE

PREFIX = "PIMPASA W"
CODE_LENGTH = 10
MAX_LENGTH = 160
DEVICE = "sms"  # the device id its versions are kept with
# The description a warning has until its full record arrives: stored as it is, shown translated.
PLACEHOLDER = "(sms)"
PLACEHOLDER_LABEL = _l("(sent by SMS; the details follow when the phone has data)")
WHEN_FORMAT = "%y%m%d%H%M"
_FIELDS = re.compile(r"\s+")
_BASE32 = re.compile(r"[A-Z2-7]{26}")
_VILLAGE = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")

log = logging.getLogger(__name__)


class Refused(Exception):
    """An SMS that is not stored: `status` is the HTTP answer, `error` a short code, the message says why."""

    def __init__(self, status: int, error: str, message: Any):
        super().__init__(str(message))
        self.status, self.error, self.message = status, error, str(message)


@dataclass(frozen=True)
class Message:
    """What an SMS says, read and checked for shape (not yet for its proof)."""

    officer_id: int
    record_id: str
    village: str
    urgency: str
    category: str
    source: str
    people: int
    occurred_at: datetime  # naive UTC
    code: str

    def signed_text(self) -> str:
        """The text the code is computed over, in its canonical form."""
        return " ".join(
            [
                PREFIX,
                str(self.officer_id),
                short_id(self.record_id),
                self.village,
                self.urgency,
                self.category,
                self.source,
                str(self.people),
                self.occurred_at.strftime(WHEN_FORMAT),
            ]
        )


def officer_secret(secret_key: str, user: User) -> str:
    """The key an officer's phone signs SMS with: it changes when their password does."""
    message = f"pimpasa-sms\x00{user.id}\x00{user.password_hash}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def proof(secret: str, signed_text: str) -> str:
    """The code that ends an SMS: HMAC-SHA256 keyed with the officer's secret (its text's bytes), base32, cut."""
    digest = hmac.new(secret.encode(), signed_text.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


def short_id(record_id: str) -> str:
    """A record's UUID as 26 base32 characters."""
    return base64.b32encode(uuid.UUID(record_id).bytes).decode().rstrip("=")


def compose(message: Message, secret: str) -> str:
    """The whole SMS, with its code (as static/js/sms.js composes it; used by the tests and to document)."""
    signed = message.signed_text()
    return f"{signed} {proof(secret, signed)}"


def _malformed(why: Any) -> Refused:
    return Refused(400, "malformed", why)


def parse(text: Any) -> Message:
    """Read an SMS in the format above; `Refused` (400) says what is wrong with one that is not."""
    if not isinstance(text, str) or not text.strip():
        raise _malformed(_l("The SMS text is empty."))
    if len(text) > MAX_LENGTH * 2:
        raise _malformed(_l("The SMS text is too long to be a warning."))
    parts = _FIELDS.split(text.strip())
    if len(parts) != 11 or " ".join(parts[:2]).upper() != PREFIX:
        raise _malformed(
            _l("Not an early warning SMS: it must read PIMPASA W followed by 9 fields separated by spaces.")
        )
    officer, record, village, urgency, category, source, people, when, code = parts[2:]
    urgency, category, source = urgency.lower(), category.lower(), source.lower()
    if not (officer.isascii() and officer.isdigit() and len(officer) <= 9):
        raise _malformed(_l("The officer must be a number."))
    record = record.upper()
    if not _BASE32.fullmatch(record):
        raise _malformed(_l("The record id must be 26 base32 characters."))
    if not _VILLAGE.fullmatch(village):
        raise _malformed(_l("The village must be a region code such as 15.71.01.1001."))
    for value, vocabulary in ((urgency, URGENCY), (category, WARNING_CATEGORY), (source, WARNING_SOURCE)):
        if value not in vocabulary:
            raise _malformed(
                _l(
                    "Unknown %(list)s: %(value)s. Known: %(known)s.",
                    list=vocabulary.name,
                    value=value[:40],
                    known=", ".join(vocabulary.values),
                )
            )
    if not (people.isascii() and people.isdigit() and len(people) <= 6 and int(people) <= MAX_PEOPLE):
        raise _malformed(_l("The number of people must be between 0 and %(max)d.", max=MAX_PEOPLE))
    try:
        occurred_at = datetime.strptime(when, WHEN_FORMAT) if when.isascii() and when.isdigit() else None
    except ValueError:
        occurred_at = None
    if occurred_at is None or len(when) != 10:
        raise _malformed(_l("The time must be yyMMddHHmm in UTC."))
    return Message(
        officer_id=int(officer),
        record_id=str(uuid.UUID(bytes=base64.b32decode(record + "======"))),
        village=village,
        urgency=urgency,
        category=category,
        source=source,
        people=int(people),
        occurred_at=occurred_at,
        code=code.upper(),
    )


def verify(session: DbSession, message: Message, *, secret_key: str) -> User:
    """The officer who sent the SMS, when they are an active officer of an office and its code is theirs."""
    user = session.get(User, message.officer_id)
    if user is None or not user.active or user.role != Role.officer or user.office_id is None:
        raise Refused(403, "unknown_officer", _l("The SMS names no active officer of an office."))
    expected = proof(officer_secret(secret_key, user), message.signed_text())
    if not hmac.compare_digest(expected.encode(), message.code.encode()):
        raise Refused(403, "forged", _l("The SMS's code does not prove its officer: it is refused."))
    return user


@dataclass(frozen=True)
class Outcome:
    """What became of an SMS the server took: `accepted` (a new warning) or `duplicate` (it has it already)."""

    status: str
    warning_id: str
    rev: int | None


def receive(
    session: DbSession,
    *,
    text: Any,
    sender: str,
    received_at: datetime | None,
    secret_key: str,
    now: datetime,
) -> Outcome:
    """Store the warning an SMS carries, as a sync push of its officer would, marked as received by SMS; a
    second copy of it stores nothing. Raises `Refused`, logged, for one that is not stored. The caller
    commits."""
    try:
        message = parse(text)
        officer = verify(session, message, secret_key=secret_key)
        return _store(session, message, officer, received_at=min(received_at or now, now), now=now)
    except Refused as refused:
        log.warning(
            "SMS from %s refused (%s): %s; text %r",
            sender[:40],
            refused.error,
            refused.message,
            str(text)[:200],
        )
        raise


def _store(
    session: DbSession, message: Message, officer: User, *, received_at: datetime, now: datetime
) -> Outcome:
    holder = session.get(RecordId, message.record_id)
    if holder is not None:
        if holder.officer_id != officer.id or holder.record_type != EarlyWarning.record_type:
            raise Refused(409, "conflict", _l("This record id is already used by another record."))
        rev = session.scalar(select(EarlyWarning.rev).where(EarlyWarning.id == message.record_id))
        # A gateway that sends again what it got no answer for, or someone replaying the text: nothing stored.
        log.warning(
            "SMS for warning %s arrived again: it is stored already, nothing changed", message.record_id
        )
        return Outcome("duplicate", message.record_id, rev)
    record = {
        "id": message.record_id,
        "type": EarlyWarning.record_type,
        "updated_at": iso_utc(sync.EARLIEST),
        "data": {
            "village": message.village,
            "occurred_at": iso_utc(message.occurred_at),
            "urgency": message.urgency,
            "category": message.category,
            "source": message.source,
            "people_count": message.people,
            "description": PLACEHOLDER,
            "people_involved": "",
        },
    }
    [result] = sync.push(session, officer_id=officer.id, device_id=DEVICE, records=[record], now=now)
    if result["status"] == sync.REJECTED:
        labels = {
            field.name: str(field.label.text) for field in RECORD_TYPES[EarlyWarning.record_type].form()
        }
        reasons = [
            f"{labels.get(name, name)}: {' '.join(messages)}" for name, messages in result["errors"].items()
        ]
        raise Refused(422, "rejected", "; ".join(reasons))
    if result["status"] == sync.ACCEPTED:
        warning = session.get_one(EarlyWarning, message.record_id)
        warning.sms_received_at = received_at
    return Outcome(result["status"], message.record_id, result.get("rev"))


def description(warning: EarlyWarning) -> str:
    """A warning's description as people read it: the placeholder of one that came by SMS, in their language."""
    return str(PLACEHOLDER_LABEL) if warning.description == PLACEHOLDER else warning.description


# How far an Android gateway's signed request may be from the server's clock (its docs: ±5 minutes).
SIGNATURE_WINDOW = 5 * 60


def gateway_authorized(
    secret: str, *, authorization: str, signature: str, timestamp: str, body: bytes, now: float
) -> bool:
    """Whether a webhook request comes from the office's gateway: `Authorization: Bearer <secret>`, or SMS
    Gateway for Android's own signature, with `secret` as its signing key (`X-Signature`: hex HMAC-SHA256 of
    the raw body followed by `X-Timestamp`, Unix seconds within `SIGNATURE_WINDOW` of now). Both compared in
    constant time."""
    scheme, _space, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return hmac.compare_digest(token.strip().encode(), secret.encode())
    if not signature or not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    expected = hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


def read_webhook(body: Any) -> tuple[str, str, datetime | None]:
    """The sender, text and receiving time of a gateway's webhook: the plain format `{"from", "text",
    "received_at"}` or SMS Gateway for Android's `sms:received` event. `Refused` (400) for anything else."""
    if not isinstance(body, dict):
        raise _malformed(_l("The body must be a JSON object."))
    if "event" in body or "payload" in body:
        if body.get("event") != "sms:received":
            raise _malformed(_l("Only the sms:received event carries a warning."))
        payload = body.get("payload")
        if not isinstance(payload, dict):
            raise _malformed(_l('"payload" must be an object.'))
        sender, text, when = payload.get("phoneNumber"), payload.get("message"), payload.get("receivedAt")
    else:
        sender, text, when = body.get("from"), body.get("text"), body.get("received_at")
    if not isinstance(sender, str) or not isinstance(text, str):
        raise _malformed(_l("The sender and the text must be given, as text."))
    received_at = None
    if when is not None:
        received_at = sync.parse_instant(when)
        if received_at is None:
            raise _malformed(_l("The receiving time must be an ISO 8601 timestamp."))
    return sender, text, received_at
