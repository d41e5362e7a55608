"""The migration history table: which migrations a database has, with their checksums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from norberts_db.errors import NorbertsDbError
from norberts_db.migrations import queries
from norberts_db.migrations.files import MigrationFile

Connection = psycopg.Connection[Any]


class MigrationError(NorbertsDbError):
    """Migrations cannot be applied as they are; the message names the file and what to do."""


@dataclass(frozen=True)
class Applied:
    version: int
    name: str
    checksum: str
    applied_at: datetime


def read_history(conn: Connection) -> dict[int, Applied]:
    """The applied migrations by version; empty when the database has no history yet."""
    rows = _rows(conn, "history")
    return {int(r[0]): Applied(int(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows}


def _rows(conn: Connection, table: str) -> list[tuple[Any, ...]]:
    """The rows of ``<table>_read.sql``; none when ``<table>_exists.sql`` finds no table."""
    row = conn.execute(queries.load(f"{table}_exists")).fetchone()
    if not row or not row[0]:
        return []
    return conn.execute(queries.load(f"{table}_read")).fetchall()


@dataclass(frozen=True)
class Progress:
    """A migration committed in part: how many of its parts, and the SHA-256 of their text."""

    version: int
    name: str
    parts_done: int
    parts: int
    done_checksum: str
    updated_at: datetime


def read_progress(conn: Connection) -> dict[int, Progress]:
    """The migrations committed in part, by version; empty when there is no such table."""
    rows = _rows(conn, "progress")
    return {
        int(r[0]): Progress(int(r[0]), str(r[1]), int(r[2]), int(r[3]), str(r[4]), r[5])
        for r in rows
    }


def save_progress(
    conn: Connection, migration: MigrationFile, parts_done: int, parts: int, done_checksum: str
) -> None:
    """Mark the first ``parts_done`` parts of ``migration`` done, in the caller's transaction."""
    conn.execute(
        queries.load("progress_save"),
        {
            "version": migration.version,
            "name": migration.filename,
            "parts_done": parts_done,
            "parts": parts,
            "done_checksum": done_checksum,
        },
    )


def ensure_history(conn: Connection) -> None:
    with conn.transaction():
        conn.execute(queries.load("history_create"))


def record(conn: Connection, migration: MigrationFile, checksum: str, seconds: float) -> None:
    """Record ``migration`` as applied, inside the caller's transaction.

    Its mark of parts done, if any, goes in the same transaction."""
    conn.execute(queries.load("progress_clear"), {"version": migration.version})
    conn.execute(
        queries.load("history_record"),
        {
            "version": migration.version,
            "name": migration.filename,
            "checksum": checksum,
            "duration_ms": round(seconds * 1000),
        },
    )


def pending(files: list[MigrationFile], applied: dict[int, Applied]) -> list[MigrationFile]:
    """The files still to apply, after checking the history against the files.

    Refuses an applied migration whose file changed or is gone, and a new
    file numbered below one already applied (it would run out of order).
    """
    by_version = {migration.version: migration for migration in files}
    for version, done in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"{done.name} was applied to this database on {done.applied_at:%Y-%m-%d %H:%M} "
                "but is no longer in the migrations folder. Restore the file."
            )
        if migration.checksum() != done.checksum:
            raise MigrationError(
                f"{migration.path}: changed since it was applied to this database on "
                f"{done.applied_at:%Y-%m-%d %H:%M} (checksum {done.checksum[:12]}…, file now "
                f"{migration.checksum()[:12]}…). An applied migration must not change: restore "
                "it (git checkout) and put the change in a new migration."
            )
    todo = [migration for migration in files if migration.version not in applied]
    latest = max(applied, default=0)
    early = [migration for migration in todo if migration.version < latest]
    if early:
        raise MigrationError(
            f"{early[0].path}: not applied, but numbered below {latest:04d}, which is. "
            "Renumber it after the last applied migration (invoke migration.new numbers new "
            "files), so every database applies migrations in one order."
        )
    return todo
