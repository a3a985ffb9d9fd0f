"""Coverage of desa binaan for program managers: which are reached in a period, what was done there, and
which need a visit first.

A desa binaan is covered in a period when it had at least one visit or education session in it. Figures are
counted per village and added up the region tree, so the children of a region always add up to it.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .models import (
    DesaBinaan,
    EarlyWarning,
    EducationSession,
    Handout,
    Region,
    RegionLevel,
    RiskLevel,
    Visit,
    WarningFollowUp,
)

RISK_WEIGHT = {RiskLevel.tinggi: 3, RiskLevel.sedang: 2, RiskLevel.rendah: 1}


@dataclass
class Figures:
    """What happened in a region's desa binaan in a period."""

    desa_binaan: int = 0
    covered: int = 0
    visits: int = 0
    sessions: int = 0
    people: int = 0
    people_male: int = 0
    people_female: int = 0
    people_under_18: int = 0
    materials: int = 0
    open_warnings: int = 0

    @property
    def rate(self) -> float | None:
        """Covered desa binaan as a share of all of them (None where there are none)."""
        return self.covered / self.desa_binaan if self.desa_binaan else None

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["coverage_rate"] = None if self.rate is None else round(self.rate, 4)
        return data


@dataclass
class Row:
    region: Region
    figures: Figures = field(default_factory=Figures)


@dataclass
class Coverage:
    region: Region
    start: date
    end: date
    totals: Figures
    rows: list[Row]
    covered: dict[str, bool] = field(default_factory=dict)  # each desa binaan's village code: covered or not


PERIODS = ("month", "30", "90", "quarter")


# The days a period may start and end on: the program's records begin after 2000; a day near 9999-12-31 would
# overflow where the period's end is counted (`bounds` adds a day), and no manager plans a century ahead.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# The longest period: five years, the span of the ministry's strategic plan (Renstra), the longest a manager
# reports on. Its activity chart has 60 months; a longer one grows the chart, the tables and the exports with it.
MAX_YEARS = 5


class PeriodError(ValueError):
    """A day or a period in a query string that cannot be shown: not a date, out of range, ending before it starts,
    or too long. The message says which."""


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
        raise PeriodError(_l("Dates must be between %(first)s and %(last)s.", first=FIRST_DAY.isoformat(),
                             last=LAST_DAY.isoformat()))
    return day


def latest_end(start: date) -> date:
    """The last day a period from `start` may end on: the day before the same date MAX_YEARS later."""
    try:
        later = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February, and no such day MAX_YEARS later
        later = date(start.year + MAX_YEARS, 3, 1)
    return later - timedelta(days=1)


