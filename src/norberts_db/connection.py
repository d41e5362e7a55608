"""Connecting to PostgreSQL, and waiting for a server to answer a real query."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

import psycopg

from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError


# Connection failures that waiting will not cure. libpq reports a refused
# login without a SQLSTATE, so the server's words decide too.
def _wrong_credentials(exc: psycopg.OperationalError) -> bool:
    text = str(exc)
    return (
        exc.sqlstate in ("28P01", "28000")
        or "password authentication failed" in text
        or ('role "' in text and "does not exist" in text)
    )


def _no_database(exc: psycopg.OperationalError) -> bool:
    text = str(exc)
    return exc.sqlstate == "3D000" or ('database "' in text and "does not exist" in text)


def _open(info: ConnInfo, **options: Any) -> psycopg.Connection[tuple[object, ...]]:
    """``psycopg.connect``; an interrupt closes the half-open connection at once.

    An interrupt (Ctrl-C, or SIGTERM turned into one) that lands during the
    login leaves the libpq connection referenced from the traceback's frames
    for as long as the exception is handled, with its server backend waiting
    for the client's answer. Every ``DROP DATABASE`` on that server then waits
    for that backend (it must acknowledge a cluster-wide barrier, which it
    does only once logged in) until ``authentication_timeout``, a minute by
    default: the drop of a temporary database in a cleanup would hang on our
    own socket. Clearing the frames closes the socket before any cleanup runs.
    """
    try:
        return psycopg.connect(**info.connect_kwargs(), **options)
    except psycopg.OperationalError:
        raise
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)
        raise


def server_version(info: ConnInfo) -> str:
    """One connection attempt and ``SHOW server_version``, for servers we do not start."""
    with connect(info, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"


def connect(
    info: ConnInfo, *, autocommit: bool = False, connect_timeout: float = 5
) -> psycopg.Connection[tuple[object, ...]]:
    """Open a connection, or raise :class:`ServerError` with what to do about it."""
    try:
        return _open(info, autocommit=autocommit, connect_timeout=max(1, int(connect_timeout)))
    except psycopg.OperationalError as exc:
        raise connection_error(info, exc) from None


def connection_error(info: ConnInfo, exc: psycopg.OperationalError) -> ServerError:
    """A message for a failed connection that names the server and never the password."""
    reason = _first_line(exc)
    if _wrong_credentials(exc):
        return ServerError(
            f"Wrong credentials for user {info.user!r} at {info.address} "
            f"(database {info.dbname!r}): {reason}. Check the password in the URL or "
            "NORBERTS_DB_PASSWORD; a dev server keeps the password it was first created with "
            "(`invoke db.down --volumes` starts over)."
        )
    if _no_database(exc):
        return ServerError(
            f"Database {info.dbname!r} does not exist at {info.address}. "
            "Create it, or check the database name in the URL or settings."
        )
    return ServerError(
        f"Cannot connect to PostgreSQL at {info.address} (database {info.dbname!r}): {reason}. "
        "Is the server running? `invoke db.up` starts the dev server."
    )


def wait_ready(
    info: ConnInfo,
    *,
    timeout: float,
    diagnostics: Callable[[], str] | None = None,
    still_starting: Callable[[], None] | None = None,
) -> str:
    """Poll a real query over TCP until it succeeds; return the server version.

    A log line or ``pg_isready`` can report ready while an image's entrypoint
    still runs its temporary socket-only server, so only a query counts.
    Wrong credentials and a missing database fail at once: waiting cannot
    cure them. ``still_starting`` may raise to stop early (for example when
    the container has exited).
    """
    deadline = time.monotonic() + timeout
    last_error = "no attempt made"
    delay = 0.02
    while True:
        try:
            with _open(info, connect_timeout=2, autocommit=True) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                return str(row[0]) if row else "unknown"
        except psycopg.OperationalError as exc:
            if _wrong_credentials(exc) or _no_database(exc):
                raise connection_error(info, exc) from None
            last_error = _first_line(exc)
        if still_starting is not None:
            still_starting()
        if time.monotonic() >= deadline:
            extra = diagnostics() if diagnostics else ""
            raise ServerError(
                f"PostgreSQL at {info.address} did not answer a query within {timeout:g} s. "
                f"Last error: {last_error}."
                + (f"\n{extra}" if extra else "")
                + "\nRaise NORBERTS_DB_READY_TIMEOUT if the machine is slow, or read the log above."
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__
