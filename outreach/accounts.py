"""Accounts of the people who log in, and who may manage whom: an admin manages everyone; a manager the
officers and managers of the offices in their scope, never an admin and never beyond their offices. Nobody can
lock themselves out by deactivating their own account or taking away their own role."""

from __future__ import annotations

import re
import secrets

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select

from . import clock, notices, passwords, scope, sessions
from .domain import DomainError
from .extensions import DbSession
from .models import Assignment, DesaBinaan, Office, Role, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
# An address a mail server can take: something, one @, a domain with a dot; no spaces or angle brackets.
EMAIL = re.compile(r"^[^@\s<>,;]{1,64}@[^@\s<>,;]+\.[^@\s<>,;.]+$")
# Letters and digits that are hard to mix up when read aloud or copied from paper (no 0/o, 1/l/i).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountError(DomainError):
    """A rule an account change broke, with the form field it belongs to."""

    def __init__(self, message: str | LazyString, *, field: str):
        super().__init__(message)
        self.field = field


def roles_for(actor: User) -> list[Role]:
    """The roles `actor` may give."""
    return list(Role) if actor.role == Role.admin else [Role.officer, Role.manager]


def may_manage(session: DbSession, actor: User, user: User) -> bool:
    if actor.role == Role.admin:
        return True
    return user.role != Role.admin and scope.may_see_officer(session, actor, user)


def new_password() -> str:
    """A random password to hand over on paper: three groups of four, about 59 bits."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def users(session: DbSession, actor: User, *, include_inactive: bool) -> list[User]:
    """The accounts `actor` may manage, by office and name."""
    query = (
        select(User)
        .outerjoin(Office, User.office_id == Office.id)
        .order_by(Office.name, User.role, User.username)
    )
    offices = scope.office_ids(session, actor)
    if offices is not None:
        query = query.where(User.office_id.in_(offices), User.role != Role.admin)
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query))


def _check(session: DbSession, actor: User, *, role: Role, office: Office | None) -> None:
    if role not in roles_for(actor):
        raise AccountError(_l("You may not give this role."), field="role")
    if role != Role.admin and office is None:
        raise AccountError(_l("Officers and managers belong to an office."), field="office")
    if office is not None and office not in scope.offices_in_scope(session, actor):
        raise AccountError(_l("This office is outside your area."), field="office")


def create(
    session: DbSession,
    actor: User | None,
    *,
    username: str,
    full_name: str,
    role: Role,
    office: Office | None,
    password: str,
) -> User:
    """Add an account; `actor` None is the command line, which may do anything. A password chosen by a manager
    must be changed at its first use; the command line's was chosen by the admin who will use it. The caller
    commits."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError(
            _l("Use 1 to 64 lower-case letters, digits, dots, dashes or underscores."), field="username"
        )
    refused = passwords.problem(password, username=username, full_name=full_name)
    if refused is not None:
        raise AccountError(refused, field="password")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(_l("This username is taken."), field="username")
    if actor is not None:
        _check(session, actor, role=role, office=office)
    elif role != Role.admin and office is None:
        raise AccountError(_l("Officers and managers belong to an office."), field="office")
    user = User(username=username, full_name=full_name.strip(), role=role, office=office, active=True)
    user.set_password(password)
    user.must_change_password = actor is not None
    session.add(user)
    return user


def set_notices(session: DbSession, user: User, *, email: str, levels: list[str]) -> None:
    """Set where a user's notices of early warnings go (empty: nowhere) and the urgencies that notify them.
    An address is one person's: another account's, in any case, is refused. The caller commits."""
    address = email.strip()
    if address:
        if len(address) > 254 or not EMAIL.match(address):
            raise AccountError(_l("Enter an e-mail address such as nama@kantor.go.id."), field="email")
        taken = session.scalar(
            select(User.id).where(func.lower(User.email) == address.lower(), User.id != user.id)
        )
        if taken is not None:
            raise AccountError(_l("Another account has this e-mail address."), field="email")
    user.email = address or None
    user.notify_urgencies = notices.stored_levels(levels)


def assignments_ended_by_move(session: DbSession, user: User, office: Office | None) -> list[Assignment]:
    """The assignments a move to `office` ends: the user's open ones to desa binaan of the office they leave.
    Whoever looks after a village works at its office; their records there stay that office's (`scope`)."""
    if user.office_id is None or (office is not None and office.id == user.office_id):
        return []
    return list(
        session.scalars(
            select(Assignment)
            .join(DesaBinaan, Assignment.desa_binaan_id == DesaBinaan.id)
            .where(
                Assignment.officer_id == user.id,
                Assignment.ended_on.is_(None),
                DesaBinaan.office_id == user.office_id,
            )
        )
    )


def update(
    session: DbSession,
    actor: User,
    user: User,
    *,
    full_name: str,
    role: Role,
    office: Office | None,
    active: bool,
    end_assignments: bool = False,
) -> None:
    """Change an account's name, role, office or whether it may log in. Moving someone to another office ends
    their assignments at the old one (today), once `end_assignments` confirms it; without it, an AccountError
    on `end_assignments` says what the move would end. The caller commits."""
    if user.id == actor.id and (role != user.role or not active):
        raise AccountError(
            _l("You cannot take away your own role or access."),
            field="role" if role != user.role else "active",
        )
    _check(session, actor, role=role, office=office)
    ending = assignments_ended_by_move(session, user, office)
    if ending and not end_assignments:
        assert user.office is not None  # `ending` holds assignments at the office the user leaves
        raise AccountError(
            ngettext(
                "%(name)s looks after %(num)d desa binaan of %(office)s; moving them ends this assignment.",
                "%(name)s looks after %(num)d desa binaan of %(office)s; moving them ends those assignments.",
                len(ending),
                name=user.display_name,
                office=user.office.name,
            ),
            field="end_assignments",
        )
    for assignment in ending:  # today where the office they leave is
        assignment.ended_on = clock.today(clock.zone_of(user.office))
    if user.active and not active:
        sessions.end_all(session, user, "deactivated", by=actor)
    user.full_name, user.role, user.office, user.active = full_name.strip(), role, office, active
