"""What a drop takes with it beyond the schema file: the objects CASCADE removes silently.

The drop script ends in ``CASCADE``, so a view, a foreign key, a trigger, a
column of another table that a person made on top of a schema object goes
with it, without a word from PostgreSQL. In the drop's own transaction,
:class:`Watch` reads every object of the database (by OID) before the drop
script runs and again after it: what is gone was removed. What the schema file
creates is known by identity (``pg_identify_object``) after the schema ran, in
the same transaction (a reset), or in a savepoint that is rolled back (a drop).
What was removed and the schema file does not create is listed, each object
once: a view's columns, rules and row type go without a line of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import psycopg
from psycopg import sql

from norberts_db import queries
from norberts_db.errors import SqlScriptError
from norberts_db.sqlfile import SqlScript

Connection = psycopg.Connection[tuple[object, ...]]
Key = tuple[int, int, int]
Run = Callable[[Connection, SqlScript], None]


@dataclass(frozen=True, order=True)
class TakenObject:
    """An object the drop removed that the schema file does not create."""

    schema: str
    kind: str
    identity: str
    name: str

    def as_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "schema": self.schema,
            "name": self.name,
            "identity": self.identity,
        }


class _Found(NamedTuple):
    """One row of the inventory: a plain record, built once per object of the database."""

    kind: str
    schema: str
    name: str
    identity: str
    owner: Key | None


def inventory(conn: Connection, known: Iterable[int] = ()) -> dict[Key, _Found]:
    """Every object of the database a drop could remove, by catalog and OID, but ``known``."""
    found = {}
    params = {"known": sorted(set(known))}
    for row in conn.execute(_composed("object_inventory"), params).fetchall():
        classid, objid, subid, kind, schema, name, identity, *owned_by = row
        owner = None if owned_by[0] is None else _key(*owned_by)
        found[_key(classid, objid, subid)] = _Found(
            str(kind), str(schema or ""), str(name or identity), str(identity), owner
        )
    return found


def identities(conn: Connection, known: Iterable[int] = ()) -> set[tuple[str, str]]:
    """The kind and identity of every object :func:`inventory` finds, without the rest."""
    params = {"known": sorted(set(known))}
    rows = conn.execute(_composed("object_identities"), params).fetchall()
    return {(str(kind), str(identity)) for kind, identity in rows}


class Watch:
    """Follows one transaction that runs ``drop`` (and maybe ``schema`` after it)."""

    def __init__(self, drop: SqlScript, schema: SqlScript | None) -> None:
        self.drop = drop
        self.schema = schema
        self._before: dict[Key, _Found] = {}
        self._removed: dict[Key, _Found] = {}
        self._kept: set[int] = set()
        self._created: set[tuple[str, str]] | None = None
        self.unknown: str | None = None

    def start(self, conn: Connection) -> None:
        """Before the drop script runs."""
        self._before = inventory(conn)

    def ran(self, conn: Connection, script: SqlScript) -> None:
        """After each script of the transaction."""
        if script is self.drop:
            rows = conn.execute(queries.load("object_keys"), {"known": []}).fetchall()
            after = {_key(*row) for row in rows}
            self._removed = {k: v for k, v in self._before.items() if k not in after}
            self._kept = {objid for _, objid, _ in after}
        elif script is self.schema:
            self._created = identities(conn, self._kept)

    def taken(self, conn: Connection, run: Run) -> tuple[TakenObject, ...]:
        """The objects removed that the schema file does not create, each object once.

        When the schema did not run in the transaction, it runs in a savepoint
        that is rolled back; if it cannot, every removed object is listed and
        ``unknown`` says why.
        """
        created = self._created
        if created is None:
            created = self._created_in_savepoint(conn, run)
        outside = {
            key: found
            for key, found in self._removed.items()
            if (found.kind, found.identity) not in created
        }
        return tuple(
            sorted(
                TakenObject(found.schema, found.kind, found.identity, found.name)
                for key, found in outside.items()
                if not self._goes_with_its_owner(key, outside)
            )
        )

    def _created_in_savepoint(self, conn: Connection, run: Run) -> set[tuple[str, str]]:
        if self.schema is None:
            return set()
        try:
            with conn.transaction(force_rollback=True):
                run(conn, self.schema)
                return identities(conn, self._kept)
        except SqlScriptError as exc:
            self.unknown = str(exc).splitlines()[0]
            return set()

    def _goes_with_its_owner(self, key: Key, outside: dict[Key, _Found]) -> bool:
        seen = {key}
        owner = self._before[key].owner
        while owner is not None and owner not in seen:
            if owner in outside:
                return True
            seen.add(owner)
            found = self._before.get(owner)
            if found is not None:
                owner = found.owner
            elif owner[2]:  # a column with no dependency of its own: its relation
                owner = (owner[0], owner[1], 0)
            else:
                owner = None
        return False


@cache
def _composed(name: str) -> sql.Composed:
    """Query ``name`` with the objects of object_keys.sql and the filter of object_listed.sql."""
    objects = sql.SQL(queries.load("object_keys"))
    listed = sql.SQL(queries.load("object_listed").strip())
    return sql.SQL(queries.load(name)).format(objects=objects, listed=listed)


def _key(classid: object, objid: object, subid: object) -> Key:
    return (int(str(classid)), int(str(objid)), int(str(subid)))
