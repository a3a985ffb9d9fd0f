"""What the office's IT staff and their tools see of a running app: whether it is alive and ready, its logs,
and its metrics.

- **Health**: `alive()` needs nothing (a process that answers); `readiness()` asks the database and compares
  its migration revision with the code's, so a load balancer sends no one to an app whose schema is behind.
- **Logs**: with `LOG_FORMAT=json`, every line on standard error is one JSON object (time, level, logger,
  message, and the request's id inside a request). A request's id comes from the proxy's `X-Request-ID` when
  it is a plain token, or is made here, and goes back in the answer's `X-Request-ID`, so a phone's report, the
  proxy's log and the app's log meet on it. Each request is logged once when it ends (`outreach.access`).
- **Metrics** (Prometheus' text format, `prometheus_client`): requests by route, method and status, their
  latency by route, records pushed by the phones by outcome, and the notices of early warnings waiting to be
  sent (read from the database at each scrape, so every worker reports the same queue). Under gunicorn the
  workers' counts are added up through `PROMETHEUS_MULTIPROC_DIR` (gunicorn.conf.py sets it); the metrics page
  sums them whichever worker answers.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from . import PROJECT_ROOT
from .extensions import db
from .models import Notice, utcnow

# A request id a proxy may hand us: a token of letters, digits and a few marks (a UUID, a hex string), short
# enough to log; anything else is replaced by one of ours.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
access_log = logging.getLogger("outreach.access")
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "outreach_http_requests_total",
    "Requests answered, by route, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "outreach_http_request_duration_seconds",
    "Time to answer a request, by route.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SYNC_RECORDS = Counter(
    "outreach_sync_records_total", "Records pushed by officers' phones, by outcome.", ["outcome"]
)


def alive() -> dict[str, str]:
    """The process answers: all a liveness probe needs."""
    return {"status": "ok"}


@dataclass(frozen=True)
class Readiness:
    """Whether the app can serve: its database answers and holds the schema this code expects."""

    database: bool
    current: tuple[str, ...]
    expected: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return self.database and self.current == self.expected

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "not ready",
            "database": "ok" if self.database else "unreachable",
            "migrations": {
                "current": list(self.current),
                "expected": list(self.expected),
                "status": "current" if self.current == self.expected else "behind or ahead",
            },
        }


@lru_cache(maxsize=1)
def expected_revisions() -> tuple[str, ...]:
    """The migration heads this code was written for (read once per process: alembic is imported only here)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def readiness() -> Readiness:
    """Ask the database for its migration revision, on a connection of its own (a failure here never touches
    the request's session)."""
    from alembic.runtime.migration import MigrationContext

    expected = expected_revisions()
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    except SQLAlchemyError:
        logging.getLogger(__name__).warning("Readiness: the database cannot be reached", exc_info=True)
        return Readiness(database=False, current=(), expected=expected)
    return Readiness(database=True, current=current, expected=expected)


def count_sync_results(results: Iterable[dict[str, Any]]) -> None:
    """Count a push's records by outcome (accepted, duplicate, rejected)."""
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result["status"]] = outcomes.get(result["status"], 0) + 1
    for outcome, count in outcomes.items():
        SYNC_RECORDS.labels(outcome=outcome).inc(count)


class NoticeQueue:
    """The notices of early warnings not yet sent, by status, and how long the oldest has waited: read from the
    database when the metrics are scraped."""

    def __init__(self, app: Flask):
        self.app = app

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # registering it reads nothing; the scrape does

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily(
            "outreach_notices_waiting",
            "Notices of early warnings not sent yet, by status.",
            labels=["status"],
        )
        oldest = GaugeMetricFamily(
            "outreach_notices_oldest_waiting_seconds", "How long the oldest notice not sent yet has waited."
        )
        with self.app.app_context():
            try:
                with db.engine.connect() as connection:
                    counts = dict(
                        connection.execute(
                            select(Notice.status, func.count())
                            .where(Notice.status.in_(("pending", "sending", "failed")))
                            .group_by(Notice.status)
                        ).all()
                    )
                    first = connection.scalar(
                        select(func.min(Notice.created_at)).where(Notice.status.in_(("pending", "sending")))
                    )
            except SQLAlchemyError:
                return  # the database is away: /readyz says so; the request metrics still go out
        for status in ("pending", "sending", "failed"):
            waiting.add_metric([status], counts.get(status, 0))
        oldest.add_metric([], (utcnow() - first).total_seconds() if first else 0)
        yield waiting
        yield oldest


def metrics_page(app: Flask) -> bytes:
    """Every metric in Prometheus' text format: this process's, or all workers' under gunicorn, then the queue
    of notices as the database holds it now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)  # type: ignore[no-untyped-call]
    else:
        requests = REGISTRY
    queue = CollectorRegistry()
    queue.register(NoticeQueue(app))
    return generate_latest(requests) + generate_latest(queue)


class RequestIdFilter(logging.Filter):
    """Put the request's id on every log record made inside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def json_handler(stream: Any = None) -> logging.Handler:
    """A handler writing one JSON object per line."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
        )
    )
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(log_format: str, level: str) -> None:
    """Send the app's logs to standard error, as JSON lines or as plain text, replacing what was there."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "outreach", False):
            root.removeHandler(handler)
    if log_format == "json":
        handler = json_handler()
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
        handler.addFilter(RequestIdFilter())
    handler.outreach = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


def _begin() -> None:
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _end(response: Response) -> Response:
    if "request_started" not in g:
        return response  # a request refused before it began (a bad Host header)
    elapsed = time.perf_counter() - g.request_started
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    REQUESTS.labels(route=route, method=request.method, status=str(response.status_code)).inc()
    LATENCY.labels(route=route).observe(elapsed)
    response.headers["X-Request-ID"] = g.request_id
    access_log.info(
        "%s %s %s",
        request.method,
        route,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(elapsed * 1000, 1),
        },
    )
    return response


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT"):
        configure_logging(app.config["LOG_FORMAT"], app.config.get("LOG_LEVEL", "INFO"))
    app.before_request(_begin)
    app.after_request(_end)
