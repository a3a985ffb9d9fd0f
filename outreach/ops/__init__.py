"""The pages of the office's IT staff and their tools: health for a load balancer, metrics for Prometheus.
None needs a log-in; the metrics need their own token."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from . import views  # noqa: E402,F401
