"""Log-in throttling, and a password check that takes as long for an unknown username as for a real one.

Tries are rows in the database, not counters in a worker's memory, so the four gunicorn workers of the README
(and any number of servers) count the same tries. A window slides over the last 15 minutes:

- 5 failures per username: a guesser gets 20 passwords an hour at most on any one account, while an officer
  who mistypes a few times is never held up, and is let in again 15 minutes after the fifth mistake;
- 20 failures per address, across usernames: one machine trying one common password on many accounts is
  stopped too. It is higher than the account's limit because an office's computers and phones on its wifi
  share one public address.

A log-in that succeeds clears its account's failures (and so what they added to the address's count)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TypeGuard

from sqlalchemy import ColumnElement, delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .models import LoginAttempt, User, utcnow

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


@dataclass(frozen=True)
class Locked:
    """The answer to a try past a limit: how long until one more try is allowed."""

    retry_after: timedelta

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.retry_after.total_seconds()))

    @property
    def minutes(self) -> int:
        return math.ceil(self.seconds / 60)


def begin(username: str, address: str, *, now: datetime | None = None) -> Locked | None:
    """Count a log-in try before its password is checked; a `Locked` when the account or the address is past its
    limit (the try is then not counted, and its password must not be checked).

    The try is committed before the counting, so tries arriving at once on several workers each see every try
    committed before theirs: the n-th try counts at least n rows, and no more than the limit get through."""
    now = now or utcnow()
    since = now - WINDOW
    db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.at <= since)
    )  # the table never grows past a window
    attempt = LoginAttempt(username=username, address=address[:64], at=now)
    db.session.add(attempt)
    db.session.flush()
    # Read before the commit: a log-in of the same account that succeeds meanwhile deletes its tries, this one too.
    attempt_id = attempt.id
    db.session.commit()
    until = max(
        (
            moment
            for moment in (
                unlocked_at(LoginAttempt.username == username, ACCOUNT_LIMIT, attempt_id, since),
                unlocked_at(LoginAttempt.address == address[:64], ADDRESS_LIMIT, attempt_id, since),
            )
            if moment is not None
        ),
        default=None,
    )
    if until is None:
        return None
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
    db.session.commit()
    return Locked(until + WINDOW - now)


def unlocked_at(
    matches: ColumnElement[bool], limit: int, attempt_id: int, since: datetime
) -> datetime | None:
    """When the failure that keeps a username or an address locked was made (it unlocks a window later): the
    limit-th newest of the other tries in the window; None when there are fewer, and try `attempt_id` may go on.
    Every other committed try counts, even one that came a moment later: a burst at once may all be refused,
    but never more than the limit let through."""
    others = select(LoginAttempt.at).where(matches, LoginAttempt.at > since, LoginAttempt.id != attempt_id)
    return db.session.scalars(others.order_by(LoginAttempt.at.desc()).offset(limit - 1).limit(1)).first()


def succeeded(username: str) -> None:
    """A right password clears the account's failures."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    db.session.commit()


@cache
def dummy_hash() -> str:
    """A hash made once with the same method as users' passwords, checked for unknown usernames."""
    return generate_password_hash("not a password of anyone")


def password_matches(user: User | None, password: str) -> TypeGuard[User]:
    """Whether `password` is the user's; for an unknown username a dummy hash is checked instead, so that its
    answer takes as long as a real user's and usernames cannot be told from the time."""
    if user is None:
        check_password_hash(dummy_hash(), password)
        return False
    return user.check_password(password)
