"""Views of the officer's app. The shell holds no user data: the phone fetches that from the API."""

from collections.abc import Callable

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from .. import imports
from ..records import RECORD_TYPES, VISIT_PURPOSES
from ..vocabulary import ALL as VOCABULARIES
from . import bp
from .shell import release_version, worker_script


@bp.route("/petugas")
def app():
    forms = {name: kind.form() for name, kind in RECORD_TYPES.items()}
    page = render_template(
        "field/app.html",
        record_types=list(RECORD_TYPES.values()),
        forms=forms,
        purposes=VISIT_PURPOSES,
        strings=client_strings(),
        languages=current_app.config["LANGUAGES"],
        labels=client_labels(forms),
        codes=client_codes(),
    )
    response = current_app.make_response(page)
    response.headers["X-Release"] = release_version()
    response.headers["Cache-Control"] = "no-cache"
    # The service worker asks with the ETag of the copy it keeps: an unchanged shell is a 304, not 9 KB again.
    # (No browser cache keeps it: outreach/security.py marks it no-store, as every page behind a log-in.)
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/sw.js")
def service_worker():
    if current_app.debug:
        release_version.cache_clear()
    script = worker_script(release_version(), guidance="guidance" in request.args)
    response = current_app.response_class(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()  # the browser's update check on each visit is then a 304
    return response.make_conditional(request)


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
            {
                "src": f"{icons}/icon-maskable-512.png",
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    )
    response.mimetype = "application/manifest+json"
    response.add_etag()  # the service worker's precache asks again after the page: a 304
    return response.make_conditional(request)


def client_labels(forms: dict) -> dict:
    """Each record type's name, field labels and choice labels, the order its details are shown in (the page's
    JSON sorts the keys of `fields`), and what its declaration in outreach/records.py
    says the phone needs (its one-line summary, the counts of the people it reached, whether it counts as a
    visit of its village, the rules a record must pass, which static/js/checks.js applies before saving), for
    the JavaScript to show and check records with and never branch on a type's name."""
    return {
        name: {
            "label": str(RECORD_TYPES[name].label),
            "order": RECORD_TYPES[name].detail_order,
            "fields": {field.name: str(field.label.text) for field in form},
            "choices": {
                field.name: {str(choice.value): str(choice.label) for choice in field.choices}
                for field in form
                if getattr(field, "choices", None)
            },
            "summary": RECORD_TYPES[name].summary,
            "people": list(RECORD_TYPES[name].people_fields),
            "people_label": by_plural(lambda n: ngettext("%(count)s person", "%(count)s people", n, **COUNT)),
            "counts_for_coverage": RECORD_TYPES[name].counts_for_coverage,
            "rules": RECORD_TYPES[name].rules(),
        }
        for name, form in forms.items()
    }


def client_codes() -> dict[str, dict]:
    """Every list of the program's codes (outreach/vocabulary.py) as code → words in the officer's language,
    so that the phone shows the words managers see, never a raw code; each list's codes in order under `order`
    (the page's JSON sorts keys: urgency's order is the order warnings are sent in); the sentences for the
    officer under `sentence` (a warning's status); and the name and version of the outbox export file, which
    outreach/imports.py reads."""
    return {
        **{vocabulary.name: vocabulary.labels() for vocabulary in VOCABULARIES},
        "order": {vocabulary.name: list(vocabulary.values) for vocabulary in VOCABULARIES},
        "sentence": {
            vocabulary.name: vocabulary.sentences()
            for vocabulary in VOCABULARIES
            if any(code.sentence for code in vocabulary)
        },
        "outbox_file": {"format": imports.FORMAT, "version": imports.VERSION},
    }


# Left in a counted sentence for the phone to fill: ngettext would put its own number in.
COUNT = {"count": "%(count)s"}


def by_plural(sentence: Callable[[int], str]) -> dict[str, str]:
    """A sentence with a number in the plural forms the phone chooses between with `Intl.PluralRules` (`one`,
    `other`: the forms of Indonesian and English), `%(count)s` left for it to fill."""
    return {"one": sentence(1), "other": sentence(2)}


def client_strings() -> dict[str, str | dict[str, str]]:
    """The sentences the app's JavaScript shows, in the user's language."""
    return {
        "waiting": _("%(count)s waiting to sync"),
        "toFix": by_plural(lambda n: ngettext("%(count)s needs fixing", "%(count)s need fixing", n, **COUNT)),
        "failed": _("%(count)s failed to send"),
        "allSynced": _("Everything is synced"),
        "oldestNow": _("The oldest has waited less than a minute."),
        "oldestMinutes": by_plural(
            lambda n: ngettext(
                "The oldest has waited %(count)s minute.",
                "The oldest has waited %(count)s minutes.",
                n,
                **COUNT,
            )
        ),
        "oldest": by_plural(
            lambda n: ngettext(
                "The oldest has waited %(count)s hour.", "The oldest has waited %(count)s hours.", n, **COUNT
            )
        ),
        "oldestWarn": _("The oldest has waited %(hours)s hours: find a signal, or save them to a file."),
        "syncing": _("Sending…"),
        "offline": _("No connection. Records are kept on this phone and sent later."),
        "loginAgain": _(
            "Your session has ended. Log in again to send the waiting records; they stay on this phone."
        ),
        "saved": _("Saved on this phone."),
        "synced": _("Sent: %(count)s confirmed by the server."),
        "tried": by_plural(lambda n: ngettext("Tried once.", "Tried %(count)s times.", n, **COUNT)),
        "nextTry": _("Next try: %(when)s, or press Send now."),
        "noAnswer": _("The server did not answer."),
        "serverStatus": _("The server answered with error %(status)s."),
        "voided": _("voided"),
        "void": _("Void this record"),
        "voidConfirm": _("Press again to void this record"),
        "lastSync": _("Last sync: %(when)s"),
        "never": _("never"),
        "lastVisit": _("last visit %(when)s"),
        "noVisit": _("no visit yet"),
        "overdue": _("Overdue: no visit or session in the last 30 days."),
        "noVillages": _("You have no desa binaan yet. Ask your manager to assign you."),
        "notPersisted": _(
            "The browser may clear this app's storage when space runs low: send the waiting records now, or save them to a file."
        ),
        "storageLow": _(
            "Little space is left on this phone (%(free)s free): send the waiting records, and free some space (old photos, videos or apps)."
        ),
        "risk": _("Risk: %(level)s"),
        "photoSize": _("%(size)s, ready to be sent after the record"),
        "removePhoto": _("Remove photo %(num)s"),
        "photoAlt": _("Photo %(num)s"),
        "kilobytes": _("%(size)s KB"),
        "megabytes": _("%(size)s MB"),
        "languageOffline": _("The language can be changed only with a connection."),
        "locating": _("Finding the position…"),
        "located": _("Position found (±%(accuracy)s m)."),
        "noLocation": _("The position could not be found."),
        "serverError": _(
            "The server could not take the records now. They stay on this phone; it will try again."
        ),
        "chooseVillage": _("Choose a desa binaan"),
        "allVillages": _("All villages"),
        "chooseMaterial": _("Choose a material"),
        "draftRestored": _("Your unfinished form was restored."),
        "photoFailed": _("This photo could not be read. Try again."),
        "photoWaiting": _("A photo is waiting to be sent."),
        "photoRejected": _("A photo was refused by the server."),
        "exported": by_plural(
            lambda n: ngettext(
                "%(count)s record saved to a file. Give it to your manager; it stays on this phone.",
                "%(count)s records saved to a file. Give it to your manager; the records stay on this phone.",
                n,
                **COUNT,
            )
        ),
        "logoutWaiting": by_plural(
            lambda n: ngettext(
                "%(count)s record is still on this phone. It stays here and is sent when you log in again; another officer using this phone will not see it.",
                "%(count)s records are still on this phone. They stay here and are sent when you log in again; another officer using this phone will not see them.",
                n,
                **COUNT,
            )
        ),
        "dbError": _("This browser cannot keep records offline (storage is blocked). Do not record here."),
        "sendBySms": _("Send by SMS"),
        "sendBySmsHint": _(
            "No connection: send this urgent warning to the office by SMS (your usual SMS rate). The full record is sent when there is data."
        ),
        "smsReceived": _("received by SMS"),
        "smsDetailsFollow": _("(sent by SMS; the details follow when the phone has data)"),
    }
