"""The monthly report of an office (laporan bulanan): what its officers did in a month, how much of its desa
binaan that reached, and what became of the early warnings they reported, for printing and filing.

A Kanim's report counts its own records and desa binaan; the Kanwil's counts its own and those of every Kanim
under it. A record counts for the office it belongs to (`scope`: whose desa binaan its village was when it was
made), as in the exports and the warning queue, whoever made it and wherever they work now; each officer who
made some, or works at the office, has a row. Coverage is of the office's desa binaan, whoever visited them.
"""

from __future__ import annotations

from calendar import monthrange
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import selectinload

from . import coverage, early_warnings, periods
from .coverage import Row as CoverageRow
from .extensions import DbSession
from .models import DesaBinaan, EarlyWarning, Handout, Material, Office, Region, RiskLevel, User, utcnow
from .scope import office_and_below, records_in


@dataclass
class OfficerRow:
    officer: User
    figures: coverage.Figures  # visits, sessions, people reached, materials handed out
    warnings: int


@dataclass
class OfficeRow:
    office: Office
    figures: coverage.Figures  # of its desa binaan: the report shows how many, how many covered, and the rate


@dataclass
class NotCovered:
    desa: DesaBinaan
    regency: str
    last_activity: datetime | None  # the last visit or session up to the day of the report


@dataclass
class MonthlyReport:
    office: Office
    first: date
    last: date
    totals: coverage.Figures  # what the officers did: visits, sessions, people reached, materials
    warnings_reported: int
    materials: list[tuple[str, int]]  # each material's title and how many were handed out, most first
    coverage: coverage.Figures  # of the desa binaan (by village): how many, how many covered, and the rate
    regencies: list[CoverageRow]  # the same per regency that has desa binaan of the office
    offices: list[OfficeRow]  # coverage per office: the Kanwil's report has a row per Kanim
    not_covered: list[NotCovered]  # highest risk first, then the longest without a visit or session
    by_category: Counter[str]
    by_urgency: Counter[str]
    by_status: Counter[str]  # where each stands today: new, follow_up, closed
    closed: list[EarlyWarning]
    overdue: list[EarlyWarning]  # still open and waiting too long for the office
    officers: list[OfficerRow]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """A month's first and last day; ValueError when there is no such month."""
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def monthly_report(
    session: DbSession, *, office: Office, year: int, month: int, today: date, now: datetime | None = None
) -> MonthlyReport:
    """The report of an office for a month. `today` dates the last activity of the villages not covered, `now`
    (default: this moment, UTC) decides which open warnings are overdue. The month's days are in the office's
    zone: the March of a Kanim in Jayapura runs from 1 March 00:00 WIT (28 February 15:00 UTC)."""
    zone = ZoneInfo(office.timezone)
    first, last = month_bounds(year, month)
    offices = office_and_below(session, office)

    warnings = early_warnings.queue(session, offices=offices, occurred=periods.bounds(first, last, zone))
    officers = _officer_rows(session, offices=offices, first=first, last=last, warnings=warnings, zone=zone)
    totals = coverage.Figures()
    for row in officers:
        totals.add(row.figures)

    desa_rows = list(coverage.active_desa(session, start=first, end=last, offices=offices))
    provinces = sorted({d.village_code.split(".")[0] for d in desa_rows})
    covered_total, regencies, covered = coverage.Figures(), [], {}
    for province in provinces:
        result = coverage.coverage(
            session, region_code=province, start=first, end=last, offices=offices, zone=zone
        )
        covered_total.add(result.totals)
        regencies += [row for row in result.rows if row.figures.desa_binaan]
        covered.update(result.covered)
    office_rows = []
    if len(offices) > 1:  # each office's share, from the villages already counted
        for member in session.scalars(
            select(Office).where(Office.id.in_(offices)).order_by(Office.kind.desc(), Office.name)
        ):
            villages = {d.village_code for d in desa_rows if d.office_id == member.id}
            office_rows.append(
                OfficeRow(
                    member,
                    coverage.Figures(
                        desa_binaan=len(villages), covered=sum(covered[code] for code in villages)
                    ),
                )
            )

    now = now or utcnow()
    return MonthlyReport(
        office=office,
        first=first,
        last=last,
        totals=totals,
        warnings_reported=len(warnings),
        materials=_materials(session, offices=offices, first=first, last=last, zone=zone),
        coverage=covered_total,
        regencies=regencies,
        offices=office_rows,
        not_covered=_not_covered(
            session, [d for d in desa_rows if not covered.get(d.village_code)], today=today, zone=zone
        ),
        by_category=Counter(w.category for w in warnings),
        by_urgency=Counter(w.urgency for w in warnings),
        by_status=Counter(early_warnings.status_of(w) for w in warnings),
        closed=[w for w in warnings if early_warnings.status_of(w) == "closed"],
        overdue=[w for w in warnings if early_warnings.is_overdue(w, now)],
        officers=officers,
    )


def _officer_rows(
    session: DbSession,
    *,
    offices: set[int],
    first: date,
    last: date,
    warnings: list[EarlyWarning],
    zone: tzinfo,
) -> list[OfficerRow]:
    """A row per officer with records of the offices in the month, and per active officer working there now."""
    figures = coverage.activity_by(
        session,
        start=first,
        end=last,
        key="officer_id",
        condition=lambda model: records_in(model, offices),
        zone=zone,
    )
    reported = Counter(w.officer_id for w in warnings)
    people = list(
        session.scalars(
            select(User)
            .where(or_(User.office_id.in_(offices), User.id.in_([*figures, *reported])))
            .order_by(User.full_name, User.username)
        )
    )
    return [
        OfficerRow(person, figures.get(person.id, coverage.Figures()), reported[person.id])
        for person in people
        if (person.active and person.role.value == "officer") or person.id in figures or reported[person.id]
    ]


def _materials(
    session: DbSession, *, offices: set[int], first: date, last: date, zone: tzinfo
) -> list[tuple[str, int]]:
    lo, hi = periods.bounds(first, last, zone)
    quantity = func.sum(Handout.quantity)
    rows = session.execute(
        select(Material.title_id, quantity)
        .join(Material, Handout.material_slug == Material.slug)
        .where(
            records_in(Handout, offices),
            Handout.voided.is_(False),
            Handout.occurred_at >= lo,
            Handout.occurred_at < hi,
        )
        .group_by(Material.slug, Material.title_id)
        .order_by(quantity.desc(), Material.title_id)
    )
    return [(title, total) for title, total in rows]


def _not_covered(
    session: DbSession,
    desa_rows: list[Row[int, str, int, RiskLevel, date, date | None]],
    *,
    today: date,
    zone: tzinfo,
) -> list[NotCovered]:
    last = coverage.last_activity(session, {d.village_code for d in desa_rows}, today=today, zone=zone)
    loaded = list(
        session.scalars(
            select(DesaBinaan)
            .options(selectinload(DesaBinaan.village), selectinload(DesaBinaan.office))
            .where(DesaBinaan.id.in_([d.id for d in desa_rows]))
        )
    )
    regency_codes = {".".join(d.village_code.split(".")[:2]) for d in loaded}
    regencies = dict(
        session.execute(select(Region.code, Region.name).where(Region.code.in_(regency_codes))).all()
    )
    rows = [
        NotCovered(d, regencies.get(".".join(d.village_code.split(".")[:2]), ""), last.get(d.village_code))
        for d in loaded
    ]
    rows.sort(
        key=lambda r: (
            -coverage.RISK_WEIGHT[r.desa.risk_level],
            r.last_activity or datetime.min,
            r.desa.village.name,
        )
    )
    return rows
