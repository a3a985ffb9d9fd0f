"""Backups taken while the app keeps writing: SQLite's online backup API, pg_dump on PostgreSQL.

A plain copy of the SQLite file is no backup: committed records may still sit in the write-ahead log beside it
(`-wal`), and a copy made during a write can be torn. Both ways here read one consistent snapshot, write it to
a temporary file beside the target and only then rename it into place, so the target is whole or absent.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .domain import DomainError
from .models import SyncState

DUMP_TIMEOUT = 3600  # seconds


class BackupError(DomainError):
    """The backup could not be made; nothing was written at the target."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int  # bytes
    revision: int  # the server revision the copy holds: every record up to it is in the backup


def backup(engine: Engine, target: Path, *, overwrite: bool = False) -> BackupReport:
    """Copy the database behind `engine` to `target`: a SQLite file, or a pg_dump archive (custom format)."""
    target = Path(target).absolute()
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already: choose another file, or replace it with --force.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no folder {target.parent}.")
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        source = engine.url.database
        if not source or source == ":memory:" or not Path(source).is_file():
            raise BackupError(f"There is no SQLite database file at {source or '(memory)'}.")
        if Path(source).resolve() == target.resolve():
            raise BackupError("The backup cannot replace the database it copies.")
        copy = _sqlite_copy
    elif backend == "postgresql":
        copy = _postgresql_dump
    else:
        raise BackupError(f"Backups of {backend} databases are not supported.")
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    partial = Path(name)
    try:
        try:
            revision = copy(engine, partial)
        except SQLAlchemyError as exc:
            reason = getattr(exc, "orig", None) or exc
            raise BackupError(f"The database could not be read: {reason}") from None
        _sync(partial)
        if overwrite:
            os.replace(partial, target)
        else:
            try:
                os.link(partial, target)  # fails, rather than replaces, if the file appeared meanwhile
            except FileExistsError:
                raise BackupError(f"{target} appeared while the backup ran: nothing was replaced.") from None
    finally:
        partial.unlink(missing_ok=True)
    _sync_folder(target.parent)
    return BackupReport(path=target, size=target.stat().st_size, revision=revision)


def _sqlite_copy(engine: Engine, partial: Path) -> int:
    """Copy the whole database in one step of the online backup API: one read transaction, so the copy is the
    database as of one moment, WAL content included, while pushes go on (a reader never blocks a writer)."""
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(partial)) as copy:
            # The engine is SQLite's, so its driver's connection is sqlite3's.
            cast(sqlite3.Connection, raw.driver_connection).backup(copy)
            # One self-contained file: no -wal beside it to lose when the backup is moved.
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError("The copy fails SQLite's integrity check: " + "; ".join(problems[:5]))
            (revision,) = copy.execute("SELECT revision FROM sync_state WHERE id = 1").fetchone() or (0,)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy the database: {exc}") from None
    finally:
        raw.close()
    return revision


def _postgresql_dump(engine: Engine, partial: Path) -> int:
    """pg_dump in the custom format (for pg_restore), from a snapshot this function opens and reads the
    revision in, so the revision reported is the one in the dump."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(
            "pg_dump is not installed: install the PostgreSQL client of the server's version "
            "(Debian: apt-get install postgresql-client)."
        )
    url = engine.url.set(drivername="postgresql", password=None)  # libpq's form; the password by PGPASSWORD
    env = dict(os.environ)
    if engine.url.password is not None:
        env["PGPASSWORD"] = str(engine.url.password)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
        revision = conn.scalar(select(SyncState.revision).where(SyncState.id == 1)) or 0
        try:
            done = subprocess.run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={partial}",
                    f"--dbname={url.render_as_string(hide_password=False)}",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=DUMP_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise BackupError(f"pg_dump did not finish in {DUMP_TIMEOUT // 60} minutes.") from None
        finally:
            conn.rollback()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip() or f'exit status {done.returncode}'}")
    return revision


def _sync(path: Path) -> None:
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
