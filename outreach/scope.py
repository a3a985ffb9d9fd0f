"""Who may see what: a Kanim manager sees their own office, a Kanwil manager the offices under it, an admin
everything."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Office, OfficeKind, Role, User


def office_ids(session: Session, user: User) -> set[int] | None:
    """The offices whose people and records the user may see; None means all of them."""
    if user.role == Role.admin:
        return None
    if user.office is None:
        return set()
    return office_and_below(session, user.office)


def office_and_below(session: Session, office: Office) -> set[int]:
    """The office and, for the Kanwil, every Kanim under it: what its manager sees and its reports count."""
    if office.kind == OfficeKind.kanwil:
        return {office.id, *session.scalars(select(Office.id).where(Office.parent_id == office.id))}
    return {office.id}


def may_see_office(session: Session, user: User, office_id: int | None) -> bool:
    offices = office_ids(session, user)
    return offices is None or office_id in offices


def may_see_officer(session: Session, user: User, officer: User) -> bool:
    return may_see_office(session, user, officer.office_id)


def offices_in_scope(session: Session, user: User) -> list[Office]:
    """The offices a user may choose in a form (a user's office, a desa binaan's office), Kanwil first."""
    query = select(Office).order_by(Office.kind.desc(), Office.name)
    ids = office_ids(session, user)
    if ids is not None:
        query = query.where(Office.id.in_(ids))
    return list(session.scalars(query))
