"""The coverage dashboard: a region's desa binaan, what reached them in a period, and which need a visit.

The page, its map and its two images (the activity chart, the map on its own) show one computation. The page
computes the figures, draws the map into itself (so that each area and desa binaan names itself on hover) and
keeps what the images draw from for a short while (`SHARED_SECONDS`) in this worker, keyed by the scope of the
user (the offices they see, which decide every figure), the region, the period and the chart's drill; an image
asked for within that time draws what the page showed, else it computes its own. The key holds everything the
figures depend on, so two users share an entry only when they would see the same figures; what is kept is plain
data (names, codes, counts), never a database row or rendered text, so the reader's language still applies.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from flask import abort, current_app, render_template, request
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from .. import activity, charts, clock, coverage, scope
from ..early_warnings import count as count_warnings
from ..extensions import db
from ..models import Office, OfficeKind, RegionLevel, row_id, utcnow
from ..officers import health as officer_health
from . import bp

PRIORITY_ROWS = 15
SHARED_SECONDS = 60  # how long an image may draw the figures its page computed
SHARED_ENTRIES = 64  # the most kept at once in a worker, the oldest dropped first

T = TypeVar("T")


@dataclass(frozen=True)
class MapFigures:
    """What the map draws: the region, the figures of each area it shades (the region's parts and itself) and
    each desa binaan's village code, covered or not, and where it is drawn."""

    region_code: str
    region_name: str
    areas: dict[str, coverage.AreaFigures]
    covered: dict[str, bool]
    places: dict[str, coverage.Place]


@dataclass(frozen=True)
class ChartFigures:
    """What the activity chart draws: its buckets and a named line of counts per office or Kanwil."""

    by_month: bool
    buckets: list[date]
    lines: list[tuple[str, list[int]]]


class Shared:
    """Figures the page computed, kept for its images: a small map from key to (moment, value), oldest out
    first, safe across a worker's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > SHARED_ENTRIES:
                self._entries.popitem(last=False)

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """The value kept under the key if it is recent enough, else one computed now (and kept)."""
        with self._lock:
            kept = self._entries.get(key)
        if kept is not None and time.monotonic() - kept[0] <= SHARED_SECONDS:
            value: T = kept[1]
            return value
        value = compute()
        self.put(key, value)
        return value


def shared() -> Shared:
    """This app's figures kept for the images (one per app, so that tests never see another app's)."""
    kept: Shared = current_app.extensions.setdefault("dashboard_figures", Shared())
    return kept


def chosen(offices: set[int] | None) -> coverage.Choice:
    """The region and period this request asks for, in the zone of the offices looked at (a bad one answers
    400 or 404 with its message)."""
    return coverage.chosen(
        db.session, request.args, user=current_user, offices=offices, fallback=clock.reader_zone()
    )


def drill(offices: set[int] | None) -> int | None:
    """The Kanwil whose offices the activity chart shows one by one (`kanwil=`), if the user sees it; 404
    for anything else."""
    text = request.args.get("kanwil")
    if not text:
        return None
    try:
        office = db.session.get(Office, row_id(text))
    except ValueError:
        office = None
    if (
        office is None
        or office.kind != OfficeKind.kanwil
        or (offices is not None and office.id not in offices)
    ):
        abort(404)
    return office.id


def scope_key(offices: set[int] | None) -> frozenset[int] | None:
    return None if offices is None else frozenset(offices)


def map_figures(result: coverage.Coverage) -> MapFigures:
    return MapFigures(
        result.region.code,
        result.region.name,
        coverage.map_areas(result),
        dict(result.covered),
        dict(result.places),
    )


def map_layout(figures: MapFigures) -> coverage.MapLayout:
    return coverage.village_map(db.session, figures, region_code=figures.region_code, areas=figures.areas)


def draw_map(figures: MapFigures, layout: coverage.MapLayout) -> str:
    """The coverage map as SVG, in the reader's language."""

    def describe(area: coverage.AreaFigures) -> str:
        if not area.desa_binaan:
            return _("%(area)s: no desa binaan", area=area.name)
        return _(
            "%(area)s: %(covered)s of %(total)s desa binaan covered (%(rate)s)",
            area=area.name,
            covered=format_decimal(area.covered),
            total=format_decimal(area.desa_binaan),
            rate=format_percent(area.rate or 0),
        )

    return charts.village_map_svg(
        layout,
        title=_(
            "Map of %(region)s: areas shaded by the share of desa binaan covered; desa binaan covered as green "
            "discs, not covered as red rings",
            region=figures.region_name,
        ),
        describe=describe,
        covered=_("covered"),
        not_covered=_("not covered"),
    )


