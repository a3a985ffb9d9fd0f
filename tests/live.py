"""The test app served over real sockets on 127.0.0.1, a proxy in front of it that loses requests and answers
as a field's network does, and a phone that talks HTTP to either: logs in through `/masuk` and pushes with the
CSRF token of `/api/v1/me`, as the officer's app does."""

from __future__ import annotations

import random
import re
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from werkzeug.serving import make_server

from tests.conftest import PASSWORD


class LiveServer:
    """The app served by werkzeug's threaded server from a thread, one thread per request; on a free port, or
    on `port` (to come back where a phone knows the server to be)."""

    def __init__(self, app, port: int = 0):
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


@contextmanager
def served(app):
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Losses:
    """What the proxy did with the requests it took."""

    taken: int = 0
    dropped_requests: int = 0  # closed before the server saw them
    dropped_answers: int = 0  # the server answered (and stored); the phone never heard back
    passed: int = 0


class LossyProxy:
    """A TCP proxy on 127.0.0.1 in front of a server, one request per connection: it drops a share of requests
    before forwarding them and a share of answers after the server gave them. Decisions come from a seeded
    generator; at most `MAX_OPEN` connections are served at once, and every socket has a timeout."""

    MAX_OPEN = 32
    TIMEOUT = 10

    def __init__(self, target_port: int, *, drop_requests: float, drop_answers: float, seed: int = 9):
        self.target_port = target_port
        self.drop_requests, self.drop_answers = drop_requests, drop_answers
        self.random, self.lock = random.Random(seed), threading.Lock()
        self.losses = Losses()
        self.open = threading.BoundedSemaphore(self.MAX_OPEN)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self.accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def start(self) -> LossyProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.running = False
        self.thread.join(10)
        self.listener.close()

    def accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.open.acquire()
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def fate(self) -> str:
        with self.lock:
            self.losses.taken += 1
            roll = self.random.random()
            if roll < self.drop_requests:
                self.losses.dropped_requests += 1
                return "drop request"
            if roll < self.drop_requests + self.drop_answers:
                self.losses.dropped_answers += 1
                return "drop answer"
            self.losses.passed += 1
            return "pass"

    def serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(self.TIMEOUT)
            request = read_request(conn)
            if request is None:
                return
            fate = self.fate()
            if fate == "drop request":
                return
            with socket.create_connection(("127.0.0.1", self.target_port), timeout=self.TIMEOUT) as upstream:
                upstream.sendall(request)
                answer = read_until_closed(upstream)
            if fate == "pass":
                conn.sendall(answer)
        except OSError:
            pass  # the phone gave up or the server went away: the phone retries
        finally:
            conn.close()
            self.open.release()


def read_request(conn: socket.socket) -> bytes | None:
    """One HTTP request, its body read by its Content-Length, sent on with `Connection: close`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    found = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    length = int(found.group(1)) if found else 0
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def read_until_closed(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


class HttpPhone:
    """An officer's phone over HTTP: logs in through the log-in form, then pushes batches with the CSRF token
    of `/api/v1/me`. Network errors are raised (httpx.TransportError) for the caller to retry."""

    def __init__(self, base_url: str, username: str, *, device_id: str, password: str = PASSWORD):
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.username, self.password, self.device_id = username, password, device_id
        self.token = None

    def close(self) -> None:
        self.http.close()

    def login(self) -> None:
        page = self.http.get("/masuk")
        if page.status_code != 302:  # a redirect: logged in already, by a try whose answer was lost
            form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
            answer = self.http.post(
                "/masuk",
                data={"csrf_token": form_token, "username": self.username, "password": self.password},
            )
            assert answer.status_code == 302, answer.text[:300]
        self.token = self.http.get("/api/v1/me").json()["csrf_token"]

    def push(self, records: list[dict], *, pending: int = 0) -> httpx.Response:
        return self.http.post(
            "/api/v1/sync",
            json={"device_id": self.device_id, "pending": pending, "records": records},
            headers={"X-CSRFToken": self.token},
        )
