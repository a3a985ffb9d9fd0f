"""Days as the program counts them. Times are stored in UTC; a day (today, the day a record was made, the last
day of an assignment) is a day in the program's time zone (`TIMEZONE`, WIB for Jambi), not the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_day(moment: datetime) -> date:
    """The day a stored (naive UTC) moment falls on where the program works."""
    return moment.replace(tzinfo=UTC).astimezone(zone()).date()


def today() -> date:
    """Today where the program works: at 00:30 WIB it is already tomorrow in UTC terms."""
    return datetime.now(zone()).date()
