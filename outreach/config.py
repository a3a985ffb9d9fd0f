"""Configuration from the environment, with defaults that are safe on a single machine."""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit


def database_url(instance_path: str) -> str:
    """Return the SQLAlchemy URL from DATABASE_URL, defaulting to SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "outreach.sqlite")
    # Hosting platforms hand out postgres:// URLs; the driver we ship is psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept in the instance folder."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists() and not path.read_text().strip():
        path.unlink(missing_ok=True)  # left empty by a crash while it was being written
    if not path.exists():
        # Several workers may start at once: write the key whole to a file of our own, then link it into
        # place, so nobody reads a half-written key, and a worker that loses the race uses the winner's key.
        tmp = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(8)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


# An origin: a scheme, a host name or address, perhaps a port; nothing after it.
ORIGIN = re.compile(r"https?://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")


def public_url() -> str | None:
    """Return PUBLIC_URL, the address people reach the app at (`https://host[:port]`, no path), or None when
    unset. Shared links and QR codes are built on it, never on the Host header of a request."""
    url = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if not url:
        return None
    if not ORIGIN.fullmatch(url):
        raise ValueError(
            f"PUBLIC_URL must be an address such as https://outreach.example.go.id, without a path, not {url!r}"
        )
    return url


def trusted_hosts(public: str | None) -> list[str] | None:
    """Return the host names in TRUSTED_HOSTS (comma separated) and PUBLIC_URL's, for Flask to answer any other
    Host header with a 400; None when TRUSTED_HOSTS is unset, and every host is answered."""
    names = [name.strip().lower() for name in os.environ.get("TRUSTED_HOSTS", "").split(",") if name.strip()]
    if not names:
        return None
    public_host = urlsplit(public).hostname if public else None
    if public_host and public_host not in names:
        names.append(public_host)
    return names


def defaults(instance_path: str) -> dict[str, object]:
    """Return the configuration the app starts from."""
    public = public_url()
    return {
        "PUBLIC_URL": public,
        "TRUSTED_HOSTS": trusted_hosts(public),
        "SECRET_KEY": secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # An officer's phone stays logged in this long after it was last used (`outreach.sessions`); managers'
        # sessions are short whatever this says.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=int(os.environ.get("REMEMBER_DAYS", "60"))),
        "SESSION_REFRESH_EACH_REQUEST": False,  # the cookie moves with the session's end (`auth.load_user`)
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SECURE_COOKIES", "") == "1",
        # The phone asks /api/v1/me for a fresh token before each push, so a token may live a day.
        "WTF_CSRF_TIME_LIMIT": 24 * 3600,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Asia/Jakarta"),
        "LANGUAGES": ("id", "en"),
        # Sync limits: one push carries at most this many records and bytes.
        "SYNC_MAX_RECORDS": int(os.environ.get("SYNC_MAX_RECORDS", "200")),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "CHANGES_PAGE_SIZE": 500,
        # Pushes a worker process checks and stores at once; more wait their turn (`api`). A push keeps a core
        # busy while it runs: with several per process they only slow each other and every page down.
        "SYNC_CONCURRENCY": int(os.environ.get("SYNC_CONCURRENCY", "1")),
        # Pages are compressed; static files are sent as they are (a proxy in front may compress those too).
        "COMPRESS_STREAMS": False,
        "COMPRESS_MIMETYPES": ["text/html", "application/json", "image/svg+xml"],
        # Operations (`outreach.operations`): logs as JSON lines or text (unset: as the server sets them up;
        # gunicorn.conf.py asks for JSON), and the token Prometheus sends for /metrics (unset: no metrics).
        "LOG_FORMAT": log_format(),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").strip().upper(),
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", "").strip() or None,
        # Reverse proxies in front whose X-Forwarded-For and -Proto are to be believed (compose.yaml: 1).
        "PROXIES": int(os.environ.get("PROXIES", "0")),
        **mail_settings(),
        **push_settings(),
        # The shared secret an office's SMS gateway sends as `Authorization: Bearer ...` to POST /api/v1/sms
        # (`outreach.sms`); unset: the endpoint is off (404) and urgent warnings wait for data.
        "SMS_WEBHOOK_SECRET": os.environ.get("SMS_WEBHOOK_SECRET", "").strip() or None,
    }


def log_format() -> str | None:
    """LOG_FORMAT: `json` (one object per line), `text`, or unset."""
    value = os.environ.get("LOG_FORMAT", "").strip().lower() or None
    if value not in (None, "json", "text"):
        raise ValueError(f"LOG_FORMAT must be json or text, not {value!r}")
    return value


def mail_settings() -> dict[str, object]:
    """Flask-Mail's settings, for the notices of early warnings (`outreach.notices`): without MAIL_SERVER
    nothing is sent and the notices wait, shown as not sent. ESCALATE_AFTER: minutes a warning of each urgency
    may wait unopened before the Kanwil is told (`segera=60,tinggi=360`)."""
    env = os.environ.get
    return {
        "MAIL_SERVER": env("MAIL_SERVER", "").strip() or None,
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "") == "1",
        "MAIL_USE_SSL": env("MAIL_USE_SSL", "") == "1",
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER") or None,
        "MAIL_TIMEOUT": int(env("MAIL_TIMEOUT", "20")),
        "ESCALATE_AFTER": escalation_deadlines(env("ESCALATE_AFTER", "segera=60,tinggi=360")),
    }


def push_settings() -> dict[str, object]:
    """Web Push for the notices of early warnings (`outreach.push`): VAPID_PRIVATE_KEY (as `flask vapid-keys`
    prints it, or a PEM) and VAPID_SUBJECT (`mailto:` an address the push services may write to). Without the
    key push is off and notices go by e-mail only. PUSH_TIMEOUT: seconds a push service may take to answer."""
    env = os.environ.get
    return {
        "VAPID_PRIVATE_KEY": env("VAPID_PRIVATE_KEY", "").strip() or None,
        "VAPID_SUBJECT": env("VAPID_SUBJECT", "").strip() or None,
        "PUSH_TIMEOUT": float(env("PUSH_TIMEOUT", "10")),
        # Accept browsers' push addresses on plain http://127.0.0.1 (a push service on this machine: tests, a
        # demo); otherwise, and always off loopback, only https.
        "PUSH_ALLOW_LOOPBACK": env("PUSH_ALLOW_LOOPBACK", "") == "1",
    }


def escalation_deadlines(text: str) -> dict[str, timedelta]:
    """`segera=60,tinggi=360` (minutes) as a deadline per urgency."""
    deadlines = {}
    for part in text.split(","):
        if part.strip():
            urgency, _, minutes = part.partition("=")
            if not minutes.strip().isdigit():
                raise ValueError(
                    f"ESCALATE_AFTER must read like segera=60,tinggi=360 (minutes), not {text!r}"
                )
            deadlines[urgency.strip()] = timedelta(minutes=int(minutes))
    return deadlines
