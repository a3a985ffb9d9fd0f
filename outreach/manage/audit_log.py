"""The audit log, for admins: who changed what, when, and the values before and after."""

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from .. import audit
from ..auth import roles_required
from ..extensions import db
from ..models import row_id
from . import bp

ENTITY_LABELS = {
    "users": _l("Accounts"),
    "offices": _l("Offices"),
    "desa_binaan": _l("Desa binaan"),
    "assignments": _l("Officers' desa binaan"),
    "materials": _l("Materials"),
    "contacts": _l("Contacts"),
    "warning_follow_ups": _l("Follow-up of early warnings"),
    "regions": _l("Region files"),
}


@bp.route("/audit")
@roles_required("admin")
def audit_log():
    entity = request.args.get("entity") if request.args.get("entity") in audit.ENTITIES else None
    entity_id = request.args.get("entity_id", "")[:60] or None
    actor_id = request.args.get("oleh", type=row_id)
    older_than = request.args.get("sebelum", type=row_id)
    rows = audit.entries(
        db.session, entity=entity, entity_id=entity_id, actor_id=actor_id, older_than=older_than
    )
    more = len(rows) == audit.PAGE_SIZE
    return render_template(
        "manage/audit_log.html",
        entries=rows,
        entity=entity,
        entity_id=entity_id,
        actor_id=actor_id,
        entities={name: ENTITY_LABELS[name] for name in audit.ENTITIES},
        more=more,
    )
