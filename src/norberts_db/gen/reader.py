"""Build the schema file in a scratch database and read it into a :class:`Catalog`.

The scratch database is made exactly as verify makes its shadow
(:func:`norberts_db.verify.temporary_database`), and the schema is applied and
read in one transaction that is rolled back. The dev database is never read.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from norberts_db.catalog import queries as catalog_queries
from norberts_db.catalog.model import Difference, ObjectKey
from norberts_db.catalog.snapshot import read_snapshot
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.gen import drop_order
from norberts_db.gen.model import (
    Catalog,
    Column,
    Constraint,
    Enum,
    Index,
    IndexKey,
    Sequence,
    StandaloneSequence,
    Table,
    Trigger,
)
from norberts_db.script_run import run_script
from norberts_db.sqlfile import SqlScript
from norberts_db.transactional import check_one_transaction
from norberts_db.verify import temporary_database

SCRATCH_PREFIX = "norberts_gen_"
_HERE = Path(__file__).parent / "queries"

Row = dict[str, Any]
Connection = psycopg.Connection[tuple[object, ...]]


@cache
def load(name: str) -> str:
    """The text of ``gen/queries/<name>.sql``."""
    return (_HERE / f"{name}.sql").read_text(encoding="utf-8")


def build_catalog(server: ConnInfo, schema: SqlScript, *, source: str) -> Catalog:
    """The catalog of what ``schema`` creates, read from a scratch database on ``server``.

    ``source`` names the schema file in the generated files' headers.
    """
    check_one_transaction(schema)
    with (
        temporary_database(server, SCRATCH_PREFIX) as scratch,
        connect(scratch) as conn,
        conn.transaction(force_rollback=True),
    ):
        # Rolled back, so that its session settings (an empty search_path, UTC)
        # do not apply to the schema file, which is built as verify builds it.
        with conn.transaction(force_rollback=True):
            empty = read_snapshot(conn).objects
        run_script(conn, schema)
        conn.execute(catalog_queries.load("session"))
        catalog = read_catalog(conn)
        snapshot = read_snapshot(conn)
    # What an empty database has already is not the schema file's doing.
    made = {key: dict(attrs) for key, attrs in snapshot.objects.items() if empty.get(key) != attrs}
    return Catalog(
        schema_file=source,
        tables=catalog.tables,
        enums=catalog.enums,
        sequences=catalog.sequences,
        drop_order=catalog.drop_order,
        broken_foreign_keys=catalog.broken_foreign_keys,
        objects={key: made[key] for key in sorted(made, key=_report_order)},
    )


def _report_order(key: ObjectKey) -> tuple[object, ...]:
    """verify's report order: a table's parts follow the table, kind by kind."""
    return Difference(key.kind, key.name, "missing").sort_key()


def read_catalog(conn: Connection) -> Catalog:
    """Read the structured catalog on ``conn`` (inside the caller's transaction)."""
    with conn.cursor(row_factory=dict_row) as cur:
        tables = cur.execute(load("tables")).fetchall()
        relids = [row["oid"] for row in tables]
        parts = {
            name: _by_relid(cur.execute(load(name), {"relids": relids}).fetchall())
            for name in ("columns", "constraints", "indexes", "triggers")
        }
        enums = cur.execute(load("enums")).fetchall()
        sequences = cur.execute(load("sequences")).fetchall()
        objects = cur.execute(load("drop_objects")).fetchall()
        dependencies = cur.execute(load("drop_dependencies")).fetchall()
    ordered, broken = drop_order.order(objects, dependencies)
    return Catalog(
        schema_file="",
        tables=tuple(_table(row, parts) for row in tables),
        enums=tuple(
            Enum(r["schema"], r["name"], r["qualified"], tuple(r["labels"]), r["comment"])
            for r in enums
        ),
        sequences=tuple(
            StandaloneSequence(r["schema"], r["name"], r["qualified"], _sequence(r), r["comment"])
            for r in sequences
        ),
        drop_order=ordered,
        broken_foreign_keys=broken,
    )


def _by_relid(rows: list[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["relid"], []).append(row)
    return grouped


def _table(row: Row, parts: dict[str, dict[int, list[Row]]]) -> Table:
    oid = row["oid"]
    return Table(
        schema=row["schema"],
        name=row["name"],
        quoted_schema=row["quoted_schema"],
        qualified=row["qualified"],
        relkind=row["relkind"],
        comment=row["comment"],
        definition=row["definition"],
        columns=tuple(_column(r) for r in parts["columns"].get(oid, [])),
        constraints=tuple(_constraint(r) for r in parts["constraints"].get(oid, [])),
        indexes=tuple(_index(r) for r in parts["indexes"].get(oid, [])),
        triggers=tuple(
            Trigger(r["name"], r["definition"], r["comment"])
            for r in parts["triggers"].get(oid, [])
        ),
    )


def _sequence(row: Row) -> Sequence:
    return Sequence(
        type=row.get("seq_type") or row["type"],
        start=row["seq_start"],
        increment=row["seq_increment"],
        min=row["seq_min"],
        max=row["seq_max"],
        cache=row["seq_cache"],
        cycle=row["seq_cycle"],
    )


def _column(row: Row) -> Column:
    column = Column(
        name=row["name"],
        quoted=row["quoted"],
        type=row["type"],
        base_type=row["base_type"],
        base_type_schema=row["base_type_schema"],
        base_type_kind=row["base_type_kind"],
        is_array=row["is_array"],
        typmod=row["typmod"],
        not_null=row["not_null"],
        identity=row["identity"],
        generated=row["generated"],
        default=row["default_expr"],
        collation=row["collation"],
        comment=row["comment"],
        sequence_name=row["sequence_name"],
        sequence_relname=row["sequence_relname"],
        sequence_dependency=row["sequence_dependency"],
        default_sequence_name=row["default_sequence_name"],
        sequence=_sequence(row) if row["seq_start"] is not None else None,
    )
    if row["domain_base"] is None:
        return column
    base = replace(
        column,
        type=row["domain_base"] + ("[]" if column.is_array else ""),
        base_type=row["domain_base_type"],
        base_type_schema=row["domain_base_type_schema"],
        base_type_kind=row["domain_base_type_kind"],
        typmod=row["domain_base_typmod"],
    )
    return replace(column, domain_base=base)


def _constraint(row: Row) -> Constraint:
    return Constraint(
        name=row["name"],
        quoted=row["quoted"],
        type=row["type"],
        columns=tuple(row["columns"]),
        definition=row["definition"],
        ref_schema=row["ref_schema"],
        ref_table=row["ref_table"],
        ref_qualified=row["ref_qualified"] or "",
        ref_columns=tuple(row["ref_columns"]),
        on_update=row["on_update"],
        on_delete=row["on_delete"],
        match_type=row["match_type"],
        deferrable=row["deferrable"],
        deferred=row["deferred"],
        validated=row["validated"],
        nulls_not_distinct=row["nulls_not_distinct"],
        comment=row["comment"],
    )


def _index(row: Row) -> Index:
    keys = tuple(
        IndexKey(
            column=k["column"],
            quoted_column=k["quoted_column"],
            expression=k["expression"],
            opclass=k["opclass"],
            opclass_name=k["opclass_name"],
            desc=k["desc"],
            nulls_first=k["nulls_first"],
        )
        for k in json.loads(row["keys"])
    )
    return Index(
        name=row["name"],
        quoted=row["quoted"],
        unique=row["is_unique"],
        method=row["method"],
        keys=keys,
        include=tuple(row["include"]),
        predicate=row["predicate"],
        nulls_not_distinct=row["nulls_not_distinct"],
        options=row["options"] or None,
        definition=row["definition"],
        comment=row["comment"],
    )
