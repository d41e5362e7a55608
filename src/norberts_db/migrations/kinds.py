"""Which DDL writer handles which object kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations import (
    ddl_indexes,
    ddl_misc,
    ddl_parts,
    ddl_routines,
    ddl_tables,
    ddl_types,
)
from norberts_db.migrations.planner import Planner


@dataclass(frozen=True)
class Handler:
    create: Callable[[Planner, ObjectKey], None]
    drop: Callable[[Planner, ObjectKey], None]
    alter: Callable[[Planner, ObjectKey, tuple[Change, ...]], None]


_ROUTINE = Handler(
    ddl_routines.create_routine, ddl_routines.drop_routine, ddl_routines.alter_routine
)
_VIEW = Handler(ddl_misc.create_view, ddl_misc.drop_view, ddl_misc.alter_view)

HANDLERS: dict[str, Handler] = {
    "schema": Handler(ddl_misc.create_schema, ddl_misc.drop_schema, ddl_misc.alter_with_comment),
    "extension": Handler(
        ddl_misc.create_extension, ddl_misc.drop_extension, ddl_misc.alter_extension
    ),
    "collation": Handler(
        ddl_misc.create_collation, ddl_misc.drop_collation, ddl_misc.alter_collation
    ),
    "enum": Handler(ddl_types.create_enum, ddl_types.drop_type, ddl_types.alter_enum),
    "composite type": Handler(
        ddl_types.create_composite, ddl_types.drop_type, ddl_types.alter_composite
    ),
    "range type": Handler(ddl_types.create_range, ddl_types.drop_type, ddl_types.alter_range),
    "domain": Handler(ddl_types.create_domain, ddl_types.drop_type, ddl_types.alter_domain),
    "sequence": Handler(ddl_misc.create_sequence, ddl_misc.drop_sequence, ddl_misc.alter_sequence),
    "table": Handler(ddl_tables.create_table, ddl_tables.drop_table, ddl_tables.alter_table),
    "column": Handler(ddl_tables.create_column, ddl_tables.drop_column, ddl_tables.alter_column),
    "constraint": Handler(
        ddl_parts.create_constraint, ddl_parts.drop_constraint, ddl_parts.alter_constraint
    ),
    "index": Handler(ddl_indexes.create_index, ddl_indexes.drop_index, ddl_indexes.alter_index),
    "trigger": Handler(ddl_parts.create_trigger, ddl_parts.drop_trigger, ddl_parts.alter_trigger),
    "policy": Handler(ddl_parts.create_policy, ddl_parts.drop_policy, ddl_parts.alter_policy),
    "rule": Handler(ddl_parts.create_rule, ddl_parts.drop_rule, ddl_parts.alter_rule),
    "statistics": Handler(
        ddl_misc.create_statistics, ddl_misc.drop_statistics, ddl_misc.alter_statistics
    ),
    "view": _VIEW,
    "materialized view": _VIEW,
    "function": _ROUTINE,
    "procedure": _ROUTINE,
    "aggregate": _ROUTINE,
    "window function": _ROUTINE,
    "event trigger": Handler(
        ddl_misc.create_event_trigger, ddl_misc.drop_event_trigger, ddl_misc.alter_event_trigger
    ),
}

# Kinds the plan can drop and create again when something they depend on is replaced.
RECREATABLE = frozenset(
    {
        "constraint",
        "index",
        "trigger",
        "policy",
        "rule",
        "statistics",
        "view",
        "materialized view",
        "function",
        "procedure",
        "aggregate",
        "window function",
        "event trigger",
    }
)
