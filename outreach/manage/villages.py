"""A desa binaan's page: where it is, its risk, its officers, and everything that happened there."""

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import select

from .. import imports, scope
from ..extensions import db
from ..models import Assignment, DesaBinaan, Material, Photo, Region
from ..records import RECORD_TYPES
from . import bp

TIMELINE_ROWS = 200


@bp.route("/desa/<code>")
def village(code: str):
    region = db.session.get(Region, code)
    offices = scope.office_ids(db.session, current_user)
    designations = [
        d
        for d in db.session.scalars(select(DesaBinaan).where(DesaBinaan.village_code == code))
        if offices is None or d.office_id in offices
    ]
    if region is None or not designations:
        abort(404)
    officers = [
        a.officer
        for a in db.session.scalars(
            select(Assignment).where(
                Assignment.desa_binaan_id.in_([d.id for d in designations]), Assignment.ended_on.is_(None)
            )
        )
    ]
    timeline = []
    for kind in RECORD_TYPES.values():
        model = kind.model
        for record in db.session.scalars(
            select(model)
            .where(model.village_code == code, scope.records_in(model, offices))
            .order_by(model.occurred_at.desc())
            .limit(TIMELINE_ROWS)
        ):
            timeline.append((kind, record))
    timeline.sort(key=lambda item: item[1].occurred_at, reverse=True)
    photos: dict[str, list[Photo]] = {}
    for photo in db.session.scalars(select(Photo).where(Photo.record_id.in_([r.id for _, r in timeline]))):
        photos.setdefault(photo.record_id, []).append(photo)
    materials = db.session.execute(select(Material.slug, Material.title_id))
    titles = {"material": dict(materials.all())}  # how a hand-out's summary names its material
    return render_template(
        "manage/village.html",
        region=region,
        designations=designations,
        officers=officers,
        timeline=timeline[:TIMELINE_ROWS],
        photos=photos,
        titles=titles,
        imported=imports.provenance(db.session, [r.id for _, r in timeline[:TIMELINE_ROWS]]),
    )
