"""The audit log, for admins: who changed what, when, and the values before and after."""
from flask import render_template, request

from .. import audit
from ..auth import roles_required
from ..extensions import db
from . import bp


@bp.route("/audit")
@roles_required("admin")
def audit_log():
    entity = request.args.get("entity") if request.args.get("entity") in audit.ENTITIES else None
    entity_id = request.args.get("entity_id", "")[:60] or None
    older_than = request.args.get("sebelum", type=int)
    rows = audit.entries(db.session, entity=entity, entity_id=entity_id, older_than=older_than)
    more = len(rows) == audit.PAGE_SIZE
    return render_template("manage/audit_log.html", entries=rows, entity=entity, entity_id=entity_id,
                           entities=audit.ENTITIES, more=more)
