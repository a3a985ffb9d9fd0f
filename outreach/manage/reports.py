"""The monthly report of an office (laporan bulanan): chosen here, shown as a printable page in Indonesian
whatever language the manager reads the rest of the app in, since it is filed with the office's letters."""

import re
from datetime import timedelta

from flask import abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock, exports, reports, scope
from ..errors import abort_with
from ..extensions import db
from ..models import Office, row_id
from . import bp
from .exports import FORMATS, download

MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _month(text: str, office: Office | None = None) -> tuple[int, int]:
    """A report's month given as YYYY-MM: a 400 with a message when it is not a month, or has not begun where
    the office is (its zone: the 1st begins in Jayapura two hours before it does in Jambi)."""
    today = clock.today(clock.zone_of(office))
    found = MONTH.fullmatch(text or "")
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1:
        abort_with(
            400,
            _("Give the month as YYYY-MM, for example %(example)s.", example=today.strftime("%Y-%m")),
        )
    year, month = int(found.group(1)), int(found.group(2))
    if (year, month) > (today.year, today.month):
        abort_with(400, _("This month has not begun yet: choose this month or an earlier one."))
    return year, month


def _office(office_id: int) -> Office:
    """An office the user may see; any other is a 404, as if it did not exist."""
    return scope.get_or_404(db.session, Office, office_id, current_user)


@bp.route("/laporan")
def report_choice():
    """Choose an office and a month; by default the user's office (an admin's: the first Kanwil) and last month."""
    if "office" in request.args or "month" in request.args:
        office_id = request.args.get("office", type=row_id)
        if office_id is None:
            abort_with(400, _("Choose an office."))
        office, month = _office(office_id), request.args.get("month", "")
        _month(month, office)
        return redirect(url_for("manage.report", office_id=office.id, month=month))
    offices = scope.offices_in_scope(db.session, current_user)
    chosen = current_user.office_id or (offices[0].id if offices else None)
    today = clock.today(clock.reader_zone())
    return render_template(
        "manage/report_choice.html",
        offices=offices,
        chosen=chosen,
        month=(today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m"),
        latest=today.strftime("%Y-%m"),
    )


def _report(office_id: int, month: str) -> reports.MonthlyReport:
    office = _office(office_id)
    year, number = _month(month, office)
    today = clock.today(clock.zone_of(office))
    return reports.monthly_report(db.session, office=office, year=year, month=number, today=today)


@bp.route("/laporan/<int:office_id>/<month>")
def report(office_id: int, month: str):
    result = _report(office_id, month)
    with force_locale("id"):
        return render_template(
            "manage/report.html",
            report=result,
            month=month,
            today=clock.today(clock.zone_of(result.office)),
            zone_name=clock.abbreviation(clock.zone_of(result.office)),
        )


@bp.route("/laporan/<int:office_id>/<month>/petugas.<fmt>")
def report_officers(office_id: int, month: str, fmt: str):
    """The report's table of officers as a spreadsheet, with Indonesian headings like the report."""
    if fmt not in FORMATS:
        abort(404)
    result = _report(office_id, month)
    with force_locale("id"):
        header, rows = exports.officer_table(result)
    return download(f"laporan-petugas-{result.office.id}-{month}", fmt, header, rows)
