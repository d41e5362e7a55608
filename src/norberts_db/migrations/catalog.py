"""Reading what a plan needs from a live database, in one consistent read.

The catalog snapshot (the one ``db.verify`` compares) decides what differs.
Generating DDL also needs some objects in pieces (columns, enum labels,
routines, partitions) and the dependencies between objects, read here by the
queries in ``migrations/queries`` in the same repeatable-read transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import psycopg
from psycopg.rows import dict_row

from norberts_db.catalog import queries as catalog_queries
from norberts_db.catalog.model import ObjectKey, Snapshot
from norberts_db.catalog.snapshot import read_snapshot
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError
from norberts_db.migrations import queries

Details = Mapping[str, Any]

# Detail query -> the kinds whose objects it describes.
_DETAILS = {
    "columns": ("column",),
    "types": ("enum", "composite type", "range type"),
    "routines": ("function", "procedure", "aggregate", "window function"),
    "tables": ("table",),
    "extensions": ("extension",),
    # These rows name their own kind.
    "foreign_data": (),
}
# Read only where the user may read pg_subscription.subconninfo.
_SUBSCRIPTIONS = "subscriptions"


class Edge(NamedTuple):
    """``dependent`` needs ``referenced``; ``through_default``: only a column's default does.

    A named tuple, as :class:`ObjectKey` is: a large catalog has one per dependency.
    """

    dependent: ObjectKey
    referenced: ObjectKey
    through_default: bool = False


@dataclass(frozen=True)
class Catalog:
    """One database as a plan sees it."""

    snapshot: Snapshot
    details: Mapping[ObjectKey, Details] = field(default_factory=dict)
    edges: tuple[Edge, ...] = ()
    server_version: int = 150000

    def attrs(self, key: ObjectKey) -> Mapping[str, str]:
        return self.snapshot.objects.get(key, {})

    def detail(self, key: ObjectKey) -> Details:
        return self.details.get(key, {})

    def has(self, key: ObjectKey) -> bool:
        return key in self.snapshot.objects


def read_catalog(info: ConnInfo, *, privileges: bool = False) -> Catalog:
    """Connect to ``info`` and read its catalog for planning."""
    with connect(info) as conn:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            with conn.transaction():
                return catalog_of(conn, privileges=privileges)
        except psycopg.Error as exc:
            raise ServerError(
                f"Reading the catalog of database {info.dbname!r} at {info.address} failed: "
                f"{str(exc).strip()}. The user needs to be able to read the system catalogs."
            ) from None


def catalog_of(conn: psycopg.Connection[Any], *, privileges: bool = False) -> Catalog:
    """The catalog of ``conn``'s database for planning, read in the caller's transaction."""
    snapshot = read_snapshot(conn, privileges=privileges)
    # read_snapshot's settings were local to its own (inner) transaction.
    conn.execute(catalog_queries.load("session"))
    return Catalog(
        snapshot=snapshot,
        details=_read_details(conn, snapshot),
        edges=_read_edges(conn),
        server_version=int(conn.info.server_version),
    )


def read_catalogs(
    source: ConnInfo, target: ConnInfo, *, privileges: bool = False
) -> tuple[Catalog, Catalog]:
    """Both catalogs of a plan, read at the same time: each read waits mostly on its server."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(read_catalog, target, privileges=privileges)
        return read_catalog(source, privileges=privileges), other.result()


def _read_details(conn: psycopg.Connection[Any], snapshot: Snapshot) -> dict[ObjectKey, Details]:
    details: dict[ObjectKey, Details] = {}
    wanted = dict(_DETAILS)
    if any(key.kind == "subscription" for key in snapshot.objects):
        wanted[_SUBSCRIPTIONS] = ()
    with conn.cursor(row_factory=dict_row) as cursor:
        for query, kinds in wanted.items():
            for row in cursor.execute(queries.load(query)):
                for kind in kinds or (str(row["kind"]),):
                    key = ObjectKey(kind, str(row["name"]))
                    details[key] = {**details.get(key, {}), **row}
    return details


def _read_edges(conn: psycopg.Connection[Any]) -> tuple[Edge, ...]:
    rows = conn.execute(queries.load("depends")).fetchall()
    # The columns are text and a boolean: used as they come, not converted row by row.
    return tuple(Edge(ObjectKey(a, b), ObjectKey(c, d), through) for a, b, c, d, through in rows)
