"""Activity per office over time: how many visits and sessions (the record types that count for coverage) were
recorded in each office's desa binaan in each week or month of a period. The dashboard draws it as a chart and
shows the same numbers in a table beside it.

A record counts for the office it belongs to (`scope`: whose desa binaan its village was), whoever made it. The
database groups by office and UTC week or month the activity per office and day (`village_activity`: a row per
office and UTC day, kept right with every write of a record) over the period's whole UTC days, and the records
themselves over what is left at either end (none while periods start and end at UTC midnight); a week or month
that starts before the period counts from its start.

The period's days are in the zone of the offices looked at (`zone`, as the dashboard's figures), so its total
is the records' exactly. Its weeks and months, though, are UTC ones, as the rows per office and UTC day are: a
record made between local midnight and the UTC midnight after it (00:00-07:00 WIB, 00:00-08:00 WITA,
00:00-09:00 WIT) on the first day of a week or month is drawn in the bar of the week or month before. A bar
per local week would need rows per local day, which no office reads at night: the limit is accepted, and the
dashboard's figures (coverage) and the monthly report, which count local days, are exact.

A view of one Kanwil (its manager's, or an admin's drill into it) has a line per office. A view over several
Kanwil (an admin's) has a line per Kanwil, its own records and its Kanim's together: a chart of 160 lines says
nothing, and a Kanwil's line opens on its Kanim. A Kanim under no Kanwil is a line of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta, tzinfo
from functools import reduce
from operator import add
from typing import Any

from sqlalchemy import ColumnElement, Date, func, literal_column, select, true

from . import scope, village_activity
from .extensions import DbSession
from .models import Office, OfficeActivity, OfficeKind
from .periods import bounds
from .records import COVERING_TYPES

WEEKS_UP_TO_DAYS = 92  # a longer period is shown by month: a quarter still reads as weeks


@dataclass
class Series:
    office: Office
    counts: list[int]  # visits and sessions in each bucket, in the order of Activity.buckets
    whole_kanwil: bool = False  # the Kanwil's line holds its Kanim's records too: it can be opened on them

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


def _first_day(session: DbSession, moment: Any, by_month: bool) -> ColumnElement[date]:
    """The first day of the UTC week (from Monday) or month of a stored moment or day, in SQL: the database
    answers a row per office and week or month."""
    connection = session.connection()
    if by_month:
        return village_activity.month_of(connection, moment)
    if connection.dialect.name == "postgresql":
        return func.date_trunc(literal_column("'week'"), moment).cast(Date)
    return func.date(moment, literal_column("'weekday 0'"), literal_column("'-6 days'"), type_=Date)


def activity(
    session: DbSession,
    *,
    start: date,
    end: date,
    offices: set[int] | None,
    kanwil: int | None = None,
    zone: tzinfo = UTC,
) -> Activity:
    """Visits and sessions (voided ones left out) per office in scope (None: all) and per week or month; per
    Kanwil when the offices in view lie under several. `kanwil` narrows the view to that Kanwil's offices."""
    firsts, by_month = buckets(start, end)
    index = {first: i for i, first in enumerate(firsts)}
    if kanwil is not None:
        family = {kanwil, *session.scalars(select(Office.id).where(Office.parent_id == kanwil))}
        offices = family if offices is None else family & offices
    query = select(Office).order_by(Office.kind.desc(), Office.name)
    if offices is not None:
        query = query.where(Office.id.in_(offices))
    in_view = list(session.scalars(query))
    ids = {office.id for office in in_view}
    line_of: dict[int | None, int] = {o.id: o.parent_id if o.parent_id in ids else o.id for o in in_view}
    whole = len(set(line_of.values())) > 1
    if not whole:
        line_of = {office.id: office.id for office in in_view}
    series = {
        office.id: Series(office, [0] * len(firsts), whole_kanwil=whole and office.kind == OfficeKind.kanwil)
        for office in in_view
        if line_of[office.id] == office.id
    }
    lo, hi = bounds(start, end, zone)
    days = village_activity.whole_days(lo, hi)

    def tally(office_id: int | None, first: date, count: int) -> None:
        line = series.get(line_of[office_id]) if office_id in line_of else None
        if line is not None:
            line.counts[index[max(first, start)]] += count

    spans = village_activity.edges(lo, hi, days)
    for model in (kind.model for kind in COVERING_TYPES if spans):
        first = _first_day(session, model.occurred_at, by_month)
        counts = (
            select(model.office_id, first, func.count())
            .where(model.voided.is_(False), scope.records_in(model, offices))
            .group_by(model.office_id, first)
        )
        for office_id, when, count in session.execute(village_activity.in_spans(counts, model, spans)):
            tally(office_id, when, count)
    if days is not None:
        a = OfficeActivity
        first = _first_day(session, a.day, by_month)
        records = reduce(add, (getattr(a, village_activity.RECORDS[kind.model]) for kind in COVERING_TYPES))
        for office_id, when, count in session.execute(
            select(a.office_id, first, func.sum(records))
            .where(a.day >= days[0], a.day < days[1], true() if offices is None else a.office_id.in_(offices))
            .group_by(a.office_id, first)
        ):
            tally(office_id, when, count)
    return Activity(by_month=by_month, buckets=firsts, series=list(series.values()))
