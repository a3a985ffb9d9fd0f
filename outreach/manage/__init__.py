"""Pages for program managers at the Kanim and the Kanwil. Every change made here goes to the audit log."""
from flask import Blueprint
from flask_login import current_user

from .. import audit
from ..extensions import db

bp = Blueprint("manage", __name__, url_prefix="/kelola")


@bp.before_request
def log_changes_as_the_user():
    if current_user.is_authenticated:
        audit.act_as(db.session, current_user)


from . import views  # noqa: E402,F401
from . import materials  # noqa: E402,F401
from . import dashboard  # noqa: E402,F401
from . import warnings  # noqa: E402,F401
from . import exports  # noqa: E402,F401
from . import villages  # noqa: E402,F401
from . import users  # noqa: E402,F401
from . import audit_log  # noqa: E402,F401
from . import reports  # noqa: E402,F401
from . import designations  # noqa: E402,F401
from . import offices  # noqa: E402,F401
