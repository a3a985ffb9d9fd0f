"""Coverage of desa binaan for program managers: which are reached in a period, what was done there, and
which need a visit first.

A desa binaan is covered in a period when it had at least one record of a type that counts for coverage in it
(`RecordType.counts_for_coverage`: visits and education sessions). Figures are
counted per village and added up the region tree, so the children of a region always add up to it.

Every count is grouped by the database and restricted there to the desa binaan in view (`desa_in_view`: the
user's offices, the region, the period), so that a Kanim's figures cost what its own desa binaan cost, whatever
the size of the country.

The figures by village read a period's whole UTC months from the activity per village and month
(`village_activity`) and only the days at either end from the records, so that a year costs a row per village
and month rather than every record of the year. Those rows are kept right in the same transaction as every
write of a record (a flush of the ORM, a push's batch insert), each under the revision lock, so the figures are
exactly the records' at every moment: no recount to wait for, nothing to drift.

A period's days are days in the zone of the offices looked at (`region_zone`: those serving the region in
view, WITA for a Kanim in Makassar whoever looks at it; a view of offices in several zones, such as an admin's
national one, is in the reader's zone, the configured default for an admin, and the page says which). The aggregates are per
UTC month, and a month in WITA or WIT is not one: it starts 8 or 9 hours before the UTC month does. So a
period's bounds are moments in UTC (`periods.bounds`), only the UTC months wholly inside them are read from the
aggregates, and the rest, at most a month and 9 hours at either end, from the records: the figures are the
records' exactly in every zone, at the cost of reading a single month (the dashboard's "this month", a
monthly report) from the records rather than from its row. The sums still add up from village to nation:
every figure of a view is counted in the same zone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Result, Select, case, func, or_, select, true, union_all
from sqlalchemy.orm import joinedload

from . import clock, periods, scope, village_activity
from .boundaries import outlines
from .domain import DomainError
from .extensions import DbSession
from .models import (
    DesaBinaan,
    EarlyWarning,
    EducationSession,
    FieldRecord,
    Handout,
    Office,
    OfficeKind,
    Region,
    RegionLevel,
    RiskLevel,
    Role,
    User,
    VillageActivity,
    Visit,
    WarningFollowUp,
    office_regencies,
)
from .periods import Period, bounds
from .records import COVERING_TYPES, RECORD_TYPES

# A condition on the records of a type, given its model (or `VillageActivity`: see `activity_by`).
Condition = Callable[[Any], ColumnElement[bool]]

RISK_WEIGHT = {RiskLevel.tinggi: 3, RiskLevel.sedang: 2, RiskLevel.rendah: 1}
IN_CHUNK = 1000  # village codes per IN list: well under what either database takes in one statement
# The last days whose records answer for every village active in them at once (`last_activity`).
RECENT_DAYS = timedelta(days=7)


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
        # through the instances' dicts: a national view adds thousands of villages up
        mine, theirs = vars(self), vars(other)
        for name in FIGURE_NAMES:
            mine[name] += theirs[name]

    def as_dict(self) -> dict[str, float | None]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["coverage_rate"] = None if self.rate is None else round(self.rate, 4)
        return data


FIGURE_NAMES = tuple(f.name for f in fields(Figures))


@dataclass
class Row:
    region: Region
    figures: Figures = field(default_factory=Figures)


class Place(NamedTuple):
    """Where the map draws a desa binaan: its village's name and coordinates."""

    name: str
    lat: float
    lng: float


