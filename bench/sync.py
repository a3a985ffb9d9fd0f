"""Benchmark: sync ingest through the API against a raw bulk insert of the same rows (issue 12, item 1).

    python bench/sync.py --database sqlite
    python bench/sync.py --database postgresql [--server postgresql://postgres@127.0.0.1:5432]

Builds a fresh database through the migrations (a temporary SQLite file, or the PostgreSQL database
`bench_sync`, created here and dropped at the end), the Jambi regions shipped in the package, a Kanim with 20
desa binaan and 9 officers who look after them. Then, all figures in records per second:

1. one officer, logged in through /masuk, pushes 1,000 visits in 5 batches of 200 through /api/v1/sync;
2. the raw bulk insert: the rows that push added (record_ids, visits, record_versions) inserted again with
   fresh ids, one `executemany` per table in one transaction (the median of 3 such copies); the ratio
   API / raw;
3. the same 1,000 visits pushed again (all duplicates; the median of 3 such re-pushes, as one may take a pause
   of Python's garbage collector that the others do not), and its ratio to the raw rate;
4. on PostgreSQL, 8 clients (processes, each its own app and officer, like a server's workers) pushing
   5 batches of 200 each at once, against 1 client pushing the same, and the ratio.
The machine is shared: compare the ratios.
"""

import argparse
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-1"
BATCH = 200
OFFICERS = 9
RAW_RUNS = 3  # the raw insert and the re-push are short: the median of 3 is steadier on a shared machine


def make_app(uri):
    from outreach import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "TESTING": True})


def build(uri, officers=OFFICERS):
    """The schema through the migrations, the Jambi regions, a Kanim, its desa binaan and `officers` officers
    (petugas0, petugas1, …) who look after them."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from outreach.extensions import db
    from outreach.models import (
        Assignment,
        DesaBinaan,
        Office,
        OfficeKind,
        Region,
        RegionLevel,
        RiskLevel,
        Role,
        User,
    )
    from outreach.regions import import_regions

    app = make_app(uri)
    with app.app_context():
        upgrade()
        with open(ROOT / "outreach" / "data" / "jambi_regions.csv", encoding="utf-8") as stream:
            import_regions(db.session, stream)
        kanwil = Office(code="kanwil-jambi", name="Kanwil Jambi", kind=OfficeKind.kanwil)
        kanim = Office(code="kanim-jambi", name="Kanim Jambi", kind=OfficeKind.kanim, parent=kanwil)
        db.session.add_all([kanwil, kanim])
        villages = db.session.scalars(
            select(Region.code)
            .where(Region.level == RegionLevel.village, Region.code.like("15.71.%"))
            .order_by(Region.code)
            .limit(20)
        ).all()
        desa = [
            DesaBinaan(
                village_code=code, office=kanim, risk_level=RiskLevel.tinggi, designated_on=date(2025, 1, 6)
            )
            for code in villages
        ]
        db.session.add_all(desa)
        password_hash = generate_password_hash(PASSWORD)
        for n in range(officers):
            officer = User(
                username=f"petugas{n}",
                full_name=f"Petugas {n}",
                role=Role.officer,
                office=kanim,
                password_hash=password_hash,
                active=True,
            )
            db.session.add(officer)
            db.session.add_all(Assignment(officer=officer, desa_binaan=d) for d in desa)
        db.session.commit()
        db.engine.dispose()
    return list(villages)


def visits(villages, count):
    now = datetime.now(UTC)
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "visit",
            "data": {
                "village": villages[n % len(villages)],
                "occurred_at": (now - timedelta(hours=2, minutes=n % 600)).isoformat(),
                "purpose": "Koordinasi dengan kepala desa",
                "notes": f"Kunjungan ke-{n}.",
                "lat": -1.61,
                "lng": 103.6,
                "accuracy": 12.5,
            },
            "updated_at": (now - timedelta(minutes=1)).isoformat(),
        }
        for n in range(count)
    ]


class Phone:
    """A test client logged in through /masuk as an officer, pushing as the phone does."""

    def __init__(self, app, username):
        self.client = app.test_client()
        page = self.client.get("/masuk").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        answer = self.client.post(
            "/masuk", data={"csrf_token": token, "username": username, "password": PASSWORD}
        )
        assert answer.status_code == 302, answer.status_code
        self.token = self.client.get("/api/v1/me").get_json()["csrf_token"]

    def push(self, records):
        answer = self.client.post(
            "/api/v1/sync",
            json={"device_id": "bench-phone", "records": records},
            headers={"X-CSRFToken": self.token},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        return [result["status"] for result in answer.get_json()["results"]]


def push_all(phone, records):
    """Push in batches of 200; the seconds it took and the statuses."""
    statuses = []
    started = time.perf_counter()
    for start in range(0, len(records), BATCH):
        statuses += phone.push(records[start : start + BATCH])
    return time.perf_counter() - started, statuses


def raw_insert(uri, officer_username):
    """The rows the officer's push added, again with fresh ids: one executemany per table, one transaction."""
    from outreach.models import RecordId, RecordVersion, User, Visit

    engine = create_engine(uri)
    tables = [RecordId.__table__, Visit.__table__, RecordVersion.__table__]
    with engine.connect() as conn:
        officer_id = conn.scalar(select(User.id).where(User.username == officer_username))
        rows = {
            table.name: [
                dict(row._mapping)
                for row in conn.execute(
                    select(table)
                    .where(table.c.officer_id == officer_id)
                    .order_by(table.c[table.primary_key.columns.keys()[0]])
                )
            ]
            for table in tables
        }
    times = []
    for _ in range(RAW_RUNS):
        fresh = {row["id"]: str(uuid.uuid4()) for row in rows["record_ids"]}
        copies = {
            "record_ids": [{**row, "id": fresh[row["id"]]} for row in rows["record_ids"]],
            "visits": [{**row, "id": fresh[row["id"]]} for row in rows["visits"]],
            "record_versions": [
                {key: value for key, value in row.items() if key != "id"}
                | {"record_id": fresh[row["record_id"]]}
                for row in rows["record_versions"]
            ],
        }
        started = time.perf_counter()
        with engine.begin() as conn:
            for table in tables:
                conn.execute(insert(table), copies[table.name])
        times.append(time.perf_counter() - started)
    elapsed = statistics.median(times)
    engine.dispose()
    return elapsed, len(rows["visits"])


