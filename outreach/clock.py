"""Days as the program counts them. Times are stored in UTC; a day (today, the day a record was made, the last
day of an assignment, a month of a report) is a day in the time zone of the office concerned: each office has
its zone (`Office.timezone`: WIB, WITA or WIT), and what concerns no office (an admin's national view, a user
of no office) is in the configured default (`TIMEZONE`, WIB), never the server's.

Times are shown to a reader in the zone of the office they belong to (the default for an admin or a user of
no office), followed by the zone's name ("14.05 WITA"), so that a manager who reads another office's page
knows which clock they read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from flask import current_app, has_request_context
from flask_babel import get_locale

from .vocabulary import ZONE_ABBREVIATIONS

if TYPE_CHECKING:
    from .models import Office


def default_zone_name() -> str:
    """The configured default zone's IANA name (`TIMEZONE`)."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def zone() -> ZoneInfo:
    """The configured default zone: a national view's, and that of whatever concerns no office."""
    return ZoneInfo(default_zone_name())


def zone_of(office: Office | None) -> ZoneInfo:
    """An office's zone; no office (a national view, a user of no office): the configured default."""
    if office is None or not office.timezone:
        return zone()
    return ZoneInfo(office.timezone)


def abbreviation(where: ZoneInfo) -> str:
    """The name people use for a zone: WIB, WITA, WIT (another zone, as the zone database abbreviates it)."""
    return ZONE_ABBREVIATIONS.get(where.key) or datetime.now(where).tzname() or where.key


def reader_zone() -> ZoneInfo:
    """The zone of the logged-in user's office; an admin, a user of no office, no user: the default."""
    if not has_request_context():
        return zone()
    from flask_login import current_user

    from .models import Role

    if not getattr(current_user, "is_authenticated", False) or current_user.role == Role.admin:
        return zone()
    return zone_of(current_user.office)


def local_day(moment: datetime, where: ZoneInfo | None = None) -> date:
    """The day a stored (naive UTC) moment falls on in a zone (None: the default)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(where or zone()).date()


def today(where: ZoneInfo | None = None, *, now: datetime | None = None) -> date:
    """Today in a zone (None: the default): at 00:30 WITA it is already tomorrow in UTC terms. `now` (aware,
    or naive UTC) stands for the present in tests."""
    if now is None:
        return datetime.now(where or zone()).date()
    return local_day(now, where)


def utc_naive(day: date, where: ZoneInfo | None = None) -> datetime:
    """The moment a day begins in a zone, as stored (naive UTC)."""
    start = datetime(day.year, day.month, day.day, tzinfo=where or zone())
    return start.astimezone(UTC).replace(tzinfo=None)


def shown(moment: datetime, where: ZoneInfo | Office | None = None) -> str:
    """A stored moment as a reader reads it on a page: the date and the hour and minute in their language's
    order, and the zone's name (seconds are noise to a manager). The zone is `where`'s (a zone, or the office a
    record belongs to: a warning from Jayapura reads in WIT, whoever reads it), else the reader's
    (`reader_zone`). The `moment` template filter."""
    locale = get_locale() or Locale.parse("id")
    if where is None:
        where = reader_zone()
    elif not isinstance(where, ZoneInfo):
        where = zone_of(where)
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    local = aware.astimezone(where)
    pattern: str = locale.datetime_formats["medium"]
    text = pattern.replace("{1}", format_date(local, "medium", locale=locale)).replace(
        "{0}", format_time(local, "short", locale=locale)
    )
    return f"{text} {abbreviation(where)}"
