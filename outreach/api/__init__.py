"""The JSON API the officer's phone talks to: who am I, push a batch, pull changes; described in OpenAPI 3.1
at `/api/v1/openapi.json` (`openapi.py`, built from the record types' forms).

Errors here are always JSON. The log-in check comes before anything else but the public description and the SMS
gateway's webhook (`POST /sms`, guarded by its own shared secret: `outreach.sms`); the CSRF
token (from `GET /api/v1/me`, sent back in the `X-CSRFToken` header) is checked after it on every write. Officers
and managers share this API, so roles are checked per endpoint (`roles_required`).

A worker process checks and stores at most `SYNC_CONCURRENCY` pushes at once; the others wait their turn (in
order, holding no database connection), so that many phones syncing together do not starve the pages a villager
or a manager is reading from the same workers.
"""

import threading

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from ..extensions import csrf, login_manager

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.record_once
def make_push_slots(state):
    state.app.extensions["push_slots"] = threading.BoundedSemaphore(state.app.config["SYNC_CONCURRENCY"])


@bp.before_request
def require_login_then_csrf():
    if request.endpoint == "api.openapi":  # the description of the API is public
        return None
    if request.endpoint == "api.sms_webhook":  # the office's SMS gateway: its own secret, no log-in
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@bp.errorhandler(CSRFError)
def csrf_error(exc):
    return jsonify(error="csrf", message=_("The security token is missing or stale: fetch a new one.")), 400


from . import openapi, views  # noqa: E402,F401
