"""Watching each statement a migration run applies (``migration.prove`` measures with it).

The runner (:mod:`norberts_db.migrations.runner`) calls an :class:`Observer`
around every statement when it is given one.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol

import psycopg

from norberts_db.apply_errors import is_interruption, is_timeout, script_error
from norberts_db.bounds import Limits, reasserted_after
from norberts_db.errors import SqlScriptError
from norberts_db.migrations.history import Connection
from norberts_db.sqlfile import SqlScript, Statement


class Observer(Protocol):
    """Watches every statement a run applies, in the run's own session (``migration.prove``).

    With an observer, the statements of a part are sent one at a time rather
    than in one round trip, so each can be measured; the transactions, their
    order and the history records stay exactly as without one.
    """

    def before(self, conn: Connection, script: SqlScript, statement: Statement) -> None:
        """Right before ``statement`` runs."""

    def after(
        self, conn: Connection, script: SqlScript, statement: Statement, seconds: float
    ) -> None:
        """Right after ``statement`` ran, in its transaction if it has one."""

    def failed(self, script: SqlScript, statement: Statement, message: str) -> None:
        """``statement`` was refused with the server's ``message``; the run then ends as
        without an observer."""

    def committing(self, alone: bool) -> None:
        """The part's transaction is about to end (``alone``: its statement ran outside one)."""

    def committed(self) -> None:
        """The part's transaction ended."""


def run_observed(
    conn: Connection,
    script: SqlScript,
    statements: Sequence[Statement],
    limits: Limits | None,
    observer: Observer,
    *,
    alone: bool = False,
) -> None:
    """Run ``statements`` one at a time, each watched by ``observer``.

    A failure is reported as :func:`run_script` reports it, with the file and
    line of the statement; the bounds are brought back after a statement that
    may change them, as in one round trip (:func:`norberts_db.bounds.bounded_batch`).
    """
    reassert = limits.reassert() if limits is not None else None
    for statement, bring_back in zip(statements, reasserted_after(statements), strict=True):
        observer.before(conn, script, statement)
        started = time.perf_counter()
        try:
            if alone:
                run_alone(conn, script, statement)
            else:
                conn.execute(statement.text)
        except SqlScriptError as exc:
            observer.failed(script, statement, str(exc))
            raise
        except psycopg.Error as exc:
            observer.failed(script, statement, exc.diag.message_primary or str(exc).strip())
            if conn.broken or is_timeout(exc) or is_interruption(exc):
                raise
            raise script_error(script, statement, exc) from None
        seconds = time.perf_counter() - started
        if bring_back and reassert is not None:
            conn.execute(reassert)
        observer.after(conn, script, statement, seconds)


def run_alone(conn: Connection, script: SqlScript, statement: Statement) -> None:
    try:
        conn.execute(statement.text)
    except psycopg.Error as exc:
        # A wait or a run that ran out of time is the bounds' to report, not the SQL's.
        if conn.broken or is_timeout(exc) or exc.sqlstate is None:
            raise
        if exc.sqlstate.startswith(("08", "57")):
            raise
        raise script_error(script, statement, exc) from None
