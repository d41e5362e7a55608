"""Naming the sessions that hold up a schema change, for the message of a timeout.

When a lock wait or a statement ends on ``lock_timeout`` or
``statement_timeout``, PostgreSQL says only that it gave up. Who was in the
way has to be asked while the wait lasts: afterwards ``pg_blocking_pids()``
has nothing to report. So a :class:`Watch` looks, on a connection of its own,
once an operation has run longer than a fast one ever does, and keeps the last
answer. A fast reset with the usual bounds never opens that connection. Under
a short bound (a first look within a second) the watch logs in at once: on a
busy machine a login can take a good part of such a bound, and a look that
comes after the wait has ended can name no one.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

import psycopg

from norberts_db import queries
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError

POLL_SECONDS = 0.2
# A first look sooner than this after the start: the watch logs in at the start.
LOGIN_AHEAD_BELOW = 1.0
# How much longer than lock_timeout a wait may last before the watch ends it: the
# server's own timeout, when in force, fires first and gives the usual message.
LOCK_WAIT_GRACE = 1.0


@dataclass(frozen=True)
class Session:
    """A session of ``pg_stat_activity``, as a timeout message shows it."""

    pid: int
    application: str
    user: str
    state: str
    query_start: datetime | None
    query: str
    waiting_for: str | None = None

    def describe(self) -> str:
        if self.query_start is None:
            started = "at an unknown time"
        else:
            ago = (datetime.now(self.query_start.tzinfo) - self.query_start).total_seconds()
            started = f"{self.query_start:%Y-%m-%d %H:%M:%S} ({max(ago, 0):.0f} s ago)"
        which = "current" if self.state == "active" else "last"
        return (
            f"pid {self.pid}, application {self.application or '-'!r}, user {self.user!r}, "
            f"state {self.state or 'unknown'!r}, {which} query started {started}: "
            f"{self.query or '(not shown)'}"
        )


def blocking_sessions(conn: psycopg.Connection[tuple[object, ...]], pid: int) -> list[Session]:
    """The sessions that block session ``pid`` right now."""
    rows = conn.execute(queries.load("blocking_sessions"), {"pid": pid}).fetchall()
    return [_session(row) for row in rows]


def schema_lock_holders(info: ConnInfo) -> list[Session]:
    """The sessions holding the schema lock of the database ``info`` names."""
    try:
        with connect(info, autocommit=True) as conn:
            rows = conn.execute(queries.load("schema_lock_holders")).fetchall()
    except (NorbertsDbError, psycopg.Error):
        return []
    return [_session(row) for row in rows]


def _session(row: tuple[object, ...]) -> Session:
    pid, application, user, state, query_start, query, waiting_for = row
    return Session(
        pid=int(str(pid)),
        application=str(application),
        user=str(user),
        state=str(state),
        query_start=query_start if isinstance(query_start, datetime) else None,
        query=str(query),
        waiting_for=None if waiting_for is None else str(waiting_for),
    )


class Watch:
    """Notes which sessions block session ``pid`` while a block of code runs.

    The first look comes after ``first_look`` seconds (or once logged in, if
    that takes longer), then one every POLL_SECONDS, or every half of
    ``first_look`` if that is sooner; :attr:`sessions` is the last non-empty
    answer and :attr:`looked` says whether any look was made. Failures of the
    watch are ignored: it only ever adds detail to a message.

    With ``lock_timeout`` (seconds) it also cancels a lock wait of ``pid``
    that outlasts it by :data:`LOCK_WAIT_GRACE`, in case a statement lifted
    the setting for itself (see :mod:`norberts_db.bounds`);
    :attr:`ended_lock_wait` then says so.
    """

    def __init__(
        self, info: ConnInfo, pid: int, *, first_look: float, lock_timeout: float = 0
    ) -> None:
        self._info = info
        self._pid = pid
        self._first_look = first_look
        self._lock_timeout = lock_timeout
        self._poll = min(POLL_SECONDS, max(0.05, first_look / 2))
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"watch {pid}", daemon=True)
        self.sessions: tuple[Session, ...] = ()
        self.looked = False
        self.ended_lock_wait = False

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        started = time.monotonic()
        ahead = self._first_look < LOGIN_AHEAD_BELOW
        if not ahead and self._done.wait(self._first_look):
            return
        try:
            with connect(self._info, autocommit=True) as conn:
                if ahead and self._done.wait(self._first_look - (time.monotonic() - started)):
                    return
                while not self._done.is_set():
                    found = blocking_sessions(conn, self._pid)
                    self.looked = True
                    if found:
                        self.sessions = tuple(found)
                    if self._lock_timeout > 0 and not self.ended_lock_wait:
                        self.ended_lock_wait = _end_long_lock_wait(
                            conn, self._pid, self._lock_timeout + LOCK_WAIT_GRACE
                        )
                    self._done.wait(self._poll)
        except (NorbertsDbError, psycopg.Error):
            return


def _end_long_lock_wait(
    conn: psycopg.Connection[tuple[object, ...]], pid: int, seconds: float
) -> bool:
    row = conn.execute(queries.load("end_long_lock_wait"), {"pid": pid, "seconds": seconds})
    found = row.fetchone()
    return bool(found and found[0])


def describe_sessions(sessions: tuple[Session, ...] | list[Session]) -> str:
    """One line per session, indented, for a message."""
    return "\n".join(f"  {session.describe()}" for session in sessions)
