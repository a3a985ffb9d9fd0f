"""The period a manager looks at: a range of days chosen by hand or by a preset, checked once for every page,
image, export and API answer that shows figures, and turned into the moments that hold its days.

A period's days are days in the time zone of the offices looked at (`coverage.region_zone`; a view of offices
in several zones: the reader's, and the page says so), so `bounds` takes the zone: "this month" of a Kanim in Jayapura starts at 00:00 WIT, which
is 15:00 UTC the day before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flask_babel import lazy_gettext as _l

from .domain import DomainError
from .vocabulary import PERIOD_PRESET

# The days a period may start and end on: the program's records begin after 2000; a day near 9999-12-31 would
# overflow where the period's end is counted (`bounds` adds a day), and no manager plans a century ahead.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# The longest period: five years, the span of the ministry's strategic plan (Renstra), the longest a manager
# reports on. Its activity chart has 60 months; a longer one grows the chart, the tables and the exports with it.
MAX_YEARS = 5
# The period shown when none is chosen: the last 30 days, always a month's worth of days. "This month" is the
# calendar month so far, one day long on the 1st, which surprised managers opening the dashboard then.
DEFAULT_PRESET = "30"


class PeriodError(DomainError):
    """A day or a period that cannot be shown: not a date, out of range, ending before it starts, or too long.
    The message says which."""


@dataclass(frozen=True)
class Period:
    """The days from `start` to `end`, both included; `preset` is the preset they came from ('' when chosen by
    hand), so that a page can show the choice again."""

    start: date
    end: date
    preset: str = ""

    def as_args(self) -> dict[str, str]:
        """The query string that shows the same period again: its preset (so that a link keeps the manager's
        choice, and the page shows it chosen), or its days."""
        if self.preset:
            return {"period": self.preset}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def parse_day(text: str | None) -> date | None:
    """A date given as YYYY-MM-DD, or None when none was given; PeriodError when it is not a date or is out of
    the range a period may cover."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(_l("Dates must be written as YYYY-MM-DD, for example 2026-01-31.")) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PeriodError(
            _l(
                "Dates must be between %(first)s and %(last)s.",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        )
    return day


def latest_end(start: date) -> date:
    """The last day a period from `start` may end on: the day before the same date MAX_YEARS later."""
    try:
        later = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February, and no such day MAX_YEARS later
        later = date(start.year + MAX_YEARS, 3, 1)
    return later - timedelta(days=1)


def period(preset: str | None, start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """A chosen range, or a preset (this month so far, the last 30 or 90 days, this quarter); the last 30 days
    when nothing is chosen (`DEFAULT_PRESET`). PeriodError when a chosen range ends before it starts or is longer
    than MAX_YEARS."""
    if start and end:
        if end < start:
            raise PeriodError(
                _l(
                    "The period ends on %(end)s, before it starts on %(start)s.",
                    start=start.isoformat(),
                    end=end.isoformat(),
                )
            )
        if end > latest_end(start):
            raise PeriodError(
                _l(
                    "A period may cover at most %(years)d years: from %(start)s, it may end on %(last)s "
                    "at the latest.",
                    years=MAX_YEARS,
                    start=start.isoformat(),
                    last=latest_end(start).isoformat(),
                )
            )
        return start, end
    if preset == "month":
        return today.replace(day=1), today
    if preset == "90":
        return today - timedelta(days=89), today
    if preset == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    return today - timedelta(days=29), today


def from_args(args: Mapping[str, str], *, today: date) -> Period:
    """The period a query string asks for (`from` and `to`, or `period` for a preset), as every page, image,
    export and the coverage API read it. PeriodError says what is wrong."""
    start, end = parse_day(args.get("from")), parse_day(args.get("to"))
    preset = args.get("period") or ""
    if preset not in PERIOD_PRESET:
        preset = DEFAULT_PRESET
    first, last = period(preset, start, end, today=today)
    return Period(first, last, "" if start and end else preset)


def bounds(start: date, end: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The moments that hold the days from start to end in a zone (the office's: `clock.zone_of`), as stored
    (naive UTC): from start's midnight there to the midnight after end. In WITA, 1 January is from 31 December
    16:00 UTC to 1 January 16:00 UTC."""

    def utc(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))
