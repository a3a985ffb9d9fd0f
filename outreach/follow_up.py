"""The office's follow-up of early warnings: new, in follow-up (referred to an agency, with a person
responsible), closed (with the outcome). It lives in its own row, and each change moves the warning to a new
server revision so that the status reaches the reporting officer's phone on the next sync."""
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from . import scope
from .models import EarlyWarning, WarningFollowUp, utcnow
from .sync import next_revision

STATUSES = ("new", "follow_up", "closed")
AGENCIES = [
    ("timpora", _l("Timpora")),
    ("police", _l("Police")),
    ("labour_office", _l("Labour office")),
    ("other", _l("Another agency")),
]
# How long a warning may wait before it stands out: a new one by its urgency, one in follow-up in any case.
NEW_WITHIN = {"segera": timedelta(days=1), "tinggi": timedelta(days=3), "biasa": timedelta(days=7)}
FOLLOW_UP_WITHIN = timedelta(days=14)


def status_of(warning: EarlyWarning) -> str:
    """Where the office's follow-up of a warning stands: a warning nobody has touched yet is new."""
    return warning.follow_up.status if warning.follow_up else "new"


def is_overdue(warning: EarlyWarning, now: datetime) -> bool:
    status = status_of(warning)
    if status == "new":
        return now - warning.received_at > NEW_WITHIN.get(warning.urgency, NEW_WITHIN["biasa"])
    if status == "follow_up":
        return now - warning.follow_up.updated_at > FOLLOW_UP_WITHIN
    return False


def _select(what, *, offices: set[int] | None, status: str | None, occurred: tuple[datetime, datetime] | None = None):
    query = (
        select(what).select_from(EarlyWarning)
        .outerjoin(WarningFollowUp, WarningFollowUp.warning_id == EarlyWarning.id)
        .where(EarlyWarning.voided.is_(False), scope.records_in(EarlyWarning, offices))
    )
    if occurred is not None:
        query = query.where(EarlyWarning.occurred_at >= occurred[0], EarlyWarning.occurred_at < occurred[1])
    if status == "new":
        query = query.where(or_(WarningFollowUp.status.is_(None), WarningFollowUp.status == "new"))
    elif status in STATUSES:
        query = query.where(WarningFollowUp.status == status)
    return query


def count(session: Session, *, offices: set[int] | None, status: str | None = None) -> int:
    return session.scalar(_select(func.count(), offices=offices, status=status))


def queue(
    session: Session, *, offices: set[int] | None, status: str | None = None,
    occurred: tuple[datetime, datetime] | None = None,
) -> list[EarlyWarning]:
    """The warnings that belong to the given offices (None: all), urgent and old first; voided ones left out.
    `occurred` keeps those seen from its first moment up to (not including) its second."""
    urgency = {"segera": 0, "tinggi": 1, "biasa": 2}
    query = _select(EarlyWarning, offices=offices, status=status, occurred=occurred)
    rows = list(session.scalars(query.options(selectinload(EarlyWarning.follow_up))))
    rows.sort(key=lambda w: (urgency.get(w.urgency, 3), w.received_at))
    return rows


def set_follow_up(
    session: Session, warning: EarlyWarning, *, status: str, note: str, by_user_id: int,
    referred_to: str = "", responsible: str = "", outcome: str = "",
) -> WarningFollowUp:
    """Record the office's follow-up status of a warning. The caller commits."""
    if status not in STATUSES:
        raise ValueError(f"unknown follow-up status {status!r}")
    follow_up = warning.follow_up
    if follow_up is None:
        follow_up = WarningFollowUp(warning_id=warning.id, rev=0)
        session.add(follow_up)
        warning.follow_up = follow_up
    follow_up.status = status
    follow_up.note = note
    follow_up.referred_to = referred_to
    follow_up.responsible = responsible
    follow_up.outcome = outcome
    follow_up.updated_by_id = by_user_id
    follow_up.updated_at = utcnow()
    warning.rev = next_revision(session)
    follow_up.rev = warning.rev
    return follow_up
