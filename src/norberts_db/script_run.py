"""Running one SQL script inside the caller's transaction, and naming the statement that failed.

The script goes to the server in one round trip; when the server rejects it,
the statements are replayed one at a time in a savepoint that is rolled back,
to name the file, line and column at fault. The lock and statement timeouts of
:class:`~norberts_db.bounds.Limits` hold for every statement of the script.
"""

from __future__ import annotations

import psycopg

from norberts_db import queries
from norberts_db.apply_errors import is_interruption, is_timeout, script_error
from norberts_db.bounds import Limits, bounded_batch, reasserted_after
from norberts_db.errors import SqlScriptError
from norberts_db.sqlfile import SqlScript

Connection = psycopg.Connection[tuple[object, ...]]


class _Replayed(Exception):
    """Rolls back a replay that, unexpectedly, succeeded."""


def run_script(conn: Connection, script: SqlScript, limits: Limits | None = None) -> None:
    """Execute every statement of ``script`` on ``conn`` inside the caller's transaction.

    The script goes to the server in one round trip. If the server rejects
    it, the savepoint is rolled back and the statements are replayed one at a
    time, which names the file, line and column of the failing statement even
    when the server's error carries no position. Raises
    :class:`SqlScriptError`; the caller's transaction then holds nothing of
    the script. With ``limits`` (which the caller has set), no statement of
    the script can lift them for the statements after it (see
    :mod:`norberts_db.bounds`).
    """
    try:
        with conn.transaction():
            conn.execute(bounded_batch(script.statements, limits))
    except psycopg.Error as exc:
        if conn.broken or is_timeout(exc) or is_interruption(exc):
            raise
        raise _locate_error(conn, script, exc, limits) from None


def _locate_error(
    conn: Connection, script: SqlScript, batch_error: psycopg.Error, limits: Limits | None
) -> SqlScriptError:
    found: SqlScriptError | None = None
    reassert = limits.reassert() if limits is not None else None
    after = reasserted_after(script.statements)
    try:
        with conn.transaction():
            for statement, bring_back in zip(script.statements, after, strict=True):
                try:
                    conn.execute(statement.text)
                except psycopg.Error as exc:
                    if not (is_timeout(exc) or is_interruption(exc)):
                        found = script_error(script, statement, exc)
                    raise
                if bring_back and reassert is not None:
                    conn.execute(reassert)
            raise _Replayed
    except _Replayed:
        pass
    except psycopg.Error:
        if found is None:
            raise  # a wait ran out, or the connection failed, while replaying
    if found is not None:
        return found
    message = batch_error.diag.message_primary or str(batch_error).strip()
    return SqlScriptError(
        f"{script.name}: ERROR: {message}\nNothing was changed: the whole operation was "
        "rolled back. Fix the SQL and run it again."
    )


def set_limits(conn: Connection, limits: Limits, *, local: bool = True) -> None:
    """SET LOCAL both timeouts: they end with the transaction, whatever the session had.

    ``local=False`` sets them for the session, for a statement run outside a transaction.
    """
    values = limits.values()
    conn.execute(
        queries.load("apply_limits"),
        {"lock": values["lock_timeout"], "statement": values["statement_timeout"], "local": local},
    )
