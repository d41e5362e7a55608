"""Differences between two catalogs turned into ordered statements.

:func:`plan_migration` compares the snapshots (as ``db.verify`` does), asks
the DDL writer of each kind for the statements of each difference, rebuilds
what depends on a replaced object, and orders everything by the
dependencies read from both databases. :func:`render_plan` prints the
result as an SQL file, each destructive statement marked with a comment.
"""

from __future__ import annotations

from dataclasses import replace

from norberts_db.catalog.compare import compare
from norberts_db.catalog.model import KIND_ORDER, Difference, ObjectKey
from norberts_db.migrations.catalog import Catalog
from norberts_db.migrations.ddl_columns import reset_default
from norberts_db.migrations.ddl_parts import is_foreign_key
from norberts_db.migrations.ddl_parts import replace as rebuild
from norberts_db.migrations.kinds import HANDLERS, RECREATABLE
from norberts_db.migrations.order import order_steps
from norberts_db.migrations.planner import PlanError, Planner, PlanOptions, needs_map
from norberts_db.migrations.steps import Plan, Step

__all__ = ["Plan", "PlanError", "PlanOptions", "Step", "plan_migration", "render_plan"]

_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}


def plan_migration(
    source: Catalog,
    target: Catalog,
    options: PlanOptions | None = None,
    *,
    source_name: str = "",
    target_name: str = "",
) -> Plan:
    """The steps that turn ``source`` into ``target``, in an order PostgreSQL accepts."""
    planner = Planner(source, target, options or PlanOptions())
    differences = compare(target.snapshot, source.snapshot)
    for difference in sorted(differences, key=_processing_order):
        _plan_difference(planner, difference)
    _rebuild_dependents(planner)
    _drop_providers_last(planner)
    foreign_keys = frozenset(key for key in target.snapshot.objects if is_foreign_key(planner, key))
    steps = order_steps(
        planner.steps,
        source_needs=needs_map(source),
        target_needs=needs_map(target),
        foreign_keys=foreign_keys,
    )
    return Plan(steps=tuple(_unchecked_bodies(steps)), source=source_name, target=target_name)


_ROUTINES = frozenset({"function", "procedure", "aggregate", "window function"})


def _unchecked_bodies(steps: list[Step]) -> list[Step]:
    """Routines' bodies checked when they run, not when they are created (as pg_dump does).

    PostgreSQL records no dependency for a body written as a string, so a
    routine is created before its possible users (CHECKs, defaults, indexes,
    views) and may be created before the tables and routines its body names.
    The setting is local to the migration's transaction.
    """
    if not any(step.key.kind in _ROUTINES and step.phase == "create" for step in steps):
        return steps
    at = sum(1 for step in steps if step.adds_enum_value)
    setting = Step(
        key=ObjectKey("setting", "check_function_bodies"),
        phase="create",
        sql="SET LOCAL check_function_bodies = off",
    )
    return [*steps[:at], setting, *steps[at:]]


def _processing_order(difference: Difference) -> tuple[int, str]:
    return (_RANK.get(difference.kind, len(_RANK)), difference.name)


def _plan_difference(p: Planner, difference: Difference) -> None:
    handler = HANDLERS.get(difference.kind)
    if handler is None:
        raise PlanError(
            f"{difference.kind} {difference.name}: this kind of object is not generated. "
            "Write this migration by hand."
        )
    if difference.status == "missing":
        handler.create(p, difference.key)
    elif difference.status == "unexpected":
        handler.drop(p, difference.key)
    else:
        p.altered.add(difference.key)
        handler.alter(p, difference.key, difference.changes)


