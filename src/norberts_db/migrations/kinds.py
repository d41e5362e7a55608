"""Which DDL writer handles which object kind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations import (
    ddl_aggregates,
    ddl_base_types,
    ddl_casts,
    ddl_columns,
    ddl_default_privileges,
    ddl_foreign,
    ddl_foreign_tables,
    ddl_indexes,
    ddl_misc,
    ddl_operators,
    ddl_parts,
    ddl_publications,
    ddl_routines,
    ddl_sequences,
    ddl_tables,
    ddl_text_search,
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
_TEXT_SEARCH = Handler(
    ddl_text_search.create_object, ddl_text_search.drop_object, ddl_text_search.alter_object
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
    "sequence": Handler(
        ddl_sequences.create_sequence, ddl_sequences.drop_sequence, ddl_sequences.alter_sequence
    ),
    "table": Handler(ddl_tables.create_table, ddl_tables.drop_table, ddl_tables.alter_table),
    "column": Handler(ddl_columns.create_column, ddl_columns.drop_column, ddl_columns.alter_column),
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
    "aggregate": Handler(
        ddl_aggregates.create_aggregate,
        ddl_aggregates.drop_aggregate,
        ddl_aggregates.alter_aggregate,
    ),
    "window function": _ROUTINE,
    "event trigger": Handler(
        ddl_misc.create_event_trigger, ddl_misc.drop_event_trigger, ddl_misc.alter_event_trigger
    ),
    "publication": Handler(
        ddl_publications.create_publication,
        ddl_publications.drop_publication,
        ddl_publications.alter_publication,
    ),
    "subscription": Handler(
        ddl_publications.create_subscription,
        ddl_publications.drop_subscription,
        ddl_publications.alter_subscription,
    ),
    "foreign data wrapper": Handler(
        ddl_foreign.create_wrapper, ddl_foreign.drop_wrapper, ddl_foreign.alter_wrapper
    ),
    "server": Handler(ddl_foreign.create_server, ddl_foreign.drop_server, ddl_foreign.alter_server),
    "user mapping": Handler(
        ddl_foreign.create_user_mapping,
        ddl_foreign.drop_user_mapping,
        ddl_foreign.alter_user_mapping,
    ),
    "foreign table": Handler(
        ddl_foreign_tables.create_foreign_table,
        ddl_foreign_tables.drop_foreign_table,
        ddl_foreign_tables.alter_foreign_table,
    ),
    "operator": Handler(
        ddl_operators.create_operator, ddl_operators.drop_operator, ddl_operators.alter_operator
    ),
    "operator family": Handler(
        ddl_operators.create_family, ddl_operators.drop_family, ddl_operators.alter_family
    ),
    "operator class": Handler(
        ddl_operators.create_class, ddl_operators.drop_class, ddl_operators.alter_class
    ),
    "cast": Handler(ddl_casts.create_cast, ddl_casts.drop_cast, ddl_casts.alter_cast),
    "conversion": Handler(
        ddl_casts.create_conversion, ddl_casts.drop_conversion, ddl_casts.alter_conversion
    ),
    "language": Handler(
        ddl_casts.create_language, ddl_casts.drop_language, ddl_casts.alter_language
    ),
    "text search parser": _TEXT_SEARCH,
    "text search template": _TEXT_SEARCH,
    "text search dictionary": _TEXT_SEARCH,
    "text search configuration": _TEXT_SEARCH,
    "text search mapping": Handler(
        ddl_text_search.create_mapping,
        ddl_text_search.drop_mapping,
        ddl_text_search.alter_mapping,
    ),
    "base type": Handler(
        ddl_base_types.create_base_type,
        ddl_base_types.drop_base_type,
        ddl_base_types.alter_base_type,
    ),
    "shell type": Handler(
        ddl_base_types.create_shell, ddl_base_types.drop_shell, ddl_base_types.alter_shell
    ),
    "default privileges": Handler(
        ddl_default_privileges.create_default_privileges,
        ddl_default_privileges.drop_default_privileges,
        ddl_default_privileges.alter_default_privileges,
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
        "operator",
        "operator class",
        "cast",
        "conversion",
        "text search configuration",
        "text search dictionary",
        "publication",
    }
)
