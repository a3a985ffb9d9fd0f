"""The security headers on every answer (Flask-Talisman), where the browser reports what the policy blocked, and
`Cache-Control: no-store` on whatever a logged-in user is shown.

- Content-Security-Policy: the app's own scripts, styles, images and connections only; no inline script or
  style, no plug-ins, no framing, forms posted only here. The routes that send a guidance file send a stricter
  policy of their own (`guidance.FILE_HEADERS`, a `sandbox`): Talisman leaves theirs alone (OWN_POLICY).
- Permissions-Policy: geolocation and the camera on the officer's app only (`field.app`); elsewhere no
  powerful feature at all. Answers that are no document (static files, the API's and the operators' JSON)
  carry no Permissions-Policy, which only a document reads, and a policy under which nothing loads
  (`ASSET_POLICY`).
- HSTS only on a request that came over HTTPS; plain HTTP is never redirected (a laptop demo, the tests), and
  the cookie flags stay the app's own (`SESSION_COOKIE_SECURE` follows SECURE_COOKIES).
- no-store on every answer of the blueprints behind a log-in and on any page answered to a logged-in user
  (an early warning names people at risk: no shared or back-button cache may keep it), except the few public
  files those blueprints serve; static files and anonymous public pages keep their own caching.
- An ETag on every page that is not no-store, so that a browser revalidating it gets a 304 (static files get
  theirs, and a year's caching, from outreach/assets.py).
"""

import json

from flask import Blueprint, abort, current_app, request
from flask_login import current_user
from flask_talisman import DENY, Talisman

from .errors import body_limit
from .extensions import csrf

REPORT_PATH = "/csp-report"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",  # server-drawn SVG charts, QR codes and photos; nothing from data: or blob: (but see below)
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
}
# Every powerful feature Chromium knows (a name it does not know is a console warning), off; the officer's app
# turns on the two it uses.
NO_FEATURES = dict.fromkeys(
    (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "clipboard-write",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    ),
    "()",
)
FIELD_APP_FEATURES = {**NO_FEATURES, "geolocation": "(self)", "camera": "(self)"}
# The officer's app shows the photos just taken, before they are sent, from the phone's own memory (an object
# URL of the shrunk JPEG, `blob:` of this origin only): no other page shows a `blob:` image.
FIELD_APP_POLICY = {**POLICY, "img-src": "'self' blob:"}

# What a script, a style sheet, an image file or a JSON answer is sent with: none of them is a document, so no
# Permissions-Policy (only a document reads one: about 500 bytes an answer, a tenth of what an officer's phone
# downloads at its first load, across its files), and a policy under which nothing loads, should one be opened
# as a page after all.
ASSET_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'"}
NOT_DOCUMENTS = ("static", "api.", "ops.")

# The routes that answer with a guidance file and its own sandbox policy (`guidance.download`).
OWN_POLICY = ("public.article_file", "manage.material_file", "manage.material_proposal_file")

PRIVATE_BLUEPRINTS = {"manage", "api", "auth", "field"}
# Served by those blueprints to anyone, and cached as they say: the service worker, the web manifest, the API's
# description.
PUBLIC_ENDPOINTS = {"field.service_worker", "field.manifest", "api.openapi", "static"}

REPORT_LIMIT = 16 * 1024  # a browser's report is a few hundred bytes

talisman = Talisman()
bp = Blueprint("security", __name__)


def init_app(app):
    """Set the headers on every answer; call after the blueprints are registered (the officer's app view gets
    its own Permissions-Policy and image sources, a guidance file keeps its own Content-Security-Policy)."""
    talisman.init_app(
        app,
        force_https=False,
        session_cookie_secure=False,
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        frame_options=DENY,
        content_security_policy=POLICY,
        content_security_policy_report_uri=REPORT_PATH,
        referrer_policy="same-origin",
        permissions_policy=NO_FEATURES,
    )
    app.after_request(validate_pages)  # after_request functions run last first: this one after the next
    app.after_request(no_store_when_private)
    talisman(permissions_policy=FIELD_APP_FEATURES, content_security_policy=FIELD_APP_POLICY)(
        app.view_functions["field.app"]
    )
    for endpoint in OWN_POLICY:
        talisman(content_security_policy=False)(app.view_functions[endpoint])
    for endpoint, view in app.view_functions.items():
        if endpoint.startswith(NOT_DOCUMENTS):
            talisman(permissions_policy={}, content_security_policy=ASSET_POLICY)(view)
    app.register_blueprint(bp)
    csrf.exempt(bp)  # the browser sends reports without a token


def no_store_when_private(response):
    if request.endpoint in PUBLIC_ENDPOINTS:
        return response
    if request.blueprint in PRIVATE_BLUEPRINTS or current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def validate_pages(response):
    """An ETag on every page a browser may keep, and a 304 when it already has it (Flask-Compress, which runs
    after this, gives the compressed copy an ETag of its own and answers its 304s). A no-store page is never
    kept, so it gets none."""
    if (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and "no-store" not in (response.headers.get("Cache-Control") or "")
        and "ETag" not in response.headers
    ):
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.post(REPORT_PATH)
@body_limit(REPORT_LIMIT)
def csp_report():
    """Log what the policy blocked in a browser: a blocked script or style is a bug of this app, or an attack
    on it."""
    reports = violations(request.get_json(force=True, silent=True))
    if not reports:
        abort(400)
    for report in reports:
        # Sent by anyone, so written as JSON on one line, each value cut short: no field can forge a log line.
        seen = {str(key)[:40]: str(value)[:300] for key, value in list(report.items())[:20]}
        current_app.logger.warning("Content-Security-Policy violation: %s", json.dumps(seen, sort_keys=True))
    return "", 204


def violations(data) -> list[dict]:
    """The violations in a report body: `report-uri`'s `{"csp-report": {...}}`, or the Reporting API's list of
    `{"type": "csp-violation", "body": {...}}`."""
    if isinstance(data, dict):
        found = [data.get("csp-report")]
    elif isinstance(data, list):
        found = [
            item.get("body")
            for item in data
            if isinstance(item, dict) and item.get("type") == "csp-violation"
        ]
    else:
        found = []
    return [report for report in found if isinstance(report, dict)]