@dataclass
class Coverage:
    region: Region
    start: date
    end: date
    totals: Figures
    rows: list[Row]
    covered: dict[str, bool] = field(default_factory=dict)  # each desa binaan's village code: covered or not
    places: dict[str, Place] = field(default_factory=dict)  # those with coordinates, by village code


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
    session: DbSession,
    *,
    start: date,
    end: date,
    key: str,
    condition: Condition | None = None,
    zone: tzinfo,
) -> dict[Any, Figures]:
    """Visits, sessions, people reached and materials handed out in the period, voided records left out, from
    grouped queries by `key`, a column every record type has: its village for coverage, its officer for reports.
    `condition` (a function of the record model) narrows the records.

    Grouped by village or office (`village_activity.BY`), the period's whole UTC months are read from the
    activity per village and month, and only its edges from the records: `condition` is then also given
    `VillageActivity`, and may only use the columns it shares with the records (village, office). The days
    are days in `zone`."""
    lo, hi = bounds(start, end, zone)
    months = village_activity.whole_months(lo, hi) if key in village_activity.BY else None
    spans = village_activity.edges(lo, hi, months)
    figures: defaultdict[Any, Figures] = defaultdict(Figures)

    def grouped(model: type[FieldRecord], *columns: ColumnElement[Any]) -> list[Any]:
        if not spans:  # the period is whole months
            return []
        query = select(getattr(model, key), *columns).where(model.voided.is_(False))
        if condition is not None:
            query = query.where(condition(model))
        return list(
            session.execute(village_activity.in_spans(query.group_by(getattr(model, key)), model, spans))
        )

    for value, count in grouped(Visit, func.count()):
        figures[value].visits += count
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
        f.sessions += count
        f.people += people or 0
        f.people_male += male or 0
        f.people_female += female or 0
        f.people_under_18 += under_18 or 0
    for value, quantity in grouped(Handout, func.sum(Handout.quantity)):
        figures[value].materials += quantity or 0
    if months is not None:
        a = VillageActivity
        query = (
            select(getattr(a, key), *(func.sum(getattr(a, name)) for name in village_activity.FIGURES))
            .where(a.month >= months[0], a.month < months[1])
            .group_by(getattr(a, key))
        )
        if condition is not None:
            query = query.where(condition(a))
        for value, *sums in session.execute(query):
            f = figures[value]
            for name, total in zip(village_activity.FIGURES, sums, strict=True):
                setattr(f, name, getattr(f, name) + (total or 0))
    return figures


def per_village(
    session: DbSession, *, start: date, end: date, villages: Select[str], zone: tzinfo
) -> dict[str, Figures]:
    """Figures of each village of `villages` (a subquery of codes) in the period, each covered when it had a
    visit or session, with the early warnings reported in the period and not closed."""
    figures = activity_by(
        session,
        start=start,
        end=end,
        key="village_code",
        condition=lambda model: model.village_code.in_(villages),
        zone=zone,
    )
    for f in figures.values():  # visits and sessions: the types that count for coverage
        f.covered = 1 if f.visits + f.sessions else 0
    lo, hi = bounds(start, end, zone)
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


def region_zone(session: DbSession, region_code: str, offices: set[int] | None) -> ZoneInfo | None:
    """The zone a region's days are counted in: that of the offices (within `offices`, None: all) serving any
    regency in or around it, when they share one. None when they lie in several zones (a national view, a
    Kanwil over WIB and WITA) or none serves the region: the caller then says which zone it uses."""
    parts = region_code.split(".") if region_code != NATION else []
    query = (
        select(Office.timezone)
        .distinct()
        .join(office_regencies, office_regencies.c.office_id == Office.id)
        .where(true() if offices is None else Office.id.in_(offices))
    )
    if len(parts) == 1:
        query = query.where(office_regencies.c.regency_code.startswith(f"{region_code}.", autoescape=True))
    elif parts:
        query = query.where(office_regencies.c.regency_code == ".".join(parts[:2]))
    zones = set(session.scalars(query))
    return ZoneInfo(zones.pop()) if len(zones) == 1 else None


@dataclass(frozen=True)
class Choice:
    """The region and period a manager asked to see, and the zone whose days the period counts."""

    region_code: str
    period: Period
    zone: ZoneInfo
    zone_of_offices: bool  # the zone of every office serving the region; False: the reader's, as they differ


def chosen(
    session: DbSession,
    args: Mapping[str, str],
    *,
    user: User,
    offices: set[int] | None,
    fallback: ZoneInfo,
    now: datetime | None = None,
) -> Choice:
    """The region (`region`, the user's home region when absent, the national root when empty) and period a
    query string asks for, and the zone of the offices looked at (`region_zone`; `fallback`, the reader's,
    when there is no one zone), whose today the default period ends on: the one reading of it for the
    dashboard, its images, exports and the coverage API. PeriodError says what is wrong with the period;
    `coverage` raises UnknownRegion for a code of no region."""
    code = args.get("region")
    code = home_region(session, user) if code is None else code.strip()
    zone = region_zone(session, code, offices)
    where = zone or fallback
    return Choice(code, periods.from_args(args, today=clock.today(where, now=now)), where, zone is not None)


