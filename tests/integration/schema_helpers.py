"""Row factories, assertions and catalog look-ups for the schema behaviour tests.

The factories insert the smallest valid row of a table, creating the parent rows
it needs, so that a test only spells out the values its behaviour is about.

The catalog look-ups let each area's meta-test compare what the schema defines
(CHECK constraints, enums, unique indexes, foreign keys, triggers) with the
test's table of cases, so that a new object without a test fails the suite.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, LiteralString, TypeVar

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from norberts_db.conninfo import ConnInfo

Connection = psycopg.Connection[dict[str, Any]]
Row = dict[str, Any]
E = TypeVar("E", bound=psycopg.Error)

# Tables whose primary key is not the identity column ``id``.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {"customer_people": ("customer_id", "person_id")}

# A key no identity column reaches in a test: a parent row that does not exist.
MISSING_ID = 2**62

_serial = itertools.count(1)


def connect(info: ConnInfo) -> Connection:
    """An autocommit connection: each statement outside ``conn.transaction()`` commits alone."""
    return psycopg.connect(**info.connect_kwargs(), autocommit=True, row_factory=dict_row)


# Every table of the user's schemas, partitions included.
USER_TABLES = """
SELECT n.nspname, c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY 1, 2
"""
# The TRUNCATE that empties a database of connect_emptied, by database: its
# cases change only rows, so its tables stay the ones read first.
_EMPTYING: dict[ConnInfo, sql.Composed] = {}


def connect_emptied(info: ConnInfo) -> Connection:
    """:func:`connect` to a database whose every table was just emptied, identities restarted.

    For the modules whose cases count rows, delete and fire triggers but
    change nothing but rows: they share one database (``module_schema_db``),
    and each case finds the tables as a new clone of the schema has them. One
    TRUNCATE costs the server a few ms; a clone of its own, its first login
    and its drop about 30.
    """
    conn = connect(info)
    try:
        if info not in _EMPTYING:
            tables = [
                sql.Identifier(row["nspname"], row["relname"])
                for row in conn.execute(USER_TABLES).fetchall()
            ]
            assert tables, f"database {info.dbname} holds no table to empty"
            _EMPTYING[info] = sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                sql.SQL(", ").join(tables)
            )
        conn.execute(_EMPTYING[info])
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def violates(error: type[E], constraint: str | None = None) -> Iterator[pytest.ExceptionInfo[E]]:
    """Expect ``error``; with ``constraint``, also that the server named that constraint."""
    with pytest.raises(error) as info:
        yield info
    if constraint is not None:
        diag = info.value.diag
        assert diag.constraint_name == constraint, diag.message_primary


# ---------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------


def _table(table: str) -> sql.Identifier:
    return sql.Identifier("public", table)


def _where(pk: Mapping[str, object]) -> sql.Composed:
    return sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Literal(value))
        for column, value in pk.items()
    )


def insert(
    conn: Connection, table: str, values: Mapping[str, object], *, overriding: bool = False
) -> Row:
    """Insert one row and return it as stored. ``overriding`` lets a test choose the id."""
    query = sql.SQL("INSERT INTO {} ({}) {}VALUES ({}) RETURNING *").format(
        _table(table),
        sql.SQL(", ").join(sql.Identifier(column) for column in values),
        sql.SQL("OVERRIDING SYSTEM VALUE " if overriding else ""),
        sql.SQL(", ").join(sql.Placeholder() * len(values)),
    )
    row = conn.execute(query, list(values.values())).fetchone()
    assert row is not None
    return row


def update(
    conn: Connection, table: str, pk: Mapping[str, object], values: Mapping[str, object]
) -> Row:
    query = sql.SQL("UPDATE {} SET {} WHERE {} RETURNING *").format(
        _table(table),
        sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder())
            for column in values
        ),
        _where(pk),
    )
    row = conn.execute(query, list(values.values())).fetchone()
    assert row is not None, f"no {table} row {dict(pk)}"
    return row


def delete(conn: Connection, table: str, pk: Mapping[str, object]) -> None:
    query = sql.SQL("DELETE FROM {} WHERE {}").format(_table(table), _where(pk))
    assert conn.execute(query).rowcount == 1, f"no {table} row {dict(pk)}"


def fetch(conn: Connection, table: str, pk: Mapping[str, object]) -> Row | None:
    query = sql.SQL("SELECT * FROM {} WHERE {}").format(_table(table), _where(pk))
    return conn.execute(query).fetchone()


def image(conn: Connection, table: str, pk: Mapping[str, object]) -> object:
    """The row as ``to_jsonb`` renders it, which is what the audit trigger stores."""
    query = sql.SQL("SELECT to_jsonb(t) AS image FROM {} AS t WHERE {}").format(
        _table(table), _where(pk)
    )
    row = conn.execute(query).fetchone()
    assert row is not None, f"no {table} row {dict(pk)}"
    return row["image"]


def count(conn: Connection, table: str) -> int:
    row = conn.execute(sql.SQL("SELECT count(*) AS n FROM {}").format(_table(table))).fetchone()
    assert row is not None
    return int(row["n"])


def transaction_time(conn: Connection) -> object:
    """``now()``: the start time of the current transaction."""
    row = conn.execute("SELECT now() AS now").fetchone()
    assert row is not None
    return row["now"]


def pk_of(table: str, row: Mapping[str, object]) -> dict[str, object]:
    return {column: row[column] for column in PRIMARY_KEYS.get(table, ("id",))}


# ---------------------------------------------------------------------------
# Valid rows
# ---------------------------------------------------------------------------

# The columns and values that make a part of each type valid with nothing else set.
MINIMAL_PARTS: dict[str, dict[str, object]] = {
    "text": {"text_content": "Hello, Norbert."},
    "reasoning": {"text_content": "The user asks about the renewal date."},
    "tool_call": {
        "tool_call_id": "call_1",
        "tool_name": "find_customer",
        "tool_input": Jsonb({"name": "Acme"}),
    },
    "tool_result": {"tool_call_id": "call_1", "tool_output": Jsonb({"customer_id": 7})},
    "file": {"url": "https://files.example.com/offer.pdf", "media_type": "application/pdf"},
    "image": {"url": "data:image/png;base64,iVBORw0KGgo=", "media_type": "image/png"},
}

# audit_log rows must carry the row images that fit their action.
AUDIT_IMAGES: dict[str, dict[str, object]] = {
    "insert": {"old_row": None, "new_row": Jsonb({"id": 1})},
    "update": {"old_row": Jsonb({"id": 1}), "new_row": Jsonb({"id": 1})},
    "delete": {"old_row": Jsonb({"id": 1}), "new_row": None},
}


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}{next(_serial)}@example.com"


# The parent each foreign-key column of a valid row refers to.
PARENTS: dict[str, dict[str, str]] = {
    "customer_people": {"customer_id": "customers", "person_id": "people"},
    "chats": {"user_id": "users"},
    "messages": {"chat_id": "chats"},
    "ai_options": {"message_id": "messages"},
    "parts": {"message_id": "messages"},
}

# Values that, with the parents above, make a valid row.
_REQUIRED: dict[str, dict[str, object]] = {
    "users": {"display_name": "Ann Example"},
    "customers": {"display_name": "Acme Ltd"},
    "people": {"first_name": "Pat"},
    "customer_people": {},
    "chats": {},
    "messages": {"message_role": "assistant"},
    "ai_options": {"provider_name": "openai", "model_name": "gpt-4o"},
    "parts": {"ordinal": 0, "part_type": "text", **MINIMAL_PARTS["text"]},
    "audit_log": {
        "table_name": "users",
        "audit_action": "insert",
        "row_pk": Jsonb({"id": 1}),
        **AUDIT_IMAGES["insert"],
    },
}


def valid_values(conn: Connection, table: str, **given: object) -> dict[str, object]:
    """The fewest values that make a valid ``table`` row, with ``given`` replacing or adding
    columns. A parent row is created for each foreign key that ``given`` does not set."""
    if table not in _REQUIRED:
        raise AssertionError(f"no valid row known for table {table!r}")
    values = dict(_REQUIRED[table])
    if table == "users":
        values["email"] = unique_email()
    for column, parent in PARENTS.get(table, {}).items():
        if column not in given:
            values[column] = new_row(conn, parent)["id"]
    values.update(given)
    return values


def new_row(conn: Connection, table: str, **values: object) -> Row:
    """Insert a valid ``table`` row, with ``values`` replacing or adding columns."""
    return insert(conn, table, valid_values(conn, table, **values))


def new_part(conn: Connection, part_type: str, **values: object) -> Row:
    """Insert a valid part of ``part_type``, with ``values`` replacing or adding columns."""
    typed = {"text_content": None, "part_type": part_type, **MINIMAL_PARTS[part_type]}
    return new_row(conn, "parts", **{**typed, **values})


# ---------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------


def _rows(
    conn: Connection, query: LiteralString, params: Sequence[object] | Mapping[str, object] = ()
) -> list[Row]:
    return conn.execute(query, params).fetchall()


def check_constraints(conn: Connection) -> dict[str, str]:
    """CHECK constraint name -> the table (or domain) it belongs to."""
    rows = _rows(
        conn,
        """
        SELECT co.conname AS name, coalesce(c.relname, t.typname) AS owner
        FROM pg_catalog.pg_constraint AS co
        JOIN pg_catalog.pg_namespace AS n ON n.oid = co.connamespace
        LEFT JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid
        LEFT JOIN pg_catalog.pg_type AS t ON t.oid = co.contypid
        WHERE n.nspname = 'public' AND co.contype = 'c'
        """,
    )
    return {row["name"]: row["owner"] for row in rows}


def not_null_columns(conn: Connection) -> set[tuple[str, str]]:
    """(table, column) of every NOT NULL column a caller can write (identity columns left out)."""
    rows = _rows(
        conn,
        "SELECT c.relname AS table_name, a.attname AS column_name"
        " FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid"
        " JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0"
        " AND NOT a.attisdropped AND a.attnotnull AND a.attidentity = ''",
    )
    return {(row["table_name"], row["column_name"]) for row in rows}


def enums(conn: Connection) -> dict[str, tuple[str, ...]]:
    """Enum type name -> its labels in sort order."""
    rows = _rows(
        conn,
        """
        SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
        FROM pg_catalog.pg_type AS t
        JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
        JOIN pg_catalog.pg_enum AS e ON e.enumtypid = t.oid
        WHERE n.nspname = 'public'
        GROUP BY t.typname
        """,
    )
    return {row["name"]: tuple(row["labels"]) for row in rows}


def enum_columns(conn: Connection) -> dict[tuple[str, str], str]:
    """(table, column) -> enum type name, for every column of an enum type."""
    rows = _rows(
        conn,
        "SELECT c.relname AS table_name, a.attname AS column_name, t.typname AS enum_name"
        " FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid"
        " JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace"
        " JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid"
        " WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0"
        " AND NOT a.attisdropped AND t.typtype = 'e'",
    )
    return {(row["table_name"], row["column_name"]): row["enum_name"] for row in rows}


def unique_indexes(conn: Connection) -> dict[str, str]:
    """Unique index name (primary keys and unique constraints included) -> its definition."""
    rows = _rows(
        conn,
        """
        SELECT ic.relname AS name, pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_catalog.pg_index AS i
        JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = ic.relnamespace
        WHERE n.nspname = 'public' AND i.indisunique
        """,
    )
    return {row["name"]: row["definition"] for row in rows}


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    on_delete: str
    on_update: str
    deferrable: bool


_FK_ACTIONS = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
}


def foreign_keys(conn: Connection) -> dict[str, ForeignKey]:
    rows = _rows(
        conn,
        """
        SELECT co.conname AS name, c.relname AS table_name, p.relname AS parent,
            ARRAY(
                SELECT a.attname FROM unnest(co.conkey) WITH ORDINALITY AS k (attnum, i)
                JOIN pg_catalog.pg_attribute AS a
                    ON a.attrelid = co.conrelid AND a.attnum = k.attnum
                ORDER BY k.i
            ) AS columns,
            ARRAY(
                SELECT a.attname FROM unnest(co.confkey) WITH ORDINALITY AS k (attnum, i)
                JOIN pg_catalog.pg_attribute AS a
                    ON a.attrelid = co.confrelid AND a.attnum = k.attnum
                ORDER BY k.i
            ) AS parent_columns,
            co.confdeltype AS on_delete, co.confupdtype AS on_update,
            co.condeferrable AS deferrable
        FROM pg_catalog.pg_constraint AS co
        JOIN pg_catalog.pg_namespace AS n ON n.oid = co.connamespace
        JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid
        JOIN pg_catalog.pg_class AS p ON p.oid = co.confrelid
        WHERE n.nspname = 'public' AND co.contype = 'f'
        """,
    )
    return {
        row["name"]: ForeignKey(
            table=row["table_name"],
            columns=tuple(row["columns"]),
            parent=row["parent"],
            parent_columns=tuple(row["parent_columns"]),
            on_delete=_FK_ACTIONS[row["on_delete"]],
            on_update=_FK_ACTIONS[row["on_update"]],
            deferrable=row["deferrable"],
        )
        for row in rows
    }


@dataclass(frozen=True)
class Trigger:
    table: str
    name: str
    function: str
    timing: str  # "before", "after" or "instead of"
    for_each: str  # "row" or "statement"
    events: frozenset[str]
    arguments: tuple[str, ...]


def triggers(conn: Connection) -> list[Trigger]:
    """User-defined triggers on public tables (not the internal ones behind foreign keys)."""
    rows = _rows(
        conn,
        """
        SELECT c.relname AS table_name, t.tgname AS name, p.proname AS function,
            t.tgtype AS tgtype, t.tgargs AS args, t.tgnargs AS nargs
        FROM pg_catalog.pg_trigger AS t
        JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid
        WHERE n.nspname = 'public' AND NOT t.tgisinternal
        """,
    )
    return [_trigger(row) for row in rows]


def _trigger(row: Row) -> Trigger:
    # tgtype bits, from PostgreSQL's catalog/pg_trigger.h.
    tgtype = int(row["tgtype"])
    timing = "instead of" if tgtype & 64 else "before" if tgtype & 2 else "after"
    bits = {"insert": 4, "delete": 8, "update": 16, "truncate": 32}
    events = frozenset(event for event, bit in bits.items() if tgtype & bit)
    raw = bytes(row["args"])
    arguments = tuple(arg.decode() for arg in raw.split(b"\x00")[: int(row["nargs"])])
    return Trigger(
        table=row["table_name"],
        name=row["name"],
        function=row["function"],
        timing=timing,
        for_each="row" if tgtype & 1 else "statement",
        events=events,
        arguments=arguments,
    )


def primary_keys(conn: Connection) -> dict[str, tuple[str, ...]]:
    """Table -> its primary key columns in key order."""
    rows = _rows(
        conn,
        """
        SELECT c.relname AS table_name,
            ARRAY(
                SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY AS k (attnum, pos)
                JOIN pg_catalog.pg_attribute AS a
                    ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                ORDER BY k.pos
            ) AS columns
        FROM pg_catalog.pg_index AS i
        JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND i.indisprimary
        """,
    )
    return {row["table_name"]: tuple(row["columns"]) for row in rows}


def tables_with_column(conn: Connection, column: str) -> set[str]:
    rows = _rows(
        conn,
        """
        SELECT c.relname AS name
        FROM pg_catalog.pg_class AS c
        JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attname = %s
            AND NOT a.attisdropped
        """,
        [column],
    )
    return {row["name"] for row in rows}


def columns(conn: Connection, table: str) -> set[str]:
    rows = _rows(
        conn,
        "SELECT a.attname AS name FROM pg_catalog.pg_attribute AS a"
        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        (f"public.{table}",),
    )
    return {row["name"] for row in rows}
