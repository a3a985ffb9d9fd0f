"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright, with a profile per test.

The Content-Security-Policy is on, as in production: a test fails at teardown when anything the policy blocked
reached the server's report endpoint or a phone's console (see `csp_violations`)."""

import io
import json
import os
import shutil
import socket
import time

import pytest
from playwright.sync_api import Error, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests import live

# Let set_offline() reach the service worker's own requests too (the test server, not a route, watches pushes).
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM = "/usr/bin/chromium"
expect.set_options(timeout=15_000)  # a phone's sync may wait for a retry or the service worker
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wait_for_function(page, expression, arg=None, *, timeout=None, polling=None):
    """Page.wait_for_function as the tests use it, without eval: Playwright's own runs the expression through the
    page's eval, which the app's Content-Security-Policy forbids. `evaluate` goes through the DevTools protocol,
    outside the policy; it is polled until truthy, across navigations."""
    limit = 15_000 if timeout is None else timeout
    deadline = time.monotonic() + limit / 1000
    while True:
        try:
            if page.evaluate(expression, arg):
                return
        except Error as error:  # the page navigated while evaluating: try again in the new one
            if "context was destroyed" not in error.message and "navigat" not in error.message:
                raise
        if time.monotonic() > deadline:
            raise PlaywrightTimeout(f"Timeout {limit}ms exceeded waiting for {expression}")
        page.wait_for_timeout(polling if isinstance(polling, (int, float)) else 100)


Page.wait_for_function = wait_for_function

# A session saved on the phone as a release that did not check records yet saved it: nobody counted, no topic.
SAVE_UNCHECKED_SESSION = """async () => {
    const store = await import(new URL('store.js', document.querySelector('script[type=module]').src));
    const me = await store.getMeta('me');
    const now = new Date().toISOString();
    await store.saveVersion({
        id: crypto.randomUUID(), type: 'session', officer: me.user.username, created_at: now, updated_at: now,
        data: {
            village: '15.71.01.1001', occurred_at: now, venue: 'Balai Desa', topics: [],
            male_under_18: 0, female_under_18: 0, male_adult: 0, female_adult: 0,
            audience_groups: [], partners: [], materials_used: '', notes: '',
        },
    });
}"""

# What the page's service-worker registration holds: each worker's address and state.
REGISTRATION_STATE = """async () => {
  const registration = await navigator.serviceWorker.getRegistration('/');
  if (!registration) return 'no registration';
  const worker = (w) => w && `${new URL(w.scriptURL).pathname}${new URL(w.scriptURL).search} ${w.state}`;
  return JSON.stringify({
    installing: worker(registration.installing), waiting: worker(registration.waiting),
    active: worker(registration.active), controller: worker(navigator.serviceWorker.controller),
  });
}"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


class LiveServer:
    """The test app served from a thread on 127.0.0.1; it can be stopped and started again on the same port,
    to be out of reach as a server is when a phone has no signal; it can refuse pushes or lose its answers to
    them, or fail on some records as a server bug would, and it keeps what each push brought and what it
    answered."""

    BUG_MESSAGE = "Server gagal memproses catatan ini (uji)."

    def __init__(self, app):
        self.app, self.port, self.running = app, 0, None
        self.refuse_pushes = False  # a push never reaches the app, as with no signal
        self.drop_push_answers = False
        self.dropped = 0
        self.failing_ids = set()  # a push holding any of these records is answered 500, the batch not stored
        self.fail_every_push = False  # every push is answered 500, empty ones too, as with its database down
        self.failed = 0
        self.pushed = []  # every record a push brought, in the order sent
        self.push_results = []  # every per-record answer the server gave to a push
        self.csp_reports = []  # every report a browser sent of what the Content-Security-Policy blocked

    def wsgi(self, environ, start_response):
        if environ["PATH_INFO"] == "/csp-report":
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(raw)
            self.csp_reports.append(raw.decode("utf-8", "replace"))
        # The test server sees the page's and the service worker's requests alike (a browser-side route may miss
        # the worker's Background Sync).
        is_push = environ["PATH_INFO"] == "/api/v1/sync" and environ["REQUEST_METHOD"] == "POST"
        if is_push and self.refuse_pushes:
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            start_response("200 OK", [("Content-Length", "0")])
            return []
        if is_push:
            raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(raw)
            records = json.loads(raw).get("records", []) if raw.startswith(b"{") else []
            self.pushed.extend(records)
            if self.fail_every_push or any(
                isinstance(r, dict) and r.get("id") in self.failing_ids for r in records
            ):
                self.failed += 1
                body = json.dumps({"error": "internal_server_error", "message": self.BUG_MESSAGE}).encode()
                start_response(
                    "500 INTERNAL SERVER ERROR",
                    [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
                )
                return [body]
        if self.drop_push_answers and is_push:
            statuses = []
            body = self.app(
                environ, lambda status, headers, exc_info=None: statuses.append(status) or (lambda data: None)
            )
            b"".join(body)  # the server stores the batch...
            if hasattr(body, "close"):
                body.close()
            self.dropped += 1
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)  # ...and the phone never hears back
            start_response("200 OK", [("Content-Length", "0")])
            return []
        if is_push:
            body = self.app(environ, start_response)
            data = b"".join(body)
            if hasattr(body, "close"):
                body.close()
            if data.startswith(b"{"):
                self.push_results.extend(json.loads(data).get("results", []))
            return [data]
        return self.app(environ, start_response)

    def start(self):
        self.running = live.LiveServer(self.wsgi, port=self.port).start()
        self.port = self.running.server.server_port

    def stop(self):
        self.running.stop()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def csp_violations(server=None, device=None) -> list[str]:
    """What the Content-Security-Policy blocked: the reports the server got, and the phone's console errors
    (these also catch a violation just before the browser closed, whose report was never sent)."""
    return [*(server.csp_reports if server else []), *(device.csp_messages if device else [])]


