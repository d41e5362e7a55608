"""The messages of a failed create, drop or reset: where in which file, and what to do.

A statement the server rejects is named by file, line and column; a lock wait
or a statement that ran out of time names who was in the way; a connection
that failed says whether anything may have been committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg

from norberts_db.bounds import Limits
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError, SqlScriptError, TimeoutExceeded
from norberts_db.sqlfile import SqlScript, Statement

if TYPE_CHECKING:
    from norberts_db import blocking

NOTHING_CHANGED = "Nothing was changed: the whole operation was rolled back."
# Not the SQL's fault: one transaction that drops and creates a large schema
# takes a lock per object, and the server's lock table has a fixed size.
LOCK_TABLE_ADVICE = (
    "  The SQL is not at fault: the server's lock table is full. The task runs in one "
    "transaction, which holds a lock on every object it drops or creates (about 45 per "
    "table), and the server has room for max_locks_per_transaction times its connection "
    "slots. The toolkit's own servers start with max_locks_per_transaction = 2048 (enough "
    "for about 5,000 tables); for more, set server_options = 'max_locks_per_transaction=4096' "
    "(NORBERTS_DB_SERVER_OPTIONS) and re-create the server (`invoke db.down && invoke db.up`). "
    "On any other server, raise it there: ALTER SYSTEM SET max_locks_per_transaction = 2048; "
    "then restart PostgreSQL."
)
# "cannot run inside a transaction block", "invalid transaction termination".
_NOT_IN_A_TRANSACTION = frozenset({"25001", "2D000"})


def timeout_reason(exc: psycopg.Error, limits: Limits) -> str:
    """What ran out, in a few words, for a message that names the file itself."""
    if exc.sqlstate == "55P03":
        return (
            f"gave up waiting for a lock after {limits.lock_timeout:g} s (lock_timeout; "
            "NORBERTS_DB_LOCK_TIMEOUT sets it)"
        )
    return (
        f"a statement ran longer than {limits.statement_timeout:g} s and was cancelled "
        "(statement_timeout; NORBERTS_DB_STATEMENT_TIMEOUT sets it)"
    )


def is_timeout(exc: psycopg.Error) -> bool:
    message = exc.diag.message_primary or ""
    return (exc.sqlstate == "55P03" and "lock timeout" in message) or (
        exc.sqlstate == "57014" and "statement timeout" in message
    )


def is_interruption(exc: psycopg.Error) -> bool:
    """The connection, not the statement, failed: lost, cancelled, or the server shut down."""
    return exc.sqlstate is None or exc.sqlstate.startswith(("08", "57"))


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
    if lock_table_full(exc):
        return SqlScriptError(
            f"{text}\n{LOCK_TABLE_ADVICE}\n{NOTHING_CHANGED}", sqlstate=sqlstate, path=script.name
        )
    text += f"\n{NOTHING_CHANGED} Fix the SQL and run it again."
    return SqlScriptError(text, sqlstate=sqlstate, path=script.name)


def lock_table_full(exc: psycopg.Error) -> bool:
    """The shared lock table is full: "out of shared memory", max_locks_per_transaction."""
    return exc.sqlstate == "53200" and "max_locks_per_transaction" in (exc.diag.message_hint or "")


def _column(statement: Statement, position: int) -> int:
    before = statement.text[: position - 1]
    newline = before.rfind("\n")
    column = len(before) - newline if newline >= 0 else len(before) + 1
    # The first line of a statement does not start at column 1 if it followed code.
    return column


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def timeout_error(
    exc: psycopg.Error,
    info: ConnInfo,
    limits: Limits,
    running: str,
    seen: tuple[blocking.Session, ...],
    *,
    lock: bool = False,
    looked: bool = True,
) -> TimeoutExceeded:
    """Say what timed out, who was in the way, and what to do about it.

    ``lock``: the watch ended a lock wait that the server's lock_timeout no longer bounded.
    ``looked``: whether the watch asked who was in the way before it ended (``seen``).
    """
    from norberts_db import blocking

    where = f"database {info.dbname!r} at {info.address}"
    sessions = list(seen)
    lock = lock or exc.sqlstate == "55P03"
    if lock and running == "the schema lock":
        sessions = sessions or blocking.schema_lock_holders(info)
        what = (
            f"Gave up waiting for the schema lock of {where} after {limits.lock_timeout:g} s "
            "(lock_timeout): another reset, create, drop or migrate holds it"
        )
        setting = "NORBERTS_DB_LOCK_TIMEOUT sets how long to wait"
    elif lock:
        held = next((s.waiting_for for s in sessions if s.waiting_for), None)
        what = (
            f"Gave up waiting for a lock{f' on {held}' if held else ''} after "
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
    elif lock:
        advice = (
            ". The session in the way could not be named: it was not seen while the wait "
            "lasted. Run the task again; while it waits, SELECT pid, pg_blocking_pids(pid) "
            "FROM pg_stat_activity WHERE wait_event_type = 'Lock'; names the sessions in the way"
        )
    elif looked:
        advice = ". No other session was in its way: the statement itself is slow"
    else:
        advice = (
            ". Whether another session was in its way could not be seen before the statement "
            "was cancelled"
        )
    return TimeoutExceeded(
        f"{what}{advice}. {setting} (seconds, 0 for no limit).\n{NOTHING_CHANGED}"
    )


def interrupted_error(exc: psycopg.Error, info: ConnInfo, running: str) -> ServerError:
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
