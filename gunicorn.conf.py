"""How gunicorn serves the app in production: `gunicorn -c gunicorn.conf.py` (the settings below may be
changed by environment variables, and any of them on the command line).

Threaded workers (`gthread`): a phone that syncs holds its thread while it waits its turn (`SYNC_CONCURRENCY`
pushes at once per worker, see `outreach.api`), and with a thread for every phone in the field at once a
villager's page or a manager's dashboard is never queued behind their pushes. A push holds no database
connection while it waits; each worker keeps at most 15 (SQLAlchemy's pool of 5 and its overflow of 10), so
workers x 15 must stay under the database's `max_connections` (100 by default on PostgreSQL).

Logs are JSON lines on standard error (`LOG_FORMAT`, see `outreach.operations`), gunicorn's own included, and
each request is logged once by the app (so gunicorn's access log is off). The workers' metrics are added up in
`PROMETHEUS_MULTIPROC_DIR`, a folder of this server's own, emptied when it starts."""

import gc
import os
import shutil
import tempfile

from prometheus_client import multiprocess

wsgi_app = "outreach:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")  # a reverse proxy in front terminates HTTPS
workers = int(os.environ.get("WEB_WORKERS", "4"))  # about two per core
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "64"))
timeout = 60  # a push of 200 records waiting its turn behind many others still fits
keepalive = 75  # as long as common proxies keep an idle connection: a phone reuses it without a reset

os.environ.setdefault("LOG_FORMAT", "json")
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{asctime}{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(name)s] %(message)s"},
    },
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ["LOG_FORMAT"] == "json" else "text",
            "stream": "ext://sys.stderr",
        },
    },
    # The app's loggers go to the root, which the app sets up itself (`outreach.operations`).
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="outreach-metrics-")


def on_starting(server):
    """Start the metrics from zero: a folder left by an earlier run would add its counts to ours."""
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    """A worker that ended takes its live gauges with it (its counters stay in the sum)."""
    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Once the worker loaded the app: what exists now (the app, its modules, templates, catalogs) lives as long
    as the worker, so the garbage collector stops scanning it in every full collection, which took about 90 ms
    of a national dashboard page."""
    gc.collect()
    gc.freeze()