def period(preset: str | None, start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The dates a dashboard, its charts and exports and the coverage API show: a chosen range, or a preset (this
    month, the last 30 or 90 days, this quarter); this month when nothing is chosen. PeriodError when a chosen
    range ends before it starts or is longer than MAX_YEARS."""
    if start and end:
        if end < start:
            raise PeriodError(_l("The period ends on %(end)s, before it starts on %(start)s.", start=start.isoformat(),
                                 end=end.isoformat()))
        if end > latest_end(start):
            raise PeriodError(_l("A period may cover at most %(years)d years: from %(start)s, it may end on %(last)s "
                                 "at the latest.", years=MAX_YEARS, start=start.isoformat(),
                                 last=latest_end(start).isoformat()))
        return start, end
    if preset == "30":
        return today - timedelta(days=29), today
    if preset == "90":
        return today - timedelta(days=89), today
    if preset == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    return today.replace(day=1), today


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The moments that hold the days from start to end: from start's midnight to the midnight after end."""
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def active_desa(session: Session, *, start: date, end: date, offices: set[int] | None):
    """Desa binaan designated for some part of the period, in the given offices (None: all), as rows of
    (id, village_code, office_id, risk_level, designated_on, ended_on)."""
    query = select(
        DesaBinaan.id, DesaBinaan.village_code, DesaBinaan.office_id, DesaBinaan.risk_level, DesaBinaan.designated_on,
        DesaBinaan.ended_on,
    ).where(
        DesaBinaan.designated_on <= end, or_(DesaBinaan.ended_on.is_(None), DesaBinaan.ended_on >= start)
    )
    if offices is not None:
        query = query.where(DesaBinaan.office_id.in_(offices))
    return session.execute(query)


def activity_by(session: Session, *, start: date, end: date, key: str, condition=None) -> dict:
    """Visits, sessions, people reached and materials handed out in the period, voided records left out, from
    grouped queries (one per record type) by `key`, a column every record type has: its village for coverage,
    its officer for reports. `condition` (a function of the record model) narrows the records."""
    lo, hi = bounds(start, end)
    figures: dict = defaultdict(Figures)

    def grouped(model, *columns):
        query = select(getattr(model, key), *columns).where(
            model.occurred_at >= lo, model.occurred_at < hi, model.voided.is_(False))
        if condition is not None:
            query = query.where(condition(model))
        return session.execute(query.group_by(getattr(model, key)))

    for value, count in grouped(Visit, func.count()):
        figures[value].visits = count
    for value, count, mu, fu, ma, fa in grouped(
        EducationSession, func.count(), func.sum(EducationSession.male_under_18), func.sum(EducationSession.female_under_18),
        func.sum(EducationSession.male_adult), func.sum(EducationSession.female_adult),
    ):
        f = figures[value]
        f.sessions, f.people_male, f.people_female = count, (mu or 0) + (ma or 0), (fu or 0) + (fa or 0)
        f.people_under_18, f.people = (mu or 0) + (fu or 0), f.people_male + f.people_female
    for value, quantity in grouped(Handout, func.sum(Handout.quantity)):
        figures[value].materials = quantity or 0
    return figures


def per_village(session: Session, *, start: date, end: date, villages: set[str]) -> dict[str, Figures]:
    """Figures of each village in the period, with the early warnings still open at its end."""
    if not villages:
        return {}
    figures = activity_by(session, start=start, end=end, key="village_code")
    _, hi = bounds(start, end)
    open_warnings = session.execute(
        select(EarlyWarning.village_code, func.count())
        .outerjoin(WarningFollowUp, WarningFollowUp.warning_id == EarlyWarning.id)
        .where(EarlyWarning.occurred_at < hi, EarlyWarning.voided.is_(False),
               or_(WarningFollowUp.status.is_(None), WarningFollowUp.status != "closed"))
        .group_by(EarlyWarning.village_code)
    )
    for code, count in open_warnings:
        figures[code].open_warnings = count
    return {code: f for code, f in figures.items() if code in villages}


def coverage(session: Session, *, region_code: str, start: date, end: date, offices: set[int] | None) -> Coverage | None:
    """Figures of a region and of each of its child regions, for the desa binaan in the given offices."""
    region = session.get(Region, region_code)
    if region is None:
        return None
    villages = {d.village_code for d in active_desa(session, start=start, end=end, offices=offices)
                if d.village_code.startswith(region.code + ".") or d.village_code == region.code}
    activity = per_village(session, start=start, end=end, villages=villages)
    children = list(session.scalars(select(Region).where(Region.parent_code == region.code).order_by(Region.code)))
    rows = {child.code: Row(child) for child in children}
    totals = Figures()
    covered = {}
    for village in villages:
        f = Figures(desa_binaan=1)
        if village in activity:
            f.add(activity[village])
            f.covered = 1 if (activity[village].visits or activity[village].sessions) else 0
        covered[village] = bool(f.covered)
        totals.add(f)
        child = _child_of(village, region.code)
        if child in rows:
            rows[child].figures.add(f)
    return Coverage(region=region, start=start, end=end, totals=totals, rows=list(rows.values()), covered=covered)


@dataclass(frozen=True)
class MapPoint:
    code: str
    name: str
    x: float
    y: float
    covered: bool


def village_map(session: Session, result: Coverage, *, width: int = 640, height: int = 440, margin: int = 12) -> list[MapPoint]:
    """The desa binaan of a coverage result placed on a plain SVG canvas from their coordinates (no map tiles,
    nothing from another server): longitude scaled by the cosine of the latitude, north up."""
    regions = [
        row for row in session.execute(
            select(Region.code, Region.name, Region.lat, Region.lng).where(
                Region.level == RegionLevel.village, Region.code.startswith(result.region.code), Region.lat.is_not(None)
            )
        )
        if row.code in result.covered
    ]
    if not regions:
        return []
    mid = math.cos(math.radians(sum(r.lat for r in regions) / len(regions)))
    xs = [r.lng * mid for r in regions]
    ys = [-r.lat for r in regions]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    scale = min((width - 2 * margin), (height - 2 * margin)) / span
    return [
        MapPoint(r.code, r.name, round(margin + (x - min(xs)) * scale, 1), round(margin + (y - min(ys)) * scale, 1),
                 result.covered[r.code])
        for r, x, y in zip(regions, xs, ys)
    ]


def _child_of(village_code: str, parent_code: str) -> str:
    """The code of the region one level below `parent_code` that holds the village."""
    depth = parent_code.count(".") + 2
    return ".".join(village_code.split(".")[:depth])


RECENT_DAYS = 90
IN_CHUNK = 1000


def last_activity(session: Session, villages: set[str], *, today: date) -> dict[str, datetime]:
    """Each village's last visit or session: from the recent past first (a short read of the period index),
    then from all time for the villages with nothing recent."""
    last: dict[str, datetime] = {}

    def collect(condition):
        for model in (Visit, EducationSession):
            query = select(model.village_code, func.max(model.occurred_at)).where(model.voided.is_(False), condition(model))
            for code, when in session.execute(query.group_by(model.village_code)):
                if code in villages and (code not in last or when > last[code]):
                    last[code] = when

    recent = datetime.combine(today - timedelta(days=RECENT_DAYS), time.min)
    collect(lambda model: model.occurred_at >= recent)
    rest = sorted(villages - last.keys())
    for i in range(0, len(rest), IN_CHUNK):
        chunk = rest[i:i + IN_CHUNK]
        collect(lambda model: model.village_code.in_(chunk))
    return last


@dataclass
class Priority:
    desa: DesaBinaan
    last_activity: date | None
    days_since: int
    score: int


def priorities(
    session: Session, *, today: date, offices: set[int] | None, region_code: str | None = None, limit: int | None = None
) -> list[Priority]:
    """Desa binaan not ended, the most urgent first: risk level times days since the last visit or session.
    High-risk villages never visited come first (their days count from the designation)."""
    desa_rows = [d for d in active_desa(session, start=today, end=today, offices=offices)
                 if d.ended_on is None and (not region_code or d.village_code.startswith(region_code))]
    last = last_activity(session, {d.village_code for d in desa_rows}, today=today)
    ranked = []
    for desa in desa_rows:
        seen = last.get(desa.village_code)
        days = max(0, (today - (seen.date() if seen else desa.designated_on)).days)
        weight = RISK_WEIGHT[desa.risk_level]
        ranked.append(((seen is not None, -weight if seen is None else 0, -weight * days), desa.id, seen, days, weight))
    ranked.sort(key=lambda item: item[0])
    ranked = ranked[:limit] if limit is not None else ranked
    loaded = {d.id: d for d in session.scalars(select(DesaBinaan).where(DesaBinaan.id.in_([r[1] for r in ranked])))}
    return [Priority(loaded[desa_id], seen.date() if seen else None, days, weight * days)
            for _, desa_id, seen, days, weight in ranked]
