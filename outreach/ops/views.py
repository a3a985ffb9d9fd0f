"""Health and metrics: answers for machines, in JSON or Prometheus' text, never a page."""

import hmac
from typing import cast

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from .. import operations
from . import bp

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness: the process answers. It asks nothing of the database, so a slow database never gets the
    processes restarted."""
    return jsonify(operations.alive()), 200, NO_STORE


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    """Readiness: the database answers and its schema is the one this code expects (migrations run first)."""
    state = operations.readiness()
    return jsonify(state.as_dict()), 200 if state.ready else 503, NO_STORE


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    """Prometheus' scrape, behind `Authorization: Bearer <METRICS_TOKEN>`; without a token set, not served."""
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        return jsonify(error=_("Metrics are off: set METRICS_TOKEN to serve them.")), 404, NO_STORE
    scheme, _space, offered = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(offered.strip().encode(), token.encode()):
        return (
            jsonify(error=_("Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.")),
            401,
            {**NO_STORE, "WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = operations.metrics_page(cast(Flask, current_app._get_current_object()))  # type: ignore[attr-defined]
    return current_app.response_class(body, content_type=operations.CONTENT_TYPE, headers=NO_STORE)
