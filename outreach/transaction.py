"""A request commits once, at its end: views and the domain functions they call change the session and may
flush, but never commit. (The log-in throttle and the session check at a request's start commit on their own,
before a view has changed anything: what they note must stay even when the request is refused.)

A view whose work is heavy may wait for its turn (`turn`) without holding a database connection meanwhile."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response

from .extensions import db


def init_app(app: Flask) -> None:
    app.after_request(commit_or_roll_back)


def commit_or_roll_back(response: Response) -> Response:
    """Commit when the answer is a success or a redirect, roll back when it is an error (a form sent back with
    its errors, a refusal, a crash). This runs before the answer's body is sent, so the phone's sync is never
    acknowledged for a record that is not stored; a commit that fails becomes a 500, which comes back through
    here and rolls back. An exception the app lets through (as in tests) skips this: nothing is committed."""
    if response.status_code < 400:
        # The answer is made: the hooks after this one read what the request loaded as it was committed, and
        # expiring it would cost a query for the user whom the next hook asks about (logged in or not).
        session = db.session()
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    else:
        db.session.rollback()
    return response


@contextmanager
def turn(slots: threading.BoundedSemaphore) -> Iterator[None]:
    """Run the block when one of `slots` is free. A request that must wait ends its transaction, which has only
    read so far (the session check), before the wait, so that a request waiting its turn holds no database
    connection and the others' pages still get one; one that finds a slot free goes on in it."""
    if not slots.acquire(blocking=False):
        db.session.rollback()
        slots.acquire()
    try:
        yield
    finally:
        slots.release()
