"""The API's contract as an OpenAPI 3.1 description, served at `/api/v1/openapi.json`.

It is built from the code where the code defines things: the record types, their fields, which fields are
required, their limits and choices come from `records.RECORD_TYPES` and its forms, the limits from the app's
config, so the description cannot drift from what the server validates. It is public: it says nothing that is
not in the phone's own code, and a tool can read it without an account.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask_babel import force_locale
from wtforms.fields import SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .. import photos, sync
from ..models import RegionLevel, RiskLevel, Role
from ..records import (
    CLOCK_SKEW,
    MAX_AGE,
    RECORD_TYPES,
    CountField,
    IsoDateTimeField,
    NumberField,
    RecordType,
    ReferenceField,
)
from ..text import MAX_DEPTH
from ..vocabulary import PERIOD_PRESET, URGENCY, WARNING_STATUS
from . import bp


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def error_answer(text: str) -> dict:
    return {"description": text, "content": {"application/json": {"schema": ref("Error")}}}


def json_answer(text: str, schema: dict) -> dict:
    return {"description": text, "content": {"application/json": {"schema": schema}}}


def named(kind: RecordType, part: str) -> str:
    """The name of one of a record type's schemas: `VisitData`, `VisitStoredData`, `VisitRecord`."""
    return kind.name.capitalize() + part


def field_schema(field) -> dict:
    """The JSON Schema of one form field as the phone sends it (valid values only)."""
    if isinstance(field, IsoDateTimeField):
        schema: dict[str, Any] = {"type": "string", "format": "date-time"}
    elif isinstance(field, CountField):
        schema = {"type": "integer"}
    elif isinstance(field, NumberField):
        schema = {"type": ["number", "null"]}
    elif isinstance(field, ReferenceField):
        schema = {"anyOf": [{"type": "string", "format": "uuid"}, {"type": "null"}, {"const": ""}]}
    elif isinstance(field, SelectMultipleField):
        schema = {"type": "array", "items": {"enum": [c.value for c in field.choices]}, "uniqueItems": True}
    elif getattr(field, "choices", None):
        schema = {"type": "string", "enum": [c.value for c in field.choices]}
    else:
        schema = {"type": "string"}
    for validator in field.validators:
        if isinstance(validator, Length) and validator.max >= 0:
            schema["maxLength"] = validator.max
        elif isinstance(validator, NumberRange):
            bounds = {"minimum": validator.min, "maximum": validator.max}
            schema.update({key: value for key, value in bounds.items() if value is not None})
        elif isinstance(validator, DataRequired) and schema.get("type") == "string":
            schema["minLength"] = 1
        elif isinstance(validator, DataRequired) and schema.get("type") == "array":
            schema["minItems"] = 1
    choices = [f"`{c.value}`: {c.label}" for c in getattr(field, "choices", None) or []]
    schema["description"] = str(field.label.text) + (" (" + "; ".join(choices) + ")" if choices else "")
    return schema


def data_schema(kind: RecordType) -> dict:
    """A record type's `data`: its form's fields, the required ones those the form requires."""
    form = kind.form()
    required = [
        f.name
        for f in form
        if any(
            isinstance(v, (DataRequired, InputRequired))
            # a count left out is 0, which a count that must be 1 or more refuses
            or (isinstance(f, CountField) and isinstance(v, NumberRange) and v.min is not None and v.min > 0)
            for v in f.validators
        )
    ]
    descriptions = {
        "village": "The village code of one of the officer's desa binaan.",
        "material": "The slug of a published material of the catalogue (see `/me`).",
        "occurred_at": "When it happened; without an offset it is read in the program's time zone. At most "
        f"{MAX_AGE.days} days ago, not in the future.",
    }
    properties = {}
    for field in form:
        properties[field.name] = field_schema(field)
        if field.name in descriptions:
            properties[field.name]["description"] += ". " + descriptions[field.name]
    return {
        "type": "object",
        "title": str(kind.label),
        "properties": properties,
        "required": required,
        "description": "The fields of the form. Fields not listed are ignored. A position needs both `lat` and "
        "`lng`; a session counts at least one person.",
    }


def stored_data_schema(kind: RecordType) -> dict:
    """A record type's `data` as the server sends it back: every field, optional ones possibly empty."""
    schema = data_schema(kind)
    properties = {}
    for name, field in schema["properties"].items():
        if name in schema["required"]:
            properties[name] = field
        else:
            properties[name] = {
                "anyOf": [field, {"type": "null"}],
                "description": field.get("description", ""),
            }
    return {
        **schema,
        "properties": properties,
        "required": list(properties),
        "description": "A stored record's fields.",
    }


