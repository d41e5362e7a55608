"""Temporary databases (verify's shadow, check-drop's scratch, the migrations' build).

Each is created with a random name, marked as the toolkit's, and dropped
however its block ends. A run killed outright (SIGKILL) cannot drop its own,
so the next run sweeps such leftovers. The sweep drops a database only with
proof that the toolkit made it:

- its name is exactly a prefix the toolkit uses plus the 16 lower-case hex
  digits it generates (``norberts_shadow_before_upgrade`` is not);
- it carries the comment ``norberts-db temporary database <its own OID>``,
  which the toolkit sets right after ``CREATE DATABASE``. The OID binds the
  mark to that one database: it does not survive a dump and restore into
  another, and no one writes it by accident. A comment rather than a
  setting: the creator owns the database and may always comment on it,
  while ``ALTER DATABASE ... SET`` of a custom setting takes a superuser;
- no running process claims it (a session advisory lock its creator holds);
- it carries no environment mark at any level (:mod:`norberts_db.marks`),
  not even ``development``: whoever marked it made it theirs.

``CREATE DATABASE`` cannot run in a transaction, so a kill can land between
the creation and the mark. That leaves an unmarked database of the toolkit's
name shape: it is never dropped without the mark, only reported, with the
statement that drops it.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import psycopg
from psycopg import sql

from norberts_db import queries, scratch
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.databases import MAINTENANCE_DB, Connection, create_statement, drop_statement
from norberts_db.errors import NorbertsDbError, ServerError
from norberts_db.marks import marks_by_database

SHADOW_PREFIX = "norberts_shadow_"
DROP_CHECK_PREFIX = "norberts_dropcheck_"
MIGRATIONS_PREFIX = "norberts_migrations_"
PROVE_PREFIX = "norberts_prove_"
# The random part of every name: secrets.token_hex(SUFFIX_BYTES).
SUFFIX_BYTES = 8
# The comment that proves the toolkit made a temporary database: this, a space, its OID.
OWNER_MARK = "norberts-db temporary database"

_log = logging.getLogger(__name__)


def name_pattern(prefix: str) -> str:
    """The regular expression (PostgreSQL and Python alike) of the names made with ``prefix``."""
    # \A and \Z, not ^ and $: Python's $ also matches before a final newline.
    return rf"\A{re.escape(prefix)}[0-9a-f]{{{2 * SUFFIX_BYTES}}}\Z"


@contextmanager
def temporary_database(
    server: ConnInfo, prefix: str, *, template: str | None = None
) -> Iterator[ConnInfo]:
    """A new empty database with a random name, dropped however the block ends.

    The name is random per call, so concurrent runs never share one. The drop
    is attempted even if creating seemed to fail: an interrupt can arrive after
    the server created the database but before the client heard of it. It is
    not attempted when the server said the name was taken: that one is not ours.

    A maintenance session claims the name for as long as the database lives,
    and each call first sweeps the leftovers of ``prefix`` (see the module).
    The same session creates and drops the database, in the server's scratch
    tablespace when it has one (:mod:`norberts_db.scratch`). With ``template``, the
    database is a copy of that one, in the default tablespace (a copy of real data
    may not fit in memory); a template in use by others raises
    ``psycopg.errors.ObjectInUse``.
    """
    name = prefix + secrets.token_hex(SUFFIX_BYTES)
    with _claimed(server, name, prefix) as keeper:
        ours = True
        try:
            try:
                create_temporary(keeper, server, name, template=template)
            except psycopg.errors.DuplicateDatabase:
                ours = False
                raise
            yield server.for_database(name)
        except BaseException:
            # The error under way says more than a failure to clean up after it.
            if ours:
                with suppress(NorbertsDbError, psycopg.Error):
                    _drop(server, name)
            raise
        _drop(server, name, keeper)


@contextmanager
def _claimed(server: ConnInfo, name: str, prefix: str) -> Iterator[Connection]:
    """Hold the claim on ``name`` in a maintenance session; sweep the leftovers of ``prefix``."""
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as keeper:
        keeper.execute(queries.load("temporary_claim"), {"name": name})
        sweep(keeper, server, prefix, keep=name)
        yield keeper


def sweep(keeper: Connection, server: ConnInfo, prefix: str, *, keep: str = "") -> list[str]:
    """Drop the leftovers of ``prefix`` the toolkit can prove it made; return their names.

    Databases of the toolkit's name shape that lack the proof are left alone
    and reported on the ``norberts_db.temporary`` logger.
    """
    rows = keeper.execute(
        queries.load("temporary_leftovers"),
        {"pattern": name_pattern(prefix), "keep": keep, "mark": OWNER_MARK},
    ).fetchall()
    if not rows:
        return []
    marked = marks_by_database(keeper)
    dropped = []
    for leftover, proven in rows:
        name = str(leftover)
        if name in marked:
            marks = ", ".join(mark.describe() for mark in marked[name])
            _log.warning(
                "note: left alone database %r: it carries an environment mark (%s)", name, marks
            )
        elif not proven:
            _report_unproven(name)
        elif _take_claim(keeper, name):
            try:
                with suppress(NorbertsDbError, psycopg.Error):
                    _drop(server, name, keeper)
                    dropped.append(name)
            finally:
                keeper.execute(queries.load("temporary_release"), {"name": name})
    return dropped


def _report_unproven(name: str) -> None:
    statement = drop_statement(name).as_string()
    _log.warning(
        "note: left alone database %r: its name is one the toolkit gives temporary "
        "databases, but it does not carry the toolkit's mark (the comment %r), so nothing "
        "proves the toolkit made it. A run killed right after creating it leaves one like this; if "
        "nobody uses it, drop it by hand: %s;",
        name,
        f"{OWNER_MARK} <OID>",
        statement,
    )


def _take_claim(keeper: Connection, name: str) -> bool:
    row = keeper.execute(queries.load("temporary_try_claim"), {"name": name}).fetchone()
    return bool(row and row[0])


def create_temporary(
    keeper: Connection, server: ConnInfo, name: str, *, template: str | None = None
) -> None:
    """``CREATE DATABASE name``, then the mark that proves the toolkit made it."""
    _create(keeper, server, name, template)
    row = keeper.execute(queries.load("database_oid"), {"name": name}).fetchone()
    if row is None:
        raise ServerError(
            f"The temporary database {name!r} at {server.address} was dropped by someone else "
            "right after it was created. Run the task again."
        )
    keeper.execute(
        sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(name), sql.Literal(f"{OWNER_MARK} {row[0]}")
        )
    )


def _create(keeper: Connection, server: ConnInfo, name: str, template: str | None) -> None:
    tablespace = scratch.choose(keeper) if template is None else None
    if tablespace is not None:
        # Full, or gone since it was chosen: then the default tablespace will do.
        with suppress(psycopg.Error):
            keeper.execute(create_statement(name, tablespace=tablespace))
            return
    try:
        keeper.execute(create_statement(name, template=template))
    except (psycopg.errors.DuplicateDatabase, psycopg.errors.ObjectInUse):
        raise
    except psycopg.Error as exc:
        raise ServerError(
            f"Cannot create the temporary database {name!r} at {server.address} as user "
            f"{server.user!r}: {_first_line(exc)}. Verifying needs a user that may create "
            "databases (CREATEDB) on the server of the target database."
        ) from None


def _drop(server: ConnInfo, name: str, keeper: Connection | None = None) -> None:
    try:
        if keeper is None:
            with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
                conn.execute(drop_statement(name))
        else:
            keeper.execute(drop_statement(name))
    except psycopg.Error as exc:
        raise ServerError(
            f"Cannot drop the temporary database {name!r} at {server.address}: "
            f"{_first_line(exc)}. Drop it by hand: DROP DATABASE {name} WITH (FORCE);"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
