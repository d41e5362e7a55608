"""Running the schema and the drop script: create, drop and reset, each atomic.

Every operation runs in ONE transaction under a transaction-scoped advisory
lock, so concurrent runs on one database go one after the other, and a failure
or a killed process leaves the previous schema exactly as it was. Waiting for
a lock and running a statement are bounded by :class:`Limits`; when one runs
out, the message names the sessions that were in the way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg

from norberts_db import guard, queries
from norberts_db.cluster_objects import role_exists_advice
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.databases import read_marker
from norberts_db.errors import ServerError, SqlScriptError, TimeoutExceeded
from norberts_db.settings import Settings
from norberts_db.sqlfile import SqlScript, Statement
from norberts_db.transactional import check_one_transaction

if TYPE_CHECKING:
    from norberts_db import blocking

NOTHING_CHANGED = "Nothing was changed: the whole operation was rolled back."
# The server's codes for "already exists": a drop script that leaves an object behind.
_ALREADY_EXISTS = frozenset({"42P07", "42710", "42723", "42P06", "42701", "42P16"})
# "cannot run inside a transaction block", "invalid transaction termination".
_NOT_IN_A_TRANSACTION = frozenset({"25001", "2D000"})


@dataclass(frozen=True)
class Limits:
    """How long an operation may wait for a lock, and run one statement; 0 means no limit."""

    lock_timeout: float = 30.0
    statement_timeout: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.lock_timeout, settings.statement_timeout)

    @property
    def first_look(self) -> float:
        """When to start asking who blocks the operation: well before a limit runs out."""
        limits = [t for t in (self.lock_timeout, self.statement_timeout) if t > 0]
        return max(0.05, min([1.0, *(t / 2 for t in limits)]))


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
    except psycopg.Error as exc:
        if conn.broken or _is_timeout(exc) or _is_interruption(exc):
            raise
        raise _locate_error(conn, script, exc) from None


def _is_timeout(exc: psycopg.Error) -> bool:
    message = exc.diag.message_primary or ""
    return (exc.sqlstate == "55P03" and "lock timeout" in message) or (
        exc.sqlstate == "57014" and "statement timeout" in message
    )


def _is_interruption(exc: psycopg.Error) -> bool:
    """The connection, not the statement, failed: lost, cancelled, or the server shut down."""
    return exc.sqlstate is None or exc.sqlstate.startswith(("08", "57"))


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
    sqlstate = exc.sqlstate
    text = f"{script.name}:{line}:{column}: {severity}: {message}"
    if diag.message_detail:
        text += f"\n  DETAIL: {diag.message_detail}"
    if diag.message_hint:
        text += f"\n  HINT: {diag.message_hint}"
    if diag.context and not position:
        text += f"\n  CONTEXT: {diag.context.strip()}"
    first_line = statement.text.splitlines()[0].strip()
    text += f"\n  in the statement starting at line {statement.line}: {first_line[:120]}"
    if sqlstate in _NOT_IN_A_TRANSACTION:
        text += (
            "\n  The file runs in one transaction, which this statement cannot be part of: "
            "remove it, or move it to a migration (sql/migrations/)."
        )
    text += f"\n{NOTHING_CHANGED} Fix the SQL and run it again."
    return SqlScriptError(text, sqlstate=sqlstate, path=script.name)


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


def apply_scripts(
    info: ConnInfo,
    *scripts: SqlScript,
    limits: Limits | None = None,
    destructive: str | None = None,
) -> ApplyResult:
    """Run ``scripts`` in order, in one transaction, under the schema lock.

    Every script is checked before anything is sent (see
    :mod:`norberts_db.transactional`). ``destructive`` names the action for the
    database's mark (:func:`norberts_db.guard.check_marker`), which is read in
    the same transaction, before the first statement of the scripts.
    """
    for script in scripts:
        check_one_transaction(script)
    # Only applying watches for blocking sessions; reading a script or running it
    # in someone else's transaction (verify's shadow) does not need it loaded.
    from norberts_db import blocking

    limits = limits or Limits()
    started = time.perf_counter()
    with connect(info) as conn:
        running = "the schema lock"
        watch = blocking.Watch(info, conn.info.backend_pid, first_look=limits.first_look)
        try:
            with watch, conn.transaction():
                _set_limits(conn, limits)
                if destructive is not None:
                    guard.check_marker(destructive, info, read_marker(conn, info.dbname))
                lock_schema(conn)
                for script in scripts:
                    running = script.name
                    run_script(conn, script)
                counts = count_objects(conn)
                running = "COMMIT"
        except psycopg.Error as exc:
            if _is_timeout(exc):
                raise _timeout_error(exc, info, limits, running, watch.sessions) from None
            if conn.broken or _is_interruption(exc):
                raise _interrupted_error(exc, info, running) from None
            reason = (exc.diag.message_primary or str(exc)).strip()
            raise ServerError(
                f"PostgreSQL refused {running} on database {info.dbname!r} at {info.address}: "
                f"{reason}. {NOTHING_CHANGED}"
            ) from None
    return ApplyResult(counts=counts, seconds=time.perf_counter() - started)


def _set_limits(conn: Connection, limits: Limits) -> None:
    """SET LOCAL both timeouts: they end with the transaction, whatever the session had."""
    conn.execute(
        queries.load("apply_limits"),
        {"lock": _ms(limits.lock_timeout), "statement": _ms(limits.statement_timeout)},
    )


def _ms(seconds: float) -> str:
    """Milliseconds for the server; a limit never rounds down to 0, which means none."""
    return f"{max(1, round(seconds * 1000)) if seconds > 0 else 0}ms"


def _timeout_error(
    exc: psycopg.Error,
    info: ConnInfo,
    limits: Limits,
    running: str,
    seen: tuple[blocking.Session, ...],
) -> TimeoutExceeded:
    """Say what timed out, who was in the way, and what to do about it."""
    from norberts_db import blocking

    where = f"database {info.dbname!r} at {info.address}"
    sessions = list(seen)
    if exc.sqlstate == "55P03" and running == "the schema lock":
        sessions = sessions or blocking.schema_lock_holders(info)
        what = (
            f"Gave up waiting for the schema lock of {where} after {limits.lock_timeout:g} s "
            "(lock_timeout): another reset, create, drop or migrate holds it"
        )
        setting = "NORBERTS_DB_LOCK_TIMEOUT sets how long to wait"
    elif exc.sqlstate == "55P03":
        lock = next((s.waiting_for for s in sessions if s.waiting_for), None)
        what = (
            f"Gave up waiting for a lock{f' on {lock}' if lock else ''} after "
            f"{limits.lock_timeout:g} s (lock_timeout) while running {running} on {where}"
        )
        setting = "NORBERTS_DB_LOCK_TIMEOUT sets how long to wait"
    else:
        what = (
            f"A statement of {running} ran longer than {limits.statement_timeout:g} s "
            f"(statement_timeout) on {where} and was cancelled"
        )
        setting = "NORBERTS_DB_STATEMENT_TIMEOUT sets how long a statement may run"
    if sessions:
        held_by = "The session in the way" if len(sessions) == 1 else "The sessions in the way"
        advice = (
            f". {held_by}:\n{blocking.describe_sessions(sessions)}\nLet it finish, or end it "
            f"(SELECT pg_terminate_backend({sessions[0].pid});), then run the task again"
        )
    elif exc.sqlstate == "55P03":
        advice = ". The session in the way had ended before it could be named. Run the task again"
    else:
        advice = ". No other session was in its way: the statement itself is slow"
    return TimeoutExceeded(
        f"{what}{advice}. {setting} (seconds, 0 for no limit).\n{NOTHING_CHANGED}"
    )


def _interrupted_error(exc: psycopg.Error, info: ConnInfo, running: str) -> ServerError:
    reason = (exc.diag.message_primary or str(exc)).strip().splitlines()[0]
    if running == "COMMIT":
        return ServerError(
            f"The connection to {info.address} failed while committing ({reason}). The "
            f"server may or may not have committed; `invoke db.verify` shows which."
        )
    return ServerError(
        f"The connection to {info.address} failed while running {running} ({reason}). "
        f"{NOTHING_CHANGED} Run the task again once the server answers (`invoke db.status`)."
    )


def reset(
    info: ConnInfo, drop_script: SqlScript, schema: SqlScript, *, limits: Limits | None = None
) -> ApplyResult:
    """Drop, then create, as one atomic step, unless the database is marked non-development."""
    try:
        return apply_scripts(info, drop_script, schema, limits=limits, destructive="reset")
    except SqlScriptError as exc:
        if exc.path != schema.name or exc.sqlstate not in _ALREADY_EXISTS:
            raise
        before, _, after = str(exc).partition(f"\n{NOTHING_CHANGED}")
        advice = role_exists_advice(before) or (
            "If the database held it before the reset, the drop script "
            f"{drop_script.name} does not remove it: add a DROP ... IF EXISTS for it there "
            "(`invoke db.check-drop` lists what the drop script leaves behind). Otherwise the "
            "schema file creates it twice."
        )
        raise SqlScriptError(
            f"{before}\n  {advice}\n{NOTHING_CHANGED}{after}",
            sqlstate=exc.sqlstate,
            path=exc.path,
        ) from None


def create(info: ConnInfo, schema: SqlScript, *, limits: Limits | None = None) -> ApplyResult:
    return apply_scripts(info, schema, limits=limits)


def drop(info: ConnInfo, drop_script: SqlScript, *, limits: Limits | None = None) -> ApplyResult:
    """Run the drop script, unless the database is marked as non-development."""
    return apply_scripts(
        info, drop_script, limits=limits, destructive="drop every schema object in"
    )
