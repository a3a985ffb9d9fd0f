"""Pimpasa Outreach: the offline-first app of the Desa Binaan Imigrasi program."""

import os
import sqlite3
from pathlib import Path

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import clock, config
from .extensions import babel, compress, csrf, db, migrate
from .models import MAX_INTEGER

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and commands. No schema is made here."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    if test_config:
        app.config.from_mapping(test_config)

    # An id in an address beyond any database's integer is simply not found (a 404), never an overflow.
    app.url_map.converters["int"] = DatabaseId
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    compress.init_app(app)
    # flask_babel's dates (an export's times) are in the reader's zone, as the `moment` filter's
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: clock.reader_zone().key)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["moment"] = clock.shown
    from . import auth, operations

    operations.init_app(app)  # first: a request's id and clock start before any other hook may refuse it

    auth.init_app(app)

    from .api import bp as api_bp
    from .field import bp as field_bp
    from .manage import bp as manage_bp
    from .ops import bp as ops_bp
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(field_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(ops_bp)
    from . import assets

    assets.init_app(app)
    csrf.exempt(api_bp)  # the API checks the CSRF token itself, after the log-in check

    from . import cli, errors, notices, security, transaction

    cli.init_app(app)
    errors.init_app(app)
    notices.init_app(app)
    security.init_app(app)
    transaction.init_app(app)
    if app.config["PROXIES"]:
        # The client's address and scheme as the proxies in front saw them, for the log-in throttle and links;
        # never believed without them (any client can send these headers).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"]
        )
    return app


class DatabaseId(IntegerConverter):
    """`<int:...>` in the app's addresses: a row id, at most the largest integer both databases store."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


def select_locale() -> str:
    """Use the language the user chose (a cookie), else the browser's, else Indonesian."""
    languages: list[str] = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on WAL and foreign keys for every SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
