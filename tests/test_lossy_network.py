"""Phones pushing through a network that loses requests and answers: each keeps sending until every version in
its outbox is acknowledged, and the server holds each record exactly once, with its latest version current and
every version in its history exactly once."""

import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import RecordVersion
from outreach.records import RECORD_TYPES
from tests.conftest import visit_record
from tests.figures import keep_figures
from tests.live import HttpPhone, LossyProxy, served
from tests.test_record_types import handout_record, session_record, warning_record

# (officer, village) of each phone: two officers, some with two phones
PHONES = [
    ("ani", "15.71.01.1001"),
    ("ani", "15.71.01.1002"),
    ("ani", "15.71.01.1001"),
    ("budi", "15.71.01.1003"),
    ("budi", "15.71.01.1003"),
    ("ani", "15.71.01.1002"),
]
RECORDS_PER_PHONE = 50
EDITED_EVERY = 5  # one record in five has a second, later version
BATCH = 8
DEADLINE = 45  # seconds for all phones to empty their outboxes


def outbox(phone_number: int, village: str, now: datetime) -> list[dict]:
    """A phone's queue in the order it was made: records of every type, and later versions of some."""
    makers = [visit_record, session_record, handout_record, warning_record]
    queue, edits = [], []
    for n in range(RECORDS_PER_PHONE):
        record = makers[n % len(makers)]()
        record["id"] = str(uuid.uuid4())
        record["data"]["village"] = village
        record["updated_at"] = (now - timedelta(minutes=60 - n * 0.5)).isoformat()
        queue.append(record)
        if n % EDITED_EVERY == 0:
            edit = {
                **record,
                "data": dict(record["data"]),
                "updated_at": (now - timedelta(minutes=5 - n * 0.05)).isoformat(),
            }
            edit["data"]["lat"], edit["data"]["lng"] = -1.6 - phone_number / 100, 103.6 + n / 1000
            edits.append(edit)
    return queue + edits


def drain(phone: HttpPhone, queue: list[dict], sent: Counter, deadline: float) -> list[str]:
    """Send the queue in batches until each version is acknowledged (accepted or duplicate), through losses."""
    problems = []
    while queue and time.monotonic() < deadline:
        batch = queue[:BATCH]
        sent["requests"] += 1
        try:
            if phone.token is None:
                phone.login()
            response = phone.push(batch, pending=len(queue) - len(batch))
        except httpx.TransportError:  # lost on the way
            sent["lost"] += 1
            continue
        if response.status_code != 200:
            problems.append(f"{phone.device_id}: {response.status_code} {response.text[:200]}")
            return problems
        for record, result in zip(batch, response.json()["results"], strict=False):
            sent[result["status"]] += 1
            if result["status"] == "rejected":
                problems.append(f"{phone.device_id}: {record['id']} rejected: {result.get('errors')}")
        queue[:BATCH] = []
    if queue:
        problems.append(f"{phone.device_id}: {len(queue)} versions left after {DEADLINE} s")
    return problems


def test_through_a_lossy_network_every_record_is_stored_once_with_its_latest_version(app, world):
    now = datetime.now(UTC)
    queues = [outbox(i, village, now) for i, (_, village) in enumerate(PHONES)]
    versions = [record for queue in queues for record in queue]
    with served(app) as server:
        proxy = LossyProxy(server.server.server_port, drop_requests=0.2, drop_answers=0.2).start()
        phones = [
            HttpPhone(proxy.url, username, device_id=f"phone-{i}") for i, (username, _) in enumerate(PHONES)
        ]
        sent = [Counter() for _ in PHONES]
        problems = [[] for _ in PHONES]
        deadline = time.monotonic() + DEADLINE

        def run(i):
            problems[i] = drain(phones[i], list(queues[i]), sent[i], deadline)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(PHONES))]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(DEADLINE + 15)
        finally:
            proxy.stop()
            for phone in phones:
                phone.close()
    assert not [p for ps in problems for p in ps], problems

    latest = {}
    for record in versions:
        if record["id"] not in latest or record["updated_at"] > latest[record["id"]]["updated_at"]:
            latest[record["id"]] = record
    with app.app_context():
        rows_of = Counter()  # rows stored under each id, in all record tables together
        stale = []
        for kind in RECORD_TYPES.values():
            for row in db.session.scalars(select(kind.model).where(kind.model.id.in_(latest))):
                rows_of[row.id] += 1
                want = latest[row.id]
                at = datetime.fromisoformat(want["updated_at"]).astimezone(UTC).replace(tzinfo=None)
                if want["type"] != kind.name or row.client_updated_at != at or row.lat != want["data"]["lat"]:
                    stale.append(row.id)
        kept = Counter(
            db.session.execute(
                select(RecordVersion.record_id, RecordVersion.client_updated_at).where(
                    RecordVersion.record_id.in_(latest)
                )
            ).all()
        )
    stored, doubled = len(rows_of), sum(1 for count in rows_of.values() if count > 1)
    versions_kept, versions_doubled = sum(kept.values()), sum(count - 1 for count in kept.values())
    totals = sum(sent, Counter())
    figures = {
        "phones": len(PHONES),
        "records": len(latest),
        "versions_sent": len(versions),
        "requests": totals["requests"],
        "lost_on_the_way": totals["lost"],
        "proxy": vars(proxy.losses),
        "answers": {status: totals[status] for status in ("accepted", "duplicate", "rejected")},
        "stored": stored,
        "doubled": doubled,
        "stale": len(stale),
        "versions_kept": versions_kept,
        "versions_kept_twice": versions_doubled,
    }
    keep_figures("lossy-network", app, figures)
    assert proxy.losses.dropped_requests and proxy.losses.dropped_answers  # the network did lose things
    assert stored == len(latest) and doubled == 0 and not stale
    assert versions_kept == len(versions) and versions_doubled == 0