def _rebuild_dependents(p: Planner) -> None:
    """Drop and create again whatever depends on an object the plan drops or replaces.

    A column that itself changes (to stop using a dropped type, say) needs
    nothing more: its own steps run before the drop, which comes last.

        A column whose type changes in place needs only its views, policies,
        triggers and routines rebuilt: PostgreSQL rebuilds its indexes and
        constraints itself.
    """
    work = sorted(p.dropped | p.replaced | p.retyped)
    seen = set(work)
    while work:
        key = work.pop()
        for edge in p.dependents(key):
            dependent = edge.dependent
            if _settled(p, dependent) or not p.target.has(dependent):
                continue
            in_place = key in p.retyped and key not in p.dropped | p.replaced
            if in_place and dependent.kind in ("index", "constraint", "column"):
                continue
            if dependent.kind == "column":
                _column_dependent(p, key, edge.through_default, dependent)
                continue
            moved = p.target.attrs(dependent).get("schema") != key.name
            if dependent.kind == "extension" and key.kind == "schema" and moved:
                continue  # moved out of the schema by its own ALTER EXTENSION ... SET SCHEMA
            if dependent.kind not in RECREATABLE:
                raise PlanError(
                    f"{dependent.kind} {dependent.name} depends on {key.kind} {key.name}, which "
                    "this migration drops or re-creates. Write this migration by hand."
                )
            rebuild(p, dependent)
            if dependent not in seen:
                seen.add(dependent)
                work.append(dependent)


# Kinds other objects use rather than belong to. Dropped for good (not
# replaced), they go last, once the columns, defaults and routines that used
# them have been changed.
_PROVIDERS = frozenset(
    {
        "schema",
        "extension",
        "collation",
        "enum",
        "composite type",
        "range type",
        "domain",
        "sequence",
        "function",
        "procedure",
        "aggregate",
        "window function",
    }
)


def _drop_providers_last(p: Planner) -> None:
    p.steps[:] = [
        replace(step, phase="cleanup")
        if step.phase == "drop"
        and step.key.kind in _PROVIDERS
        and step.key not in p.replaced
        and not _needs_dropped_relation(p, step.key)
        and not _serial_becomes_identity(p, step.key)
        else step
        for step in p.steps
    ]


def _serial_becomes_identity(p: Planner, key: ObjectKey) -> bool:
    """A serial's sequence whose column becomes an identity: it goes before the identity comes."""
    owned_by = p.source.attrs(key).get("owned_by") if key.kind == "sequence" else None
    if not owned_by:
        return False
    column = ObjectKey("column", owned_by)
    was, will = p.source.detail(column), p.target.detail(column)
    return bool(will.get("identity")) and not was.get("identity")


def _needs_dropped_relation(p: Planner, key: ObjectKey) -> bool:
    """A routine that uses a table or view this plan drops (its row type, a SQL-standard body).

    It goes before them, as drops go, or the table's drop would be refused.
    """
    if key.kind not in _ROUTINES:
        return False
    relations = ("table", "view", "materialized view", "column")
    return any(used.kind in relations and used in p.dropped for used in p.uses(key, p.source))


def _settled(p: Planner, key: ObjectKey) -> bool:
    return key in p.dropped or key in p.replaced or p.goes_with_parent(key)


def _column_dependent(p: Planner, key: ObjectKey, through_default: bool, column: ObjectKey) -> None:
    if through_default:
        if column not in p.altered or key in p.replaced:
            reset_default(p, column)
    elif column not in p.converted and (column not in p.altered or key in p.replaced):
        raise PlanError(
            f"column {column.name} depends on {key.kind} {key.name}, which this migration "
            "drops or re-creates. Write this migration by hand."
        )


# -- rendering ----------------------------------------------------------------------------------


def render_plan(plan: Plan, *, header: str = "") -> str:
    """The plan as an SQL file: one statement per step, destructive ones marked."""
    lines: list[str] = [header.rstrip()] if header else []
    for step in plan.steps:
        block: list[str] = []
        if step.destructive:
            block.append(f"-- DESTRUCTIVE: {step.destructive}")
        if step.note:
            block.append(f"-- {step.note}")
        if step.adds_enum_value:
            block.append("-- Committed before the rest: a new enum value is usable only after.")
        if step.concurrently:
            block.append("-- Runs outside a transaction (CONCURRENTLY).")
        block.append(step.sql + ";")
        lines.append("\n".join(block))
    return "\n\n".join(lines) + "\n"
