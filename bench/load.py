"""Benchmark: 200 phones syncing at once against gunicorn and PostgreSQL, and a villager reading meanwhile
(issue 12, item 2).

    python bench/load.py [--phones 200] [--workers 4] [--server postgresql://postgres@127.0.0.1:5432]

Builds the PostgreSQL database `bench_load` (created here, dropped at the end) as bench/sync.py does, with one
officer per phone and the shipped guidance, and serves it with gunicorn and the project's gunicorn.conf.py
(threaded workers) on 127.0.0.1. Every phone logs in
through /masuk first (not measured: a log-in is a password hash, once in 60 days on a real phone). Then, all at
once, each phone does what a phone coming back into signal does: GET /api/v1/me, then 3 pushes of 20 visits;
while they run, a villager (another process) reads an article again and again. Prints the errors, the push latencies (median,
p99, worst), the records per second, and the article's latency while the phones run against its latency on
an idle server. Bounded: one pass of the phones, each request at most 60 s.
"""

import argparse
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sync import PASSWORD, build, visits  # bench/sync.py: the same world, one officer per phone

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_load"
PUSHES, RECORDS = 3, 20
ARTICLE = "/panduan/kenali-tppo"
# The server's settings a run may change from the environment (gunicorn.conf.py and the app's configuration).
PASSED_ON = ("WEB_WORKERS", "WEB_THREADS", "SYNC_CONCURRENCY")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:,.0f} ms, p99 {percentile(values, 0.99) * 1000:,.0f} ms, "
        f"worst {max(values) * 1000:,.0f} ms"
    )


class Phone:
    """An officer's phone over HTTP: logged in through /masuk, pushing with the token of /api/v1/me."""

    def __init__(self, base: str, username: str):
        self.client = httpx.Client(base_url=base, timeout=60)
        self.username = username
        self.token = ""

    def login(self) -> None:
        page = self.client.get("/masuk").text
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        answer = self.client.post(
            "/masuk", data={"csrf_token": token, "username": self.username, "password": PASSWORD}
        )
        assert answer.status_code == 302, (self.username, answer.status_code)

    def come_back_into_signal(self, villages: list[str], pushes: list[float], errors: list[str]) -> None:
        try:
            me = self.client.get("/api/v1/me")
            if me.status_code != 200:
                errors.append(f"/me {me.status_code}")
                return
            self.token = me.json()["csrf_token"]
            for _ in range(PUSHES):
                started = time.perf_counter()
                answer = self.client.post(
                    "/api/v1/sync",
                    json={"device_id": f"phone-{self.username}", "records": visits(villages, RECORDS)},
                    headers={"X-CSRFToken": self.token},
                )
                pushes.append(time.perf_counter() - started)
                statuses = (
                    {r["status"] for r in answer.json()["results"]} if answer.status_code == 200 else set()
                )
                if answer.status_code != 200 or statuses != {"accepted"}:
                    errors.append(f"/sync {answer.status_code} {sorted(statuses)}")
        except httpx.HTTPError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")


def read_article(base: str, *, until: Event | None = None, count: int = 0) -> list[float]:
    """A villager reading the same article, one request after another: `count` times, or until told to stop."""
    times: list[float] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while (until is None or not until.is_set()) and (count == 0 or len(times) < count):
            started = time.perf_counter()
            assert client.get(ARTICLE).status_code == 200
            times.append(time.perf_counter() - started)
    return times


def database_backends(admin) -> list[int]:
    """The process ids of PostgreSQL's backends serving the bench's database now."""
    with admin.connect() as conn:
        return list(
            conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": DATABASE})
        )


def cpu_seconds(pids: list[int]) -> float:
    """The processor time these processes have used so far (user and system; a process gone counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def keep_reading(base: str, until: Event, answer: Queue) -> None:
    """The villager's process: reads until told to stop, then sends back the times."""
    answer.put(read_article(base, until=until))


def serve(uri: str, port: int, workers: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        sys.exit("gunicorn is not installed: pip install -e .")
    environment = {"DATABASE_URL": uri, "SECRET_KEY": "bench-load", "PATH": str(Path(sys.executable).parent)}
    environment.update({name: os.environ[name] for name in PASSED_ON if name in os.environ})
    server = subprocess.Popen(
        [
            gunicorn,
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}{ARTICLE}", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not answer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    server_url = args.server.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    uri = f"{server_url}/{DATABASE}"
    server = None
    try:
        villages = build(uri, officers=args.phones)
        from outreach import create_app, guidance
        from outreach.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench-load"})
        with app.app_context():
            guidance.load(db.session, by="bench", publish=True)
            db.session.commit()
            db.engine.dispose()
        port = free_port()
        server = serve(uri, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        print(f"python bench/load.py --phones {args.phones} --workers {args.workers}: gunicorn, PostgreSQL")

        idle = read_article(base, count=50)
        phones = [Phone(base, f"petugas{n}") for n in range(args.phones)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(Phone.login, phones))

        pushes: list[float] = []
        errors: list[str] = []
        # The villager is another device: a process of its own, not a thread among the phones'.
        context = multiprocessing.get_context("spawn")
        done, answer = context.Event(), context.Queue()
        villager = context.Process(target=keep_reading, args=(base, done, answer))
        villager.start()
        workers = [
            int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ]
        backends = database_backends(admin)
        cpu_before = (cpu_seconds(workers), cpu_seconds(backends), time.process_time())
        started = time.perf_counter()
        with ThreadPoolExecutor(args.phones) as pool:
            for phone in phones:
                pool.submit(phone.come_back_into_signal, villages, pushes, errors)
        elapsed = time.perf_counter() - started
        backends = database_backends(admin)  # the workers' pools opened more while the phones ran
        cpu_after = (cpu_seconds(workers), cpu_seconds(backends), time.process_time())
        done.set()
        busy = answer.get(timeout=60)
        villager.join()

        records = len(pushes) * RECORDS
        print(f"{args.phones} phones: /me, then {PUSHES} pushes of {RECORDS} visits each, all at once")
        print(f"  errors: {len(errors)}{' ' + '; '.join(sorted(set(errors))[:5]) if errors else ''}")
        print(f"  push: {ms(pushes)} (target: p99 ≤ 2 s)")
        print(f"  {records:,} records in {elapsed:.1f} s: {records / elapsed:,.0f} records/s")
        app_cpu, database_cpu, phones_cpu = (
            (after - before) / len(pushes) * 1000 for before, after in zip(cpu_before, cpu_after, strict=True)
        )
        most = (os.cpu_count() or 1) * 1000 / (app_cpu + database_cpu + phones_cpu)
        print(
            f"  CPU per push (with the /me and the article reads): gunicorn {app_cpu:.1f} ms, PostgreSQL "
            f"{database_cpu:.1f} ms, the phones {phones_cpu:.1f} ms: {os.cpu_count()} cores serve at most "
            f"{most:.0f} pushes/s, so with {args.phones} phones waiting a push waits about "
            f"{args.phones / most:.1f} s (Little's law)"
        )
        print(f"  a villager's article, idle server:     {ms(idle)}")
        print(f"  a villager's article, during the sync: {ms(busy)} (target: p99 ≤ 300 ms)")
        for phone in phones:
            phone.client.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))


if __name__ == "__main__":
    main()
