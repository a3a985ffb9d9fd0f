"""The coverage dashboard: a region's desa binaan, what reached them in a period, and which need a visit."""

from flask import abort, current_app, render_template, request
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from .. import activity, charts, clock, coverage, scope
from ..early_warnings import count as count_warnings
from ..extensions import db
from ..models import RegionLevel, utcnow
from ..officers import health as officer_health
from . import bp

PRIORITY_ROWS = 15


def chosen() -> coverage.Choice:
    """The region and period this request asks for (a bad one answers 400 or 404 with its message)."""
    return coverage.chosen(db.session, request.args, user=current_user, today=clock.today())


@bp.route("/")
def dashboard():
    choice = chosen()
    start, end, region_code = choice.period.start, choice.period.end, choice.region_code
    offices = scope.office_ids(db.session, current_user)
    result = coverage.coverage(db.session, region_code=region_code, start=start, end=end, offices=offices)
    if result.region.level == RegionLevel.village:
        abort(404)
    urgent = coverage.priorities(
        db.session, today=clock.today(), offices=offices, region_code=region_code, limit=PRIORITY_ROWS
    )
    new_warnings = count_warnings(db.session, offices=offices, status="new")
    per_office = activity.activity(db.session, start=start, end=end, offices=offices)
    return render_template(
        "manage/dashboard.html",
        result=result,
        path=coverage.region_path(result.region),
        urgent=urgent,
        new_warnings=new_warnings,
        activity=per_office,
        activity_labels=bucket_labels(per_office),
        activity_height=charts.activity_chart_height(len(per_office.series)),
        period_args=choice.period.as_args(),
        preset=choice.period.preset,
    )


def bucket_labels(result: activity.Activity) -> list[str]:
    """How the chart and the table name each week (its first day) or month."""
    return [format_date(first, "MMM yyyy" if result.by_month else "d MMM") for first in result.buckets]


@bp.route("/petugas")
def officers():
    rows = officer_health(db.session, offices=scope.office_ids(db.session, current_user))
    now = utcnow()
    return render_template(
        "manage/officers.html", rows=rows, silent={r.officer.id for r in rows if r.silent(now)}
    )


@bp.route("/peta.svg")
def village_map():
    """The desa binaan of a region as a map image, coloured by coverage in the chosen period."""
    choice = chosen()
    result = coverage.coverage(
        db.session,
        region_code=choice.region_code,
        start=choice.period.start,
        end=choice.period.end,
        offices=scope.office_ids(db.session, current_user),
    )
    svg = charts.village_map_svg(
        coverage.village_map(db.session, result, width=charts.MAP_WIDTH, height=charts.MAP_HEIGHT),
        title=_("Desa binaan of %(region)s: covered in green, not covered in red", region=result.region.name),
        covered=_("covered"),
        not_covered=_("not covered"),
    )
    return current_app.response_class(svg, mimetype="image/svg+xml")


@bp.route("/aktivitas.svg")
def activity_chart():
    """Visits and sessions per office in the chosen period as a chart image: the numbers of the dashboard's table."""
    period = chosen().period
    start, end = period.start, period.end
    result = activity.activity(
        db.session, start=start, end=end, offices=scope.office_ids(db.session, current_user)
    )
    svg = charts.activity_chart_svg(
        bucket_labels(result),
        [(s.office.name, s.counts) for s in result.series],
        number=format_decimal,
        title=_(
            "Visits and sessions per office, %(start)s – %(end)s",
            start=format_date(start, "long"),
            end=format_date(end, "long"),
        ),
    )
    return current_app.response_class(svg, mimetype="image/svg+xml")
