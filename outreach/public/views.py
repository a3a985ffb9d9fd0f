"""The guidance library and the pages around it. Readable with JavaScript off; cached for reading offline."""

import io
from ipaddress import ip_address
from urllib.parse import quote, urlsplit

import segno
from flask import abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select

from .. import guidance
from ..extensions import db
from ..models import Contact, Material, Office, OfficeKind, Role
from . import bp

MAX_QUERY = 100

bp.add_app_template_filter(guidance.tel_url, "tel_url")
bp.add_app_template_filter(guidance.whatsapp_url, "whatsapp_url")


def _locale() -> str:
    return str(get_locale())


def reviewer() -> bool:
    """Whether the reader is a manager or an admin, who sees what the office still has to check (a source of
    one, an article not reviewed): a villager and an officer showing an article in a session never do. Pages
    answered to a logged-in user are never kept by a browser or the service worker (outreach/security.py)."""
    return current_user.is_authenticated and current_user.role in (Role.manager, Role.admin)


def breakable(address: str) -> Markup:
    """An address that wraps after a slash of its path (and, as always, a hyphen) and nowhere else: no word is
    cut."""
    parts = urlsplit(address)
    origin = f"{parts.scheme}://{parts.netloc}"
    return escape(origin) + Markup("/<wbr>").join(escape(part) for part in address[len(origin) :].split("/"))


def is_local(host: str) -> bool:
    """Whether a Host header names this machine or a private network (a developer's machine, a demo on a
    laptop's Wi-Fi): an address nobody outside can be sent to by a forged header."""
    name = urlsplit("//" + host).hostname or ""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def trusted_origin() -> str | None:
    """Where absolute links point: PUBLIC_URL when set; else the request's host when it is local or Flask has
    checked it against TRUSTED_HOSTS; else None, and no link leaves the page with a host that a stranger's
    request may have named."""
    if current_app.config["PUBLIC_URL"]:
        return current_app.config["PUBLIC_URL"]
    if current_app.config["TRUSTED_HOSTS"] or is_local(request.host):
        return request.host_url.rstrip("/")
    return None


def public_address(endpoint: str, **values) -> str | None:
    """The absolute address of a page, to share, print or put in a QR code; None without a trusted origin."""
    origin = trusted_origin()
    return origin and origin + url_for(endpoint, **values)


@bp.route("/")
def home():
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    results = guidance.search(db.session, query) if query else None
    return render_template(
        "public/home.html",
        groups=guidance.by_topic(db.session) if results is None else [],
        query=query,
        results=results,
        numbers=guidance.key_numbers(db.session),
        locale=_locale(),
    )


def body_language(material: Material, locale: str) -> str:
    """The language the article's text is shown in: the reader's, or Indonesian where it has no translation."""
    return locale if material.has_language(locale) else "id"


def _published(slug: str) -> Material:
    material = db.session.scalar(select(Material).where(Material.slug == slug, Material.published.is_(True)))
    if material is None:
        abort(404)
    return material


@bp.route("/panduan/istilah")
def glossary():
    """Every acronym and hard word the articles use, in plain words: the page each article links to."""
    locale = _locale()
    words = guidance.glossary()
    return render_template(
        "public/glossary.html",
        acronyms=sorted(words.acronyms, key=lambda a: a.short.casefold()),
        terms=sorted(words.terms, key=lambda t: t.word(locale).casefold()),
        locale=locale,
    )


@bp.route("/panduan/<slug>")
def article(slug: str):
    material = _published(slug)
    locale = _locale()
    address = public_address("public.article", slug=slug)
    whatsapp = address and "https://wa.me/?text=" + quote(f"{material.title(locale)}\n{address}")
    return render_template(
        "public/article.html",
        material=material,
        locale=locale,
        body=guidance.render_markdown(material.text("body", locale), body_language(material, locale)),
        address=address,
        whatsapp=whatsapp,
        full_screen=request.args.get("layar") == "penuh",
        reviewer=reviewer(),
    )


@bp.route("/panduan/<slug>/qr.svg")
def article_qr(slug: str):
    """The article's address as a QR code; none (404) where no address can be trusted. Built on PUBLIC_URL it is
    the same for everyone, and any cache may keep it; built on the request's host, only that browser may."""
    material = _published(slug)
    address = public_address("public.article", slug=material.slug)
    if address is None:
        abort(404)
    out = io.BytesIO()
    segno.make(address, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=material.slug
    )
    response = current_app.response_class(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = (
        "public" if current_app.config["PUBLIC_URL"] else "private"
    ) + ", max-age=86400"
    return response


@bp.route("/panduan/<slug>/cetak")
def article_print(slug: str):
    material = _published(slug)
    """The article as a leaflet to print: A5 on one sheet, front and back, with the key numbers and the QR code
    of its page (its sources are there); A4 with its sources."""
    size = "a4" if request.args.get("ukuran") == "a4" else "a5"
    locale = _locale()
    address = public_address("public.article", slug=slug)
    return render_template(
        "public/print.html",
        material=material,
        locale=locale,
        body=guidance.render_markdown(material.text("body", locale), body_language(material, locale)),
        size=size,
        address=address,
        address_text=address and breakable(address),
        numbers=guidance.key_numbers(db.session),
        reviewer=False,
    )


@bp.route("/panduan/<slug>/berkas")
def article_file(slug: str):
    """The leaflet or poster file of a material, to print or pass on: a download of the type its bytes are,
    which no browser runs as a page of this site."""
    material = _published(slug)
    if not material.file_data:
        abort(404)
    return guidance.download(material.file_data, material.file_name, default=material.slug)


@bp.route("/panduan.json")
def library_index():
    """Every page of the library, for the "save all guidance" button."""
    urls = [
        url_for("public.home"),
        url_for("public.contacts"),
        url_for("public.offices"),
        url_for("public.about"),
        url_for("public.glossary"),
    ]
    with_qr = trusted_origin() is not None
    for material in guidance.published(db.session):
        urls += [url_for("public.article", slug=material.slug)]
        urls += [url_for("public.article_qr", slug=material.slug)] if with_qr else []
    return {"urls": urls}


@bp.route("/kontak")
def contacts():
    """The contacts filled in, the local ones first; only the national numbers from a single or older source say
    the office has not checked them (`guidance.needs_checking`)."""
    local, national = guidance.villagers_contacts(db.session)
    every = db.session.scalar(select(func.count()).select_from(Contact)) or 0
    unfilled = every - len(local) - len(national)
    return render_template(
        "public/contacts.html",
        local=local,
        national=national,
        unfilled=unfilled if reviewer() else 0,
        needs_checking=guidance.needs_checking,
        locale=_locale(),
    )


@bp.route("/kantor")
def offices():
    rows = list(db.session.scalars(select(Office).order_by(Office.kind.desc(), Office.name)))
    return render_template("public/offices.html", offices=rows, kanwil=OfficeKind.kanwil)


@bp.route("/tentang")
def about():
    return render_template("public/about.html", examples=guidance.shipped_examples(db.session))


@bp.route("/luring")
def offline():
    """What the service worker shows, with no connection, for a page the phone does not keep; it keeps it once
    per language (static/js/service-worker.js)."""
    return render_template("offline.html")
