"""Applying migration files: in order, each in its own transaction, under the schema lock.

A file runs in one transaction, recorded in the history in that same
transaction, so a failure leaves the database as before that file. Two
kinds of statement split a file, detected in the SQL itself:

- ``CREATE/DROP INDEX CONCURRENTLY`` (and ``REINDEX ... CONCURRENTLY``)
  cannot run in a transaction block: it runs alone, outside one;
- ``ALTER TYPE ... ADD VALUE``: a new enum value cannot be used in the
  transaction that added it, so the transaction commits right after.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from norberts_db.apply import is_timeout, run_script, script_error, set_limits, timeout_reason
from norberts_db.bounds import Limits
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import SqlScriptError
from norberts_db.migrations import queries
from norberts_db.migrations.files import MigrationFile, discover
from norberts_db.migrations.history import (
    Connection,
    MigrationError,
    ensure_history,
    pending,
    read_history,
    record,
)
from norberts_db.sqlfile import SqlScript, Statement, load_script

Note = Callable[[str], None]

_NO_TRANSACTION = re.compile(
    r"^\s*(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY"
    r"|REINDEX\b.*\bCONCURRENTLY\b|VACUUM\b|ALTER\s+TABLE\b.*\bDETACH\s+PARTITION\b.*\bCONCURRENTLY)",
    re.IGNORECASE | re.DOTALL,
)
_ADD_VALUE = re.compile(r"^\s*ALTER\s+TYPE\s+.+?\s+ADD\s+VALUE\b", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Segment:
    """Statements that run together: in one transaction, or one statement outside any."""

    statements: tuple[Statement, ...]
    transactional: bool


def segments(statements: tuple[Statement, ...]) -> list[Segment]:
    """Split a file's statements where a transaction must end (see the module docstring)."""
    found: list[Segment] = []
    current: list[Statement] = []
    adding = False
    for statement in statements:
        if _NO_TRANSACTION.match(statement.text):
            if current:
                found.append(Segment(tuple(current), True))
                current = []
            found.append(Segment((statement,), False))
            adding = False
            continue
        is_add = bool(_ADD_VALUE.match(statement.text))
        if adding and not is_add and current:
            found.append(Segment(tuple(current), True))
            current = []
        current.append(statement)
        adding = is_add
    if current:
        found.append(Segment(tuple(current), True))
    return found


@dataclass(frozen=True)
class MigrateResult:
    applied: tuple[str, ...]
    pending: tuple[str, ...]
    seconds: float
    dry_run: bool = False
    text: str = ""


def migrate(
    info: ConnInfo,
    directory: Path,
    *,
    dry_run: bool = False,
    note: Note = lambda _: None,
    limits: Limits | None = None,
) -> MigrateResult:
    """Apply the pending migrations of ``directory`` to ``info``; see the module docstring.

    With ``limits``, every statement runs within them, whatever the files set.
    """
    started = time.perf_counter()
    files = discover(directory)
    scripts = {m.version: load_script(m.path, what="migration") for m in files}
    with connect(info, autocommit=True) as conn, _migrate_lock(conn, note):
        todo = pending(files, read_history(conn))
        if dry_run:
            text = _describe(todo, scripts)
            names = tuple(m.filename for m in todo)
            return MigrateResult((), names, time.perf_counter() - started, True, text)
        if todo:
            ensure_history(conn)
        done: list[str] = []
        for position, migration in enumerate(todo, 1):
            note(f"[{position}/{len(todo)}] applying {migration.filename} ...")
            script = scripts[migration.version]
            seconds = _apply_one(conn, migration, script, len(done), limits)
            note(f"[{position}/{len(todo)}] applied {migration.filename} in {seconds:.3f} s")
            done.append(migration.filename)
    return MigrateResult(tuple(done), (), time.perf_counter() - started)


@contextmanager
def _migrate_lock(conn: Connection, note: Note) -> Iterator[None]:
    row = conn.execute(queries.load("migrate_try_lock")).fetchone()
    if not row or not row[0]:
        note("waiting for another schema change on this database to finish ...")
        conn.execute(queries.load("migrate_lock"))
    try:
        yield
    finally:
        if not conn.closed:
            conn.execute(queries.load("migrate_unlock"))


def _apply_one(
    conn: Connection,
    migration: MigrationFile,
    script: SqlScript,
    before: int,
    limits: Limits | None = None,
) -> float:
    started = time.perf_counter()
    checksum = migration.checksum()
    parts = segments(script.statements)
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        try:
            if segment.transactional:
                with conn.transaction():
                    if limits is not None:
                        set_limits(conn, limits)
                    run_script(conn, SqlScript(script.path, segment.statements), limits)
                    if last:
                        record(conn, migration, checksum, time.perf_counter() - started)
            else:
                if limits is not None:
                    set_limits(conn, limits.outside_transaction(), local=False)
                _run_alone(conn, script, segment.statements[0])
                if last:
                    with conn.transaction():
                        record(conn, migration, checksum, time.perf_counter() - started)
        except SqlScriptError as exc:
            raise MigrationError(_failure(exc, migration, index, before)) from None
        except psycopg.Error as exc:
            if limits is None or not is_timeout(exc):
                raise
            ran_out = SqlScriptError(f"{script.name}: {timeout_reason(exc, limits)}")
            raise MigrationError(_failure(ran_out, migration, index, before)) from None
    return time.perf_counter() - started


def _run_alone(conn: Connection, script: SqlScript, statement: Statement) -> None:
    try:
        conn.execute(statement.text)
    except psycopg.OperationalError:
        raise
    except psycopg.Error as exc:
        raise script_error(script, statement, exc) from None


def _failure(exc: SqlScriptError, migration: MigrationFile, committed: int, before: int) -> str:
    text = str(exc).split("\nNothing was changed", 1)[0]
    if committed:
        text += (
            f"\n{migration.filename} was not recorded. Its first {committed} part(s) were "
            "committed (ADD VALUE ... IF NOT EXISTS or CONCURRENTLY statements, which cannot "
            "share a transaction): fix the file and run db.migrate again; a CONCURRENTLY index "
            "left invalid must be dropped first."
        )
    else:
        text += f"\n{migration.filename} was rolled back and not recorded."
    if before:
        text += f" The {before} migration(s) applied before it in this run stay applied."
    return text + " Fix the migration and run db.migrate again."


def _describe(todo: list[MigrationFile], scripts: dict[int, SqlScript]) -> str:
    if not todo:
        return "dry run: no pending migration; the database is up to date."
    lines = [f"dry run: {len(todo)} pending migration(s) would be applied, in this order:"]
    for migration in todo:
        parts = segments(scripts[migration.version].statements)
        statements = sum(len(part.statements) for part in parts)
        outside = sum(1 for part in parts if not part.transactional)
        how = "in one transaction" if len(parts) == 1 else f"in {len(parts)} parts"
        extra = f", {outside} outside a transaction" if outside else ""
        lines.append(f"  {migration.filename}: {statements} statement(s) {how}{extra}")
    lines.append("Nothing was changed.")
    return "\n".join(lines)


@contextmanager
def database_from_migrations(server: ConnInfo, directory: Path) -> Iterator[ConnInfo]:
    """A temporary database on ``server`` holding what the migrations of ``directory`` build."""
    from norberts_db.verify import temporary_database

    with temporary_database(server, "norberts_migrations_") as scratch:
        migrate(scratch, directory)
        yield scratch
