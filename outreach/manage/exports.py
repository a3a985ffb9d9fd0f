"""Downloads of the managers' figures: records of each type and the coverage table, CSV or XLSX."""

from flask import abort, current_app
from flask_login import current_user

from .. import coverage, exports, scope
from ..extensions import db
from ..records import RECORD_TYPES
from . import bp
from .dashboard import chosen

FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def download(name: str, fmt: str, header, rows):
    body = exports.as_csv(header, rows) if fmt == "csv" else exports.as_xlsx(name, header, rows)
    response = current_app.response_class(body, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/ekspor/<kind>.<fmt>")
def export(kind: str, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    offices = scope.office_ids(db.session, current_user)
    choice = chosen(offices)
    start, end, zone = choice.period.start, choice.period.end, choice.zone
    if kind == "cakupan":
        result = coverage.coverage(
            db.session, region_code=choice.region_code, start=start, end=end, offices=offices, zone=zone
        )
        header, rows = exports.coverage_table(result)
        return download(f"cakupan-{result.region.code}-{start}-{end}", fmt, header, rows)
    if kind not in RECORD_TYPES:
        abort(404)
    header, rows = exports.records_table(db.session, kind, start=start, end=end, offices=offices, zone=zone)
    return download(f"{kind}-{start}-{end}", fmt, header, rows)
