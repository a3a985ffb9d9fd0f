"""The server's revision counter: every stored change takes the next revision, and a phone pulls what came
after the last one it saw. Its one row is also the lock that keeps pushes' writes from interleaving (see
`sync`)."""

from sqlalchemy import select, update

from .extensions import DbSession
from .models import SyncState


def next_revision(session: DbSession) -> int:
    """Take the next server revision (locks the counter row until the transaction ends)."""
    bump = update(SyncState).where(SyncState.id == 1).values(revision=SyncState.revision + 1)
    rev = session.execute(bump.returning(SyncState.revision)).scalar()
    if rev is None:
        session.add(SyncState(id=1, revision=1))
        session.flush()
        rev = 1
    return rev


def take_revisions(session: DbSession, count: int) -> int:
    """Take `count` revisions in one statement and return the first: a batch's new records take them in
    order. Like `next_revision`, it holds the counter row's lock until the transaction ends."""
    bump = update(SyncState).where(SyncState.id == 1).values(revision=SyncState.revision + count)
    last = session.execute(bump.returning(SyncState.revision)).scalar_one()
    return last - count + 1


def current_revision(session: DbSession) -> int:
    return session.scalar(select(SyncState.revision).where(SyncState.id == 1)) or 0


def lock_revisions(session: DbSession) -> None:
    """Take the write lock for the rest of the transaction, before the batch reads anything.

    An UPDATE of the counter row (to the value it has) does it on both databases: PostgreSQL locks the row;
    SQLite opens the transaction with this write and holds the database's write lock from here, so no other
    push can slip between what this one reads and what it writes."""
    session.execute(update(SyncState).where(SyncState.id == 1).values(revision=SyncState.revision))
