"""The guidance library and the pages around it. Readable with JavaScript off; cached for reading offline."""
import io
from urllib.parse import quote

import segno
from flask import abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import select

from .. import guidance
from ..extensions import db
from ..models import Contact, Material, Office, OfficeKind
from . import bp

MAX_QUERY = 100


def _locale() -> str:
    return str(get_locale())


@bp.route("/")
def home():
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    results = guidance.search(db.session, query) if query else None
    return render_template(
        "public/home.html", groups=guidance.by_topic(db.session), query=query, results=results, locale=_locale()
    )


def _published(slug: str) -> Material:
    material = db.session.scalar(select(Material).where(Material.slug == slug, Material.published.is_(True)))
    if material is None:
        abort(404)
    return material


@bp.route("/panduan/<slug>")
def article(slug: str):
    material = _published(slug)
    locale = _locale()
    address = url_for("public.article", slug=slug, _external=True)
    share = quote(f"{material.title(locale)}\n{address}")
    return render_template(
        "public/article.html", material=material, locale=locale, body=guidance.render_markdown(material.text("body", locale)),
        address=address, whatsapp=f"https://wa.me/?text={share}", full_screen=request.args.get("layar") == "penuh",
    )


@bp.route("/panduan/<slug>/qr.svg")
def article_qr(slug: str):
    material = _published(slug)
    out = io.BytesIO()
    segno.make(url_for("public.article", slug=material.slug, _external=True), error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=material.slug
    )
    response = current_app.response_class(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/panduan/<slug>/cetak")
def article_print(slug: str):
    material = _published(slug)
    size = "a4" if request.args.get("ukuran") == "a4" else "a5"
    locale = _locale()
    return render_template(
        "public/print.html", material=material, locale=locale, body=guidance.render_markdown(material.text("body", locale)),
        size=size, address=url_for("public.article", slug=slug, _external=True),
    )


@bp.route("/panduan/<slug>/berkas")
def article_file(slug: str):
    """The leaflet or poster file of a material, to print or pass on."""
    material = _published(slug)
    if not material.file_data:
        abort(404)
    response = current_app.response_class(material.file_data, mimetype=material.file_type or "application/octet-stream")
    response.headers["Content-Disposition"] = f'inline; filename="{material.file_name or material.slug}"'
    return response


@bp.route("/panduan.json")
def library_index():
    """Every page of the library, for the "save all guidance" button."""
    urls = [url_for("public.home"), url_for("public.contacts"), url_for("public.offices"), url_for("public.about")]
    for material in guidance.published(db.session):
        urls += [url_for("public.article", slug=material.slug), url_for("public.article_qr", slug=material.slug)]
    return {"urls": urls}


@bp.route("/kontak")
def contacts():
    rows = list(db.session.scalars(select(Contact).order_by(Contact.sort_order, Contact.name_id)))
    return render_template("public/contacts.html", contacts=rows, locale=_locale())


@bp.route("/kantor")
def offices():
    rows = list(db.session.scalars(select(Office).order_by(Office.kind.desc(), Office.name)))
    return render_template("public/offices.html", offices=rows, kanwil=OfficeKind.kanwil)


@bp.route("/tentang")
def about():
    return render_template("public/about.html")
