"""The API's endpoints. Thin: parse, check limits, hand over to the domain modules, commit once."""

import logging
import time
from typing import Any

from flask import current_app, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload, load_only

from .. import (
    clock,
    coverage,
    notices,
    operations,
    photos,
    regions,
    revisions,
    scope,
    sms,
    sync,
    text,
    transaction,
)
from ..auth import CLEAR_CACHE, end_session, roles_required
from ..errors import abort_with, body_limit
from ..extensions import db
from ..models import MAX_INTEGER, Assignment, DesaBinaan, Material, Office, Role, User, utcnow
from ..records import normal_id
from . import bp

PUSH_ATTEMPTS = 4

log = logging.getLogger(__name__)


@bp.get("/me")
def me():
    """Who the phone's user is and what they work with, in four SQL statements whatever their number of villages:
    the desa binaan with their villages, the villages' ancestors, the materials, the revision (the user's office
    comes with the session check, `sessions.resume`)."""
    user = current_user
    villages: list[dict[str, Any]] = []
    if user.role.value == "officer":
        desa_binaan = list(
            db.session.scalars(
                select(DesaBinaan)
                .join(Assignment, Assignment.desa_binaan_id == DesaBinaan.id)
                .where(
                    Assignment.officer_id == user.id,
                    Assignment.ended_on.is_(None),
                    DesaBinaan.ended_on.is_(None),
                )
                .options(joinedload(DesaBinaan.village))
                .order_by(Assignment.id)
            )
        )
        paths = regions.ancestor_names(db.session, [desa.village for desa in desa_binaan])
        for desa in desa_binaan:
            villages.append(
                {
                    "code": desa.village_code,
                    "name": desa.village.name,
                    "path": paths[desa.village_code][1:],
                    "risk_level": desa.risk_level.value,
                    "lat": desa.village.lat,
                    "lng": desa.village.lng,
                }
            )
        villages.sort(key=lambda v: v["name"])
    office = user.office
    locale = str(get_locale())
    materials = [
        {"slug": m.slug, "title": m.title(locale), "kind": m.kind}
        for m in db.session.scalars(
            db.select(Material)
            .options(load_only(Material.slug, Material.kind, Material.title_id, Material.title_en))
            .where(Material.published.is_(True))
            .order_by(Material.title_id)
        )
    ]
    return jsonify(
        materials=materials,
        user={"id": user.id, "username": user.username, "name": user.display_name, "role": user.role.value},
        office={"code": office.code, "name": office.name} if office else None,
        villages=villages,
        csrf_token=generate_csrf(),
        revision=revisions.current_revision(db.session),
        limits={
            "records": current_app.config["SYNC_MAX_RECORDS"],
            "bytes": current_app.config["MAX_CONTENT_LENGTH"],
        },
        sms=_sms_profile(user, office),
    )


def _sms_profile(user: User, office: Office | None) -> dict[str, Any] | None:
    """What an officer's phone needs to send an urgent warning by SMS (`outreach.sms`): their office's gateway
    number ("" when it has none), their secret, and the urgencies that may go by SMS (those that notify
    managers). None for the office's users."""
    if user.role != Role.officer or office is None:
        return None
    return {
        "gateway": office.sms_gateway,
        "officer": user.id,
        "secret": sms.officer_secret(current_app.config["SECRET_KEY"], user),
        "urgencies": list(notices.NOTIFYING),
    }


@bp.post("/sms")
def sms_webhook():
    """An SMS the office's gateway received, forwarded as JSON behind `Authorization: Bearer
    <SMS_WEBHOOK_SECRET>` (or signed with it, as SMS Gateway for Android signs): a warning it carries is stored
    as its officer's push would store it."""
    secret = current_app.config.get("SMS_WEBHOOK_SECRET")
    if not secret:
        abort_with(404, _("SMS warnings are not set up on this server (SMS_WEBHOOK_SECRET)."))
    raw = request.get_data(cache=False)  # a body over MAX_CONTENT_LENGTH is refused here with 413
    if not sms.gateway_authorized(
        secret,
        authorization=request.headers.get("Authorization", ""),
        signature=request.headers.get("X-Signature", ""),
        timestamp=request.headers.get("X-Timestamp", ""),
        body=raw,
        now=time.time(),
    ):
        log.warning("SMS webhook refused: wrong or missing secret or signature from %s", request.remote_addr)
        response = jsonify(error="unauthorized", message=_("The gateway's secret is missing or wrong."))
        return response, 401, {"WWW-Authenticate": "Bearer"}
    try:
        body = text.load_json(raw)
        sender, message, received_at = sms.read_webhook(body)
        outcome = sms.receive(
            db.session,
            text=message,
            sender=sender,
            received_at=received_at,
            secret_key=current_app.config["SECRET_KEY"],
            now=utcnow(),
        )
    except text.BodyError as exc:
        abort_with(400, str(exc))
    except sms.Refused as refused:
        return jsonify(error=refused.error, message=refused.message), refused.status
    answer = {"id": outcome.warning_id, "status": outcome.status, "rev": outcome.rev}
    return jsonify(answer), 201 if outcome.status == sync.ACCEPTED else 200


