"""Managers keep the guidance correct: edit materials with a preview, publish, see and restore versions;
edit contacts (an office's own address and hours are edited in `manage/offices.py`). Who may change what is
`outreach.rights`: a Kanim manager's save of a material is a proposal that the Kanwil publishes or declines."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from .. import clock, guidance, proposals, rights
from ..errors import abort_with
from ..extensions import db
from ..models import Contact, Material, MaterialProposal, MaterialVersion, Office
from . import bp
from .forms import ContactForm, MaterialForm

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
def materials():
    rows = list(db.session.scalars(select(Material).order_by(Material.published.desc(), Material.title_id)))
    waiting = dict(
        db.session.execute(
            select(MaterialProposal.material_id, func.count())
            .where(MaterialProposal.status == proposals.PENDING)
            .group_by(MaterialProposal.material_id)
        ).all()
    )
    return render_template(
        "manage/materials.html",
        materials=rows,
        waiting=waiting,
        publisher=rights.publishes_guidance(current_user),
    )


def _refuse_guidance_change():
    abort_with(
        403, _("Only the Kanwil or an admin changes the guidance; a Kanim manager proposes changes to it.")
    )


@bp.route("/materi/baru", methods=["GET", "POST"], defaults={"material_id": None})
@bp.route("/materi/<int:material_id>", methods=["GET", "POST"])
def edit_material(material_id: int | None):
    publisher = rights.publishes_guidance(current_user)
    proposer = not publisher and rights.proposes_guidance(current_user)
    material = (
        db.session.get(Material, material_id)
        if material_id
        else Material(published=False, version=1, topics=[], sources=[])
    )
    if material is None:
        abort(404)
    if material.id is None and not publisher:
        abort_with(
            403, _("Only the Kanwil or an admin adds materials; a Kanim manager proposes changes to one.")
        )
    if request.method == "POST" and not (publisher or proposer):
        _refuse_guidance_change()
    form = MaterialForm(obj=material)
    if request.method == "GET":
        form.sources.data = _sources_text(material.sources)
    elif proposer:
        form.slug.data = material.slug  # the address shared links use is the Kanwil's to change
    preview = None
    if form.validate_on_submit():
        clash = db.session.scalar(
            select(Material).where(Material.slug == form.slug.data, Material.id != material.id)
        )
        upload = form.file.data
        data = upload.read() if upload else None
        kind = guidance.file_type(data) if data is not None else None
        if clash is not None:
            form.slug.errors.append(_("Another material uses this address name."))
        elif data is not None and len(data) > MAX_FILE_BYTES:
            form.file.errors.append(_("The file is larger than %(limit)d bytes.", limit=MAX_FILE_BYTES))
        elif data is not None and kind is None:
            form.file.errors.append(
                _("This file is not a PDF, PNG or JPEG: its contents were checked, not its name.")
            )
        elif request.form.get("action") == "preview":
            preview = {
                lang: guidance.render_markdown(getattr(form, f"body_{lang}").data, lang)
                for lang in ("id", "en")
            }
        else:
            target = material if publisher else proposals.draft(material)
            previous_sources = material.sources
            form.populate_obj(target)
            target.sources = _sources_from(form.sources.data or "", previous_sources)
            if not publisher:
                proposals.propose(
                    db.session,
                    material,
                    guidance.snapshot(target),
                    by=current_user,
                    file=(data, upload.filename, kind) if data is not None and kind is not None else None,
                )
                flash(
                    _(
                        "Your proposal was sent to the Kanwil. The public page keeps the published text until the "
                        "Kanwil publishes it."
                    )
                )
                return redirect(url_for("manage.edit_material", material_id=material.id))
            if data is not None and kind is not None:  # a file of no known type was refused above
                guidance.keep_file(material, data, upload.filename, kind)
            guidance.save(db.session, material, by=current_user.display_name)
            flash(_("Saved as version %(version)d.", version=material.version))
            return redirect(url_for("manage.edit_material", material_id=material.id))
    status = 400 if form.errors else 200
    waiting = proposals.pending(db.session, material) if material.id else []
    return render_template(
        "manage/material_form.html",
        form=form,
        material=material,
        preview=preview,
        publisher=publisher,
        proposer=proposer,
        waiting=waiting,
    ), status


@bp.route("/materi/<int:material_id>/tinjau", methods=["POST"])
def review_material(material_id: int):
    """The Kanwil or an admin has read the material as it stands and publishes it under their name."""
    material = db.get_or_404(Material, material_id)
    if not rights.publishes_guidance(current_user):
        _refuse_guidance_change()
    guidance.review(db.session, material, by=current_user.display_name, on=clock.today(clock.reader_zone()))
    flash(_("Reviewed and published as version %(version)d.", version=material.version))
    return redirect(url_for("manage.edit_material", material_id=material.id))


@bp.route("/materi/<int:material_id>/versi")
def material_versions(material_id: int):
    material = db.session.get(Material, material_id) or abort(404)
    proposed = {
        p.version: p
        for p in db.session.scalars(
            select(MaterialProposal).where(
                MaterialProposal.material_id == material.id, MaterialProposal.status == proposals.PUBLISHED
            )
        )
    }
    return render_template(
        "manage/material_versions.html",
        material=material,
        versions=guidance.versions(db.session, material),
        proposed=proposed,
        publisher=rights.publishes_guidance(current_user),
        proposer=rights.proposes_guidance(current_user),
    )


@bp.route("/materi/<int:material_id>/versi/<int:version>/pulihkan", methods=["POST"])
def restore_material(material_id: int, version: int):
    material = db.session.get(Material, material_id) or abort(404)
    old = db.session.scalar(
        select(MaterialVersion).where(
            MaterialVersion.material_id == material.id, MaterialVersion.version == version
        )
    )
    if old is None:
        abort(404)
    if rights.publishes_guidance(current_user):
        guidance.restore(db.session, material, old, by=current_user.display_name)
        message = _("Version %(old)d restored as version %(new)d.", old=version, new=material.version)
    elif rights.proposes_guidance(current_user):
        proposals.propose(db.session, material, old.snapshot, by=current_user)
        message = _("Bringing back version %(old)d was proposed to the Kanwil.", old=version)
    else:
        _refuse_guidance_change()
    flash(message)
    return redirect(url_for("manage.edit_material", material_id=material.id))


@bp.route("/materi/<int:material_id>/berkas")
def material_file(material_id: int):
    material = db.session.get(Material, material_id) or abort(404)
    if not material.file_data:
        abort(404)
    return guidance.download(material.file_data, material.file_name, default=material.slug)


def _proposal(material_id: int, proposal_id: int) -> MaterialProposal:
    proposal = db.session.get(MaterialProposal, proposal_id)
    if proposal is None or proposal.material_id != material_id:
        abort(404)
    return proposal


@bp.route("/materi/<int:material_id>/usulan/<int:proposal_id>")
def material_proposal(material_id: int, proposal_id: int):
    """What a proposal would change, side by side with what the public reads now."""
    proposal = _proposal(material_id, proposal_id)
    material = proposal.material
    changed = proposals.changed_fields(material, proposal)
    preview = {
        lang: guidance.render_markdown(proposal.snapshot.get(f"body_{lang}", ""), lang)
        for lang in ("id", "en")
    }
    return render_template(
        "manage/material_proposal.html",
        material=material,
        proposal=proposal,
        changed=changed,
        current=guidance.snapshot(material),
        preview=preview,
        labels={field.name: field.label.text for field in MaterialForm()},
        publisher=rights.publishes_guidance(current_user),
        pending=proposals.PENDING,
    )


@bp.route("/materi/<int:material_id>/usulan/<int:proposal_id>/berkas")
def material_proposal_file(material_id: int, proposal_id: int):
    proposal = _proposal(material_id, proposal_id)
    if not proposal.file_data:
        abort(404)
    return guidance.download(proposal.file_data, proposal.file_name, default=proposal.material.slug)


@bp.route(
    "/materi/<int:material_id>/usulan/<int:proposal_id>/<any(terbitkan, tolak):decision>", methods=["POST"]
)
def decide_proposal(material_id: int, proposal_id: int, decision: str):
    proposal = _proposal(material_id, proposal_id)
    if not rights.publishes_guidance(current_user):
        abort_with(403, _("Only the Kanwil or an admin publishes or declines a proposal."))
    try:
        if decision == "terbitkan":
            proposals.publish(db.session, proposal, by=current_user)
            message = _("The proposal is published as version %(version)d.", version=proposal.version)
        else:
            proposals.decline(db.session, proposal, by=current_user)
            message = _("The proposal was declined; the material stays as it was.")
    except proposals.ProposalError as exc:
        abort_with(409, str(exc))
    flash(message)
    return redirect(url_for("manage.edit_material", material_id=material_id))


@bp.route("/kontak", methods=["GET"])
def contacts():
    rows = list(db.session.scalars(select(Contact).order_by(Contact.sort_order)))
    offices = list(db.session.scalars(select(Office).order_by(Office.kind.desc(), Office.name)))
    return render_template(
        "manage/contacts.html",
        contacts=rows,
        offices=offices,
        editable_contacts={c.id for c in rows if rights.may_edit_contact(db.session, current_user, c)},
        editable={o.id for o in offices if rights.may_edit_office(db.session, current_user, o)},
    )


@bp.route("/kontak/<int:contact_id>", methods=["GET", "POST"])
def edit_contact(contact_id: int):
    contact = db.session.get(Contact, contact_id) or abort(404)
    if not rights.may_edit_contact(db.session, current_user, contact):
        if contact.office is None:
            abort_with(403, _("Only the Kanwil or an admin may change a national or province-wide contact."))
        abort_with(
            403,
            _(
                "Only the managers of %(office)s or of its Kanwil, or an admin, may change this contact.",
                office=contact.office.name,
            ),
        )
    form = ContactForm(obj=contact)
    keepers = rights.contact_keepers(db.session, current_user)
    if keepers:
        form.office_id.choices = [
            SelectChoice("", _("No office: national or province-wide")),
            *(SelectChoice(str(o.id), o.name) for o in keepers),
        ]
        if form.office_id.data is None:  # WTForms leaves a missing value unconverted: no office
            form.office_id.data = ""
    else:
        del form.office_id  # a Kanim manager's contact stays their office's
    if form.validate_on_submit():
        form.populate_obj(contact)
        if keepers:
            contact.office_id = int(form.office_id.data) if form.office_id.data else None
        flash(_("Saved."))
        return redirect(url_for("manage.contacts"))
    return _simple_form(form, contact.name_id)


def _simple_form(form, title: str):
    return render_template("manage/simple_form.html", form=form, title=title), 400 if form.errors else 200
