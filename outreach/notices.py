"""Notices of early warnings: an urgent or high warning reaching the server tells the managers responsible for
its village by e-mail and by Web Push (`outreach.push`), and the Kanwil when nobody opened it within its
urgency's deadline.

- **Who**: the managers of the office the warning belongs to (`scope.record_office`: the Kanim that has the
  village as desa binaan), and for the most urgent level the managers of its Kanwil too; each only for the
  urgencies they chose (`User.notify_urgencies`, None: `DEFAULT_LEVELS`): a notice by e-mail to those with an
  address, and one by push (`channel`) to those who turned push on in a browser, delivered to each such browser.
- **When**: notices are written in the transaction that stores the warning (`announce`: one INSERT ... SELECT,
  only when the batch holds a warning of a notifying urgency), so a rolled-back push tells nobody and a
  committed one cannot lose its notices. Writing them never fails the push: a refusal is logged and undone
  (a savepoint). Sending happens later, outside that transaction: the background sender is woken after the
  commit, and `flask send-notices` (for cron) does the same work.
- **Once**: a sender claims a notice with an UPDATE that only one sender's can match (status and due time
  unchanged since it read them), so several workers or a cron job beside them never send one notice twice.
  A claimed notice whose sender died is claimed again after `LEASE`.
- **Retries**: a notice that could not be sent stays pending, with its attempts and last error, and is tried
  again after `RETRY_AFTER` (growing), until `MAX_ATTEMPTS`, when it is marked failed. A channel not set up
  (no MAIL_SERVER; no VAPID_PRIVATE_KEY) sends nothing and its notices wait, shown as not sent on the warning's
  page; each channel is sent on its own, so one missing or failing never holds up the other.
- **Escalation**: a warning of a notifying urgency nobody of the office opened (`WarningOpening`) within its
  deadline (`ESCALATE_AFTER`) tells the Kanwil's managers, once (`WarningEscalation`'s primary key).

A notice names no one: its message carries only the warning's link, urgency, village and category.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import click
from flask import Flask, current_app, has_app_context
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Mail, Message, sanitize_address, sanitize_addresses
from sqlalchemy import CursorResult, Table, and_, event, func, insert, literal, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased, selectinload

from . import push
from .extensions import DbSession, db
from .models import (
    EarlyWarning,
    Notice,
    Office,
    PushSubscription,
    Role,
    User,
    WarningEscalation,
    WarningFollowUp,
    WarningOpening,
    utcnow,
)
from .vocabulary import URGENCY, WARNING_CATEGORY

# The urgencies that notify anyone, most urgent first; the most urgent tells the Kanwil at once as well.
NOTIFYING = URGENCY.values[:2]
MOST_URGENT = URGENCY.values[0]
DEFAULT_LEVELS = NOTIFYING
# How long after each failed attempt a notice is tried again (the last one repeats), and when it is given up.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
MAX_ATTEMPTS = 12
# A claimed notice whose sender never said how it went (a killed process) is claimed again after this.
LEASE = timedelta(minutes=10)
# Warnings older than this past their deadline are not escalated any more (an old database, a long outage).
ESCALATION_WINDOW = timedelta(days=2)
# The ways a notice goes: each manager gets one notice per channel they can be reached on.
CHANNELS = ("email", "push")
BATCH = 50
# How often the background sender looks for due notices and escalations when nobody wakes it.
INTERVAL = 60.0

log = logging.getLogger(__name__)
mail = Mail()
_NOTICES = cast(Table, Notice.__table__)  # rows written in one statement, without the ORM's per-row work


def levels_of(user: User) -> list[str]:
    """The urgencies that notify this user."""
    if user.notify_urgencies is None:
        return list(DEFAULT_LEVELS)
    return [level for level in user.notify_urgencies.split(",") if level in NOTIFYING]


def stored_levels(levels: Iterable[str]) -> str:
    """The chosen urgencies as `User.notify_urgencies` keeps them."""
    chosen = set(levels)
    return ",".join(level for level in NOTIFYING if level in chosen)


def _chose(urgency: Any) -> Any:
    """The condition that a manager (`User`) chose to be told of warnings of this urgency."""
    return or_(
        and_(User.notify_urgencies.is_(None), urgency.in_(DEFAULT_LEVELS)),
        (literal(",") + User.notify_urgencies + literal(",")).contains(literal(",") + urgency + literal(",")),
    )


def _reachable(channel: str) -> Any:
    """The condition that a manager (`User`) can be told on this channel: an e-mail address, or a browser with
    push turned on."""
    manager = and_(User.role == Role.manager, User.active.is_(True))
    if channel == "push":
        return and_(manager, select(PushSubscription.id).where(PushSubscription.user_id == User.id).exists())
    return and_(manager, User.email.is_not(None), User.email != "")


def announce(session: DbSession, warning_ids: Iterable[str], *, now: datetime) -> None:
    """Write the notices of newly stored warnings for the managers responsible for them, in the caller's
    transaction: one INSERT ... SELECT. The caller passes only warnings of a notifying urgency, and nothing
    when there are none. Never fails the caller: what the database refuses is logged and undone."""
    ids = sorted(set(warning_ids))
    if not ids:
        return
    session.flush()  # a warning stored one by one (`sync._insert`) is in the table, with its office
    kanim = aliased(Office)
    responsible = or_(
        User.office_id == EarlyWarning.office_id,
        and_(EarlyWarning.urgency == MOST_URGENT, User.office_id == kanim.parent_id),
    )
    query = union_all(
        *(
            select(
                User.id,
                EarlyWarning.id,
                literal(channel),
                literal("new"),
                literal("pending"),
                literal(0),
                literal(now),
                literal(now),
                literal(""),
            )
            .select_from(EarlyWarning)
            .join(kanim, kanim.id == EarlyWarning.office_id)
            .join(User, and_(_reachable(channel), responsible))
            .where(
                EarlyWarning.id.in_(ids),
                EarlyWarning.urgency.in_(NOTIFYING),
                EarlyWarning.voided.is_(False),
                _chose(EarlyWarning.urgency),
            )
            for channel in CHANNELS
        )
    )
    columns = [
        "user_id",
        "warning_id",
        "channel",
        "reason",
        "status",
        "attempts",
        "created_at",
        "next_try_at",
        "last_error",
    ]
    try:
        with session.begin_nested():
            written = session.execute(insert(_NOTICES).from_select(columns, query))
    except OperationalError:
        raise  # the database itself (busy, gone): the caller's whole transaction is answered and retried
    except SQLAlchemyError:
        log.exception("The notices of warnings %s could not be written", ids)
        return
    if cast(CursorResult[Any], written).rowcount:
        session.info["notices_written"] = True


def record_opening(session: DbSession, warning: EarlyWarning, user: User, *, now: datetime) -> None:
    """Note that this office user opened the warning's page, the first time only. The caller commits."""
    if session.get(WarningOpening, (warning.id, user.id)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(WarningOpening(warning_id=warning.id, user_id=user.id, opened_at=now))
    except IntegrityError:
        pass  # the same user's other tab noted it first


@dataclass(frozen=True)
class Told:
    """What the office knows of a warning's notices and openings, for its pages."""

    notices: list[Notice]
    openings: list[WarningOpening]
    escalated_at: datetime | None


def told(session: DbSession, warning_ids: Iterable[str]) -> dict[str, Told]:
    """Who was told of each warning, when and how it went; who opened it and when; when it was escalated.
    A few queries whatever the number of warnings."""
    ids = list(set(warning_ids))
    if not ids:
        return {}
    notices: dict[str, list[Notice]] = {}
    for notice in session.scalars(
        select(Notice)
        .options(selectinload(Notice.user))
        .where(Notice.warning_id.in_(ids))
        .join(Notice.user)
        .order_by(Notice.created_at, User.username)
    ):
        notices.setdefault(notice.warning_id, []).append(notice)
    openings: dict[str, list[WarningOpening]] = {}
    for opening in session.scalars(
        select(WarningOpening)
        .options(selectinload(WarningOpening.user))
        .where(WarningOpening.warning_id.in_(ids))
        .order_by(WarningOpening.opened_at)
    ):
        openings.setdefault(opening.warning_id, []).append(opening)
    escalated: dict[str, datetime] = dict(
        session.execute(
            select(WarningEscalation.warning_id, WarningEscalation.escalated_at).where(
                WarningEscalation.warning_id.in_(ids)
            )
        ).all()
    )
    return {id_: Told(notices.get(id_, []), openings.get(id_, []), escalated.get(id_)) for id_ in ids}


# Escalation


def escalate(session: Session, *, now: datetime, deadlines: dict[str, timedelta]) -> int:
    """Tell the Kanwil's managers of every warning nobody opened within its urgency's deadline, once each.
    Commits each escalation on its own; returns how many warnings were escalated."""
    escalated = 0
    for urgency, deadline in deadlines.items():
        if urgency not in NOTIFYING:
            continue
        due = session.scalars(
            select(EarlyWarning.id)
            .outerjoin(WarningOpening, WarningOpening.warning_id == EarlyWarning.id)
            .outerjoin(WarningEscalation, WarningEscalation.warning_id == EarlyWarning.id)
            .outerjoin(WarningFollowUp, WarningFollowUp.warning_id == EarlyWarning.id)
            .where(
                EarlyWarning.urgency == urgency,
                EarlyWarning.voided.is_(False),
                EarlyWarning.office_id.is_not(None),
                EarlyWarning.received_at <= now - deadline,
                EarlyWarning.received_at > now - deadline - ESCALATION_WINDOW,
                WarningOpening.warning_id.is_(None),
                WarningEscalation.warning_id.is_(None),
                WarningFollowUp.warning_id.is_(None),
            )
        ).all()
        for warning_id in due:
            if _escalate_one(session, warning_id, now=now):
                escalated += 1
    return escalated


def _escalate_one(session: Session, warning_id: str, *, now: datetime) -> bool:
    """Mark one warning escalated and write its notices to the Kanwil's managers, in one transaction; False
    when another sender escalated it first."""
    office = aliased(Office)
    kanwil = or_(
        User.office_id == office.parent_id, and_(office.parent_id.is_(None), User.office_id == office.id)
    )
    try:
        session.add(WarningEscalation(warning_id=warning_id, escalated_at=now))
        session.flush()
        managers = session.execute(
            union_all(
                *(
                    select(User.id, literal(channel))
                    .select_from(EarlyWarning)
                    .join(office, office.id == EarlyWarning.office_id)
                    .join(User, and_(_reachable(channel), kanwil))
                    .where(EarlyWarning.id == warning_id)
                    for channel in CHANNELS
                )
            )
        ).all()
        if managers:
            session.execute(
                insert(_NOTICES),
                [
                    {
                        "user_id": user_id,
                        "warning_id": warning_id,
                        "channel": channel,
                        "reason": "escalated",
                        "status": "pending",
                        "attempts": 0,
                        "created_at": now,
                        "next_try_at": now,
                        "last_error": "",
                    }
                    for user_id, channel in managers
                ],
            )
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


# Delivery


def retry_delay(attempts: int) -> timedelta:
    return RETRY_AFTER[min(attempts, len(RETRY_AFTER)) - 1]


def send_due(session: Session, config: dict[str, Any], *, now: datetime) -> int:
    """Send the notices that are due on every channel set up (e-mail with MAIL_SERVER, push with a VAPID key),
    one channel after the other, so that one missing or failing never holds up the other. Returns how many
    were sent; the notices of a channel not set up wait."""
    sent = 0
    for channel in _channels(config):
        try:
            sent += _send_channel(session, channel, now=now)
        finally:
            channel.close()
    return sent


def _send_channel(session: Session, channel: _Channel, *, now: datetime) -> int:
    """Send this channel's due notices, each claimed first so that no other sender sends it too. Commits each
    notice's outcome on its own."""
    sent = 0
    while True:
        due = session.scalars(
            select(Notice.id)
            .where(
                Notice.status.in_(("pending", "sending")),
                Notice.next_try_at <= now,
                Notice.channel == channel.name,
            )
            .order_by(Notice.next_try_at, Notice.id)
            .limit(BATCH)
        ).all()
        session.commit()
        claimed_any = False
        for notice_id in due:
            notice = _claim(session, notice_id, now=now)
            if notice is None:
                continue
            claimed_any = True
            try:
                channel.deliver(session, notice)
            except Undeliverable as exc:
                _failed(session, notice, exc, now=now, give_up=True)
                continue
            except Exception as exc:  # one notice that cannot go must not hold up the others
                if not isinstance(exc, channel.errors):
                    log.exception("Notice %d could not be sent", notice.id)
                session.rollback()
                _failed(session, notice, exc, now=now)
                if channel.down:
                    return sent  # its server cannot be reached: the rest wait for the next round
                continue
            _delivered(session, notice, now=now)
            sent += 1
        if not claimed_any or len(due) < BATCH:
            return sent


class _Channel:
    """How notices of one `Notice.channel` go: `deliver` sends one or raises (Undeliverable: given up; one of
    `errors`: tried again later); `down` says the last failure was its server's, which the rest wait out."""

    name: str
    errors: tuple[type[BaseException], ...]
    down = False

    def deliver(self, session: Session, notice: Notice) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of what the round held (a connection)."""


def _channels(config: dict[str, Any]) -> list[_Channel]:
    channels: list[_Channel] = []
    if config.get("MAIL_SERVER"):
        channels.append(_Email(config))
    if push.enabled(config):
        channels.append(_Push(config))
    return channels


class _Email(_Channel):
    """E-mail over one SMTP connection for the round."""

    name = "email"
    errors = (OSError, smtplib.SMTPException)

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def deliver(self, session: Session, notice: Notice) -> None:
        message = compose(session, notice, self.config)
        self.down = False
        try:
            if self.connection is None:
                self.connection = _connect(self.config)
            self.connection.sendmail(
                sanitize_address(message.sender), sanitize_addresses(message.send_to), message.as_bytes()
            )
        except (OSError, smtplib.SMTPException) as exc:
            self.down = self.connection is None or isinstance(exc, smtplib.SMTPServerDisconnected)
            raise

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.connection = None


class _Push(_Channel):
    """Web Push to each browser the recipient turned it on in; a browser its push service forgot is removed.
    Sent when at least one browser took it; tried again when none did and one may later."""

    name = "push"
    errors = (OSError, push.PushFailed)

    def __init__(self, config: dict[str, Any]):
        self.config = config

    def deliver(self, session: Session, notice: Notice) -> None:
        browsers = push.subscriptions_of(session, notice.user_id)
        if not browsers or not notice.user.active:
            raise Undeliverable("the recipient has no browser with push turned on any more")
        warning = session.get_one(EarlyWarning, notice.warning_id)
        message = compose_push(session, notice, self.config)
        delivered, failure = 0, None
        for browser in browsers:
            try:
                push.send(browser, message, self.config, urgent=warning.urgency == MOST_URGENT)
            except push.Gone:
                log.info(
                    "Browser %d of user %d is gone from its push service: removed",
                    browser.id,
                    browser.user_id,
                )
                session.delete(browser)
            except self.errors as exc:
                failure = exc
            else:
                delivered += 1
        session.commit()
        if delivered:
            return
        if failure is not None:
            raise failure
        raise Undeliverable("the recipient has no browser with push turned on any more")


def _claim(session: Session, notice_id: int, *, now: datetime) -> Notice | None:
    """Take a due notice for this sender, in its own committed UPDATE that matches only while nobody else took
    it; None when someone did."""
    taken = session.execute(
        update(Notice)
        .where(
            Notice.id == notice_id,
            Notice.status.in_(("pending", "sending")),
            Notice.next_try_at <= now,
        )
        .values(status="sending", attempts=Notice.attempts + 1, next_try_at=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if cast(CursorResult[Any], taken).rowcount != 1:
        return None
    return session.get(Notice, notice_id, populate_existing=True)


def _delivered(session: Session, notice: Notice, *, now: datetime) -> None:
    notice.status, notice.sent_at, notice.last_error = "sent", now, ""
    session.commit()


def _failed(
    session: Session, notice: Notice, exc: BaseException, *, now: datetime, give_up: bool = False
) -> None:
    log.warning("Notice %d could not be sent: %s", notice.id, exc)
    notice.last_error = (f"{type(exc).__name__}: {exc}")[:300]
    if give_up or notice.attempts >= MAX_ATTEMPTS:
        notice.status = "failed"
    else:
        notice.status, notice.next_try_at = "pending", now + retry_delay(notice.attempts)
    session.commit()


def _connect(config: dict[str, Any]) -> smtplib.SMTP:
    """An SMTP connection as Flask-Mail's settings describe it, with a timeout so a silent server cannot hold
    the sender."""
    server, port, timeout = (
        config["MAIL_SERVER"],
        config.get("MAIL_PORT") or 25,
        config.get("MAIL_TIMEOUT", 20),
    )
    host: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        host = smtplib.SMTP_SSL(server, port, timeout=timeout)
    else:
        host = smtplib.SMTP(server, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            host.starttls()
    if config.get("MAIL_USERNAME") and config.get("MAIL_PASSWORD"):
        host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return host


def warning_link(config: dict[str, Any], warning_id: str) -> str:
    """The warning's page, absolute on PUBLIC_URL (the path alone when it is unset)."""
    path = current_app.url_map.bind("localhost").build("manage.warning", {"warning_id": warning_id})
    return (config.get("PUBLIC_URL") or "") + path


class Undeliverable(Exception):
    """A notice that no attempt can deliver any more: its recipient lost their address or their account."""


@dataclass(frozen=True)
class _About:
    """What every notice of a warning says, in its recipient's language: a title and the lines of its
    urgency, village and category, and the warning's link; nothing that names anyone."""

    language: str
    title: str
    facts: tuple[str, str, str]
    link: str


def _about(session: Session, notice: Notice, config: dict[str, Any]) -> _About:
    warning = session.get_one(EarlyWarning, notice.warning_id)
    village = warning.village
    district = village.parent
    place = f"{village.name}, {district.name}" if district is not None else village.name
    language = notice.user.language or "id"
    if language not in config.get("LANGUAGES", ("id",)):
        language = "id"
    with force_locale(language):
        urgency, category = URGENCY.label(warning.urgency), WARNING_CATEGORY.label(warning.category)
        if notice.reason == "escalated":
            title = _(
                "Not yet opened: early warning %(urgency)s in %(village)s",
                urgency=urgency,
                village=village.name,
            )
        else:
            title = _("Early warning %(urgency)s in %(village)s", urgency=urgency, village=village.name)
        facts = (
            _("Urgency: %(urgency)s", urgency=urgency),
            _("Village: %(village)s", village=place),
            _("Category: %(category)s", category=category),
        )
    return _About(language, title, facts, warning_link(config, warning.id))


def compose(session: Session, notice: Notice, config: dict[str, Any]) -> Message:
    """The e-mail of a notice, in its recipient's language: the warning's urgency, village, category and
    link, and nothing that names anyone."""
    user = notice.user
    if not user.email or not user.active:
        raise Undeliverable("the recipient has no e-mail address or account any more")
    about = _about(session, notice, config)
    with force_locale(about.language):
        escalated = notice.reason == "escalated"
        lines = [
            _("Nobody at the office has opened this early warning within its deadline.")
            if escalated
            else _("An officer has reported an early warning."),
            "",
            *about.facts,
            "",
            _("Open it (after logging in): %(link)s", link=about.link),
            "",
            _("This message names no one; the details are on the page, for the office only."),
            _("You get it because nobody at the Kanim opened the warning in time.")
            if escalated
            else _("You get it because you chose to be told of early warnings of this urgency."),
        ]
    return Message(
        subject=f"[Pimpasa] {about.title}",
        recipients=[user.email],
        body="\n".join(lines),
        sender=config.get("MAIL_DEFAULT_SENDER") or f"pimpasa@{config['MAIL_SERVER']}",
    )


def compose_push(session: Session, notice: Notice, config: dict[str, Any]) -> dict[str, str]:
    """The push message of a notice, in its recipient's language: a title, a body with the warning's urgency,
    village and category, and its link (`url`); nothing that names anyone."""
    about = _about(session, notice, config)
    return {"title": about.title, "body": "\n".join(about.facts), "url": about.link}


def run_once(session: Session, config: dict[str, Any], *, now: datetime | None = None) -> tuple[int, int]:
    """One round of the sender: escalate what is overdue, then send what is due. Returns (escalated, sent)."""
    now = now or utcnow()
    escalated = escalate(session, now=now, deadlines=config.get("ESCALATE_AFTER", {}))
    return escalated, send_due(session, config, now=now)


# The background sender


class Sender:
    """A thread per worker process that runs `run_once` when a request that wrote notices has committed, and
    every `INTERVAL` seconds for retries and escalations. It never makes a request wait."""

    def __init__(self, app: Flask):
        self.app = app
        self.wakeup = threading.Event()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.stopping = False

    def wake(self) -> None:
        self.start()
        self.wakeup.set()

    def start(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.stopping = False
                self.thread = threading.Thread(target=self._run, name="notices", daemon=True)
                self.thread.start()

    def stop(self) -> None:
        """End the thread after its round (a test's app; a worker's sender lives as long as its process)."""
        with self.lock:
            thread, self.thread, self.stopping = self.thread, None, True
        self.wakeup.set()
        if thread is not None:
            thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            self.wakeup.wait(timeout=INTERVAL)
            self.wakeup.clear()
            if self.stopping:
                return
            with self.app.app_context():
                try:
                    run_once(db.session(), self.app.config)
                except Exception:
                    log.exception("The notice sender's round failed; it tries again")
                finally:
                    db.session.remove()


def _sender(app: Flask) -> Sender | None:
    """This worker's sender, when it should run: a channel set up (MAIL_SERVER, a VAPID key) and NOTICE_SENDER
    not turned off."""
    if not _channels(app.config) or not app.config.get("NOTICE_SENDER", True):
        return None
    sender = app.extensions.get("notices")
    if sender is None:
        sender = app.extensions.setdefault("notices", Sender(app))
    return cast(Sender, sender)


@click.command("send-notices")
@with_appcontext
def send_notices_command() -> None:
    """Escalate the early warnings nobody opened in time and send the notices that are due (for cron)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: notices by e-mail wait, unsent, on the warnings' pages.")
    if not push.enabled(config):
        click.echo("VAPID_PRIVATE_KEY is not set: notices by push wait, unsent, on the warnings' pages.")
    escalated, sent = run_once(db.session(), config)
    waiting = db.session.scalar(select(func.count()).select_from(Notice).where(Notice.status != "sent"))
    db.session.commit()
    click.echo(f"{escalated} warning(s) escalated, {sent} notice(s) sent, {waiting} not sent.")


def init_app(app: Flask) -> None:
    """Add `flask send-notices` and `flask vapid-keys`, refuse a VAPID key that cannot be used; start the sender with the worker's first request (not in the factory: no
    thread in a command, none before a server forks its workers)."""
    app.cli.add_command(send_notices_command)
    app.cli.add_command(push.vapid_keys_command)
    push.check_config(app.config)
    mail.init_app(app)  # Flask-Mail composes the messages; `_connect` sends them, with a timeout

    @app.before_request
    def _start_sender() -> None:
        sender = _sender(app)
        if sender is not None and (sender.thread is None or not sender.thread.is_alive()):
            sender.start()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop("notices_written", False) and has_app_context():
        sender = _sender(cast(Flask, current_app._get_current_object()))  # type: ignore[attr-defined]
        if sender is not None:
            sender.wake()


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("notices_written", None)
