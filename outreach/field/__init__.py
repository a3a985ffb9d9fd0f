"""The officer's offline app: the shell page, its service worker and its web app manifest."""
from flask import Blueprint

bp = Blueprint("field", __name__)

from . import views  # noqa: E402,F401
