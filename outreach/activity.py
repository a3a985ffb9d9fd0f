"""Activity per office over time: how many visits and sessions (the record types that count for coverage) were
recorded in each office's desa binaan in each week or month of a period. The dashboard draws it as a chart and
shows the same numbers in a table beside it.

A record counts for the office it belongs to (`scope`: whose desa binaan its village was), whoever made it. The
database groups by office and day (a few hundred rows at most); the days are put into weeks or months here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, func, select

from . import scope
from .extensions import DbSession
from .models import Office
from .periods import bounds
from .records import COVERING_TYPES

WEEKS_UP_TO_DAYS = 92  # a longer period is shown by month: a quarter still reads as weeks


@dataclass
class Series:
    office: Office
    counts: list[int]  # visits and sessions in each bucket, in the order of Activity.buckets

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Activity:
    by_month: bool
    buckets: list[date]  # the first day of each week (from Monday) or month, never before the period's start
    series: list[Series]  # one per office in scope, Kanwil first, even when it recorded nothing


def buckets(start: date, end: date) -> tuple[list[date], bool]:
    """The weeks (from Monday) or months of a period, each named by its first day within the period, and
    whether they are months."""
    by_month = (end - start).days + 1 > WEEKS_UP_TO_DAYS
    firsts, day = [], start
    while day <= end:
        firsts.append(day)
        day = _next_month(day) if by_month else day - timedelta(days=day.weekday()) + timedelta(days=7)
    return firsts, by_month


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _bucket_of(day: date, start: date, by_month: bool) -> date:
    first = day.replace(day=1) if by_month else day - timedelta(days=day.weekday())
    return max(first, start)


def activity(session: DbSession, *, start: date, end: date, offices: set[int] | None) -> Activity:
    """Visits and sessions (voided ones left out) per office in scope (None: all) and per week or month."""
    firsts, by_month = buckets(start, end)
    index = {first: i for i, first in enumerate(firsts)}
    query = select(Office).order_by(Office.kind.desc(), Office.name)
    if offices is not None:
        query = query.where(Office.id.in_(offices))
    series = {office.id: Series(office, [0] * len(firsts)) for office in session.scalars(query)}
    lo, hi = bounds(start, end)
    for model in (kind.model for kind in COVERING_TYPES):
        day = func.date(model.occurred_at, type_=Date)
        counts = (
            select(model.office_id, day, func.count())
            .where(
                model.voided.is_(False),
                model.occurred_at >= lo,
                model.occurred_at < hi,
                scope.records_in(model, offices),
            )
            .group_by(model.office_id, day)
        )
        for office_id, when, count in session.execute(counts):
            if office_id in series:
                series[office_id].counts[index[_bucket_of(when, start, by_month)]] += count
    return Activity(by_month=by_month, buckets=firsts, series=list(series.values()))
