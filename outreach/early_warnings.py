"""The office's follow-up of early warnings: new, in follow-up (referred to an agency, with a person
responsible), closed (with the outcome). It lives in its own row, and each change moves the warning to a new
server revision so that the status reaches the reporting officer's phone on the next sync."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from . import scope
from .extensions import DbSession
from .models import EarlyWarning, WarningFollowUp, utcnow
from .revisions import next_revision
from .vocabulary import URGENCY, WARNING_STATUS


def status_of(warning: EarlyWarning) -> str:
    """Where the office's follow-up of a warning stands: a warning nobody has touched yet is new."""
    return warning.follow_up.status if warning.follow_up else "new"


def is_overdue(warning: EarlyWarning, now: datetime) -> bool:
    """Whether a warning has waited longer than the vocabulary allows: a new one by its urgency (one the
    program does not know: as long as the least urgent), one in follow-up by its status; a closed one
    never."""
    status = status_of(warning)
    if status == "new":
        limit = URGENCY.within(warning.urgency) or URGENCY.codes[-1].within  # every urgency has its limit
        return limit is not None and now - warning.received_at > limit
    within, follow_up = (
        WARNING_STATUS.within(status),
        warning.follow_up,
    )  # a warning past new has its follow-up
    return within is not None and follow_up is not None and now - follow_up.updated_at > within


def _select(
    what: Any,
    *,
    offices: set[int] | None,
    status: str | None,
    occurred: tuple[datetime, datetime] | None = None,
) -> Select[*tuple[Any, ...]]:
    query = (
        select(what)
        .select_from(EarlyWarning)
        .outerjoin(WarningFollowUp, WarningFollowUp.warning_id == EarlyWarning.id)
        .where(EarlyWarning.voided.is_(False), scope.records_in(EarlyWarning, offices))
    )
    if occurred is not None:
        query = query.where(EarlyWarning.occurred_at >= occurred[0], EarlyWarning.occurred_at < occurred[1])
    if status == "new":
        query = query.where(or_(WarningFollowUp.status.is_(None), WarningFollowUp.status == "new"))
    elif status in WARNING_STATUS:
        query = query.where(WarningFollowUp.status == status)
    return query


def count(session: DbSession, *, offices: set[int] | None, status: str | None = None) -> int:
    total: int = session.scalar(_select(func.count(), offices=offices, status=status))
    return total


def queue(
    session: DbSession,
    *,
    offices: set[int] | None,
    status: str | None = None,
    occurred: tuple[datetime, datetime] | None = None,
) -> list[EarlyWarning]:
    """The warnings that belong to the given offices (None: all), urgent and old first; voided ones left out.
    `occurred` keeps those seen from its first moment up to (not including) its second."""
    query = _select(EarlyWarning, offices=offices, status=status, occurred=occurred)
    rows = list(session.scalars(query.options(selectinload(EarlyWarning.follow_up))))
    rows.sort(key=lambda w: (URGENCY.order(w.urgency), w.received_at))
    return rows


def set_follow_up(
    session: DbSession,
    warning: EarlyWarning,
    *,
    status: str,
    note: str,
    by_user_id: int,
    referred_to: str = "",
    responsible: str = "",
    outcome: str = "",
) -> WarningFollowUp:
    """Record the office's follow-up status of a warning. The caller commits."""
    if status not in WARNING_STATUS:
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