def chart_figures(result: activity.Activity) -> ChartFigures:
    return ChartFigures(
        result.by_month, list(result.buckets), [(s.office.name, list(s.counts)) for s in result.series]
    )


@bp.route("/")
def dashboard():
    offices = scope.office_ids(db.session, current_user)
    choice = chosen(offices)
    start, end, region_code, zone = choice.period.start, choice.period.end, choice.region_code, choice.zone
    kanwil = drill(offices)
    result = coverage.coverage(
        db.session, region_code=region_code, start=start, end=end, offices=offices, zone=zone
    )
    if result.region.level == RegionLevel.village:
        abort(404)
    urgent = coverage.priorities(
        db.session,
        today=clock.today(zone),
        offices=offices,
        region_code=region_code,
        limit=PRIORITY_ROWS,
        zone=zone,
    )
    new_warnings = count_warnings(db.session, offices=offices, status="new")
    per_office = activity.activity(
        db.session, start=start, end=end, offices=offices, kanwil=kanwil, zone=zone
    )
    key = (scope_key(offices), zone.key, start, end)
    figures = map_figures(result)
    shared().put(("map", *key, result.region.code), figures)
    layout = map_layout(figures) if result.totals.desa_binaan else None
    drawn = None if layout is None else Markup(draw_map(figures, layout))  # charts escapes every name
    shared().put(("chart", *key, kanwil), chart_figures(per_office))
    return render_template(
        "manage/dashboard.html",
        result=result,
        path=coverage.region_path(result.region),
        urgent=urgent,
        new_warnings=new_warnings,
        activity=per_office,
        activity_labels=bucket_labels(per_office.buckets, by_month=per_office.by_month),
        activity_width=charts.CHART_WIDTH,
        activity_height=charts.activity_chart_height(len(per_office.series)),
        kanwil=db.session.get(Office, kanwil) if kanwil is not None else None,
        period_args=choice.period.as_args(),
        # the region too: the chart counts its weeks in the zone of the offices looked at, as the table does
        chart_args=choice.period.as_args()
        | {"region": region_code}
        | ({} if kanwil is None else {"kanwil": str(kanwil)}),
        preset=choice.period.preset,
        days=(end - start).days + 1,
        village_map=drawn,
        zone_name=clock.abbreviation(zone),
        zone_key=zone.key,
        zone_of_offices=choice.zone_of_offices,
        map_areas=[] if layout is None else [(a, charts.shade(a.figures)) for a in layout.areas],
    )


def bucket_labels(buckets: list[date], *, by_month: bool) -> list[str]:
    """How the chart and the table name each week (its first day) or month."""
    return [format_date(first, "MMM yyyy" if by_month else "d MMM") for first in buckets]


@bp.route("/petugas")
def officers():
    rows = officer_health(db.session, offices=scope.office_ids(db.session, current_user))
    now = utcnow()
    return render_template(
        "manage/officers.html", rows=rows, silent={r.officer.id for r in rows if r.silent(now)}
    )


@bp.route("/peta.svg")
def village_map():
    """The desa binaan of a region as a map image, coloured by coverage in the chosen period: the page's
    figures when it has just computed them."""
    offices = scope.office_ids(db.session, current_user)
    choice = chosen(offices)
    start, end, zone = choice.period.start, choice.period.end, choice.zone
    place = coverage.known_region(db.session, choice.region_code)

    def compute() -> MapFigures:
        return map_figures(
            coverage.coverage(
                db.session, region_code=place.code, start=start, end=end, offices=offices, zone=zone
            )
        )

    figures = shared().get(("map", scope_key(offices), zone.key, start, end, place.code), compute)
    svg = draw_map(figures, map_layout(figures))
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.route("/aktivitas.svg")
def activity_chart():
    """Visits and sessions per office (per Kanwil over several) in the chosen period as a chart image: the
    numbers of the dashboard's table."""
    offices = scope.office_ids(db.session, current_user)
    choice = chosen(offices)
    start, end, zone = choice.period.start, choice.period.end, choice.zone
    kanwil = drill(offices)

    def compute() -> ChartFigures:
        return chart_figures(
            activity.activity(db.session, start=start, end=end, offices=offices, kanwil=kanwil, zone=zone)
        )

    figures = shared().get(("chart", scope_key(offices), zone.key, start, end, kanwil), compute)
    svg = charts.activity_chart_svg(
        bucket_labels(figures.buckets, by_month=figures.by_month),
        figures.lines,
        number=format_decimal,
        title=_(
            "Visits and sessions per office, %(start)s – %(end)s",
            start=format_date(start, "long"),
            end=format_date(end, "long"),
        ),
    )
    return current_app.response_class(svg, mimetype="image/svg+xml")
