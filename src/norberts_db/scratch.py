"""A tablespace in memory for the throwaway databases of verify, check-drop and diff.

Creating a database copies template0, about 300 files. On a disk file system
that is most of what ``db.verify`` costs (150-250 ms on ext4 here, against
about 20 ms in memory), and building the shadow schema creates files again.
The servers the toolkit runs (docker, embedded) therefore offer a tablespace
whose directory is on a tmpfs: :func:`provide` makes it exist when the server
starts, and :func:`choose` hands it to :func:`norberts_db.temporary.temporary_database`.

Only temporary databases go there, and they are dropped however their run
ends; the dev database and everything else stay on disk. A tmpfs is empty
after a restart while the catalog keeps the tablespace, so a tablespace whose
directory has gone is re-created on first use. When the tablespace is absent
(any server the toolkit does not run), or cannot be used or repaired, temporary
databases go to the default tablespace: only speed depends on this module.
"""

from __future__ import annotations

from contextlib import suppress

import psycopg
from psycopg import sql

from norberts_db import queries
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.databases import MAINTENANCE_DB, Connection
from norberts_db.errors import NorbertsDbError

TABLESPACE = "norberts_scratch"


def provide(server: ConnInfo, location: str) -> bool:
    """Make the scratch tablespace exist at ``location`` (an empty directory the server owns).

    Called by a managed server once it answers. Returns whether the tablespace
    is usable; never raises for a server that refuses (not a superuser, no such
    directory): temporary databases then use the default tablespace.
    """
    maintenance = server.for_database(MAINTENANCE_DB)
    with suppress(psycopg.Error, NorbertsDbError), connect(maintenance, autocommit=True) as conn:
        found = _read(conn)
        if found != (location, True):
            _make(conn, location, replacing=found is not None)
        return True
    return False


def choose(conn: Connection) -> str | None:
    """The tablespace for a new temporary database on ``conn``'s server, None for the default.

    ``conn`` is an autocommit maintenance connection. A scratch tablespace whose
    directory has gone is re-created in place; if another run repairs it at the
    same moment, or repairing is refused, the default tablespace is used.
    """
    try:
        found = _read(conn)
        if found is None:
            return None
        location, present = found
        if not present:
            _make(conn, location, replacing=True)
    except psycopg.Error:
        return None
    return TABLESPACE


def _read(conn: Connection) -> tuple[str, bool] | None:
    row = conn.execute(queries.load("scratch_tablespace"), {"name": TABLESPACE}).fetchone()
    return None if row is None else (str(row[0]), bool(row[1]))


def _make(conn: Connection, location: str, *, replacing: bool) -> None:
    """Create the tablespace at ``location``; with ``replacing``, drop the old one first."""
    if replacing:
        conn.execute(sql.SQL("DROP TABLESPACE {}").format(sql.Identifier(TABLESPACE)))
    conn.execute(
        sql.SQL("CREATE TABLESPACE {} LOCATION {}").format(
            sql.Identifier(TABLESPACE), sql.Literal(location)
        )
    )
