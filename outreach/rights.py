"""Who may change what the public reads: the guidance articles, the contacts, the offices' details.

The province's articles and the national or province-wide contacts are the Kanwil's: its managers and admins
change them. A Kanim manager changes the contacts and details of their own office, and proposes changes to an
article, which a Kanwil manager or an admin publishes (`outreach.proposals`). A manager without an office
changes nothing."""

from __future__ import annotations

from . import scope
from .extensions import DbSession
from .models import Contact, Office, OfficeKind, Role, User


def _office_kind(user: User) -> OfficeKind | None:
    """The kind of office a manager works at; None for anyone else."""
    return user.office.kind if user.role == Role.manager and user.office is not None else None


def publishes_guidance(user: User) -> bool:
    """May save and publish a material directly, and publish or decline what a Kanim proposed."""
    return user.role == Role.admin or _office_kind(user) == OfficeKind.kanwil


def proposes_guidance(user: User) -> bool:
    """May propose a change to a material, which waits for the Kanwil."""
    return _office_kind(user) == OfficeKind.kanim


def may_edit_contact(session: DbSession, user: User, contact: Contact) -> bool:
    """A contact of no office: the Kanwil and admins; an office's contact: also that office's managers (the
    Kanwil's managers for each Kanim under it)."""
    if user.role == Role.admin:
        return True
    if _office_kind(user) is None or user.office is None:
        return False
    if contact.office_id is None:
        return _office_kind(user) == OfficeKind.kanwil
    return contact.office_id in scope.office_and_below(session, user.office)


def may_edit_office(session: DbSession, user: User, office: Office) -> bool:
    """An office's address, numbers and hours: its own managers, its Kanwil's, and admins."""
    if user.role == Role.admin:
        return True
    return (
        _office_kind(user) is not None
        and user.office is not None
        and office.id in scope.office_and_below(session, user.office)
    )


def contact_keepers(session: DbSession, user: User) -> list[Office]:
    """The offices a user may give a contact to (besides no office at all): for whoever may change contacts
    of no office, the offices they see."""
    if not (user.role == Role.admin or _office_kind(user) == OfficeKind.kanwil):
        return []
    return scope.offices_in_scope(session, user)
