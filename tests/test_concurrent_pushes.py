"""Pushes of new records at the same moment, to a live threaded server: they are stored before the revision lock
and numbered under it (`sync`), so a pull after any cursor still never skips a record that committed late, and
the same new records sent by two pushes at once are stored once, whatever else those pushes carry."""

import threading
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from outreach import sync
from outreach.extensions import db
from outreach.models import Device, RecordId, RecordVersion, Visit
from tests.conftest import visit_record
from tests.live import HttpPhone, served

PHONES = 6
BATCHES = 5
BATCH = 20


def together(phones, work):
    """Run `work(i, phone)` on every phone at once; their answers, in the phones' order."""
    barrier = threading.Barrier(len(phones))
    answers = [None] * len(phones)

    def run(i):
        barrier.wait(10)
        answers[i] = work(i, phones[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_a_phone_pulling_while_others_push_gets_every_record_once(app, world):
    with served(app) as server:
        pushers = [HttpPhone(server.url, "ani", device_id=f"phone-{i}") for i in range(PHONES)]
        puller = HttpPhone(server.url, "ani", device_id="puller")
        try:
            for phone in [*pushers, puller]:
                phone.login()
            pushed, seen, cursor = set(), [], 0
            done = threading.Event()

            def pull_until_done():
                nonlocal cursor
                while True:
                    finished = done.is_set()  # read first: a pull after this sees every commit
                    page = puller.http.get(f"/api/v1/changes?since={cursor}").json()
                    seen.extend(change["id"] for change in page["changes"])
                    cursor = page["next"]
                    if finished and not page["more"]:
                        return

            def push_batches(_, phone):
                statuses = []
                for _ in range(BATCHES):
                    batch = [visit_record() for _ in range(BATCH)]
                    answer = phone.push(batch)
                    statuses.append(answer.status_code)
                    pushed.update(record["id"] for record in batch)
                return statuses

            reader = threading.Thread(target=pull_until_done)
            reader.start()
            answers = together(pushers, push_batches)
            done.set()
            reader.join(60)
            assert answers == [[200] * BATCHES] * PHONES
            assert sorted(seen) == sorted(pushed)  # each record once: none skipped, none twice
        finally:
            for phone in [*pushers, puller]:
                phone.close()


def test_the_same_new_records_pushed_at_once_are_stored_once(app, world):
    """A phone that gave up waiting sends its records again while the first push still runs: the pushes overlap
    in every way (some records in both, one push voiding some), and each record is still stored once."""
    start = datetime.now(UTC) - timedelta(hours=1)
    records = [visit_record(updated_at=start.isoformat()) for _ in range(30)]
    voids = [
        dict(record, voided=True, updated_at=(start + timedelta(minutes=5)).isoformat())
        for record in records[:10]
    ]
    sends = [records, list(reversed(records)), voids + records[10:20], records[15:]]
    with served(app) as server:
        phones = [HttpPhone(server.url, "ani", device_id=f"phone-{i}") for i in range(len(sends))]
        try:
            for phone in phones:
                phone.login()
            answers = together(phones, lambda i, phone: phone.push(sends[i]))
        finally:
            for phone in phones:
                phone.close()
    assert [answer.status_code for answer in answers] == [200] * len(sends)
    for answer, sent in zip(answers, sends, strict=True):
        results = answer.json()["results"]
        assert [r["id"] for r in results] == [record["id"] for record in sent]
        assert {r["status"] for r in results} <= {"accepted", "duplicate"}
    with app.app_context():
        ids = {record["id"] for record in records}
        assert db.session.scalar(select(func.count()).select_from(RecordId)) == len(ids)
        assert db.session.scalar(select(func.count()).select_from(Visit)) == len(ids)
        # one version per distinct version sent: the first of each record, and the void of ten
        assert db.session.scalar(select(func.count()).select_from(RecordVersion)) == len(ids) + len(voids)
        voided = set(db.session.scalars(select(Visit.id).where(Visit.voided.is_(True))))
        assert voided == {record["id"] for record in voids}
        assert db.session.scalar(select(func.min(Visit.rev))) > 0


def test_a_push_the_database_failed_only_because_of_another_is_one_to_run_again(app, world):
    """Two transactions that wait for each other (PostgreSQL fails one of them), or a write while another holds
    SQLite's lock: the error the database gives is one the API runs the push again for."""
    with app.app_context():
        db.session.add_all([Device(officer_id=world.ani, device_id=name) for name in ("phone-a", "phone-b")])
        db.session.commit()
        ids = list(db.session.scalars(select(Device.id).order_by(Device.device_id)))
        engine = db.engine
        first, second = engine.connect(), engine.connect()
        try:
            if engine.dialect.name == "sqlite":
                first.exec_driver_sql("BEGIN IMMEDIATE")
                second.exec_driver_sql("PRAGMA busy_timeout = 0")
                with pytest.raises(OperationalError) as refused:
                    second.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                bump = "UPDATE devices SET pending = pending + 1 WHERE id = %s"
                first.begin()
                second.begin()
                first.exec_driver_sql(bump, (ids[0],))
                second.exec_driver_sql(bump, (ids[1],))
                failed = []

                def cross(connection, row):
                    try:
                        connection.exec_driver_sql(bump, (row,))
                    except OperationalError as exc:
                        failed.append(exc)
                        connection.rollback()

                threads = [
                    threading.Thread(target=cross, args=(first, ids[1])),
                    threading.Thread(target=cross, args=(second, ids[0])),
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(30)
                assert len(failed) == 1  # PostgreSQL broke the wait by failing one of the two
                refused = SimpleNamespace(value=failed[0])
            assert sync.is_busy(refused.value)
        finally:
            for connection in (first, second):
                connection.rollback()
                connection.close()