def client_worker(uri, username, records, barrier, results):
    app = make_app(uri)
    phone = Phone(app, username)
    barrier.wait()
    elapsed, statuses = push_all(phone, records)
    results.put((elapsed, statuses.count("accepted")))


def concurrent(uri, villages, clients, first_officer):
    """`clients` processes, each its own app and officer, push 5 batches of 200 at once: records/s overall."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients + 1)
    results = context.Queue()
    workers = [
        context.Process(
            target=client_worker,
            args=(uri, f"petugas{first_officer + n}", visits(villages, 5 * BATCH), barrier, results),
        )
        for n in range(clients)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    answers = [results.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    accepted = sum(count for _, count in answers)
    assert accepted == clients * 5 * BATCH, accepted
    return accepted / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    command = "python bench/sync.py " + " ".join(sys.argv[1:])

    admin = None
    if args.database == "sqlite":
        uri = f"sqlite:///{tempfile.mkdtemp(prefix='pimpasa-bench-')}/bench.sqlite"
    else:
        server = args.server.replace("postgresql://", "postgresql+psycopg://", 1)
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS bench_sync"))
            conn.execute(text("CREATE DATABASE bench_sync"))
        uri = f"{server}/bench_sync"
    try:
        villages = build(uri)
        app = make_app(uri)
        with app.app_context():
            phone = Phone(app, "petugas0")
            records = visits(villages, 5 * BATCH)
            api_seconds, statuses = push_all(phone, records)
            assert statuses.count("accepted") == len(records), statuses[:5]
            again = []
            for _ in range(RAW_RUNS):
                seconds, statuses = push_all(phone, records)
                assert statuses.count("duplicate") == len(records), statuses[:5]
                again.append(seconds)
            again_seconds = statistics.median(again)
        raw_seconds, raw_count = raw_insert(uri, "petugas0")
        assert raw_count == len(records)
        api_rate, raw_rate, again_rate = (
            len(records) / api_seconds,
            raw_count / raw_seconds,
            len(records) / again_seconds,
        )
        print(f"$ {command}")
        print(f"API push, 1,000 visits in 5 batches of 200: {api_rate:,.0f} records/s")
        print(f"raw bulk insert of the same rows:           {raw_rate:,.0f} records/s")
        print(f"ratio API / raw:                            {api_rate / raw_rate:.3f} (goal >= 0.1)")
        print(f"all-duplicate re-push:                      {again_rate:,.0f} records/s")
        print(f"ratio re-push / raw:                        {again_rate / raw_rate:.3f} (goal >= 0.5)")
        if args.database == "postgresql":
            one = concurrent(uri, villages, 1, first_officer=1)
            eight = concurrent(uri, villages, 8, first_officer=1)
            print(f"1 client, 5 batches of 200:                 {one:,.0f} records/s")
            print(f"8 clients at once, 5 batches of 200 each:   {eight:,.0f} records/s")
            print(f"ratio 8 / 1:                                {eight / one:.2f} (goal >= 1.5)")
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text("DROP DATABASE IF EXISTS bench_sync WITH (FORCE)"))
            admin.dispose()


if __name__ == "__main__":
    main()
