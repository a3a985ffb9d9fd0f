"""Pages for program managers at the Kanim and the Kanwil."""
from flask import Blueprint

bp = Blueprint("manage", __name__, url_prefix="/kelola")

from . import views  # noqa: E402,F401
from . import materials  # noqa: E402,F401
from . import dashboard  # noqa: E402,F401
from . import warnings  # noqa: E402,F401
from . import exports  # noqa: E402,F401
from . import villages  # noqa: E402,F401
from . import designations  # noqa: E402,F401
from . import offices  # noqa: E402,F401
