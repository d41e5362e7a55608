"""What each statement did on the copy: time, locks, rewrites, rows (``migration.prove``).

:class:`Watch` is the runner's observer (:mod:`norberts_db.migrations.observer`).
Around every statement it reads, in the statement's own session and
transaction, the relation locks the session holds (``pg_locks``: a lock taken
in a transaction is released only when it ends, so what is held after a
statement that was not held before it is what the statement took) and the
relfilenode of every relation (a new one means the table was rewritten).
Tables it locked for writing are counted exactly after it.

The time an ACCESS EXCLUSIVE lock is held runs from the statement that took
it to the end of its transaction: the statements after it and the commit.
The watch's own reads are not part of it: on the real database they do not run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from psycopg import sql

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.migrations import queries
from norberts_db.migrations.history import Connection
from norberts_db.sqlfile import SqlScript, Statement

ACCESS_EXCLUSIVE = "AccessExclusiveLock"
# Modes that change rows or the table itself: the table is counted after the statement.
_WEAK = frozenset({"AccessShareLock"})
_TABLES = frozenset({"r", "p", "m"})
DESTRUCTIVE_MARK = "-- DESTRUCTIVE"


@dataclass(frozen=True)
class Relation:
    oid: int
    name: str  # schema.name, quoted where needed
    parts: tuple[str, str]
    kind: str
    filenode: int

    @property
    def is_table(self) -> bool:
        return self.kind in _TABLES


@dataclass(frozen=True)
class Hold:
    """An ACCESS EXCLUSIVE lock on a table, how long it was held and the table's rows."""

    table: str
    seconds: float
    rows: int


@dataclass
class StatementRecord:
    file: str
    line: int
    text: str
    destructive: bool
    alone: bool = False
    seconds: float = 0.0
    locks: list[tuple[str, str]] = field(default_factory=list)  # relation, mode
    rewritten: list[str] = field(default_factory=list)
    rows: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    holds: list[Hold] = field(default_factory=list)
    error: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def first_line(self) -> str:
        return self.text.strip().splitlines()[0][:120] if self.text.strip() else ""


class Watch:
    """Records every statement of a run; see the module."""

    def __init__(self) -> None:
        self.statements: list[StatementRecord] = []
        self.initial: dict[str, int] = {}
        self.rows: dict[int, int] = {}
        self._names: dict[int, Relation] = {}
        self._before: dict[int, Relation] = {}
        self._held: set[tuple[int, str]] = set()
        self._part: list[tuple[StatementRecord, set[int]]] = []
        self._commit_started = 0.0
        self._started = 0.0

    @property
    def failure(self) -> StatementRecord | None:
        return next((s for s in self.statements if s.error is not None), None)

    # -- the observer -----------------------------------------------------------------------

    def before(self, conn: Connection, script: SqlScript, statement: Statement) -> None:
        self._before = _relations(conn)
        self._names.update(self._before)
        if not self.statements:
            for relation in self._before.values():
                if relation.is_table:
                    self.rows[relation.oid] = _count(conn, relation)
                    self.initial[relation.name] = self.rows[relation.oid]
        self._held = _locks(conn)
        self._started = time.perf_counter()
        self.statements.append(
            StatementRecord(
                script.name, statement.line, statement.text, marked_destructive(script, statement)
            )
        )

    def after(
        self, conn: Connection, script: SqlScript, statement: Statement, seconds: float
    ) -> None:
        record = self.statements[-1]
        record.seconds = seconds
        held = _locks(conn)
        after = _relations(conn)
        self._names.update(after)
        taken = sorted(held - self._held)
        before = self._before
        # Locks on the user's relations only: not on the catalogs, TOAST, or the
        # transient relations a rewrite makes and drops.
        known = before.keys() | after.keys()
        record.locks = list(
            dict.fromkeys((self._name(oid), mode) for oid, mode in taken if oid in known)
        )
        record.rewritten = [
            r.name
            for oid, r in after.items()
            if r.is_table and oid in before and before[oid].filenode != r.filenode
        ]
        exclusive = {oid for oid, mode in taken if mode == ACCESS_EXCLUSIVE}
        writing = {oid for oid, mode in held if mode not in _WEAK}
        newly = {oid for oid, _ in taken} | set(before.keys() ^ after.keys())
        for oid in sorted(writing | newly):
            relation = after.get(oid) or before.get(oid)
            if relation is None or not relation.is_table:
                continue
            old = self.rows.get(oid, 0 if oid not in before else None)
            new = _count(conn, relation) if oid in after else None
            if new is not None:
                self.rows[oid] = new
            else:
                self.rows.pop(oid, None)
            if oid in newly or old != new:
                record.rows[relation.name] = (old, new)
        self._part.append((record, exclusive))

    def failed(self, script: SqlScript, statement: Statement, message: str) -> None:
        self.statements[-1].seconds = time.perf_counter() - self._started
        self.statements[-1].error = message

    def committing(self, alone: bool) -> None:
        if alone:
            for record, _ in self._part:
                record.alone = True
        self._commit_started = time.perf_counter()

    def committed(self) -> None:
        commit = time.perf_counter() - self._commit_started
        remaining = sum(record.seconds for record, _ in self._part) + commit
        for record, exclusive in self._part:
            for oid in sorted(exclusive):
                relation = self._names.get(oid)
                if relation is not None and relation.is_table:
                    before = record.rows.get(relation.name, (None, None))[0]
                    rows = before if before is not None else self.rows.get(oid, 0)
                    record.holds.append(Hold(relation.name, remaining, rows))
            remaining -= record.seconds
        self._part = []

    def _name(self, oid: int) -> str:
        relation = self._names.get(oid)
        return relation.name if relation is not None else f"relation {oid}"


def table_rows(info: ConnInfo) -> dict[str, int]:
    """The exact number of rows of every table of the user's schemas in ``info``."""
    with connect(info, autocommit=True) as conn:
        return {r.name: _count(conn, r) for r in _relations(conn).values() if r.is_table}


def _relations(conn: Connection) -> dict[int, Relation]:
    rows = conn.execute(queries.load("prove_relations")).fetchall()
    found = {}
    for oid, schema, name, kind, filenode in rows:
        parts = (str(schema), str(name))
        shown = ".".join(parts)
        found[int(oid)] = Relation(int(oid), shown, parts, str(kind), int(filenode))
    return found


def _locks(conn: Connection) -> set[tuple[int, str]]:
    return {(int(oid), str(mode)) for oid, mode in conn.execute(queries.load("prove_locks"))}


def _count(conn: Connection, relation: Relation) -> int:
    row = conn.execute(
        sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(*relation.parts))
    ).fetchone()
    return int(str(row[0])) if row else 0


def marked_destructive(script: SqlScript, statement: Statement) -> bool:
    """Whether the comment lines right above ``statement`` (or its text) say ``-- DESTRUCTIVE``.

    ``migration.new`` writes the mark on the first line of the comments above
    a statement that loses data (:func:`norberts_db.migrations.plan.render_plan`).
    """
    if DESTRUCTIVE_MARK in statement.text:
        return True
    lines = _lines(script.path)
    index = statement.line - 2
    while index >= 0 and lines[index].strip().startswith("--"):
        if lines[index].strip().startswith(DESTRUCTIVE_MARK):
            return True
        index -= 1
    return False


@cache
def _lines(path: Path) -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8").splitlines())
