"""Reading a live database's catalog into a :class:`Snapshot`.

All queries run in one read-only, repeatable-read transaction, so the snapshot
is consistent even while someone changes the database, and with fixed session
settings, so two databases on different settings print values the same way.
"""

from __future__ import annotations

import psycopg

from norberts_db.catalog import queries
from norberts_db.catalog.model import PRIVILEGE_ATTRIBUTES, ObjectKey, Snapshot, split_name
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError

Connection = psycopg.Connection[tuple[object, ...]]

# The schema that holds the migration history (norberts_db.migration_history): the
# toolkit's bookkeeping, not part of any schema file, so never compared.
TOOLKIT_SCHEMA = "norberts_db"
# Kinds that belong to the database, not to a schema.
_UNSCHEMED_KINDS = frozenset(
    {
        "extension",
        "event trigger",
        "cast",
        "language",
        "foreign data wrapper",
        "server",
        "publication",
        "default privileges",
    }
)


def snapshot_database(info: ConnInfo, *, privileges: bool = False) -> Snapshot:
    """Connect to ``info`` and read its snapshot; owners and ACLs only with ``privileges``."""
    with connect(info) as conn:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            return read_snapshot(conn, privileges=privileges)
        except psycopg.Error as exc:
            raise ServerError(
                f"Reading the catalog of database {info.dbname!r} at {info.address} failed: "
                f"{str(exc).strip()}. The user needs to be able to read the system catalogs."
            ) from None


def read_snapshot(conn: Connection, *, privileges: bool = False) -> Snapshot:
    """Read every object kind on ``conn``, inside one transaction of its own."""
    objects: dict[ObjectKey, dict[str, str]] = {}
    with conn.transaction():
        cursor = conn.execute(queries.snapshot_batch(privileges=privileges))
        while cursor.nextset():  # the first result, skipped here, is the session settings'
            columns = [column.name for column in cursor.description or ()][2:]
            # Positions of the attributes kept: all of them, or all but owners and ACLs.
            kept = [
                (i, column)
                for i, column in enumerate(columns, start=2)
                if privileges or column not in PRIVILEGE_ATTRIBUTES
            ]
            for row in cursor.fetchall():
                kind, name = str(row[0]), str(row[1])
                if is_toolkit_object(kind, name):
                    continue
                objects[ObjectKey(kind, name)] = {
                    column: str(row[i]) for i, column in kept if row[i] is not None
                }
    return Snapshot(objects)


def is_toolkit_object(kind: str, name: str) -> bool:
    """True for the toolkit's own schema and everything in it."""
    if kind in _UNSCHEMED_KINDS or not name.startswith(TOOLKIT_SCHEMA):
        return False  # the common case, without splitting the name
    return split_name(name)[0] == TOOLKIT_SCHEMA
