"""What the office's IT staff and their tools rely on: health and readiness for a load balancer, a request id in
every answer and log line, JSON logs, Prometheus metrics behind a token, the proxy's view of a client, and the
static files exported for the reverse proxy."""

import io
import json
import logging
import re

import pytest
from flask import request
from sqlalchemy import text

from outreach import assets, create_app, operations
from outreach.extensions import db
from tests.conftest import visit_record
from tests.test_notices import free_port, people, warning_record  # noqa: F401  people is a fixture

TOKEN = "scrape-token-1"


def metric(page, name, **labels):
    """The value of one sample in a Prometheus text page (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in page.splitlines():
        sample, _, value = line.rpartition(" ")
        if sample == (f"{name}{{{wanted}}}" if labels else name):
            return float(value)
    return 0.0


def scrape(client):
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def test_a_load_balancer_learns_the_app_is_alive_and_ready_without_logging_in(client):
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in alive.headers and alive.headers["Cache-Control"] == "no-store"
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    body = ready.get_json()
    assert body["status"] == "ready" and body["database"] == "ok"
    assert body["migrations"]["current"] == body["migrations"]["expected"] != []


def test_an_app_whose_migrations_have_not_run_is_not_ready(app, client):
    with app.app_context():
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = 'b9c4d2e7f1a8'"))
        db.session.commit()
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.get_json()["migrations"]["current"] == ["b9c4d2e7f1a8"]
        assert client.get("/healthz").status_code == 200  # alive all the same: no restart would help
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
            db.session.commit()


def test_an_app_whose_database_is_down_is_alive_but_not_ready():
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none?connect_timeout=2",
        }
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["database"] == "unreachable"
    assert "127.0.0.1" not in answer.get_data(as_text=True)  # the error stays in the log
    with app.app_context():
        db.engine.dispose()


def test_every_answer_carries_a_request_id_the_proxy_may_give(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made
    given = "3f1c2a9e-7d4b-4c1a-9e0f-2b7c5d8a1e36"
    assert client.get("/", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    for hostile in ("<script>", "a" * 65, "id with spaces", "x\u00e9"):
        answered = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), hostile


@pytest.fixture
def json_log(app):
    """The app's logs as JSON lines, gathered in memory."""
    stream = io.StringIO()
    handler = operations.json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def test_each_request_is_logged_once_as_json_with_its_id(app, client, json_log):
    answer = client.get("/panduan/tidak-ada", headers={"X-Request-ID": "req-42"})
    assert answer.status_code == 404
    lines = [line for line in json_log() if line["logger"] == "outreach.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == "req-42" and line["status"] == 404 and line["method"] == "GET"
    assert line["route"] == "/panduan/<slug>" and line["path"] == "/panduan/tidak-ada"
    assert line["level"] == "INFO" and isinstance(line["duration_ms"], float) and "time" in line


def test_a_log_line_written_inside_a_request_names_that_request(app, json_log):
    @app.get("/_log-something")
    def log_something():
        logging.getLogger("outreach.sync").warning("Something odd: %s", request.args["what"])
        return "ok"

    app.test_client().get("/_log-something?what=odd", headers={"X-Request-ID": "req-7"})
    odd = next(line for line in json_log() if line["logger"] == "outreach.sync")
    assert (
        odd["message"] == "Something odd: odd" and odd["request_id"] == "req-7" and odd["level"] == "WARNING"
    )


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(app, client):
    assert client.get("/metrics").status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    for header in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": "Basic x"},
    ):
        answer = client.get("/metrics", headers=header)
        assert answer.status_code == 401 and "METRICS_TOKEN" in answer.get_json()["error"]
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_metrics_count_requests_by_route_and_the_phones_records_by_outcome(app, client, auth, world):
    app.config["METRICS_TOKEN"] = TOKEN
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/panduan/tidak-ada")
    auth.login("ani")
    good, bad = visit_record(), visit_record(village="99.99.99.9999")
    assert [r["status"] for r in auth.push([good, bad]).get_json()["results"]] == ["accepted", "rejected"]
    assert auth.push([good]).get_json()["results"][0]["status"] == "duplicate"
    after = scrape(client)

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("outreach_http_requests_total", route="/healthz", method="GET", status="200") == 3
    assert grew("outreach_http_requests_total", route="/panduan/<slug>", method="GET", status="404") == 1
    assert grew("outreach_http_requests_total", route="/api/v1/sync", method="POST", status="200") == 2
    assert grew("outreach_http_request_duration_seconds_count", route="/api/v1/sync") == 2
    assert grew("outreach_sync_records_total", outcome="accepted") == 1
    assert grew("outreach_sync_records_total", outcome="rejected") == 1
    assert grew("outreach_sync_records_total", outcome="duplicate") == 1


def test_metrics_show_the_notices_waiting_to_be_sent(app, client, auth, people):  # noqa: F811
    app.config["METRICS_TOKEN"] = TOKEN
    assert metric(scrape(client), "outreach_notices_waiting", status="pending") == 0
    auth.login("ani")
    assert auth.push([warning_record()]).get_json()["results"][0]["status"] == "accepted"
    page = scrape(client)
    assert (
        metric(page, "outreach_notices_waiting", status="pending") == 2
    )  # the Kanim's manager and the Kanwil's
    assert metric(page, "outreach_notices_oldest_waiting_seconds") >= 0


def test_the_client_address_comes_from_the_proxy_only_when_one_is_configured(app):
    @app.get("/_address")
    def address():
        return f"{request.remote_addr} {request.scheme}"

    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/_address", headers=forwarded).get_data(as_text=True) == "127.0.0.1 http"
    behind = create_app(
        {"TESTING": True, "SECRET_KEY": "t", "PROXIES": 1, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    behind.add_url_rule("/_address", view_func=address)
    assert (
        behind.test_client().get("/_address", headers=forwarded).get_data(as_text=True) == "203.0.113.9 https"
    )


def test_the_static_files_are_exported_at_their_addresses_with_their_gzip(app, tmp_path, runner):
    result = runner.invoke(args=["export-static", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "static" / assets.release()
    with app.test_request_context():
        from flask import url_for

        address = url_for("static", filename="js/app.js")
    exported = tmp_path / address.lstrip("/")
    assert exported.read_bytes() == (assets.STATIC / "js" / "app.js").read_bytes()
    assert exported.with_name("app.js.gz").read_bytes() == assets.prepared("js/app.js").gzipped
    assert (folder / "icons" / "icon-192.png").exists() and not (
        folder / "icons" / "icon-192.png.gz"
    ).exists()
