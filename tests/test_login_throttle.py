"""Log-in is throttled per account and per address in the database (every worker counts the same tries), and an
unknown username answers in the same time as a real one."""

import re
import statistics
import threading
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete, event, func, select

from outreach import throttle
from outreach.extensions import db
from outreach.models import LoginAttempt, utcnow
from tests.conftest import PASSWORD
from tests.live import served


def csrf_token(client) -> str:
    page = client.get("/masuk").get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def try_login(client, username, password, *, address="127.0.0.1"):
    data = {"csrf_token": csrf_token(client), "username": username, "password": password}
    return client.post("/masuk", data=data, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize("username", ["ani", "orang-asing"])
def test_the_sixth_wrong_password_is_refused_with_429_and_says_when_to_try_again(client, world, username):
    client.set_cookie("lang", "en")
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert try_login(client, username, "salah-lagi").status_code == 400
    response = try_login(client, username, "salah-lagi")
    assert response.status_code == 429
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed log-ins. Try again in 15 minutes." in response.get_data(as_text=True)


def test_the_right_password_is_refused_while_the_account_is_locked(client, world):
    for _ in range(throttle.ACCOUNT_LIMIT):
        try_login(client, "ani", "salah-lagi")
    assert try_login(client, "ani", PASSWORD).status_code == 429
    assert client.get("/api/v1/me").status_code == 401


def test_a_locked_account_opens_again_once_its_failures_leave_the_window(ctx):
    start = utcnow()
    for second in range(throttle.ACCOUNT_LIMIT):
        assert throttle.begin("ani", "10.0.0.1", now=start + timedelta(seconds=second)) is None
    locked = throttle.begin("ani", "10.0.0.1", now=start + timedelta(minutes=10))
    assert locked is not None and locked.minutes == 5
    assert throttle.begin("ani", "10.0.0.1", now=start + throttle.WINDOW - timedelta(seconds=1)).seconds == 1
    assert throttle.begin("ani", "10.0.0.1", now=start + throttle.WINDOW + timedelta(seconds=0.5)) is None


def test_a_try_whose_row_a_successful_log_in_deleted_meanwhile_still_gets_its_answer(ctx):
    """Two log-ins of one account at once: the one that succeeds deletes the account's tries, the other's too,
    between the other's commit and its counting. The other is still counted and answered, not a 500."""
    session = db.session()

    @event.listens_for(session, "after_commit", once=True)
    def succeed_elsewhere(committed):
        with db.engine.begin() as elsewhere:
            elsewhere.execute(delete(LoginAttempt).where(LoginAttempt.username == "ani"))

    assert throttle.begin("ani", "10.0.0.1") is None


def test_old_tries_are_deleted_when_a_new_one_is_written(ctx):
    start = utcnow()
    for number in range(3):
        throttle.begin(f"user{number}", "10.0.0.1", now=start)
    throttle.begin("ani", "10.0.0.2", now=start + throttle.WINDOW + timedelta(seconds=1))
    assert db.session.scalars(select(LoginAttempt.username)).all() == ["ani"]


def test_one_address_is_stopped_after_twenty_failures_across_accounts(app, client, world):
    for number in range(throttle.ADDRESS_LIMIT // throttle.ACCOUNT_LIMIT):
        for _ in range(throttle.ACCOUNT_LIMIT):
            assert try_login(client, f"tebakan{number}", "123456", address="10.9.8.7").status_code == 400
    assert try_login(client, "budi", PASSWORD, address="10.9.8.7").status_code == 429
    assert try_login(app.test_client(), "budi", PASSWORD, address="10.9.8.6").status_code == 302


def test_a_successful_log_in_clears_the_accounts_failures(app, client, world):
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert try_login(client, "ani", "salah-lagi").status_code == 400
    assert try_login(client, "ani", PASSWORD).status_code == 302
    other = app.test_client()
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert try_login(other, "ani", "salah-lagi").status_code == 400
    assert try_login(other, "ani", "salah-lagi").status_code == 429


def test_tries_at_once_on_a_live_server_never_get_past_the_limit(app, world):
    """Twenty browsers post a wrong password for one account at the same moment through a threaded server, as
    several workers would: at most five passwords are checked."""
    tries = 20
    ready = threading.Barrier(tries, timeout=10)
    statuses, lock = [], threading.Lock()

    def guess(url):
        with httpx.Client(base_url=url, timeout=10) as http:
            token = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', http.get("/masuk").text
            ).group(1)
            ready.wait()
            answer = http.post(
                "/masuk", data={"csrf_token": token, "username": "ani", "password": "salah-lagi"}
            )
            with lock:
                statuses.append(answer.status_code)

    with served(app) as server:
        threads = [threading.Thread(target=guess, args=(server.url,)) for _ in range(tries)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(LoginAttempt))
        with httpx.Client(base_url=server.url, timeout=10) as http:
            token = re.search(
                r'name="csrf_token" type="hidden" value="([^"]+)"', http.get("/masuk").text
            ).group(1)
            last = http.post("/masuk", data={"csrf_token": token, "username": "ani", "password": PASSWORD})
    print(
        f"\n{tries} tries at once: {statuses.count(400)} checked (400), {statuses.count(429)} refused (429)"
    )
    assert len(statuses) == tries and set(statuses) <= {400, 429}
    assert statuses.count(400) <= throttle.ACCOUNT_LIMIT and stored == statuses.count(400)
    assert last.status_code == (429 if stored == throttle.ACCOUNT_LIMIT else 302)


def test_an_unknown_username_answers_in_the_same_time_as_a_real_one(app, client, world):
    """Twenty tries of each, taken in turns; the throttle's rows are cleared between tries so that every try
    reaches the password check."""
    client.set_cookie("lang", "en")
    token = csrf_token(client)
    times = {"ani": [], "orang-asing": []}
    for _ in range(20):
        for username, spent in times.items():
            start = time.perf_counter()
            response = client.post(
                "/masuk", data={"csrf_token": token, "username": username, "password": "salah"}
            )
            spent.append(time.perf_counter() - start)
            assert response.status_code == 400
            with app.app_context():
                db.session.execute(delete(LoginAttempt))
                db.session.commit()
    real, unknown = statistics.median(times["ani"]), statistics.median(times["orang-asing"])
    print(f"\nmedian answer: real username {real * 1000:.1f} ms, unknown username {unknown * 1000:.1f} ms")
    assert max(real, unknown) < 2 * min(real, unknown)
