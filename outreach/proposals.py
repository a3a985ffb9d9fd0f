"""A Kanim manager's change to a material waits as a proposal: the material, and so the public page, keeps its
published content until a Kanwil manager or an admin publishes the proposal (it then becomes the material's
next version) or declines it. Who may do which is `outreach.rights`.

A proposal holds the whole content it proposes, as a version does; publishing it replaces whatever the
material says then, so the page of a proposal says when the material changed after it was written. Proposals
are their own record of who proposed and who decided, and the material's change is in the audit log."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from . import guidance
from .domain import DomainError
from .extensions import DbSession
from .models import Material, MaterialProposal, MaterialVersion, User, utcnow

PENDING, PUBLISHED, DECLINED = "pending", "published", "declined"


class ProposalError(DomainError):
    """The proposal cannot be published or declined (any more); the message says why."""


def draft(material: Material) -> Material:
    """A copy of the material's content, not in the session, for a form to fill with a proposal."""
    copy = Material(**{field: getattr(material, field) for field in guidance.VERSIONED_FIELDS})
    copy.reviewed_on = material.reviewed_on
    return copy


def propose(
    session: DbSession,
    material: Material,
    content: dict[str, Any],
    *,
    by: User,
    file: tuple[bytes, str, str] | None = None,
) -> MaterialProposal:
    """Keep `content` (a snapshot, as `guidance.snapshot` makes) and an uploaded file (bytes, name, type) as a
    proposal for the material. The caller commits."""
    proposal = MaterialProposal(
        material=material,
        base_version=material.version,
        snapshot=content,
        proposed_by_id=by.id,
        proposed_at=utcnow(),
        status=PENDING,
    )
    if file is not None:
        data, name, kind = file
        proposal.file_data, proposal.file_type = data, kind
        proposal.file_name = guidance.file_name(name, kind, default=material.slug)
    session.add(proposal)
    return proposal


def pending(session: DbSession, material: Material | None = None) -> list[MaterialProposal]:
    """The proposals waiting for the Kanwil, oldest first: of one material, or of all."""
    query = select(MaterialProposal).where(MaterialProposal.status == PENDING).order_by(MaterialProposal.id)
    if material is not None:
        query = query.where(MaterialProposal.material_id == material.id)
    return list(session.scalars(query))


def changed_fields(material: Material, proposal: MaterialProposal) -> list[str]:
    """The fields whose proposed content differs from the material's now (and `file` for a new file)."""
    now = guidance.snapshot(material)
    fields = [field for field, value in proposal.snapshot.items() if now.get(field) != value]
    return fields + (["file"] if proposal.file_name else [])


def publish(session: DbSession, proposal: MaterialProposal, *, by: User) -> MaterialVersion:
    """Make the proposal the material's next version. The caller commits."""
    _still_pending(proposal)
    material = proposal.material
    clash = session.scalar(
        select(Material.id).where(Material.slug == proposal.snapshot["slug"], Material.id != material.id)
    )
    if clash is not None:
        raise ProposalError(
            _l("Another material now uses the address name of this proposal; change one of them first.")
        )
    guidance.apply_snapshot(material, proposal.snapshot)
    if proposal.file_name:
        material.file_data, material.file_type, material.file_name = (
            proposal.file_data,
            proposal.file_type,
            proposal.file_name,
        )
    version = guidance.save(session, material, by=by.display_name)
    proposal.status, proposal.version = PUBLISHED, material.version
    _decided(proposal, by)
    return version


def decline(session: DbSession, proposal: MaterialProposal, *, by: User) -> None:
    """Set the proposal aside; the material stays as it is. The caller commits."""
    _still_pending(proposal)
    proposal.status = DECLINED
    _decided(proposal, by)


def _still_pending(proposal: MaterialProposal) -> None:
    if proposal.status != PENDING:
        raise ProposalError(_l("This proposal was already published or declined."))


def _decided(proposal: MaterialProposal, by: User) -> None:
    proposal.decided_by_id, proposal.decided_at = by.id, utcnow()
