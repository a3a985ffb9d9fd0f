"""Activity per office over time: how many visits and sessions (the record types that count for coverage) were
recorded in each office's desa binaan in each week or month of a period. The dashboard draws it as a chart and
shows the same numbers in a table beside it.

A record counts for the office it belongs to (`scope`: whose desa binaan its village was), whoever made it.
Weeks and months are the local ones of the zone of the offices looked at (`zone`, as the dashboard's figures):
a week begins on Monday at 00:00 in that zone. The database adds up the activity per office and UTC day
(`village_activity`: a row per office and UTC day, kept right with every write of a record), each day in the
week or month that holds its noon; local midnight cuts a UTC day in two (at 17:00 UTC in WIB), and the few
hours on its far side are counted from the records and moved to the bucket they belong to (`_moves`), so that
every bar is the records' exactly. A week or month that starts before the period counts from its start.

A view of one Kanwil (its manager's, or an admin's drill into it) has a line per office. A view over several
Kanwil (an admin's) has a line per Kanwil, its own records and its Kanim's together: a chart of 160 lines says
nothing, and a Kanwil's line opens on its Kanim. A Kanim under no Kanwil is a line of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import reduce
from operator import add

from sqlalchemy import Integer, case, func, literal_column, select, true, union_all

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


HALF_DAY = timedelta(hours=12)


def _moves(moments: list[datetime]) -> Iterator[tuple[int, int, datetime, datetime]]:
    """The records the rows per UTC day put in the wrong bucket: a UTC day counts in the bucket that holds its
    noon, so each boundary that cuts a day (local midnight, 17:00 UTC in WIB) leaves the hours on the far side
    of it in the wrong bucket. Answers (the right bucket, the wrong one, the span of those hours); bucket -1 and
    len(moments) - 1 stand for outside the period."""
    for j, moment in enumerate(moments):
        day = datetime.combine(moment.date(), time.min)
        if moment == day:
            continue
        if moment > day + HALF_DAY:  # the day counts before the boundary: its last hours belong after it
            yield j, j - 1, moment, day + timedelta(days=1)
        else:  # the day counts after the boundary: its first hours belong before it
            yield j - 1, j, day, moment


def activity(
    session: DbSession,
    *,
    start: date,
    end: date,
    offices: set[int] | None,
    kanwil: int | None = None,
    zone: tzinfo,
) -> Activity:
    """Visits and sessions (voided ones left out) per office in scope (None: all) and per week or month; per
    Kanwil when the offices in view lie under several. `kanwil` narrows the view to that Kanwil's offices."""
    firsts, by_month = buckets(start, end)
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
    # The moments the buckets' local days begin and end, in UTC: bucket i is [moments[i], moments[i + 1]).
    moments = [bounds(first, first, zone)[0] for first in firsts] + [bounds(end, end, zone)[1]]
    # The UTC days counted in bucket i (each in the one that holds its noon): days[i] <= day < days[i + 1].
    days = [village_activity.first_day_from(moment - HALF_DAY) for moment in moments]

    def tally(office_id: int | None, i: int, count: int) -> None:
        line = series.get(line_of[office_id]) if office_id in line_of else None
        if line is not None and 0 <= i < len(firsts):
            line.counts[i] += count

    per_day = OfficeActivity
    records = reduce(add, (getattr(per_day, village_activity.RECORDS[kind.model]) for kind in COVERING_TYPES))
    bucket = case(*((per_day.day < day, i - 1) for i, day in enumerate(days)), else_=len(firsts))
    labelled = (
        select(per_day.office_id, bucket.label("bucket"), records.label("records"))
        .where(
            per_day.day >= days[0],
            per_day.day < days[-1],
            true() if offices is None else per_day.office_id.in_(offices),
        )
        .subquery()
    )
    for office_id, i, count in session.execute(
        select(labelled.c.office_id, labelled.c.bucket, func.sum(labelled.c.records)).group_by(
            labelled.c.office_id, labelled.c.bucket
        )
    ):
        tally(office_id, i, count)
    moves = list(_moves(moments))
    for model in (kind.model for kind in COVERING_TYPES if moves):
        parts = [
            select(
                model.office_id,
                literal_column(str(to), Integer),
                literal_column(str(away), Integer),
                func.count(),
            )
            .where(
                model.voided.is_(False),
                scope.records_in(model, offices),
                model.occurred_at >= a,
                model.occurred_at < b,
            )
            .group_by(model.office_id)
            for to, away, a, b in moves
        ]
        for office_id, to, away, count in session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
            tally(office_id, to, count)
            tally(office_id, away, -count)
    return Activity(by_month=by_month, buckets=firsts, series=list(series.values()))
