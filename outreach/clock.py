"""Days as the program counts them. Times are stored in UTC; a day (today, the day a record was made, the last
day of an assignment) is a day in the program's time zone (`TIMEZONE`, WIB for Jambi), not the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import get_locale


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_day(moment: datetime) -> date:
    """The day a stored (naive UTC) moment falls on where the program works."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).date()


def today() -> date:
    """Today where the program works: at 00:30 WIB it is already tomorrow in UTC terms."""
    return datetime.now(zone()).date()


def shown(moment: datetime) -> str:
    """A stored moment as a reader reads it on a page: the date and the hour and minute in the program's zone,
    in their language's order (seconds are noise to a manager). The `moment` template filter."""
    locale = get_locale() or Locale.parse("id")
    local = (
        moment.replace(tzinfo=UTC).astimezone(zone()) if moment.tzinfo is None else moment.astimezone(zone())
    )
    pattern: str = locale.datetime_formats["medium"]
    return pattern.replace("{1}", format_date(local, "medium", locale=locale)).replace(
        "{0}", format_time(local, "short", locale=locale)
    )
