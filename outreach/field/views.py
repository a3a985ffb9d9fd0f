"""Views of the officer's app. The shell holds no user data: the phone fetches that from the API."""
from flask import current_app, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..designations import RISK_LEVELS
from ..records import RECORD_TYPES, VISIT_PURPOSES
from . import bp
from .shell import precache_urls, release_version


@bp.route("/petugas")
def app():
    forms = {name: kind.form() for name, kind in RECORD_TYPES.items()}
    page = render_template(
        "field/app.html", record_types=list(RECORD_TYPES.values()), forms=forms, purposes=VISIT_PURPOSES,
        strings=client_strings(), labels=client_labels(forms), codes=client_codes(),
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


def client_labels(forms: dict) -> dict:
    """Each record type's name, field labels and choice labels, for the JavaScript to show records with."""
    return {
        name: {
            "label": str(RECORD_TYPES[name].label),
            "fields": {field.name: str(field.label.text) for field in form},
            "choices": {
                field.name: {str(choice.value): str(choice.label) for choice in field.choices}
                for field in form if getattr(field, "choices", None)
            },
        }
        for name, form in forms.items()
    }


def client_codes() -> dict[str, dict[str, str]]:
    """The labels of the program's codes the phone shows outside a record (a village's risk level), so that it
    shows the words managers see, never the raw code."""
    return {"risk_level": {level.value: str(label) for level, label in RISK_LEVELS}}


def client_strings() -> dict[str, str]:
    """The sentences the app's JavaScript shows, in the user's language."""
    return {
        "waiting": _("%(count)s waiting to sync"),
        "toFix": _("%(count)s need fixing"),
        "failed": _("%(count)s failed to send"),
        "allSynced": _("Everything is synced"),
        "oldest": _("The oldest has waited %(hours)s hours."),
        "oldestWarn": _("The oldest has waited %(hours)s hours: find a signal, or save them to a file."),
        "syncing": _("Sending…"),
        "offline": _("No connection. Records are kept on this phone and sent later."),
        "loginAgain": _("Your session has ended. Log in again to send the waiting records; they stay on this phone."),
        "saved": _("Saved on this phone."),
        "synced": _("Sent: %(count)s confirmed by the server."),
        "rejected": _("Needs fixing"),
        "stateWaiting": _("waiting"),
        "stateSending": _("sending"),
        "stateConfirmed": _("confirmed by the server"),
        "stateFailed": _("Failed to send"),
        "tried": _("Tried %(count)s times."),
        "nextTry": _("Next try: %(when)s, or press Send now."),
        "noAnswer": _("The server did not answer."),
        "serverStatus": _("The server answered with error %(status)s."),
        "voided": _("voided"),
        "void": _("Void"),
        "voidConfirm": _("Press again to void this record"),
        "lastSync": _("Last sync: %(when)s"),
        "never": _("never"),
        "lastVisit": _("last visit %(when)s"),
        "noVisit": _("no visit yet"),
        "overdue": _("Overdue: no visit or session in the last 30 days."),
        "noVillages": _("You have no desa binaan yet. Ask your manager to assign you."),
        "persisted": _("Storage on this phone is persistent."),
        "notPersisted": _("The browser may clear this app's storage when space runs low. Send records often."),
        "storageUse": _("%(used)s used, %(free)s free."),
        "locating": _("Finding the position…"),
        "located": _("Position found (±%(accuracy)s m)."),
        "noLocation": _("The position could not be found."),
        "serverError": _("The server could not take the records now. They stay on this phone; it will try again."),
        "chooseVillage": _("Choose a desa binaan"),
        "allVillages": _("All villages"),
        "chooseMaterial": _("Choose a material"),
        "draftRestored": _("Your unfinished form was restored."),
        "photoKept": _("%(count)s photo(s) ready (%(size)s); they are sent after the record."),
        "photoFailed": _("This photo could not be read. Try again."),
        "photoWaiting": _("A photo is waiting to be sent."),
        "photoRejected": _("A photo was refused by the server."),
        "followUp_new": _("The office has not followed this up yet."),
        "followUp_follow_up": _("The office is following this up"),
        "followUp_closed": _("Closed by the office"),
        "exported": _("%(count)s records saved to a file. Give it to your manager; the records stay on this phone."),
        "logoutWaiting": _("%(count)s records are still on this phone. They stay here and are sent when you log in again; another officer using this phone will not see them."),
        "dbError": _("This browser cannot keep records offline (storage is blocked). Do not record here."),
    }
