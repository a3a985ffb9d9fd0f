"""The one rule for every password a person sets (the managers' pages, changing one's own password,
`flask create-user`, the demo): at least `MIN_LENGTH` characters, and not one a guesser tries early.

"Early" is zxcvbn's estimate, offline: it knows the common passwords, words, names, dates, keyboard walks,
repeats and sequences, and is told the user's own words (username, name) and the program's, which guessers try
first. A score of `MIN_SCORE` (about 10^8 guesses) is out of reach of an online guesser, who gets 20 tries an
hour (see throttle.py). zxcvbn's feedback is English only, so the reason given is ours, in the user's
language.

One check takes about 2 ms for a password of 10 to 20 characters, up to about 90 ms at `CHECKED_LENGTH`."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from zxcvbn import zxcvbn

from . import sessions
from .extensions import DbSession
from .models import LoginSession, User

MIN_LENGTH = 10
MIN_SCORE = 3
# zxcvbn refuses longer passwords; the characters after these can only add to the guesses needed.
CHECKED_LENGTH = 72
PROGRAM_WORDS = ("pimpasa", "imigrasi", "outreach", "jambi", "desa", "binaan")

# Why a password is easy to guess, from the kind of zxcvbn's matches, the most telling first.
REASONS = {
    "yours": _l(
        "This password is too easy to guess: it contains your name, your username or the program's name."
    ),
    "common": _l("This password is too easy to guess: it is one of the most common passwords."),
    "word": _l("This password is too easy to guess: it is mostly a common word or name."),
    "date": _l("This password is too easy to guess: it is mostly a date or a year."),
    "sequence": _l("This password is too easy to guess: it is mostly a sequence like abc or 123."),
    "repeat": _l("This password is too easy to guess: it repeats the same letters."),
    "keyboard": _l("This password is too easy to guess: it follows keys next to each other."),
}
GUESSABLE = _l(
    "This password is too easy to guess. Three or four unrelated words joined by dashes make a strong one."
)
TOO_SHORT = _l("The password must be at least %(count)d characters.", count=MIN_LENGTH)

# zxcvbn keeps the user's words in a module-level dictionary while it checks: one check at a time per process.
_zxcvbn_lock = threading.Lock()


def problem(password: str, *, username: str = "", full_name: str = "") -> LazyString | None:
    """Why `password` may not be used, as a message translated when shown; None when it may be used.

    zxcvbn counts "rina-marlina1" as strong enough, so a second look: with the user's and the program's words
    taken out, what is left must still take a million guesses on its own."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    checked = password[:CHECKED_LENGTH]
    words = own_words(username, full_name)
    result = _estimate(checked, words)
    if result["score"] < MIN_SCORE:
        kinds = {kind for match in result["sequence"] if (kind := _kind(match)) is not None}
        return REASONS[min(kinds, key=list(REASONS).index)] if kinds else GUESSABLE
    rest = checked.lower()
    for word in sorted((word for word in words if len(word) >= 3), key=len, reverse=True):
        rest = rest.replace(word, "")
    if rest != checked.lower() and _estimate(rest, [])["score"] < MIN_SCORE - 1:
        return REASONS["yours"]
    return None


def _estimate(password: str, words: list[str]) -> Mapping[str, Any]:
    with _zxcvbn_lock:
        return zxcvbn(password, user_inputs=words)


def set_own(session: DbSession, user: User, password: str, *, keep: LoginSession | None) -> None:
    """The user's own new password (already checked): nothing more to change, and every device but `keep` signed
    out, so whoever knew the old password is out too. The caller commits."""
    user.set_password(password)
    user.must_change_password = False
    sessions.end_all(session, user, "password_changed", keep=keep)


def own_words(username: str, full_name: str) -> list[str]:
    """The words a guesser who knows the user would try: the username and name, whole and in parts, and the
    program's own words."""
    words = [username, *re.split(r"[\W_]+", f"{username} {full_name}"), *PROGRAM_WORDS]
    return [word.lower() for word in words if word]


def _kind(match: Mapping[str, Any]) -> str | None:
    pattern = match["pattern"]
    if pattern == "dictionary":
        return {"user_inputs": "yours", "passwords": "common"}.get(match["dictionary_name"], "word")
    return {
        "regex": "date",
        "date": "date",
        "sequence": "sequence",
        "repeat": "repeat",
        "spatial": "keyboard",
    }.get(pattern)
