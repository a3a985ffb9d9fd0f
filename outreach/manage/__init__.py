"""Pages for program managers at the Kanim and the Kanwil. Every change made here goes to the audit log."""
from flask import Blueprint
from flask_login import current_user

from .. import audit
from ..auth import refuse_unless
from ..designations import RISK_LEVELS
from ..extensions import db
from ..models import RiskLevel

bp = Blueprint("manage", __name__, url_prefix="/kelola")


@bp.app_template_filter("risk")
def risk_label(level: RiskLevel) -> str:
    """A risk level in the reader's words."""
    return str(dict(RISK_LEVELS)[level])


@bp.before_request
def managers_only():
    """The one role check of these pages (an admin-only page adds its own `roles_required("admin")`)."""
    return refuse_unless("manager", "admin")


@bp.before_request
def log_changes_as_the_user():
    audit.act_as(db.session, current_user)


from . import (
    audit_log,  # noqa: E402,F401
    dashboard,  # noqa: E402,F401
    designations,  # noqa: E402,F401
    exports,  # noqa: E402,F401
    materials,  # noqa: E402,F401
    offices,  # noqa: E402,F401
    reports,  # noqa: E402,F401
    users,  # noqa: E402,F401
    views,  # noqa: E402,F401
    villages,  # noqa: E402,F401
    warnings,  # noqa: E402,F401
)
