"""Reading what a plan needs from a live database, in one consistent read.

The catalog snapshot (the one ``db.verify`` compares) decides what differs.
Generating DDL also needs some objects in pieces (columns, enum labels,
routines, partitions) and the dependencies between objects, read here by the
queries in ``migrations/queries`` in the same repeatable-read transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import psycopg

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


class DetailRows(Mapping[ObjectKey, Details]):
    """Detail rows kept as the server sent them, made mappings only when a plan asks.

    A plan reads the details of the few objects that differ; a large catalog
    has thousands of rows it never looks at. An object described by several
    queries gets the attributes of all its rows, later rows winning.
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], list[tuple[Sequence[str], Sequence[Any]]]] = {}
        self._made: dict[tuple[str, str], Details] = {}

    def add(self, key: tuple[str, str], names: Sequence[str], row: Sequence[Any]) -> None:
        self._rows.setdefault(key, []).append((names, row))

    def __getitem__(self, key: ObjectKey) -> Details:
        made = self._made.get(key)
        if made is None:
            rows = self._rows[key]  # KeyError for an object with no details, as a dict
            made = {n: v for names, row in rows for n, v in zip(names, row, strict=True)}
            self._made[key] = made
        return made

    def __iter__(self) -> Iterator[ObjectKey]:
        return (ObjectKey(*key) for key in self._rows)

    def __len__(self) -> int:
        return len(self._rows)


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


def _read_details(conn: psycopg.Connection[Any], snapshot: Snapshot) -> DetailRows:
    details = DetailRows()
    wanted = dict(_DETAILS)
    if any(key.kind == "subscription" for key in snapshot.objects):
        wanted[_SUBSCRIPTIONS] = ()
    with conn.cursor() as cursor:
        for query, kinds in wanted.items():
            cursor.execute(queries.load(query))
            names = [column.name for column in cursor.description or ()]
            at_name = names.index("name")
            at_kind = names.index("kind") if not kinds else at_name
            for row in cursor.fetchall():
                for kind in kinds or (str(row[at_kind]),):
                    details.add((kind, str(row[at_name])), names, row)
    return details


_new = tuple.__new__


def _read_edges(conn: psycopg.Connection[Any]) -> tuple[Edge, ...]:
    rows = conn.execute(queries.load("depends")).fetchall()
    # The columns are text and a boolean: used as they come, not converted row by row,
    # and the tuples made directly (a named tuple's __new__ is a Python call; a large
    # catalog has tens of thousands of edges).
    return tuple(
        _new(Edge, (_new(ObjectKey, (a, b)), _new(ObjectKey, (c, d)), through))
        for a, b, c, d, through in rows
    )