def pushed_record(kind: RecordType) -> dict:
    return {
        "type": "object",
        "title": str(kind.label),
        "properties": {
            "id": {
                "type": "string",
                "format": "uuid",
                "description": "Made on the phone; compared in lower case.",
            },
            "type": {"const": kind.name},
            "data": ref(named(kind, "Data")),
            "updated_at": {
                "type": "string",
                "format": "date-time",
                "description": "When the phone saved this version; the latest wins. Not before "
                f"{sync.EARLIEST.year}, not ahead of the server's clock by more than "
                f"{CLOCK_SKEW.total_seconds() / 60:.0f} minutes.",
            },
            "voided": {
                "type": ["boolean", "null"],
                "description": "True for a void: final, the record never comes back.",
            },
        },
        "required": ["id", "type", "data", "updated_at"],
    }


def figures_schema() -> dict:
    counts = [
        "desa_binaan",
        "covered",
        "visits",
        "sessions",
        "people",
        "people_male",
        "people_female",
        "people_under_18",
        "materials",
        "open_warnings",
    ]
    return {
        "type": "object",
        "properties": {
            **{name: {"type": "integer", "minimum": 0} for name in counts},
            "coverage_rate": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        },
        "required": [*counts, "coverage_rate"],
    }


def schemas() -> dict:
    config = current_app.config
    region = {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "level": {"enum": [level.value for level in RegionLevel]},
        },
        "required": ["code", "name", "level"],
    }
    found: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {
                "error": {"type": "string", "description": "A short code, e.g. `bad_request`, `csrf`."},
                "message": {"type": "string", "description": "What was wrong, in the user's language."},
            },
            "required": ["error", "message"],
        },
        "Me": {
            "type": "object",
            "properties": {
                "user": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "username": {"type": "string"},
                        "name": {"type": "string"},
                        "role": {"enum": [role.value for role in Role]},
                    },
                    "required": ["id", "username", "name", "role"],
                },
                "office": {
                    "anyOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                            "required": ["code", "name"],
                        },
                    ]
                },
                "villages": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "name": {"type": "string"},
                            "path": {"type": "array", "items": {"type": "string"}},
                            "risk_level": {"enum": [level.value for level in RiskLevel]},
                            "lat": {"type": ["number", "null"]},
                            "lng": {"type": ["number", "null"]},
                        },
                        "required": ["code", "name", "path", "risk_level", "lat", "lng"],
                    },
                    "description": "The officer's desa binaan now (empty for other roles).",
                },
                "materials": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "slug": {"type": "string"},
                            "title": {"type": "string"},
                            "kind": {"type": "string"},
                        },
                        "required": ["slug", "title", "kind"],
                    },
                },
                "csrf_token": {
                    "type": "string",
                    "description": "Send it back in the `X-CSRFToken` header of writes.",
                },
                "revision": {"type": "integer", "minimum": 0},
                "limits": {
                    "type": "object",
                    "properties": {
                        "records": {
                            "const": config["SYNC_MAX_RECORDS"],
                            "description": "Records in one push.",
                        },
                        "bytes": {
                            "const": config["MAX_CONTENT_LENGTH"],
                            "description": "Bytes in one request body.",
                        },
                    },
                    "required": ["records", "bytes"],
                },
                "sms": {
                    "anyOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "properties": {
                                "gateway": {
                                    "type": "string",
                                    "description": "The officer's office's SMS gateway number; empty "
                                    "when it has none.",
                                },
                                "officer": {"type": "integer"},
                                "secret": {
                                    "type": "string",
                                    "pattern": "^[0-9a-f]{64}$",
                                    "description": "The key of the officer's SMS codes (see `POST /sms`).",
                                },
                                "urgencies": {
                                    "type": "array",
                                    "items": {"enum": list(URGENCY.values)},
                                    "description": "The urgencies a warning may be sent by SMS with.",
                                },
                            },
                            "required": ["gateway", "officer", "secret", "urgencies"],
                        },
                    ],
                    "description": "Officers only: what the phone needs to send an urgent warning by SMS.",
                },
            },
            "required": [
                "user",
                "office",
                "villages",
                "materials",
                "csrf_token",
                "revision",
                "limits",
                "sms",
            ],
        },
        "Sms": {
            "oneOf": [
                {
                    "type": "object",
                    "description": "The plain format.",
                    "properties": {
                        "from": {"type": "string", "description": "The sender's number."},
                        "text": {"type": "string", "description": "The SMS, as received."},
                        "received_at": {"type": "string", "format": "date-time"},
                    },
                    "required": ["from", "text"],
                },
                {
                    "type": "object",
                    "description": "The `sms:received` webhook of SMS Gateway for Android "
                    "(capcom6/android-sms-gateway).",
                    "properties": {
                        "event": {"const": "sms:received"},
                        "deviceId": {"type": "string"},
                        "id": {"type": "string"},
                        "webhookId": {"type": "string"},
                        "payload": {
                            "type": "object",
                            "properties": {
                                "messageId": {"type": "string"},
                                "message": {"type": "string"},
                                "phoneNumber": {"type": "string"},
                                "simNumber": {"type": ["integer", "null"]},
                                "receivedAt": {"type": "string", "format": "date-time"},
                            },
                            "required": ["message", "phoneNumber"],
                        },
                    },
                    "required": ["event", "payload"],
                },
            ],
            "description": "An SMS the office's gateway received. Its text reads `PIMPASA W <officer> <record> "
            "<village> <urgency> <category> <source> <people> <when> <code>` (see outreach/sms.py).",
        },
        "SmsStored": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid", "description": "The warning's id."},
                "status": {
                    "enum": [sync.ACCEPTED, sync.DUPLICATE],
                    "description": "`duplicate`: the server had this warning already (a replayed SMS, or the "
                    "full record synced first); nothing was stored.",
                },
                "rev": {"type": ["integer", "null"]},
            },
            "required": ["id", "status", "rev"],
        },
        "Push": {
            "type": "object",
            "properties": {
                "device_id": {"type": "string", "maxLength": 100, "description": "The phone's own id."},
                "pending": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": sync.MAX_PENDING,
                    "description": "Records still waiting on the phone after this batch.",
                },
                "records": {
                    "type": "array",
                    "maxItems": config["SYNC_MAX_RECORDS"],
                    "items": ref("PushedRecord"),
                },
            },
            "required": ["records"],
            "description": f"JSON nested at most {MAX_DEPTH} levels deep.",
        },
        "PushedRecord": {"oneOf": [ref(named(kind, "Record")) for kind in RECORD_TYPES.values()]},
        "PushResult": {
            "type": "object",
            "properties": {
                "id": {
                    "type": ["string", "null"],
                    "description": "The id as the phone sent it (null if it was not text).",
                },
                "status": {
                    "enum": [sync.ACCEPTED, sync.DUPLICATE, sync.REJECTED],
                    "description": "`accepted`: stored (or kept in the history); `duplicate`: this version was already "
                    "stored; `rejected`: not stored, `errors` says why. The phone may forget an accepted or "
                    "duplicate version.",
                },
                "rev": {"type": "integer", "minimum": 1, "description": "The record's server revision."},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Field name (or `id`, `type`, `updated_at`, `data`, `record`): messages "
                    "in the user's language.",
                },
                "superseded": {
                    "const": True,
                    "description": "A later version is current; this one is in the history.",
                },
            },
            "required": ["id", "status"],
        },
        "PushAnswer": {
            "type": "object",
            "properties": {
                "results": {
                    "type": "array",
                    "items": ref("PushResult"),
                    "description": "One per record, in order.",
                }
            },
            "required": ["results"],
        },
        "Change": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "type": {"enum": list(RECORD_TYPES)},
                "rev": {"type": "integer", "minimum": 1},
                "data": {"type": "object"},
                "updated_at": {"type": "string", "format": "date-time"},
                "voided": {"type": "boolean"},
                "version": {"type": "integer", "minimum": 1},
                "officer": {
                    "type": "object",
                    "properties": {"username": {"type": "string"}, "name": {"type": "string"}},
                    "required": ["username", "name"],
                },
                "mine": {"type": "boolean"},
                "sms_received_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "Early warnings only: when it first reached the office as an SMS.",
                },
                "follow_up": {
                    "type": "object",
                    "description": "Early warnings only: the office's follow-up.",
                    "properties": {
                        "status": {"enum": list(WARNING_STATUS.values)},
                        "note": {"type": "string"},
                        "updated_at": {"type": ["string", "null"], "format": "date-time"},
                    },
                    "required": ["status", "note", "updated_at"],
                },
            },
            "required": ["id", "type", "rev", "data", "updated_at", "voided", "version", "officer", "mine"],
            "oneOf": [
                {"properties": {"type": {"const": kind.name}, "data": ref(named(kind, "StoredData"))}}
                for kind in RECORD_TYPES.values()
            ],
        },
        "Changes": {
            "type": "object",
            "properties": {
                "changes": {"type": "array", "items": ref("Change"), "maxItems": config["CHANGES_PAGE_SIZE"]},
                "next": {"type": "integer", "minimum": 0, "description": "The cursor of the next pull."},
                "more": {"type": "boolean", "description": "True when another page is waiting."},
            },
            "required": ["changes", "next", "more"],
        },
        "PhotoStored": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "status": {"enum": [sync.ACCEPTED, sync.DUPLICATE]},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            },
            "required": ["id", "status", "sha256"],
        },
        "Region": region,
        "Figures": figures_schema(),
        "Coverage": {
            "type": "object",
            "properties": {
                "region": ref("Region"),
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "timezone": {
                    "type": "string",
                    "description": "The IANA zone whose days `from` and `to` are: that of the offices serving the "
                    "region when they share one, else the user's office's (the configured default for an admin).",
                },
                "totals": ref("Figures"),
                "rows": {
                    "type": "array",
                    "items": {"allOf": [ref("Region"), ref("Figures")]},
                    "description": "The region's child regions.",
                },
            },
            "required": ["region", "from", "to", "timezone", "totals", "rows"],
        },
    }
    for kind in RECORD_TYPES.values():
        found[named(kind, "Data")] = data_schema(kind)
        found[named(kind, "StoredData")] = stored_data_schema(kind)
        found[named(kind, "Record")] = pushed_record(kind)
    return found


