"""One record the server keeps failing on never holds the others, in a real Chromium: it is found, set aside
where the officer sees it, kept, exported, and sent once the server takes it."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Visit
from tests.browser.test_offline import ALL_SYNCED, wait_for

QUEUE = 30
POISON = 15  # its place in the queue, in the middle
MADE_BY_HAND = 3


def purposes_stored(app):
    with app.app_context():
        return sorted(db.session.scalars(select(Visit.purpose).where(Visit.purpose.like("Antrian %"))))


def add_to_queue(page, count):
    """Save visits through the app's own store, as its form does, after those already waiting (a form per
    record would make the test slow); answer the whole queue in the order the phone sends it."""
    return page.evaluate(
        """async ([first, count]) => {
            const store = await import(new URL('store.js', document.querySelector('script[type=module]').src));
            const [base] = await store.listOutbox();
            for (let i = first; i < first + count; i += 1) {
                const now = new Date(Date.now() + i).toISOString();
                const purpose = `Antrian ${String(i).padStart(2, '0')}`;
                await store.saveVersion({
                    ...base, id: crypto.randomUUID(), data: { ...base.data, purpose }, created_at: now, updated_at: now,
                });
            }
            const queue = await store.listOutbox();
            queue.sort((a, b) => a.created_at.localeCompare(b.created_at));
            return queue.map((entry) => ({ id: entry.id, purpose: entry.data.purpose }));
        }""",
        [MADE_BY_HAND, count],
    )


def press_send_now_until_a_push_fails(page, live_server):
    failed_before = live_server.failed
    page.click("#sync-now")
    assert wait_for(page, lambda: live_server.failed > failed_before)
    expect(page.locator("#sync-message")).not_to_have_text("Mengirim…")


def test_a_record_the_server_always_fails_on_is_set_aside_and_the_29_queued_around_it_reach_the_server(
    app, live_server, phone, world
):
    page = phone.ready()
    phone.context.set_offline(True)
    for i in range(MADE_BY_HAND):
        phone.record_visit("15.71.01.1001", f"Antrian {i:02d}")
    queue = add_to_queue(page, QUEUE - MADE_BY_HAND)
    assert [entry["purpose"] for entry in queue] == [f"Antrian {i:02d}" for i in range(QUEUE)]
    poison = queue[POISON]
    live_server.failing_ids.add(poison["id"])  # a server bug: any push holding this record answers 500
    page.reload()
    expect(page.locator("#sync-count")).to_have_text(f"{QUEUE} menunggu sinkronisasi")

    phone.context.set_offline(False)
    others = sorted(entry["purpose"] for entry in queue if entry is not poison)
    assert wait_for(page, lambda: purposes_stored(app) == others, timeout=30)

    # Each press tries the suspect alone; after a few tries it is set aside, with the server's words.
    failed = page.locator("#failed-list li")
    for _ in range(6):
        if failed.count():
            break
        press_send_now_until_a_push_fails(page, live_server)
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("Antrian 15")
    expect(failed).to_contain_text("Gagal dikirim")
    expect(failed).to_contain_text(live_server.BUG_MESSAGE)
    expect(failed).to_contain_text(re.compile(r"Dicoba ([3-9]|\d\d+) kali"))
    expect(page.locator("#sync-count")).to_have_text("1 gagal dikirim")

    # It is kept through a restart of the app, and a new record does not wait behind it.
    page.reload()
    expect(failed).to_have_count(1)
    phone.record_visit("15.71.01.1002", "Antrian sesudah")
    assert wait_for(page, lambda: "Antrian sesudah" in purposes_stored(app))
    expect(failed).to_have_count(1)

    failed.locator("a").click()
    expect(page.locator("#record-state")).to_have_text("Gagal dikirim")
    expect(page.locator("#record-tries")).to_contain_text(live_server.BUG_MESSAGE)
    expect(page.locator("#record-tries")).to_contain_text(re.compile(r"Dicoba ([3-9]|\d\d+) kali"))

    page.evaluate("location.hash = '#home'")
    with page.expect_download() as download:
        page.click("#export")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["format"] == "pimpasa-outbox"
    assert [record["id"] for record in exported["records"]] == [poison["id"]]
    assert exported["records"][0]["data"]["purpose"] == "Antrian 15"
    assert set(exported["records"][0]) == {"id", "type", "data", "updated_at"}

    live_server.failing_ids.clear()  # the server is fixed
    page.click("#sync-now")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    expect(failed).to_have_count(0)
    assert purposes_stored(app) == sorted([*others, "Antrian 15", "Antrian sesudah"])


def outbox_tries(page):
    return page.evaluate("""async () => {
        const store = await import(new URL('store.js', document.querySelector('script[type=module]').src));
        return (await store.listOutbox()).map((entry) => [entry.state, entry.tries]);
    }""")


def test_a_server_failing_every_push_sets_no_record_aside_and_they_go_when_it_is_back(
    app, live_server, phone, world
):
    page = phone.ready()
    phone.context.set_offline(True)
    for i in range(3):
        phone.record_visit("15.71.01.1001", f"Antrian {i:02d}")
    live_server.fail_every_push = True  # its database is down: even an empty push fails
    phone.context.set_offline(False)
    for _ in range(5):
        press_send_now_until_a_push_fails(page, live_server)
    expect(page.locator("#sync-message")).to_have_text(re.compile("Server belum dapat menerima catatan"))
    expect(page.locator("#sync-count")).to_have_text("3 menunggu sinkronisasi")
    assert outbox_tries(page) == [["waiting", 0]] * 3
    expect(page.locator("#failed-card")).to_be_hidden()
    assert purposes_stored(app) == []

    live_server.fail_every_push = False
    page.click("#sync-now")
    expect(page.locator("#sync-count")).to_have_text(ALL_SYNCED)
    assert purposes_stored(app) == ["Antrian 00", "Antrian 01", "Antrian 02"]
