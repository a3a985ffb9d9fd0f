"""The coverage dashboard: a region's desa binaan, what reached them in a period, and which need a visit."""
from datetime import date

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from .. import charts, coverage, scope
from ..follow_up import count as count_warnings
from ..auth import roles_required
from ..extensions import db
from ..models import Region, utcnow
from ..officers import health as officer_health
from . import bp

PROVINCE = "15"
PRIORITY_ROWS = 15


def chosen_period() -> tuple[date, date]:
    """The period from the query string; a malformed date is a 400 with a message."""
    try:
        start, end = coverage.parse_day(request.args.get("from")), coverage.parse_day(request.args.get("to"))
    except ValueError:
        abort(400)
    return coverage.period(request.args.get("period"), start, end, today=date.today())


@bp.route("/")
@roles_required("manager", "admin")
def dashboard():
    start, end = chosen_period()
    offices = scope.office_ids(db.session, current_user)
    region_code = request.args.get("region", PROVINCE)
    result = coverage.coverage(db.session, region_code=region_code, start=start, end=end, offices=offices)
    if result is None:
        abort(404)
    if result.region.level.value == "village":
        abort(404)
    urgent = coverage.priorities(db.session, today=date.today(), offices=offices, region_code=region_code, limit=PRIORITY_ROWS)
    new_warnings = count_warnings(db.session, offices=offices, status="new")
    return render_template(
        "manage/dashboard.html", result=result, path=result.region.path(), urgent=urgent, new_warnings=new_warnings,

        period_args={"from": start.isoformat(), "to": end.isoformat()}, preset=request.args.get("period", ""),
    )


@bp.route("/petugas")
@roles_required("manager", "admin")
def officers():
    rows = officer_health(db.session, offices=scope.office_ids(db.session, current_user))
    now = utcnow()
    return render_template("manage/officers.html", rows=rows, silent={r.officer.id for r in rows if r.silent(now)})


@bp.route("/peta.svg")
@roles_required("manager", "admin")
def village_map():
    """The desa binaan of a region as a map image, coloured by coverage in the chosen period."""
    start, end = chosen_period()
    result = coverage.coverage(db.session, region_code=request.args.get("region", PROVINCE), start=start, end=end,
                               offices=scope.office_ids(db.session, current_user))
    if result is None:
        abort(404)
    svg = charts.village_map_svg(
        coverage.village_map(db.session, result, width=charts.MAP_WIDTH, height=charts.MAP_HEIGHT),
        title=_("Desa binaan of %(region)s: covered in green, not covered in red", region=result.region.name),
        covered=_("covered"), not_covered=_("not covered"),
    )
    return current_app.response_class(svg, mimetype="image/svg+xml")
