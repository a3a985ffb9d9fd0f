"""Signed-in devices, each one a row that can be ended from the server.

A log-in makes a random token: the browser keeps it in its signed session cookie, the database keeps only its
SHA-256. Every request looks the row up, so ending the row (log-out, a password change or reset, deactivation,
"sign out this device") cuts that device off at its next request, whatever cookie it still holds.

How long a session lives depends on the role:

- officers work offline for weeks: their session lasts `OFFICER_DAYS` after the phone was last used;
- managers and admins read warnings about named people, often on shared computers: their session ends after
  `MANAGER_IDLE` without a request, and `MANAGER_HOURS` after log-in at the latest, and its cookie goes when the
  browser closes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Select, bindparam, select, update
from sqlalchemy.orm import joinedload

from .extensions import DbSession
from .models import LoginSession, Role, User, utcnow

OFFICER_DAYS = 60
MANAGER_IDLE = timedelta(minutes=30)
MANAGER_HOURS = 12
# A request writes its session's last use only when the one stored is older than this: one write a minute at
# most per device, not one per request.
TOUCH_EVERY = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def long_lived(user: User) -> bool:
    """Whether this user's session outlives the browser window (the officer's phone)."""
    return user.role == Role.officer


def lifetimes(user: User, officer_days: int = OFFICER_DAYS) -> tuple[timedelta | None, timedelta]:
    """(idle limit or None, longest life) of a session of `user`."""
    if long_lived(user):
        return None, timedelta(days=officer_days)
    return MANAGER_IDLE, timedelta(hours=MANAGER_HOURS)


def start(
    session: DbSession,
    user: User,
    *,
    device: str,
    address: str,
    officer_days: int = OFFICER_DAYS,
    now: datetime | None = None,
) -> LoginSession:
    """Open a session for `user` on one device; the returned row carries the raw token, for the cookie only."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    _, longest = lifetimes(user, officer_days)
    login = LoginSession(
        user=user,
        token_hash=digest(token),
        device=device[:200],
        address=address[:64],
        created_at=now,
        last_seen_at=now,
        expires_at=now + longest,
    )
    login.token = token
    session.add(login)
    session.flush()
    user.login = login
    return login


def resume(
    session: DbSession, token: str, *, officer_days: int = OFFICER_DAYS, now: datetime | None = None
) -> User | None:
    """The user a session token stands for, or None when it was never made, has ended, has expired or its user
    may no longer log in. Notes the session's last use (committing: it runs first in a request, before a view
    has changed anything); an officer's session moves its end along with it."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    login = session.scalar(_by_token(), {"token_hash": digest(token)})
    if login is None or login.ended_at is not None:
        return None
    user = login.user
    idle, longest = lifetimes(user, officer_days)
    if not user.active or now >= login.expires_at or (idle is not None and now - login.last_seen_at >= idle):
        end(login, "expired", now=now)
        session.commit()
        return None
    if now - login.last_seen_at >= TOUCH_EVERY:
        login.last_seen_at = now
        if long_lived(user):
            login.expires_at = now + longest
            login.moved = True
        session.commit()
    login.token = token
    user.login = login
    return user


@cache
def _by_token() -> Select[LoginSession]:
    """The session of a token's digest, with its user and their office (whose zone most pages read): made once,
    as every request runs it."""
    return (
        select(LoginSession)
        .options(joinedload(LoginSession.user).joinedload(User.office))
        .where(LoginSession.token_hash == bindparam("token_hash"))
    )


def end(login: LoginSession, reason: str, *, by: User | None = None, now: datetime | None = None) -> None:
    """End one session (the caller commits)."""
    if login.ended_at is None:
        login.ended_at = now or utcnow()
        login.ended_reason = reason
        login.ended_by = by


def end_all(
    session: DbSession, user: User, reason: str, *, by: User | None = None, keep: LoginSession | None = None
) -> int:
    """End every open session of `user` but `keep` (the one making a password change); the caller commits.
    Answers how many were ended."""
    query = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    result = session.execute(
        query.values(ended_at=utcnow(), ended_reason=reason, ended_by_id=by.id if by is not None else None)
    )
    # An UPDATE answers with a cursor's result, which has the row count; `execute` is typed for any statement.
    return cast(CursorResult[Any], result).rowcount


def open_sessions(session: DbSession, user: User, *, now: datetime | None = None) -> list[LoginSession]:
    """The devices `user` is signed in on, the latest used first."""
    now = now or utcnow()
    rows = session.scalars(
        select(LoginSession)
        .where(
            LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), LoginSession.expires_at > now
        )
        .order_by(LoginSession.last_seen_at.desc())
    )
    idle, _ = lifetimes(user)
    return [row for row in rows if idle is None or now - row.last_seen_at < idle]


# (what the user agent says, what a person calls it), first match wins: enough to tell one's phone from one's PC.
BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe(login: LoginSession) -> str:
    """A device as its owner would name it ("Chrome · Android"), from the user agent kept at log-in."""
    agent = login.device
    browser = next((name for marker, name in BROWSERS if marker in agent), "")
    system = next((name for marker, name in SYSTEMS if marker in agent), "")
    return " · ".join(part for part in (browser, system) if part) or agent[:60] or "?"