def coverage(
    session: DbSession,
    *,
    region_code: str,
    start: date,
    end: date,
    offices: set[int] | None,
    zone: tzinfo,
) -> Coverage:
    """Figures of a region and of each of its child regions, for the desa binaan in the given offices, the
    days in `zone` (the offices'). UnknownRegion when no region has the code."""
    place = known_region(session, region_code)
    in_view = desa_in_view(start=start, end=end, offices=offices, region_code=place.code)
    # the villages with their places, read together: the map of a country draws thousands
    found = session.execute(
        select(Region.code, Region.name, Region.lat, Region.lng).where(Region.code.in_(in_view))
    ).all()
    villages = {code for code, *_ in found}
    places = {
        code: Place(name, lat, lng) for code, name, lat, lng in found if lat is not None and lng is not None
    }
    activity = per_village(session, start=start, end=end, villages=in_view, zone=zone) if villages else {}
    parent = Region.parent_code.is_(None) if place.code == NATION else Region.parent_code == place.code
    children = list(session.scalars(select(Region).where(parent).order_by(Region.code)))
    rows = {child.code: Row(child) for child in children}
    totals = Figures()
    covered = {}
    for village in villages:
        f = activity.get(village)
        covered[village] = f is not None and f.covered > 0
        row = rows.get(_child_of(village, place.code))
        for sums in (totals, row.figures) if row is not None else (totals,):
            sums.desa_binaan += 1
            if f is not None:
                sums.add(f)
    return Coverage(
        region=place,
        start=start,
        end=end,
        totals=totals,
        rows=list(rows.values()),
        covered=covered,
        places=places,
    )


@dataclass(frozen=True)
class MapPoint:
    code: str
    name: str
    x: float
    y: float
    covered: bool


class HasCovered(Protocol):
    """A coverage result, or what was kept of it: each desa binaan's village code, covered or not, and the
    places of those with coordinates."""

    @property
    def covered(self) -> Mapping[str, bool]: ...

    @property
    def places(self) -> Mapping[str, Place]: ...


@dataclass(frozen=True)
class AreaFigures:
    """An area the map shades: its name and how many of its desa binaan were covered."""

    name: str
    desa_binaan: int
    covered: int

    @property
    def rate(self) -> float | None:
        return self.covered / self.desa_binaan if self.desa_binaan else None


@dataclass(frozen=True)
class MapArea:
    """An area on the map: its code, figures and outline as SVG path data."""

    code: str
    figures: AreaFigures
    path: str


@dataclass(frozen=True)
class MapLayout:
    """What the coverage map draws, placed on its canvas: the areas' outlines and the desa binaan."""

    width: int
    height: int
    areas: list[MapArea]
    points: list[MapPoint]


def map_areas(result: Coverage) -> dict[str, AreaFigures]:
    """The figures the map shades: each region one level down, and the region itself (drawn when none of its
    parts has an outline, as for a district, whose villages have none)."""
    areas = {
        row.region.code: AreaFigures(row.region.name, row.figures.desa_binaan, row.figures.covered)
        for row in result.rows
    }
    areas[result.region.code] = AreaFigures(
        result.region.name, result.totals.desa_binaan, result.totals.covered
    )
    return areas


def village_map(
    session: DbSession,
    result: HasCovered,
    *,
    region_code: str = NATION,
    areas: Mapping[str, AreaFigures] | None = None,
    width: int = 640,
    tallest: int = 560,
    margin: int = 8,
) -> MapLayout:
    """The coverage map of a region placed on a plain SVG canvas (no map tiles, nothing from another server):
    the outlines of its parts shaded by their figures in `areas` (the region's own outline when its parts have
    none) and its desa binaan as points from their coordinates; longitude scaled by the cosine of the middle
    latitude, north up, the height following the region's shape up to `tallest`. Coordinates are rounded to
    whole pixels and repeated points dropped, so a map of the country stays small."""
    areas = areas or {}
    parts = [code for code in areas if code != region_code]
    shapes = outlines(session, sorted(parts))
    if not shapes and region_code in areas:
        shapes = outlines(session, [region_code])
    regions = [(code, result.places[code]) for code in sorted(result.places)]
    lngs = [r.lng for _, r in regions] + [
        p[0] for shape in shapes.values() for poly in shape for p in poly[0]
    ]
    lats = [r.lat for _, r in regions] + [
        p[1] for shape in shapes.values() for poly in shape for p in poly[0]
    ]
    if not lngs:
        return MapLayout(width, round(width * 0.6), [], [])
    mid = math.cos(math.radians((min(lats) + max(lats)) / 2))
    west, east, north, south = min(lngs) * mid, max(lngs) * mid, -max(lats), -min(lats)
    span_x, span_y = max(east - west, 1e-6), max(south - north, 1e-6)
    scale = min((width - 2 * margin) / span_x, (tallest - 2 * margin) / span_y)
    height = round(span_y * scale + 2 * margin)
    left = (width - span_x * scale) / 2

    def place(lng: float, lat: float) -> tuple[float, float]:
        return left + (lng * mid - west) * scale, margin + (-lat - north) * scale

    drawn = []
    for code in sorted(shapes):
        rings = []
        for polygon in shapes[code]:
            for ring in polygon:
                pixels: list[tuple[int, int]] = []
                for lng, lat in ring:
                    x, y = place(lng, lat)
                    pixel = (round(x), round(y))
                    if not pixels or pixels[-1] != pixel:
                        pixels.append(pixel)
                if len(set(pixels)) >= 3:  # an islet smaller than a pixel is not drawn
                    rings.append("M" + " ".join(f"{x},{y}" for x, y in pixels) + "Z")
        if rings:
            drawn.append(MapArea(code, areas[code], "".join(rings)))
    points = []
    for code, r in regions:
        x, y = place(r.lng, r.lat)
        points.append(MapPoint(code, r.name, round(x, 1), round(y, 1), result.covered[code]))
    return MapLayout(width, height, drawn, points)


