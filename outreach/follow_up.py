"""The office's follow-up of early warnings. It lives in its own row, and each change moves the warning to a
new server revision so that the status reaches the reporting officer's phone on the next sync."""
from sqlalchemy.orm import Session

from .models import EarlyWarning, WarningFollowUp, utcnow
from .sync import next_revision

STATUSES = ("new", "follow_up", "closed")


def set_follow_up(session: Session, warning: EarlyWarning, *, status: str, note: str, by_user_id: int) -> WarningFollowUp:
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
    follow_up.updated_by_id = by_user_id
    follow_up.updated_at = utcnow()
    warning.rev = next_revision(session)
    follow_up.rev = warning.rev
    return follow_up
