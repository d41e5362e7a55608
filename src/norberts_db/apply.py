"""Running the schema and the drop script: create, drop and reset, each atomic.

Every operation runs in ONE transaction under a transaction-scoped advisory
lock, so concurrent runs on one database go one after the other, and a failure
or a killed process leaves the previous schema exactly as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg

from norberts_db import queries
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import SqlScriptError
from norberts_db.sqlfile import SqlScript, Statement

Connection = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True)
class ObjectCounts:
    tables: int
    views: int
    indexes: int
    types: int
    functions: int
    triggers: int
    constraints: int

    def summary(self) -> str:
        parts = [
            f"{count} {name}"
            for name, count in vars(self).items()
            if count or name in ("tables", "functions", "triggers")
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class ApplyResult:
    """What an operation did: the objects the database holds afterwards, and the time taken."""

    counts: ObjectCounts
    seconds: float


class _Replayed(Exception):
    """Rolls back a replay that, unexpectedly, succeeded."""


def run_script(conn: Connection, script: SqlScript) -> None:
    """Execute every statement of ``script`` on ``conn`` inside the caller's transaction.

    The script goes to the server in one round trip. If the server rejects
    it, the savepoint is rolled back and the statements are replayed one at a
    time, which names the file, line and column of the failing statement even
    when the server's error carries no position. Raises
    :class:`SqlScriptError`; the caller's transaction then holds nothing of
    the script.
    """
    try:
        with conn.transaction():
            conn.execute(script.batch)
    except psycopg.OperationalError:
        raise
    except psycopg.Error as exc:
        raise _locate_error(conn, script, exc) from None


def _locate_error(
    conn: Connection, script: SqlScript, batch_error: psycopg.Error
) -> SqlScriptError:
    found: SqlScriptError | None = None
    try:
        with conn.transaction():
            for statement in script.statements:
                try:
                    conn.execute(statement.text)
                except psycopg.Error as exc:
                    found = script_error(script, statement, exc)
                    raise
            raise _Replayed
    except (psycopg.Error, _Replayed):
        pass
    if found is not None:
        return found
    message = batch_error.diag.message_primary or str(batch_error).strip()
    return SqlScriptError(
        f"{script.name}: ERROR: {message}\nNothing was changed: the whole operation was "
        "rolled back. Fix the SQL and run it again."
    )


def script_error(script: SqlScript, statement: Statement, exc: psycopg.Error) -> SqlScriptError:
    diag = exc.diag
    position = _int_or_none(diag.statement_position)
    line = statement.line_of(position) if position else statement.line
    column = _column(statement, position) if position else 1
    message = diag.message_primary or str(exc).strip()
    severity = diag.severity or "ERROR"
    text = f"{script.name}:{line}:{column}: {severity}: {message}"
    if diag.message_detail:
        text += f"\n  DETAIL: {diag.message_detail}"
    if diag.message_hint:
        text += f"\n  HINT: {diag.message_hint}"
    if diag.context and not position:
        text += f"\n  CONTEXT: {diag.context.strip()}"
    first_line = statement.text.splitlines()[0].strip()
    text += f"\n  in the statement starting at line {statement.line}: {first_line[:120]}"
    text += (
        "\nNothing was changed: the whole operation was rolled back. Fix the SQL and run it again."
    )
    return SqlScriptError(text)


def _column(statement: Statement, position: int) -> int:
    before = statement.text[: position - 1]
    newline = before.rfind("\n")
    column = len(before) - newline if newline >= 0 else len(before) + 1
    # The first line of a statement does not start at column 1 if it followed code.
    return column


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def lock_schema(conn: Connection) -> None:
    """Take the per-database schema lock for the rest of the current transaction."""
    conn.execute(queries.load("schema_lock"))


def count_objects(conn: Connection) -> ObjectCounts:
    row = conn.execute(queries.load("object_counts")).fetchone()
    assert row is not None
    return ObjectCounts(*(int(str(value)) for value in row))


def apply_scripts(info: ConnInfo, *scripts: SqlScript) -> ApplyResult:
    """Run ``scripts`` in order, in one transaction, under the schema lock."""
    started = time.perf_counter()
    with connect(info) as conn, conn.transaction():
        lock_schema(conn)
        for script in scripts:
            run_script(conn, script)
        counts = count_objects(conn)
    return ApplyResult(counts=counts, seconds=time.perf_counter() - started)


def reset(info: ConnInfo, drop_script: SqlScript, schema: SqlScript) -> ApplyResult:
    """Drop, then create, as one atomic step."""
    return apply_scripts(info, drop_script, schema)


def create(info: ConnInfo, schema: SqlScript) -> ApplyResult:
    return apply_scripts(info, schema)


def drop(info: ConnInfo, drop_script: SqlScript) -> ApplyResult:
    return apply_scripts(info, drop_script)
