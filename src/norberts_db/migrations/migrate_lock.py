"""The schema lock a db.migrate run holds from its first migration to its last."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import Connection

from norberts_db.apply_errors import is_timeout, timeout_error
from norberts_db.bounds import Limits
from norberts_db.conninfo import ConnInfo
from norberts_db.migrations import queries
from norberts_db.script_run import set_limits

Note = Callable[[str], None]


@contextmanager
def migrate_lock(
    conn: Connection[tuple[object, ...]], info: ConnInfo, note: Note, limits: Limits | None
) -> Iterator[None]:
    """Hold the schema lock for the run; wait for it at most ``lock_timeout``, as a reset does."""
    row = conn.execute(queries.load("migrate_try_lock")).fetchone()
    if not row or not row[0]:
        wait = limits.lock_timeout if limits is not None else 0
        bound = f" (at most {wait:g} s, lock_timeout)" if wait else ""
        note(f"waiting for another schema change on this database to finish{bound} ...")
        try:
            if limits is not None:
                set_limits(conn, Limits(lock_timeout=wait, statement_timeout=0), local=False)
            conn.execute(queries.load("migrate_lock"))
        except psycopg.Error as exc:
            if limits is not None and is_timeout(exc):
                raise timeout_error(exc, info, limits, "the schema lock", ()) from None
            raise
        finally:
            if limits is not None and not conn.closed:
                conn.execute(queries.load("session_limits_reset"))
    try:
        yield
    finally:
        if not conn.closed:
            conn.execute(queries.load("migrate_unlock"))
