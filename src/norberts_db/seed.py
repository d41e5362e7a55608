"""Development data: the seed file that ``db.reset`` loads after the schema, and ``db.seed``.

The seed runs in the transaction of the reset (or of ``db.seed``), under the
same lock and bounds, so a failing seed leaves the database exactly as it was.
It may write only to the tables the schema file creates: rows that land in a
table the drop script leaves alone would outlive every reset. Which tables it
wrote to, and how many rows it wrote, is read from
``pg_stat_xact_user_tables``, PostgreSQL's own count of this transaction's
writes, triggers included (so the audit log's rows show too).

``db.seed`` loads into a schema whose tables are all empty and refuses
otherwise: the seed is plain INSERTs, and loading it twice would duplicate
its rows (or fail on a unique key half-way). ``db.reset`` is the way to reload.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from norberts_db import queries
from norberts_db.errors import SqlFileError
from norberts_db.settings import Settings
from norberts_db.sqlfile import SqlScript, load_script, without_comments

Connection = psycopg.Connection[tuple[object, ...]]
TableName = tuple[str | None, str]
"""(schema, table) as PostgreSQL stores them; schema None when the file left it out."""

_IDENT = r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)'
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
_CREATE_TABLE = re.compile(
    r"^\s*CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?({_IDENT})(?:\s*\.\s*({_IDENT}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Seeding:
    """A seed to load, the tables it may write to, and whether they must be empty first."""

    script: SqlScript
    schema_tables: frozenset[TableName]
    schema_file: str
    into_empty: bool = False


@dataclass(frozen=True)
class SeedResult:
    """What the seed put in: rows per table it wrote to, in the order the tables were made."""

    path: str
    rows: tuple[tuple[str, int], ...]

    def summary(self) -> str:
        tables = ", ".join(f"{name} {count}" for name, count in self.rows)
        return f"seeded from {self.path}: {tables or 'no rows'}"


def seeding_for(settings: Settings, schema: SqlScript, *, wanted: bool) -> Seeding | None:
    """The seed of these settings, or None: not wanted, or the default file is absent.

    A seed path set on purpose (pyproject, environment, ``--seed``) must exist.
    """
    if not wanted or (not settings.seed_is_explicit and not settings.seed_path.exists()):
        return None
    script = load_script(settings.seed_path, what="seed file")
    return Seeding(script, created_tables(schema), schema.name)


def created_tables(schema: SqlScript) -> frozenset[TableName]:
    """The tables ``schema`` creates with CREATE TABLE, as (schema, name)."""
    found: set[TableName] = set()
    for statement in schema.statements:
        match = _CREATE_TABLE.match(without_comments(statement.text[:2000]))
        if match is None:
            continue
        first, second = (_identifier(part) for part in match.groups())
        found.add((first, second) if second is not None else (None, first or ""))
    return frozenset(found)


def load(
    conn: Connection, seeding: Seeding, run: Callable[[Connection, SqlScript], None]
) -> SeedResult:
    """Run the seed with ``run`` inside the caller's transaction and say what it wrote.

    Raises :class:`SqlFileError` when the seed wrote to a table the schema file
    does not create, or (``into_empty``) when the schema's tables already hold
    rows or are missing; the caller's transaction then rolls everything back.
    """
    if seeding.into_empty:
        _check_empty(conn, seeding)
    before = _writes(conn)
    run(conn, seeding.script)
    after = _writes(conn)
    written = [table for table, count in after.items() if count != before.get(table, 0)]
    foreign = [t for t in written if not _is_schema_table(t, seeding.schema_tables)]
    if foreign:
        names = ", ".join(_display(t) for t in foreign)
        raise SqlFileError(
            f"{seeding.script.name}: the seed file writes to {names}, which the schema file "
            f"{seeding.schema_file} does not create. Its rows would outlive every reset. Seed "
            "only the schema's own tables. Nothing was changed."
        )
    return SeedResult(_shown_path(seeding.script.path), tuple(_row_counts(conn, written)))


def _writes(conn: Connection) -> dict[tuple[str, str], int]:
    """Rows inserted, updated or deleted so far in this transaction, per table."""
    rows = conn.execute(queries.load("seed_writes")).fetchall()
    return {(str(schema), str(table)): int(str(count)) for schema, table, count in rows}


def _check_empty(conn: Connection, seeding: Seeding) -> None:
    for table in sorted(seeding.schema_tables, key=lambda t: (t[0] or "", t[1])):
        name = _display(table)
        found = conn.execute("SELECT to_regclass(%s)", [_regclass_text(table)]).fetchone()
        if found is None or found[0] is None:
            raise SqlFileError(
                f"The database has no table {name}, which {seeding.schema_file} creates, so "
                "the seed has nothing to load into. Create the schema first: `invoke db.reset` "
                "drops everything, creates the schema and loads the seed. Nothing was changed."
            )
        has_rows = conn.execute(
            sql.SQL("SELECT EXISTS (SELECT FROM {})").format(_composed(table))
        ).fetchone()
        if has_rows is not None and has_rows[0]:
            raise SqlFileError(
                f"Table {name} already holds rows, and {seeding.script.name} is written for an "
                "empty schema: loading it again would duplicate its rows. To start over with "
                "the seed, run `invoke db.reset` (it drops everything, creates the schema and "
                "loads the seed). Nothing was changed."
            )


def _row_counts(conn: Connection, tables: Iterable[tuple[str, str]]) -> Iterable[tuple[str, int]]:
    for schema, table in tables:
        row = conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
        ).fetchone()
        shown = table if schema == "public" else f"{schema}.{table}"
        yield shown, int(str(row[0])) if row is not None else 0


def _shown_path(path: Path) -> str:
    """The seed's path as the user would type it: relative to the working folder when inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _is_schema_table(table: tuple[str, str], schema_tables: frozenset[TableName]) -> bool:
    return table in schema_tables or (None, table[1]) in schema_tables


def _identifier(part: str | None) -> str | None:
    if part is None:
        return None
    if part.startswith('"'):
        return part[1:-1].replace('""', '"')
    return part.lower()


def _display(table: TableName | tuple[str, str]) -> str:
    """``schema.name`` as one would type it: quoted only where SQL needs the quotes."""
    return ".".join(_shown(part) for part in table if part is not None)


def _shown(part: str) -> str:
    return part if _PLAIN.fullmatch(part) else sql.Identifier(part).as_string()


def _composed(table: TableName) -> sql.Identifier:
    schema, name = table
    return sql.Identifier(schema, name) if schema is not None else sql.Identifier(name)


def _regclass_text(table: TableName) -> str:
    return _composed(table).as_string()
