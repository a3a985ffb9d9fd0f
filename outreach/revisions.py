"""The server's revision counter: every stored change takes the next revision, and a phone pulls what came
after the last one it saw. Its one row is also the lock that numbers pushes' writes in commit order (see
`sync`)."""

from sqlalchemy import insert, select, update

from .extensions import DbSession
from .models import SyncState


def take_revisions(session: DbSession, count: int) -> int:
    """Take `count` revisions in one statement and return the first (with 0, just the lock).

    The UPDATE of the counter row is also the write lock, held until the transaction ends: PostgreSQL locks
    the row; SQLite holds the database's write lock from a transaction's first write. So no other change
    takes a revision before this one commits, and revisions commit in order."""
    bump = update(SyncState).where(SyncState.id == 1).values(revision=SyncState.revision + count)
    last = session.execute(bump.returning(SyncState.revision)).scalar()
    if last is None:  # a new database: the counter's row is made by its first change
        session.execute(insert(SyncState).values(id=1, revision=count))
        last = count
    return last - count + 1


def next_revision(session: DbSession) -> int:
    """Take the next revision (and the lock, until the transaction ends)."""
    return take_revisions(session, 1)


def current_revision(session: DbSession) -> int:
    return session.scalar(select(SyncState.revision).where(SyncState.id == 1)) or 0
