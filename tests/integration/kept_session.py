"""One kept autocommit session to one database, for the test helpers' own statements.

A new session costs the server a login and, before its first catalog query,
filling its caches (see docs/test-suite-cpu.md). Helpers that talk to one
database again and again keep a session instead; a test may end every session
of the server, so a session found ended is opened again and the work run once
more on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import psycopg

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo

Connection = psycopg.Connection[tuple[object, ...]]
Result = TypeVar("Result")


class KeptSession:
    """An autocommit session to ``info``, opened on first use and again after a failure."""

    def __init__(self, info: ConnInfo) -> None:
        self.info = info
        self._conn: Connection | None = None

    def use(self, work: Callable[[Connection], Result]) -> Result:
        """``work`` on the session; once more on a new one if the server had ended the old one.

        What ran on a session the server ended was rolled back with it, so
        running ``work`` again runs nothing twice. After any other failure the
        session is closed, and the next use opens a new one.
        """
        fresh = self._conn is None or self._conn.closed
        if fresh:
            self._open()
        conn = self._conn
        assert conn is not None
        try:
            return work(conn)
        except psycopg.OperationalError:
            broken = conn.broken
            self.close()
            if fresh or not broken:
                raise
        except BaseException:
            self.close()
            raise
        self._open()
        assert self._conn is not None
        try:
            return work(self._conn)
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        self.close()
        self._conn = connect(self.info, autocommit=True)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
