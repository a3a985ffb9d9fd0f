"""Managers keep the guidance correct: edit materials with a preview, publish, see and restore versions;
edit contacts and the offices' details."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import guidance, scope
from ..auth import roles_required
from ..extensions import db
from ..models import Contact, Material, MaterialVersion, Office
from . import bp
from .forms import ContactForm, MaterialForm, OfficeDetailsForm

MAX_FILE_BYTES = 900 * 1024


def _sources_text(sources: list[dict]) -> str:
    return "\n".join(f"{s.get('fact', '')} | {s.get('source', '')}" for s in sources or [])


def _sources_from(text: str, previous: list[dict]) -> list[dict]:
    """Lines of "fact | source"; an unchanged line keeps its status and English wording."""
    known = {(s.get("fact"), s.get("source")): s for s in previous or []}
    sources = []
    for line in text.splitlines():
        if not line.strip():
            continue
        fact, _, source = (part.strip() for part in line.partition("|"))
        sources.append(known.get((fact, source), {"fact": fact, "source": source, "status": "sebagian"}))
    return sources


@bp.route("/materi")
@roles_required("manager", "admin")
def materials():
    rows = list(db.session.scalars(select(Material).order_by(Material.published.desc(), Material.title_id)))
    return render_template("manage/materials.html", materials=rows)


@bp.route("/materi/baru", methods=["GET", "POST"], defaults={"material_id": None})
@bp.route("/materi/<int:material_id>", methods=["GET", "POST"])
@roles_required("manager", "admin")
def edit_material(material_id: int | None):
    material = db.session.get(Material, material_id) if material_id else Material(published=False, version=1, topics=[], sources=[])
    if material is None:
        abort(404)
    form = MaterialForm(obj=material)
    if request.method == "GET":
        form.sources.data = _sources_text(material.sources)
    preview = None
    if form.validate_on_submit():
        clash = db.session.scalar(select(Material).where(Material.slug == form.slug.data, Material.id != material.id))
        upload = form.file.data
        data = upload.read() if upload else None
        kind = guidance.file_type(data) if data is not None else None
        if clash is not None:
            form.slug.errors.append(_("Another material uses this address name."))
        elif data is not None and len(data) > MAX_FILE_BYTES:
            form.file.errors.append(_("The file is larger than %(limit)d bytes.", limit=MAX_FILE_BYTES))
        elif data is not None and kind is None:
            form.file.errors.append(_("This file is not a PDF, PNG or JPEG: its contents were checked, not its name."))
        elif request.form.get("action") == "preview":
            preview = {lang: guidance.render_markdown(getattr(form, f"body_{lang}").data) for lang in ("id", "en")}
        else:
            previous_sources = material.sources
            form.populate_obj(material)
            material.sources = _sources_from(form.sources.data or "", previous_sources)
            if data is not None:
                guidance.keep_file(material, data, upload.filename, kind)
            guidance.save(db.session, material, by=current_user.display_name)
            db.session.commit()
            flash(_("Saved as version %(version)d.", version=material.version))
            return redirect(url_for("manage.edit_material", material_id=material.id))
    status = 400 if form.errors else 200
    return render_template("manage/material_form.html", form=form, material=material, preview=preview), status


@bp.route("/materi/<int:material_id>/versi")
@roles_required("manager", "admin")
def material_versions(material_id: int):
    material = db.session.get(Material, material_id) or abort(404)
    return render_template("manage/material_versions.html", material=material, versions=guidance.versions(db.session, material))


@bp.route("/materi/<int:material_id>/versi/<int:version>/pulihkan", methods=["POST"])
@roles_required("manager", "admin")
def restore_material(material_id: int, version: int):
    material = db.session.get(Material, material_id) or abort(404)
    old = db.session.scalar(select(MaterialVersion).where(
        MaterialVersion.material_id == material.id, MaterialVersion.version == version))
    if old is None:
        abort(404)
    guidance.restore(db.session, material, old, by=current_user.display_name)
    db.session.commit()
    flash(_("Version %(old)d restored as version %(new)d.", old=version, new=material.version))
    return redirect(url_for("manage.edit_material", material_id=material.id))


@bp.route("/materi/<int:material_id>/berkas")
@roles_required("manager", "admin")
def material_file(material_id: int):
    material = db.session.get(Material, material_id) or abort(404)
    if not material.file_data:
        abort(404)
    return guidance.download(material)


@bp.route("/kontak", methods=["GET"])
@roles_required("manager", "admin")
def contacts():
    rows = list(db.session.scalars(select(Contact).order_by(Contact.sort_order)))
    offices = list(db.session.scalars(select(Office).order_by(Office.kind.desc(), Office.name)))
    return render_template("manage/contacts.html", contacts=rows, offices=offices,
                           editable={o.id for o in scope.offices_in_scope(db.session, current_user)})


@bp.route("/kontak/<int:contact_id>", methods=["GET", "POST"])
@roles_required("manager", "admin")
def edit_contact(contact_id: int):
    contact = db.session.get(Contact, contact_id) or abort(404)
    return _edit_simple(contact, ContactForm(obj=contact), contact.name_id)


@bp.route("/kantor/<int:office_id>", methods=["GET", "POST"])
@roles_required("manager", "admin")
def edit_office(office_id: int):
    """An office's address, numbers and hours, edited by its own managers (the Kanwil's: its Kanim too)."""
    office = db.session.get(Office, office_id)
    if office is None or not scope.may_see_office(db.session, current_user, office.id):
        abort(404)
    return _edit_simple(office, OfficeDetailsForm(obj=office), office.name)


def _edit_simple(row, form, title: str):
    if form.validate_on_submit():
        form.populate_obj(row)
        db.session.commit()
        flash(_("Saved."))
        return redirect(url_for("manage.contacts"))
    return render_template("manage/simple_form.html", form=form, title=title), 400 if form.errors else 200
