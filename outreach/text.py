"""Text and JSON from outside (a phone's push, an exported outbox file, a header) made into values the
database can store."""

import json
import re
from typing import Any

from flask_babel import lazy_gettext as _l

from .domain import DomainError

# A phone's body is a few levels deep (body, records, record, data, a list of choices); far deeper is not
# a phone.
MAX_DEPTH = 16
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyError(DomainError):
    """What a phone or a file sent is not a JSON body the server can read; the message says why."""


def load_json(raw: bytes) -> Any:
    """Read the JSON a phone sent (a push, or an exported outbox file) into values the database can store.

    NaN and Infinity are kept as the text they are, for the number fields to refuse; text is cleaned by
    `clean_text`. Raises BodyError with a message when it is not JSON or is nested far deeper than a
    phone's."""
    try:
        value = json.loads(raw, parse_constant=str)
    except RecursionError:
        raise BodyError(_l("The JSON is nested too deeply.")) from None
    except ValueError:  # not JSON, not UTF-8, or a number too long to read
        raise BodyError(_l("The body is not valid JSON.")) from None
    if _deeper_than(value, MAX_DEPTH):
        raise BodyError(_l("The JSON is nested too deeply."))
    return clean_text(value)


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return False


def clean_text(value: Any) -> Any:
    """The same JSON value with text a database can store. NUL characters are taken out (they mean nothing
    to a person, and PostgreSQL cannot store them); a lone surrogate (half an emoji cut by a phone) becomes
    U+FFFD, as neither database can store it in UTF-8. Either would otherwise fail the record."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, list):
        return [clean_text(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean_text(item) for key, item in value.items()}
    return value
