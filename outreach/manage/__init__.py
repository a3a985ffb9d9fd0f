"""Pages for program managers at the Kanim and the Kanwil. Every change made here goes to the audit log."""

from flask import Blueprint
from flask_login import current_user

from .. import audit, sms, vocabulary
from ..auth import refuse_unless
from ..extensions import db
from ..models import RiskLevel

bp = Blueprint("manage", __name__, url_prefix="/kelola")


@bp.app_template_filter("risk")
def risk_label(level: RiskLevel) -> str:
    """A risk level in the reader's words."""
    return vocabulary.RISK_LEVEL.label(level.value)


@bp.app_template_filter("warning_description")
def warning_description(warning) -> str:
    """What a warning says was seen or heard; for one that came by SMS alone, that its details follow."""
    return sms.description(warning)


@bp.context_processor
def codes() -> dict:
    """The program's codes and their words (`vocabulary`), for the pages to show and list them from."""
    return {"vocabulary": vocabulary}


@bp.before_request
def managers_only():
    """The one role check of these pages (an admin-only page adds its own `roles_required("admin")`)."""
    return refuse_unless("manager", "admin")


@bp.before_request
def log_changes_as_the_user():
    audit.act_as(db.session, current_user)


from . import (  # noqa: E402 (the views register their routes on `bp`, made above)
    accounts,  # noqa: F401
    audit_log,  # noqa: F401
    dashboard,  # noqa: F401
    designations,  # noqa: F401
    early_warnings,  # noqa: F401
    exports,  # noqa: F401
    guidance,  # noqa: F401
    offices,  # noqa: F401
    reports,  # noqa: F401
    views,  # noqa: F401
    villages,  # noqa: F401
)
