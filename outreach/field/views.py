"""Views of the officer's app. The shell holds no user data: the phone fetches that from the API."""
from flask import current_app, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..auth import roles_required
from ..records import RECORD_TYPES, VISIT_PURPOSES
from . import bp
from .shell import precache_urls, release_version


@bp.route("/petugas")
@roles_required("officer")
def app():
    form = RECORD_TYPES["visit"].form()
    labels = {
        name: {field.name: str(field.label.text) for field in kind.form()}
        for name, kind in RECORD_TYPES.items()
    }
    page = render_template(
        "field/app.html", form=form, purposes=VISIT_PURPOSES, strings=client_strings(), labels=labels
    )
    response = current_app.make_response(page)
    response.headers["X-Release"] = release_version()
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/sw.js")
def service_worker():
    if current_app.debug:
        release_version.cache_clear()
    body = render_template("field/sw.js", version=release_version(), precache=precache_urls())
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/manifest.webmanifest")
def manifest():
    icons = url_for("static", filename="icons")
    response = jsonify(
        name=_("Pimpasa Outreach"),
        short_name=_("Pimpasa"),
        description=_("Field app of the Desa Binaan Imigrasi program"),
        lang=str(get_locale()),
        start_url="/petugas",
        scope="/",
        display="standalone",
        background_color="#ffffff",
        theme_color="#0b5d4b",
        icons=[
            {"src": f"{icons}/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": f"{icons}/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": f"{icons}/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


def client_strings() -> dict[str, str]:
    """The sentences the app's JavaScript shows, in the user's language."""
    return {
        "waiting": _("%(count)s waiting to sync"),
        "allSynced": _("Everything is synced"),
        "syncing": _("Sending…"),
        "offline": _("No connection. Records are kept on this phone and sent later."),
        "loginAgain": _("Your session has ended. Log in again to send the waiting records; they stay on this phone."),
        "saved": _("Saved on this phone."),
        "synced": _("Sent: %(count)s confirmed by the server."),
        "rejected": _("Needs fixing"),
        "toFix": _("%(count)s need fixing"),
        "conflict": _("The server holds another version"),
        "stateWaiting": _("waiting"),
        "stateSending": _("sending"),
        "lastSync": _("Last sync: %(when)s"),
        "never": _("never"),
        "lastVisit": _("last visit %(when)s"),
        "noVisit": _("no visit yet"),
        "persisted": _("Storage on this phone is persistent."),
        "notPersisted": _("The browser may clear this app's storage when space runs low. Send records often."),
        "locating": _("Finding the position…"),
        "located": _("Position found (±%(accuracy)s m)."),
        "noLocation": _("The position could not be found."),
        "serverError": _("The server could not take the records now. They stay on this phone; it will try again."),
        "noVillages": _("You have no desa binaan yet. Ask your manager to assign you."),
        "chooseVillage": _("Choose a desa binaan"),
        "dbError": _("This browser cannot keep records offline (storage is blocked). Do not record here."),
    }
