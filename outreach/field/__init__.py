"""The officer's offline app: the shell page, its service worker and its web app manifest."""

from flask import Blueprint, request

from ..auth import refuse_unless

bp = Blueprint("field", __name__)

# Fetched by the browser to install and update the app (the manifest without cookies): open to anyone.
PUBLIC = {"field.service_worker", "field.manifest"}


@bp.before_request
def officers_only():
    """The one role check of the officer's pages; a new page is an officer's unless named in PUBLIC."""
    if request.endpoint not in PUBLIC:
        return refuse_unless("officer")
    return None


from . import views  # noqa: E402,F401
