"""Backups made while officers push: after a restore, every record acknowledged before the backup began is
there, the copy is one consistent moment of the database, and the app runs on it. SQLite by default;
PostgreSQL (pg_dump, pg_restore) when DATABASE_URL is set."""

import os
import re
import sqlite3
import subprocess
import threading
import time
from contextlib import closing, contextmanager

import httpx
import pytest
from sqlalchemy import create_engine, make_url, select, text

from outreach import create_app
from outreach.extensions import db
from outreach.models import Visit
from tests.conftest import Auth, visit_record
from tests.live import HttpPhone, served

# Phones pushing at once: (officer, a village of theirs, device). Ani has two.
PHONES = [
    ("ani", "15.71.01.1001", "ani-1"),
    ("ani", "15.71.01.1002", "ani-2"),
    ("budi", "15.71.01.1003", "budi-1"),
]
BATCH = 5  # visits in one push
MAX_PUSHES = 400  # per phone, whatever happens
PAUSE = 0.01  # seconds between two pushes of a phone: a quick phone must not run out of pushes before a slow one starts
DEADLINE = 60  # seconds the whole exchange may take
POSTGRES = bool(os.environ.get("DATABASE_URL"))


class Phone(threading.Thread):
    """An officer's phone pushing batches of new visits over real HTTP until told to stop; it notes when each
    visit was acknowledged."""

    def __init__(self, base_url, username, village, device, stop):
        super().__init__(daemon=True)
        self.phone = HttpPhone(base_url, username, device_id=device)
        self.username, self.village, self.device, self.stop = username, village, device, stop
        self.acknowledged = []  # (monotonic time the answer arrived, id)
        self.pushes = 0
        self.error = None

    def run(self):
        try:
            self.phone.login()
            deadline = time.monotonic() + DEADLINE
            while not self.stop.is_set() and self.pushes < MAX_PUSHES and time.monotonic() < deadline:
                answer = self.phone.push([visit_record(self.village) for _ in range(BATCH)])
                assert answer.status_code == 200, answer.text
                arrived = time.monotonic()
                results = answer.json()["results"]
                assert [r["status"] for r in results] == ["accepted"] * BATCH, results
                self.acknowledged.extend((arrived, r["id"]) for r in results)
                self.pushes += 1
                time.sleep(PAUSE)
        except (AssertionError, AttributeError, KeyError, ValueError, httpx.HTTPError) as exc:
            self.error = exc  # the test fails with it
        finally:
            self.phone.close()


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def restored(backup_file, live_uri):
    """The app on the backup, restored as the README says: SQLite, the copied file as the database;
    PostgreSQL, pg_restore into a new database (dropped afterwards)."""
    live = make_url(live_uri)
    name = f"{live.database}_restore"
    admin = create_engine(live.set(database="postgres"), isolation_level="AUTOCOMMIT") if POSTGRES else None
    app = None
    try:
        if POSTGRES:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            target = live.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
            done = subprocess.run(
                ["pg_restore", "--no-owner", f"--dbname={target}", str(backup_file)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            uri = live.set(database=name).render_as_string(hide_password=False)
        else:
            uri = f"sqlite:///{backup_file}"
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "test"})
        yield app
    finally:
        if app is not None:
            with app.app_context():
                db.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def test_a_backup_made_while_officers_push_restores_with_every_acknowledged_record(
    app, world, database_uri, tmp_path
):
    backup_file = tmp_path / ("outreach.dump" if POSTGRES else "outreach-backup.sqlite")
    stop = threading.Event()
    with served(app) as server:
        phones = [Phone(server.url, username, village, device, stop) for username, village, device in PHONES]
        for phone in phones:
            phone.start()
        try:
            wait_for(lambda: all(p.pushes >= 3 or p.error for p in phones))
            before = {p.device: p.pushes for p in phones}
            started = time.monotonic()
            result = app.test_cli_runner().invoke(args=["backup", str(backup_file)])
            # the officers went on pushing while the backup ran, and after it
            wait_for(
                lambda: all(p.pushes >= before[p.device] + 3 or p.error or not p.is_alive() for p in phones)
            )
        finally:
            stop.set()
            for phone in phones:
                phone.join(DEADLINE)
    assert [p.error for p in phones] == [None] * len(phones)
    assert result.exit_code == 0, result.output
    revision = int(re.search(r"Backed up revision (\d+) to ", result.output).group(1))
    assert f"({backup_file.stat().st_size:,} bytes)" in result.output
    acknowledged_before = {id for p in phones for arrived, id in p.acknowledged if arrived < started}
    acknowledged = {id for p in phones for _, id in p.acknowledged}
    assert acknowledged_before and acknowledged - acknowledged_before  # pushes went on past the backup

    with app.app_context():
        live = dict(db.session.execute(select(Visit.id, Visit.rev)).all())
    assert set(live) == acknowledged
    if not POSTGRES:
        assert not os.path.exists(f"{backup_file}-wal")  # one file holds the whole backup
        with closing(sqlite3.connect(backup_file)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    with restored(backup_file, database_uri) as backup_app:
        with backup_app.app_context():
            kept = dict(db.session.execute(select(Visit.id, Visit.rev)).all())
            db.session.remove()
        assert acknowledged_before <= set(kept)
        # one moment of the database: exactly the visits up to the revision the command reported
        assert set(kept) == {id for id, rev in live.items() if rev <= revision}
        # the app runs on it: ani's phone gets her visits back from the restored server
        client = backup_app.test_client()
        Auth(client).login("ani")
        pulled, since = set(), 0
        for _ in range(50):  # pages of changes, as the phone pulls them
            page = client.get(f"/api/v1/changes?since={since}").get_json()
            pulled |= {change["id"] for change in page["changes"]}
            since = page["next"]
            if not page["more"]:
                break
        ani = {id for p in phones if p.username == "ani" for _, id in p.acknowledged}
        assert pulled == ani & set(kept)


def test_backup_refuses_to_replace_an_existing_file_unless_forced(runner, tmp_path):
    existing = tmp_path / "backup.sqlite"
    existing.write_bytes(b"last week's backup")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code == 1 and "exists already" in result.output
    assert existing.read_bytes() == b"last week's backup"
    result = runner.invoke(args=["backup", "--force", str(existing)])
    assert result.exit_code == 0, result.output
    assert existing.read_bytes() != b"last week's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.sqlite"]  # no partial file left behind


@pytest.mark.skipif(POSTGRES, reason="the database file is SQLite's")
def test_backup_never_writes_over_the_database_it_copies(runner, database_uri):
    live = make_url(database_uri).database
    size = os.path.getsize(live)
    result = runner.invoke(args=["backup", "--force", live])
    assert result.exit_code == 1 and "cannot replace the database it copies" in result.output
    assert os.path.getsize(live) == size