def fail_on_csp_violations(server=None, device=None):
    if found := csp_violations(server, device):
        pytest.fail("The Content-Security-Policy blocked something:\n" + "\n".join(found), pytrace=False)


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    fail_on_csp_violations(server)


@pytest.fixture(scope="session")
def playwright():
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER is set")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


class Phone:
    """An officer's phone: a Chromium profile that survives closing and opening the browser."""

    def __init__(self, playwright, profile, base_url):
        self.playwright, self.profile, self.base_url = playwright, profile, base_url
        self.context = None
        self.page = None
        self.csp_messages = []  # console errors of what the Content-Security-Policy blocked

    def open(self, *, offline=False):
        # offline from the first moment: the browser may replay a pending Background Sync as it starts
        self.context = self.playwright.chromium.launch_persistent_context(
            str(self.profile),
            executable_path=CHROMIUM,
            args=ARGS,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            offline=offline,
        )
        self.context.set_default_timeout(15000)
        self.context.on("console", self.note_csp_message)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        return self.page

    def note_csp_message(self, message):
        if "Content Security Policy" in message.text:
            self.csp_messages.append(f"{message.location.get('url', '')}: {message.text}")

    def close(self):
        if self.context is not None:
            # a test's route handlers may still be running for the app's own background syncs
            self.context.unroute_all(behavior="ignoreErrors")
            self.context.close()
            self.context = None

    def goto(self, path):
        self.page.goto(self.base_url + path)

    def login(self, username, password="rahasia-123", home="/petugas"):
        """Log in through the page and wait to land on the user's home (a manager's is /kelola/)."""
        self.goto(f"/masuk?next={home}")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base_url + home)

    def wait_for_worker(self, script=""):
        """Wait until the service worker (the one whose address ends with `script`, if given) controls the page;
        installing precaches the whole shell: give a busy machine time. A timeout says what the registration
        holds, to tell an install that failed from one still running or an activation held back."""
        controlled = (
            "navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'"
            f" && navigator.serviceWorker.controller.scriptURL.endsWith({json.dumps(script)})"
        )
        try:
            self.page.wait_for_function(controlled, timeout=60_000)
        except PlaywrightTimeout as error:
            state = self.page.evaluate(REGISTRATION_STATE)
            raise AssertionError(f"no worker {script!r} took control: {state}") from error

    def wait_until_ready(self, villages):
        """Wait for the service worker to control the page and for the officer's villages to arrive."""
        self.wait_for_worker()
        self.page.wait_for_function(
            f"document.querySelectorAll('#visit-village option').length === {villages + 1}", timeout=30_000
        )

    def ready(self, username="ani", villages=2):
        """Open the browser, log in and wait until the app is installed and knows the officer's villages."""
        page = self.open()
        self.login(username)
        self.wait_until_ready(villages=villages)
        return page

    def record(self, type_, **fields):
        """Fill in and save a form of the app: text and selects by value, lists of checkbox values."""
        self.page.evaluate(f"location.hash = '#new/{type_}'")
        form = self.page.locator(f"#form-{type_}")
        form.wait_for(state="visible")
        for name, value in fields.items():
            if isinstance(value, list):
                for option in value:
                    form.locator(f"input[name={name}][value={option}]").check()
            elif form.locator(f"select[name={name}]").count():
                form.locator(f"select[name={name}]").select_option(str(value))
            else:
                form.locator(f"[name={name}]").fill(str(value))
        form.locator("button[type=submit]").click()
        self.page.wait_for_url("**#home")

    def record_visit(self, village, purpose):
        self.record("visit", village=village, purpose=purpose)


@pytest.fixture
def phone(playwright, live_server, tmp_path):
    device = Phone(playwright, tmp_path / "profile", live_server.url)
    yield device
    device.close()
    fail_on_csp_violations(device=device)
