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
# In a UTF-8 JSON body a NUL or a surrogate can only come as an escape (\u0000, \ud800 to \udfff): a body
# without one, as nearly every body is, has nothing for `clean_text` to do.
ESCAPE_TO_CLEAN = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


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
    if json.detect_encoding(raw) in ("utf-8", "utf-8-sig") and not ESCAPE_TO_CLEAN.search(raw):
        return value
    return clean_text(value)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether anything sits more than `limit` levels down (the body is level 1): one level at a time, keeping
    only the lists and objects, whose children make the next level."""
    if limit < 1:
        return True
    level = [value] if isinstance(value, (dict, list)) else []
    for depth in range(1, limit + 1):
        inner: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            if children and depth == limit:
                return True
            inner.extend(child for child in children if isinstance(child, (dict, list)))
        level = inner
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
