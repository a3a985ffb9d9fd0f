"""How gunicorn serves the app in production: `gunicorn -c gunicorn.conf.py` (the settings below may be
changed by environment variables, and any of them on the command line).

Threaded workers (`gthread`): a phone that syncs holds its thread while it waits its turn (`SYNC_CONCURRENCY`
pushes at once per worker, see `outreach.api`), and with a thread for every phone in the field at once a
villager's page or a manager's dashboard is never queued behind their pushes. A push holds no database
connection while it waits; each worker keeps at most 15 (SQLAlchemy's pool of 5 and its overflow of 10), so
workers x 15 must stay under the database's `max_connections` (100 by default on PostgreSQL)."""

import gc
import os

wsgi_app = "outreach:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")  # a reverse proxy in front terminates HTTPS
workers = int(os.environ.get("WEB_WORKERS", "4"))  # about two per core
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "64"))
timeout = 60  # a push of 200 records waiting its turn behind many others still fits
keepalive = 75  # as long as common proxies keep an idle connection: a phone reuses it without a reset


def post_worker_init(worker):
    """Once the worker loaded the app: what exists now (the app, its modules, templates, catalogs) lives as long
    as the worker, so the garbage collector stops scanning it in every full collection, which took about 90 ms
    of a national dashboard page."""
    gc.collect()
    gc.freeze()
