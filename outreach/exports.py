"""Exports for reports: each record type and the coverage table, for a period and the user's offices, as CSV
or XLSX (openpyxl), so that nobody has to ask for a spreadsheet.

Exports are inert: text an officer typed is never a formula in a spreadsheet. In CSV a text cell starting with
`=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in front (OWASP's advice); in XLSX every text
is written as a string cell, which no spreadsheet evaluates. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date, tzinfo

from flask_babel import format_datetime
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from . import periods, scope
from .coverage import Coverage
from .extensions import DbSession
from .records import RECORD_TYPES
from .reports import MonthlyReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def records_table(
    session: DbSession, kind: str, *, start: date, end: date, offices: set[int] | None, zone: tzinfo
) -> tuple[list[str], list[list[object]]]:
    """One row per record of a type that happened in the period and belongs to the given offices (`scope`)."""
    record_type = RECORD_TYPES[kind]
    model = record_type.model
    lo, hi = periods.bounds(start, end, zone)
    query = (
        select(model)
        .where(model.occurred_at >= lo, model.occurred_at < hi, scope.records_in(model, offices))
        .order_by(model.occurred_at)
    )
    form = record_type.form()
    fields = [name for name in record_type.field_names if name not in ("village", "occurred_at")]
    header = ["id", _("Officer"), _("Office"), _("Village code"), _("Village"), _("When")]
    header += [str(form[name].label.text) for name in fields] + [_("Voided"), _("Received")]
    rows = []
    for record in session.scalars(query):
        values = [
            _shown(record_type.choice_labels.get(name, {}), getattr(record, record_type.column(name)))
            for name in fields
        ]
        rows.append(
            [
                record.id,
                record.officer.display_name,
                record.office.name if record.office else "",
                record.village_code,
                record.village.name,
                format_datetime(record.occurred_at, "yyyy-MM-dd HH:mm"),
                *values,
                _("yes") if record.voided else "",
                format_datetime(record.received_at, "yyyy-MM-dd HH:mm"),
            ]
        )
    return header, rows


def _shown(labels: dict[str, object], value: object) -> object:
    """A field's value as a manager reads it: a code of a field with choices by its label in their language, a
    list of codes as labels joined by commas."""
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    return str(labels[value]) if isinstance(value, str) and value in labels else value


COVERAGE_COLUMNS = [
    "desa_binaan",
    "covered",
    "coverage_rate",
    "visits",
    "sessions",
    "people",
    "people_male",
    "people_female",
    "people_under_18",
    "materials",
    "open_warnings",
]


def coverage_table(result: Coverage) -> tuple[list[str], list[list[object]]]:
    """The dashboard's table: one row per child region and the total."""
    header = [
        _("Code"),
        _("Region"),
        _("Desa binaan"),
        _("Covered"),
        _("Rate"),
        _("Visits"),
        _("Sessions"),
        _("People reached"),
        _("Men and boys"),
        _("Women and girls"),
        _("Under 18"),
        _("Materials handed out"),
        _("Open warnings"),
    ]
    rows: list[list[object]] = [
        [row.region.code, row.region.name, *(row.figures.as_dict()[c] for c in COVERAGE_COLUMNS)]
        for row in result.rows
    ]
    rows.append([result.region.code, _("Total"), *(result.totals.as_dict()[c] for c in COVERAGE_COLUMNS)])
    return header, rows


def officer_table(report: MonthlyReport) -> tuple[list[str], list[list[object]]]:
    """The monthly report's table of officers, with its total."""
    header = [
        _("Officer"),
        _("Office"),
        _("Visits"),
        _("Sessions"),
        _("People reached"),
        _("Materials handed out"),
        _("Early warnings"),
    ]
    rows = [
        [
            row.officer.display_name,
            row.officer.office.name if row.officer.office else "",
            row.figures.visits,
            row.figures.sessions,
            row.figures.people,
            row.figures.materials,
            row.warnings,
        ]
        for row in report.officers
    ]
    t = report.totals
    rows.append([_("Total"), "", t.visits, t.sessions, t.people, t.materials, report.warnings_reported])
    return header, rows


def csv_cell(value: object) -> object:
    """The value as a CSV cell a spreadsheet shows as typed: text that would start a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(v) for v in header])
    writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the mark lets spreadsheet programs read UTF-8


def as_xlsx(title: str, header: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])

    def cell(value: object) -> object:
        """Text as a string cell: openpyxl would otherwise write text starting with `=` as a formula. The control
        characters XML cannot hold (a pushed record may have them) are left out."""
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
        text.data_type = "s"
        return text

    sheet.append([cell(v) for v in header])
    for row in rows:
        sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
