"""Recovering from a ``CREATE INDEX CONCURRENTLY`` that a stopped run left behind.

Such a statement commits on its own, in phases, so a run killed while it
builds leaves the index either finished (the server completes it after the
client is gone) or invalid (the build was ended), and nothing recorded.
Running the statement again would fail with "already exists", so before it
runs, the index it names is looked up:

- none: the statement runs;
- valid, and defined exactly as the statement defines it: it is what the
  statement makes, so the statement is skipped and the migration goes on;
- invalid, and defined as the statement defines it: a build that did not
  finish; it is dropped concurrently and the statement runs again;
- anything else (another definition, another table, a build under way in
  another session): refused, naming the index and the statement that clears
  it. An index the statement did not define is never taken for its own.

"Defined as the statement defines it" is decided by PostgreSQL: the
statement's index is built on an empty copy of the table in a transaction
that is rolled back, and the two ``pg_get_indexdef`` texts are compared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from norberts_db.migrations import queries
from norberts_db.migrations.history import Connection, MigrationError
from norberts_db.sqlfile import SqlScript, Statement, without_comments

# Any non-ASCII character as a negated class: a range up to \uffff costs milliseconds to
# compile each time it appears, and case-folding it (IGNORECASE) costs more than a warm
# task's whole import. So only the keywords are case-insensitive.
_IDENT = r'(?:"(?:[^"]|"")*"|(?:[A-Za-z_]|[^\x00-\x7f])(?:[\w$]|[^\x00-\x7f])*)'
_CREATE = re.compile(
    r"(?i:\s*CREATE\s+)(?P<unique>(?i:UNIQUE)\s+)?"
    r"(?i:INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?)"
    rf"(?P<name>{_IDENT})(?i:\s+ON\s+(?:ONLY\s+)?)(?P<table>{_IDENT}(?:\s*\.\s*{_IDENT})?)"
    r"(?P<rest>.*?)\s*;?\s*",
    re.DOTALL,
)
_PROBE_TABLE = "norberts_probe"
_PROBE_INDEX = "norberts_probe_idx"


@dataclass(frozen=True)
class ConcurrentIndex:
    """What a ``CREATE INDEX CONCURRENTLY name ON table ...`` says."""

    name: str
    table: str
    unique: bool
    rest: str


def parse(text: str) -> ConcurrentIndex | None:
    """The index a statement builds concurrently; None for any other statement, or no name."""
    match = _CREATE.fullmatch(without_comments(text))
    if match is None:
        return None
    return ConcurrentIndex(
        name=_unquoted(match["name"]),
        table=match["table"],
        unique=bool(match["unique"]),
        rest=match["rest"],
    )


def _unquoted(name: str) -> str:
    if name.startswith('"'):
        return name[1:-1].replace('""', '"')
    return name.lower()


def still_to_build(
    conn: Connection, script: SqlScript, statement: Statement, note: Callable[[str], None]
) -> bool:
    """Whether ``statement`` must run; clears a matching invalid index first (module docstring)."""
    index = parse(statement.text)
    if index is None:
        return True
    row = conn.execute(
        queries.load("index_found"), {"table": index.table, "name": index.name}
    ).fetchone()
    if row is None:
        return True
    oid, schema, name, table, shown, valid, on_that_table, building = row
    qualified = sql.Identifier(str(schema), str(name))
    where = f"{script.name}:{statement.line}"
    drop = f"DROP INDEX CONCURRENTLY {shown};"
    if building is not None:
        raise MigrationError(
            f"{where}: index {shown} exists, and session {building} is building an index on "
            "its table right now. Let it finish, or end it "
            f"(SELECT pg_terminate_backend({building});), then run db.migrate again."
        )
    table_name = sql.Identifier(str(schema), str(table))
    same = bool(on_that_table) and _definition(conn, str(oid)) == _probe(conn, index, table_name)
    if same and valid:
        note(
            f"{where}: index {shown} exists already, exactly as this statement builds it "
            "(a run stopped after building it, before recording it): kept, not built again"
        )
        return False
    if same:
        note(
            f"{where}: index {shown} was left invalid by a build that did not finish: "
            "dropping it concurrently and building it again"
        )
        conn.execute(sql.SQL("DROP INDEX CONCURRENTLY {}").format(qualified))
        return True
    state = "valid" if valid else "invalid"
    raise MigrationError(
        f"{where}: index {shown} already exists ({state}), but not as this statement builds "
        f"it: {_described(conn, str(oid))}. It was not made by this migration, so it is "
        f"left alone. If it may go, drop it ({drop}) and run db.migrate again; otherwise "
        "give the migration's index another name."
    )


def _definition(conn: Connection, index: str) -> tuple[bool, str] | None:
    row = conn.execute(queries.load("index_definition"), {"index": index}).fetchone()
    return None if row is None else (bool(row[0]), str(row[1]))


def _described(conn: Connection, index: str) -> str:
    found = _definition(conn, index)
    if found is None:
        return "gone meanwhile"
    unique, definition = found
    return f"{'UNIQUE ' if unique else ''}{definition}"


def _probe(
    conn: Connection, index: ConcurrentIndex, table: sql.Identifier
) -> tuple[bool, str] | None:
    """The definition the statement gives, read from a build on an empty copy of the table.

    None if that build fails: then the statement cannot be shown to match anything.
    """
    statement = sql.SQL("CREATE {unique}INDEX {index} ON {table} {rest}").format(
        unique=sql.SQL("UNIQUE " if index.unique else ""),
        index=sql.Identifier(_PROBE_INDEX),
        table=sql.Identifier(_PROBE_TABLE),
        # The migration's own text, which is about to run as it is anyway.
        rest=sql.SQL(index.rest),
    )
    copy = sql.SQL("CREATE TEMPORARY TABLE {} (LIKE {})").format(
        sql.Identifier(_PROBE_TABLE), table
    )
    try:
        with conn.transaction(force_rollback=True):
            conn.execute(copy)
            conn.execute(statement)
            return _definition(conn, f"pg_temp.{_PROBE_INDEX}")
    except psycopg.Error:
        return None