def document() -> dict:
    """The OpenAPI 3.1 description of the API (needs an app context; labels in English)."""
    config = current_app.config
    common = {
        "401": error_answer("Not logged in, or the session ended: log in again at `/masuk`."),
        "403": error_answer("The user's role may not use this endpoint."),
    }
    date_param = {"schema": {"type": "string", "format": "date"}, "in": "query"}
    with force_locale("en"):
        components = schemas()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pimpasa Outreach sync API",
            "version": "1",
            "description": (
                "The API the officer's phone talks to. Every endpoint but this description needs a logged-in "
                "session: log in through the form at `/masuk`, and send back the session cookie; a session ends at "
                "log-out, when the password changes or when the office signs the device out. Writes (POST, PUT) also need the `X-CSRFToken` header, with the token "
                "from `GET /api/v1/me`. Errors are always JSON: `{error, message}`, the message in the user's "
                "language. Nothing a phone sends is answered 5xx unless the server itself fails."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": config.get("SESSION_COOKIE_NAME", "session"),
                    "description": "The session cookie set by logging in at `/masuk`.",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "The `csrf_token` of `GET /api/v1/me`; needed on every write.",
                },
                "gateway": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The server's `SMS_WEBHOOK_SECRET`, which the office's SMS gateway sends.",
                },
                "gatewaySignature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Signature",
                    "description": "SMS Gateway for Android's signature, its signing key set to "
                    "`SMS_WEBHOOK_SECRET`: hex HMAC-SHA256 of the raw body followed by the `X-Timestamp` header "
                    "(Unix seconds, within 5 minutes of the server's clock).",
                },
            },
        },
        "security": [{"session": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "security": [],
                    "responses": {"200": json_answer("The OpenAPI document.", {"type": "object"})},
                }
            },
            "/me": {
                "get": {
                    "summary": "Who the user is, their desa binaan, the catalogue, the CSRF token and the limits",
                    "responses": {"200": json_answer("The user.", ref("Me")), "401": common["401"]},
                }
            },
            "/logout": {
                "post": {
                    "summary": "End this device's session on the server (the phone's log-out)",
                    "description": "Also sent when the connection returns after a log-out made offline, before "
                    "anything else. The answer asks the browser to drop its HTTP cache "
                    "(`Clear-Site-Data`).",
                    "security": [{"session": [], "csrf": []}],
                    "responses": {
                        "200": json_answer(
                            "The session has ended.",
                            {
                                "type": "object",
                                "properties": {"logged_out": {"const": True}},
                                "required": ["logged_out"],
                            },
                        ),
                        "400": error_answer("No CSRF token."),
                        "401": common["401"],
                    },
                }
            },
            "/sync": {
                "post": {
                    "summary": "Push a batch of records (officers)",
                    "description": "One result per record, in order. A record that cannot be stored is `rejected` "
                    "with reasons; the rest of the batch is stored all the same. The same version "
                    "pushed again is a `duplicate`; an id another type holds is rejected.",
                    "security": [{"session": [], "csrf": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref("Push")}},
                    },
                    "responses": {
                        "200": json_answer("One result per record.", ref("PushAnswer")),
                        "400": error_answer(
                            "Not a JSON object with a `records` list, a bad `device_id` or `pending`, "
                            "JSON nested too deeply, or no CSRF token."
                        ),
                        **common,
                        "413": error_answer(
                            f"More than {config['SYNC_MAX_RECORDS']} records, or a body over "
                            f"{config['MAX_CONTENT_LENGTH']} bytes."
                        ),
                    },
                }
            },
            "/sms": {
                "post": {
                    "summary": "An SMS the office's gateway received: an urgent warning sent without data",
                    "description": "Only with `SMS_WEBHOOK_SECRET` set on the server (404 otherwise). The SMS's "
                    "code must be its officer's (an HMAC keyed with the `sms.secret` of their `GET /me`), its "
                    "village one of their desa binaan; the warning is then stored as their push would store it "
                    "(the office's managers are notified), marked as received by SMS, and the phone's later sync "
                    "of the same id completes it. Refused SMS are logged, never stored.",
                    "security": [{"gateway": []}, {"gatewaySignature": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": ref("Sms")}},
                    },
                    "responses": {
                        "201": json_answer("The warning is stored.", ref("SmsStored")),
                        "200": json_answer("The server had this warning already.", ref("SmsStored")),
                        "400": error_answer("Not JSON, not a webhook format, or not a warning SMS."),
                        "401": error_answer(
                            "The bearer secret or the gateway's signature is missing or wrong."
                        ),
                        "403": error_answer("The SMS names no active officer, or its code is not theirs."),
                        "404": error_answer("SMS warnings are not set up on this server."),
                        "409": error_answer("The record id belongs to another record."),
                        "413": error_answer(f"A body over {config['MAX_CONTENT_LENGTH']} bytes."),
                        "422": error_answer(
                            "The warning is not valid (e.g. not one of the officer's villages)."
                        ),
                    },
                }
            },
            "/changes": {
                "get": {
                    "summary": "Records changed after a revision that the officer may see (officers)",
                    "parameters": [
                        {
                            "name": "since",
                            "in": "query",
                            "schema": {"type": "string", "pattern": "^[0-9]+$"},
                            "description": "The `next` of the previous page; 0 for everything.",
                        }
                    ],
                    "responses": {
                        "200": json_answer("A page of changes, oldest first.", ref("Changes")),
                        "400": error_answer("`since` is not a revision number."),
                        **common,
                    },
                }
            },
            "/photos/{photo_id}": {
                "put": {
                    "summary": "Upload a JPEG of one of the officer's records, after the record (officers)",
                    "security": [{"session": [], "csrf": []}],
                    "parameters": [
                        {
                            "name": "photo_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "format": "uuid"},
                        },
                        {
                            "name": "type",
                            "in": "query",
                            "required": True,
                            "schema": {"enum": list(RECORD_TYPES)},
                        },
                        {
                            "name": "record",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string", "format": "uuid"},
                        },
                        {
                            "name": "kind",
                            "in": "query",
                            "schema": {"enum": list(photos.KINDS), "default": "session"},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "image/jpeg": {
                                "schema": {
                                    "type": "string",
                                    "contentEncoding": "binary",
                                    "maxLength": photos.MAX_BYTES,
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": json_answer("Stored.", ref("PhotoStored")),
                        "200": json_answer(
                            "Already stored (the same id, or the same bytes for the record).",
                            ref("PhotoStored"),
                        ),
                        "400": error_answer(
                            "Not a UUID, an unknown type or kind, not a whole JPEG image, over "
                            f"{photos.MAX_PIXELS // 1_000_000} megapixels, or no CSRF token."
                        ),
                        **common,
                        "409": error_answer(
                            "The record has not reached the server yet, or the photo id is used."
                        ),
                        "413": error_answer(f"Over {photos.MAX_BYTES} bytes."),
                    },
                }
            },
            "/coverage": {
                "get": {
                    "summary": "Coverage of a region and of each child region, within the user's offices (managers)",
                    "parameters": [
                        {
                            "name": "region",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "A Kemendagri region code; empty for the whole country. Without it: the region of "
                            "the user's office (a Kanim's regency, a Kanwil's province; the country for admins).",
                        },
                        {
                            "name": "from",
                            **date_param,
                            "description": "First day; with `to`, else the `period` preset.",
                        },
                        {"name": "to", **date_param, "description": "Last day."},
                        {
                            "name": "period",
                            "in": "query",
                            "schema": {"enum": list(PERIOD_PRESET.values), "default": "30"},
                            "description": "This month so far, the last 30 or 90 days, or this quarter, when `from` and `to` "
                            "are not both given.",
                        },
                    ],
                    "responses": {
                        "200": json_answer("The figures.", ref("Coverage")),
                        "400": error_answer(
                            "A date that is not YYYY-MM-DD, or out of the supported range; a period that "
                            "ends before it starts, or is longer than five years."
                        ),
                        **common,
                        "404": error_answer("No region with this code."),
                    },
                }
            },
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