@bp.post("/logout")
def logout():
    """The phone's log-out, also sent when the connection returns after a log-out made offline: this device's
    session ends on the server before the phone does anything else."""
    end_session()
    return jsonify(logged_out=True), 200, CLEAR_CACHE


@bp.post("/sync")
@roles_required("officer")
def push():
    # A body over MAX_CONTENT_LENGTH is refused with 413, its limit in the message, when it is read.
    try:
        body = text.load_json(request.get_data(cache=False))
    except text.BodyError as exc:
        abort_with(400, str(exc))
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        abort_with(400, _('The body must be an object with a "records" list.'))
    device_id = body.get("device_id", "")
    if not isinstance(device_id, str) or len(device_id) > 100:
        abort_with(400, _('"device_id" must be text of at most 100 characters.'))
    pending = body.get("pending", 0)
    if not isinstance(pending, int) or isinstance(pending, bool) or not 0 <= pending <= sync.MAX_PENDING:
        abort_with(
            400,
            _(
                '"pending" must be the number of records still waiting on the phone (0 to %(max)d).',
                max=sync.MAX_PENDING,
            ),
        )
    limit_records = current_app.config["SYNC_MAX_RECORDS"]
    if len(body["records"]) > limit_records:
        abort_with(413, _("Too many records: at most %(limit)d in one push.", limit=limit_records))

    officer_id = current_user.id  # read before the turn, which may end the transaction that loaded the user
    with transaction.turn(current_app.extensions["push_slots"]):
        return _push(body["records"], officer_id=officer_id, device_id=device_id, pending=pending)


def _push(records: list[Any], *, officer_id: int, device_id: str, pending: int):
    for attempt in range(PUSH_ATTEMPTS):
        try:
            results = sync.push(db.session, officer_id=officer_id, device_id=device_id, records=records)
            if device_id:
                sync.record_device(
                    db.session,
                    officer_id=officer_id,
                    device_id=device_id,
                    pending=pending,
                    user_agent=request.headers.get("User-Agent", ""),
                    now=utcnow(),
                )
            db.session.flush()  # a busy database says so here, to retry; the answer goes after the commit
            break
        except OperationalError as exc:
            db.session.rollback()
            if not sync.is_busy(exc) or attempt == PUSH_ATTEMPTS - 1:
                raise
    operations.count_sync_results(results)
    return jsonify(results=results)


@bp.get("/changes")
@roles_required("officer")
def changes():
    since = request.args.get("since", "0")
    # ASCII digits only ("²".isdigit() is true), and a number a database integer column can hold
    if not (since.isascii() and since.isdigit() and len(since) <= 10 and int(since) <= MAX_INTEGER):
        abort_with(400, _('"since" must be a revision number (0 or more).'))
    page = sync.changes(
        db.session, user=current_user, since=int(since), limit=current_app.config["CHANGES_PAGE_SIZE"]
    )
    return jsonify(page)


@bp.put("/photos/<photo_id>")
@body_limit(photos.MAX_BYTES)
@roles_required("officer")
def upload_photo(photo_id: str):
    """Store a JPEG of one of the officer's records: `?type=session&record=<id>&kind=session|attendance`."""
    checked_id = normal_id(photo_id)
    if checked_id is None:
        abort_with(400, _("Must be a UUID made on the phone."))
    record_id = normal_id(request.args.get("record"))
    if record_id is None:
        abort_with(400, _('"record" must be the id of the photo\'s record, a UUID made on the phone.'))
    try:
        stored = photos.store(
            db.session,
            officer_id=current_user.id,
            photo_id=checked_id,
            record_type=request.args.get("type", ""),
            record_id=record_id,
            kind=request.args.get("kind", "session"),
            data=request.get_data(cache=False),
        )
    except photos.PhotoConflict as exc:
        return jsonify(error="photo", message=str(exc)), 409
    except photos.PhotoError as exc:
        return jsonify(error="photo", message=str(exc)), 400
    body = {
        "id": stored.photo.id,
        "status": "accepted" if stored.created else "duplicate",
        "sha256": stored.photo.sha256,
    }
    return jsonify(body), 201 if stored.created else 200


@bp.get("/coverage")
@roles_required("manager", "admin")
def coverage_figures():
    """The dashboard's figures for a region and each of its child regions, within the user's offices."""
    offices = scope.office_ids(db.session, current_user)
    choice = coverage.chosen(
        db.session, request.args, user=current_user, offices=offices, fallback=clock.reader_zone()
    )
    start, end, zone = choice.period.start, choice.period.end, choice.zone
    result = coverage.coverage(
        db.session, region_code=choice.region_code, start=start, end=end, offices=offices, zone=zone
    )

    def region(r):
        return {"code": r.code, "name": r.name, "level": r.level.value}

    return jsonify(
        region=region(result.region),
        **{"from": start.isoformat(), "to": end.isoformat()},
        timezone=zone.key,
        totals=result.totals.as_dict(),
        rows=[{**region(row.region), **row.figures.as_dict()} for row in result.rows],
    )
