"""The server's revision counter: every stored change takes the next revision, and a phone pulls what came
after the last one it saw. Its one row is also the lock that numbers pushes' writes in commit order (see
`sync`)."""

from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update

from .extensions import DbSession
from .models import SyncState

# The counter's statements, made once and run on the table, past the ORM: they are in every push, and making an
# ORM statement and running it through the ORM cost a push more than the database's work.
COUNTER = cast(Table, SyncState.__table__)
BUMP = (
    update(COUNTER)
    .where(COUNTER.c.id == 1)
    .values(revision=COUNTER.c.revision + bindparam("count"))
    .returning(COUNTER.c.revision)
)
CURRENT = select(COUNTER.c.revision).where(COUNTER.c.id == 1)


def take_revisions(session: DbSession, count: int) -> int:
    """Take `count` revisions in one statement and return the first (with 0, just the lock). What the session
    holds unflushed stays so (`next_revision` flushes it first).

    The UPDATE of the counter row is also the write lock, held until the transaction ends: PostgreSQL locks
    the row; SQLite holds the database's write lock from a transaction's first write. So no other change
    takes a revision before this one commits, and revisions commit in order."""
    last = session.execute(BUMP, {"count": count}).scalar()
    if last is None:  # a new database: the counter's row is made by its first change
        session.execute(insert(COUNTER).values(id=1, revision=count))
        last = count
    return last - count + 1


def next_revision(session: DbSession) -> int:
    """Take the next revision (and the lock, until the transaction ends), after writing what the session holds
    (a record's version and its row, written before it is numbered)."""
    session.flush()
    return take_revisions(session, 1)


def current_revision(session: DbSession) -> int:
    return session.execute(CURRENT).scalar() or 0
