"""The app factory and the configuration it reads from the environment."""

import os
import stat
import threading

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from outreach import create_app
from outreach.config import database_url, secret_key
from outreach.extensions import db
from outreach.models import Region, RegionLevel

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="checks SQLite settings; the test database is not SQLite"
)


def test_without_secret_key_in_the_environment_one_is_generated_and_kept_private(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key = secret_key(str(tmp_path))
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == key
    assert len(key) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_generated_secret_key_stays_the_same_across_restarts(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(str(tmp_path))
    assert secret_key(str(tmp_path)) == first
    other = tmp_path / "other"
    other.mkdir()
    assert secret_key(str(other)) != first  # another instance gets its own key


def test_workers_starting_at_the_same_moment_all_get_the_same_non_empty_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    for attempt in range(20):  # the race is narrow; several rounds make a wrong implementation fail reliably
        folder = tmp_path / str(attempt)
        folder.mkdir()
        barrier = threading.Barrier(8)
        keys, errors = [], []

        def start():
            barrier.wait()
            try:
                keys.append(secret_key(str(folder)))
            except Exception as exc:  # noqa: BLE001 - a worker that fails to start is what this test is about
                errors.append(exc)

        workers = [threading.Thread(target=start) for _ in range(8)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        assert len(set(keys)) == 1 and keys[0] != ""
        assert (folder / "secret_key").read_text().strip() == keys[0]
        assert sorted(p.name for p in folder.iterdir()) == ["secret_key"]


def test_an_empty_secret_key_file_left_by_a_crash_is_replaced_by_a_real_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("")
    key = secret_key(str(tmp_path))
    assert len(key) >= 32
    assert secret_key(str(tmp_path)) == key
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins_over_the_kept_one(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    kept = secret_key(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert secret_key(str(tmp_path)) == "from-the-environment"
    monkeypatch.setenv("SECRET_KEY", "   ")
    assert secret_key(str(tmp_path)) == kept


def test_an_empty_environment_gives_a_sqlite_file_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(str(tmp_path)) == "sqlite:///" + str(tmp_path / "outreach.sqlite")
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert database_url(str(tmp_path)) == "sqlite:///" + str(tmp_path / "outreach.sqlite")


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@db.example:5432/outreach", "postgresql+psycopg://u:p@db.example:5432/outreach"),
        ("postgresql://u:p@db.example/outreach", "postgresql+psycopg://u:p@db.example/outreach"),
        ("postgresql+psycopg://u@localhost/outreach", "postgresql+psycopg://u@localhost/outreach"),
        ("sqlite:////srv/outreach.sqlite", "sqlite:////srv/outreach.sqlite"),
    ],
)
def test_database_urls_from_hosting_platforms_use_the_psycopg_driver(monkeypatch, tmp_path, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url(str(tmp_path)) == expected


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys_enforced(ctx):
    assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_region_whose_parent_does_not_exist_is_refused_by_the_database(ctx):
    db.session.add(Region(code="15.71", name="Kota Jambi", level=RegionLevel.regency, parent_code="15"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_starting_the_app_on_an_empty_database_creates_no_tables(tmp_path):
    uri = "sqlite:///" + str(tmp_path / "fresh.sqlite")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test"})
    client = app.test_client()
    assert client.get("/masuk").status_code == 200
    assert client.get("/sw.js").status_code == 200
    with app.app_context():
        try:
            assert inspect(db.engine).get_table_names() == []
        finally:
            db.engine.dispose()


def test_the_app_reads_its_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/outreach")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("SECURE_COOKIES", "1")
    monkeypatch.setenv("REMEMBER_DAYS", "30")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/outreach"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SESSION_COOKIE_SECURE"]
    assert app.config["PERMANENT_SESSION_LIFETIME"].days == 30
