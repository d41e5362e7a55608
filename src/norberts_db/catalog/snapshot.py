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
        "subscription",
        "user mapping",
        "default privileges",
    }
)
# Rows of these kinds are not objects: they say what the snapshot leaves out, cannot
# compare, or must not query (an "unreadable" row names the query).
_NOT_COMPARED = "not compared"
_INTERNAL_ROUTINE = "internal routine"
_UNREADABLE = "unreadable"


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


def read_snapshot(
    conn: Connection, *, privileges: bool = False, gated: frozenset[str] | None = None
) -> Snapshot:
    """Read every object kind on ``conn``, inside one transaction of its own.

    Several queries may describe one object (an aggregate's full definition
    comes from its own query): their attributes are merged. Of the kinds in
    ``queries.GATED_KINDS``, only the queries of those the database can hold
    (``catalog/queries/present.sql``) run, or those of ``gated`` when given:
    all of them give the same snapshot.
    """
    objects: dict[ObjectKey, dict[str, str]] = {}
    not_compared: list[str] = []
    marks: dict[str, set[str]] = {_INTERNAL_ROUTINE: set(), _UNREADABLE: set()}
    with conn.transaction():
        cursor = conn.execute(queries.presence_batch())
        cursor.nextset()  # the first result is the session settings'
        present = kinds_present(cursor) if gated is None else gated
        cursor = conn.execute(queries.snapshot_batch(privileges=privileges, present=present))
        while True:
            _read_rows(cursor, objects, not_compared, marks, privileges=privileges)
            if not cursor.nextset():
                break
        if "subscriptions" not in marks[_UNREADABLE]:
            cursor = conn.execute(queries.load("subscriptions"))
            _read_rows(cursor, objects, not_compared, marks, privileges=privileges)
    for name in marks[_INTERNAL_ROUTINE]:
        objects.pop(ObjectKey("function", name), None)
    return Snapshot(objects, tuple(sorted(not_compared)))


def kinds_present(cursor: psycopg.Cursor[tuple[object, ...]]) -> frozenset[str]:
    """The kinds of present.sql whose column is true (all of them, should it return no row)."""
    row = cursor.fetchone()
    if row is None:
        return queries.GATED_KINDS
    names = [column.name for column in cursor.description or ()]
    return frozenset(name for name, there in zip(names, row, strict=True) if there)


def _read_rows(
    cursor: psycopg.Cursor[tuple[object, ...]],
    objects: dict[ObjectKey, dict[str, str]],
    not_compared: list[str],
    marks: dict[str, set[str]],
    *,
    privileges: bool,
) -> None:
    columns = [column.name for column in cursor.description or ()][2:]
    # Positions of the attributes kept: all of them, or all but owners and ACLs.
    kept = [
        (i, column)
        for i, column in enumerate(columns, start=2)
        if privileges or column not in PRIVILEGE_ATTRIBUTES
    ]
    for row in cursor.fetchall():
        kind, name = str(row[0]), str(row[1])
        if kind == _NOT_COMPARED:
            not_compared.append(name)
            continue
        if kind in marks:
            marks[kind].add(name)
            continue
        if is_toolkit_object(kind, name):
            continue
        attributes = {column: str(row[i]) for i, column in kept if row[i] is not None}
        found = objects.get(ObjectKey(kind, name))
        if found is None:
            objects[ObjectKey(kind, name)] = attributes
        else:
            found.update(attributes)  # attributes of one object from several queries


def is_toolkit_object(kind: str, name: str) -> bool:
    """True for the toolkit's own schema and everything in it."""
    if kind in _UNSCHEMED_KINDS or not name.startswith(TOOLKIT_SCHEMA):
        return False  # the common case, without splitting the name
    return split_name(name)[0] == TOOLKIT_SCHEMA