def _child_of(village_code: str, parent_code: str) -> str:
    """The code of the region one level below `parent_code` that holds the village."""
    depth = 1 if parent_code == NATION else parent_code.count(".") + 2
    return ".".join(village_code.split(".")[:depth])


def last_activity(
    session: DbSession, villages: set[str] | Select[str], *, today: date, zone: tzinfo
) -> dict[str, datetime]:
    """Each village's last record up to `today` of a type that counts for coverage (a visit or session), voided
    ones left out. `villages`: their codes, or a subquery of them (one statement, however many: thousands of
    codes are slow to send).

    The villages with a record in the last `RECENT_DAYS` have their last one in that range of the period index,
    read once for all of them; each other village's is the last entry of its (village, voided, occurred_at)
    index. So the cost follows the number of villages asked about and the records of a few days, never the
    number of records."""
    _, hi = bounds(today, today, zone)
    if isinstance(villages, Select):
        chosen: list[Select[str] | list[str]] = [villages]
    else:
        codes = sorted(villages)
        chosen = [codes[i : i + IN_CHUNK] for i in range(0, len(codes), IN_CHUNK)]
    last: dict[str, datetime] = {}
    for some in chosen:
        for code, *moments in session.execute(_last_activity(some, hi)):
            found = [moment for moment in moments if moment is not None]
            if found:
                last[code] = max(found)
    return last


def _last_activity(villages: Select[str] | list[str], hi: datetime) -> Select[*tuple[Any, ...]]:
    """`last_activity`'s query for these villages: each one's code, its last record of the recent days, and
    (when it has none) its last visit and its last session before `hi`."""
    covering = [kind.model for kind in COVERING_TYPES]
    seen = union_all(
        *(
            select(model.village_code.label("code"), model.occurred_at.label("at")).where(
                model.village_code.in_(villages),
                model.voided.is_(False),
                model.occurred_at >= hi - RECENT_DAYS,
                model.occurred_at < hi,
            )
            for model in covering
        )
    ).subquery()
    recent = select(seen.c.code, func.max(seen.c.at).label("at")).group_by(seen.c.code).subquery()
    before = [  # evaluated only for a village with nothing recent
        case(
            (
                recent.c.at.is_(None),
                select(func.max(model.occurred_at))
                .where(model.village_code == Region.code, model.voided.is_(False), model.occurred_at < hi)
                .scalar_subquery(),
            )
        )
        for model in covering
    ]
    return (
        select(Region.code, recent.c.at, *before)
        .outerjoin(recent, recent.c.code == Region.code)
        .where(Region.code.in_(villages))
    )


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
    zone: tzinfo,
) -> list[Priority]:
    """Desa binaan not ended and not visited today, the most urgent first: risk level times days since the last
    visit or session. High-risk villages never visited come first (their days count from the designation).
    A visit or session today (not voided) takes a village off today's list: someone has just been there.
    Today and the day of a last visit are days in `zone` (the offices')."""
    region_code = region_code or NATION
    desa_rows = [
        d
        for d in active_desa(session, start=today, end=today, offices=offices, region_code=region_code)
        if d.ended_on is None
    ]
    in_view = desa_in_view(start=today, end=today, offices=offices, region_code=region_code)
    last = last_activity(session, in_view, today=today, zone=zone)
    ranked = []
    for desa in desa_rows:
        seen = last.get(desa.village_code)
        seen_on = None if seen is None else seen.replace(tzinfo=UTC).astimezone(zone).date()
        if seen_on is not None and seen_on >= today:
            continue
        days = max(0, (today - (seen_on or desa.designated_on)).days)
        weight = RISK_WEIGHT[desa.risk_level]
        ranked.append(
            (
                (seen is not None, -weight if seen is None else 0, -weight * days),
                desa.id,
                seen_on,
                days,
                weight,
            )
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
        Priority(loaded[desa_id], seen_on, days, weight * days) for _, desa_id, seen, days, weight in ranked
    ]
