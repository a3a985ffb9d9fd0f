"""Coverage of desa binaan for program managers: which are reached in a period, what was done there, and
which need a visit first.

A desa binaan is covered in a period when it had at least one record of a type that counts for coverage in it
(`RecordType.counts_for_coverage`: visits and education sessions). Figures are
counted per village and added up the region tree, so the children of a region always add up to it.

Every count is grouped by the database and restricted there to the desa binaan in view (`desa_in_view`: the
user's offices, the region, the period), so that a Kanim's figures cost what its own desa binaan cost, whatever
the size of the country.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Result, Select, func, or_, select
from sqlalchemy.orm import joinedload

from . import periods, scope
from .domain import DomainError
from .extensions import DbSession
from .models import (
    DesaBinaan,
    EarlyWarning,
    EducationSession,
    FieldRecord,
    Handout,
    OfficeKind,
    Region,
    RegionLevel,
    RiskLevel,
    Role,
    User,
    Visit,
    WarningFollowUp,
    office_regencies,
)
from .periods import Period, bounds
from .records import COVERING_TYPES, RECORD_TYPES

# A condition on the records of a type, given its model.
Condition = Callable[[type[FieldRecord]], ColumnElement[bool]]

RISK_WEIGHT = {RiskLevel.tinggi: 3, RiskLevel.sedang: 2, RiskLevel.rendah: 1}
IN_CHUNK = 1000  # village codes per IN list: well under what either database takes in one statement


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

    def as_dict(self) -> dict[str, float | None]:
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


def _designated(
    query: Select[*tuple[Any, ...]], *, start: date, end: date, offices: set[int] | None, region_code: str
) -> Select[*tuple[Any, ...]]:
    """The query kept to the desa binaan designated for some part of the period, in the given offices (None:
    all), in the region with `region_code` (NATION: anywhere)."""
    query = query.where(
        DesaBinaan.designated_on <= end, or_(DesaBinaan.ended_on.is_(None), DesaBinaan.ended_on >= start)
    )
    if offices is not None:
        query = query.where(DesaBinaan.office_id.in_(offices))
    if region_code != NATION:
        query = query.where(
            or_(DesaBinaan.village_code == region_code, DesaBinaan.village_code.startswith(region_code + "."))
        )
    return query


def active_desa(
    session: DbSession, *, start: date, end: date, offices: set[int] | None, region_code: str = ""
) -> Result[int, str, int, RiskLevel, date, date | None]:
    """Desa binaan designated for some part of the period, in the given offices (None: all) and region (all
    by default), as rows of (id, village_code, office_id, risk_level, designated_on, ended_on)."""
    query = select(
        DesaBinaan.id,
        DesaBinaan.village_code,
        DesaBinaan.office_id,
        DesaBinaan.risk_level,
        DesaBinaan.designated_on,
        DesaBinaan.ended_on,
    )
    return session.execute(_designated(query, start=start, end=end, offices=offices, region_code=region_code))


def desa_in_view(*, start: date, end: date, offices: set[int] | None, region_code: str) -> Select[str]:
    """The village codes of the desa binaan in view, as a subquery that every count of coverage is kept to."""
    return _designated(
        select(DesaBinaan.village_code), start=start, end=end, offices=offices, region_code=region_code
    )


def activity_by(
    session: DbSession, *, start: date, end: date, key: str, condition: Condition | None = None
) -> dict[Any, Figures]:
    """Visits, sessions, people reached and materials handed out in the period, voided records left out, from
    grouped queries (one per record type) by `key`, a column every record type has: its village for coverage,
    its officer for reports. `condition` (a function of the record model) narrows the records."""
    lo, hi = bounds(start, end)
    figures: defaultdict[Any, Figures] = defaultdict(Figures)

    def grouped(model: type[FieldRecord], *columns: ColumnElement[Any]) -> Result[*tuple[Any, ...]]:
        query = select(getattr(model, key), *columns).where(
            model.occurred_at >= lo, model.occurred_at < hi, model.voided.is_(False)
        )
        if condition is not None:
            query = query.where(condition(model))
        return session.execute(query.group_by(getattr(model, key)))

    for value, count in grouped(Visit, func.count()):
        figures[value].visits = count
    s = EducationSession
    for value, count, people, male, female, under_18 in grouped(
        s,
        func.count(),
        func.sum(RECORD_TYPES[s.record_type].people_sum()),
        func.sum(s.male_under_18 + s.male_adult),
        func.sum(s.female_under_18 + s.female_adult),
        func.sum(s.male_under_18 + s.female_under_18),
    ):
        f = figures[value]
        f.sessions, f.people, f.people_male, f.people_female, f.people_under_18 = (
            count,
            people or 0,
            male or 0,
            female or 0,
            under_18 or 0,
        )
    for value, quantity in grouped(Handout, func.sum(Handout.quantity)):
        figures[value].materials = quantity or 0
    return figures


def per_village(session: DbSession, *, start: date, end: date, villages: Select[str]) -> dict[str, Figures]:
    """Figures of each village of `villages` (a subquery of codes) in the period, each covered when it had a
    visit or session, with the early warnings reported in the period and not closed."""
    figures = activity_by(
        session,
        start=start,
        end=end,
        key="village_code",
        condition=lambda model: model.village_code.in_(villages),
    )
    for f in figures.values():  # visits and sessions: the types that count for coverage
        f.covered = 1 if f.visits + f.sessions else 0
    lo, hi = bounds(start, end)
    open_warnings = session.execute(
        select(EarlyWarning.village_code, func.count())
        .outerjoin(WarningFollowUp, WarningFollowUp.warning_id == EarlyWarning.id)
        .where(
            EarlyWarning.occurred_at >= lo,
            EarlyWarning.occurred_at < hi,
            EarlyWarning.voided.is_(False),
            EarlyWarning.village_code.in_(villages),
            or_(WarningFollowUp.status.is_(None), WarningFollowUp.status != "closed"),
        )
        .group_by(EarlyWarning.village_code)
    )
    for code, count in open_warnings:
        figures[code].open_warnings = count
    return dict(figures)


NATION = ""  # the national root's code: every province is its child


class UnknownRegion(DomainError):
    """A region code that names no region."""


def national_root() -> Region:
    """Indonesia, the root of the region tree. It is not stored (the Kemendagri list starts at the provinces),
    so that a national view is simply the region whose children are the provinces."""
    return Region(code=NATION, name="Indonesia", level=RegionLevel.nation, parent_code=None)


def known_region(session: DbSession, code: str) -> Region:
    """The region with this code, the national root for NATION; UnknownRegion when there is none."""
    place = national_root() if code == NATION else session.get(Region, code)
    if place is None:
        raise UnknownRegion(_l("No region with this code."))
    return place


def region_path(place: Region) -> list[Region]:
    """The regions from the national root down to this one, for a breadcrumb."""
    return [national_root()] + ([] if place.code == NATION else place.path())


def home_region(session: DbSession, user: User) -> str:
    """Where a user's figures open: a Kanim's regency (its province when it serves several), a Kanwil's
    province; the national root for admins and for offices spread over provinces or serving none."""
    if user.role == Role.admin or user.office is None:
        return NATION
    offices = scope.office_and_below(session, user.office)
    codes: set[str] = set(
        session.scalars(
            select(office_regencies.c.regency_code).where(office_regencies.c.office_id.in_(offices))
        )
    )
    provinces = {code.split(".")[0] for code in codes}
    if len(provinces) != 1:
        return NATION
    if len(codes) == 1 and user.office.kind == OfficeKind.kanim:
        return codes.pop()
    return provinces.pop()


@dataclass(frozen=True)
class Choice:
    """The region and period a manager asked to see."""

    region_code: str
    period: Period


def chosen(session: DbSession, args: Mapping[str, str], *, user: User, today: date) -> Choice:
    """The region (`region`, the user's home region when absent, the national root when empty) and period a
    query string asks for: the one reading of it for the dashboard, its images, exports and the coverage API.
    PeriodError says what is wrong with the period; `coverage` raises UnknownRegion for a code of no region."""
    code = args.get("region")
    return Choice(
        home_region(session, user) if code is None else code.strip(), periods.from_args(args, today=today)
    )


def coverage(
    session: DbSession, *, region_code: str, start: date, end: date, offices: set[int] | None
) -> Coverage:
    """Figures of a region and of each of its child regions, for the desa binaan in the given offices.
    UnknownRegion when no region has the code."""
    place = known_region(session, region_code)
    in_view = desa_in_view(start=start, end=end, offices=offices, region_code=place.code)
    villages = set(session.scalars(in_view.distinct()))
    activity = per_village(session, start=start, end=end, villages=in_view) if villages else {}
    parent = Region.parent_code.is_(None) if place.code == NATION else Region.parent_code == place.code
    children = list(session.scalars(select(Region).where(parent).order_by(Region.code)))
    rows = {child.code: Row(child) for child in children}
    totals = Figures()
    covered = {}
    for village in villages:
        f = Figures(desa_binaan=1)
        if village in activity:
            f.add(activity[village])
        covered[village] = bool(f.covered)
        totals.add(f)
        child = _child_of(village, place.code)
        if child in rows:
            rows[child].figures.add(f)
    return Coverage(
        region=place, start=start, end=end, totals=totals, rows=list(rows.values()), covered=covered
    )


@dataclass(frozen=True)
class MapPoint:
    code: str
    name: str
    x: float
    y: float
    covered: bool


class HasCovered(Protocol):
    """A coverage result, or what was kept of it: each desa binaan's village code, covered or not."""

    @property
    def covered(self) -> Mapping[str, bool]: ...


def village_map(
    session: DbSession, result: HasCovered, *, width: int = 640, height: int = 440, margin: int = 12
) -> list[MapPoint]:
    """The desa binaan of a coverage result placed on a plain SVG canvas from their coordinates (no map tiles,
    nothing from another server): longitude scaled by the cosine of the latitude, north up."""
    codes = sorted(result.covered)
    regions = [
        row
        for i in range(0, len(codes), IN_CHUNK)
        for row in session.execute(
            select(Region.code, Region.name, Region.lat, Region.lng)
            .where(Region.code.in_(codes[i : i + IN_CHUNK]), Region.lat.is_not(None))
            .order_by(Region.code)
        )
    ]
    if not regions:
        return []
    mid = math.cos(math.radians(sum(r.lat for r in regions) / len(regions)))
    xs = [r.lng * mid for r in regions]
    ys = [-r.lat for r in regions]
    west, north = min(xs), min(ys)  # once: a national map has thousands of points
    span = max(max(xs) - west, max(ys) - north, 1e-6)
    scale = min((width - 2 * margin), (height - 2 * margin)) / span
    return [
        MapPoint(
            r.code,
            r.name,
            round(margin + (x - west) * scale, 1),
            round(margin + (y - north) * scale, 1),
            result.covered[r.code],
        )
        for r, x, y in zip(regions, xs, ys, strict=True)  # xs and ys are made from regions
    ]


def _child_of(village_code: str, parent_code: str) -> str:
    """The code of the region one level below `parent_code` that holds the village."""
    depth = 1 if parent_code == NATION else parent_code.count(".") + 2
    return ".".join(village_code.split(".")[:depth])


def last_activity(session: DbSession, villages: set[str], *, today: date) -> dict[str, datetime]:
    """Each village's last record up to `today` of a type that counts for coverage (a visit or session), voided
    ones left out: per village the last entry of its (village, voided, occurred_at) index, so that the cost
    follows the number of villages asked about, not the number of records."""
    _, hi = bounds(today, today)
    latest = [
        select(func.max(model.occurred_at))
        .where(model.village_code == Region.code, model.voided.is_(False), model.occurred_at < hi)
        .scalar_subquery()
        for model in (kind.model for kind in COVERING_TYPES)
    ]
    last: dict[str, datetime] = {}
    codes = sorted(villages)
    for i in range(0, len(codes), IN_CHUNK):
        for code, *moments in session.execute(
            select(Region.code, *latest).where(Region.code.in_(codes[i : i + IN_CHUNK]))
        ):
            seen = [moment for moment in moments if moment is not None]
            if seen:
                last[code] = max(seen)
    return last


@dataclass
class Priority:
    desa: DesaBinaan
    last_activity: date | None
    days_since: int
    score: int


def priorities(
    session: DbSession,
    *,
    today: date,
    offices: set[int] | None,
    region_code: str | None = None,
    limit: int | None = None,
) -> list[Priority]:
    """Desa binaan not ended, the most urgent first: risk level times days since the last visit or session.
    High-risk villages never visited come first (their days count from the designation)."""
    desa_rows = [
        d
        for d in active_desa(
            session, start=today, end=today, offices=offices, region_code=region_code or NATION
        )
        if d.ended_on is None
    ]
    last = last_activity(session, {d.village_code for d in desa_rows}, today=today)
    ranked = []
    for desa in desa_rows:
        seen = last.get(desa.village_code)
        days = max(0, (today - (seen.date() if seen else desa.designated_on)).days)
        weight = RISK_WEIGHT[desa.risk_level]
        ranked.append(
            ((seen is not None, -weight if seen is None else 0, -weight * days), desa.id, seen, days, weight)
        )
    ranked.sort(key=lambda item: item[0])
    ranked = ranked[:limit] if limit is not None else ranked
    loaded = {
        d.id: d
        for d in session.scalars(
            select(DesaBinaan)
            .where(DesaBinaan.id.in_([r[1] for r in ranked]))
            # the list shows each village's name and its district's: loaded here, not one by one
            .options(joinedload(DesaBinaan.village).joinedload(Region.parent))
        )
    }
    return [
        Priority(loaded[desa_id], seen.date() if seen else None, days, weight * days)
        for _, desa_id, seen, days, weight in ranked
    ]
