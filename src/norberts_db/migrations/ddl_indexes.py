"""Indexes: CREATE INDEX [CONCURRENTLY], DROP INDEX, and indexes of partitioned tables.

An index of a partitioned table is created ``ON ONLY`` the parent (as
``pg_get_indexdef`` writes it); each partition's index is then built on its
own (concurrently, when the plan builds indexes so) and attached to it. See
:mod:`norberts_db.migrations.partitioned`.
"""

from __future__ import annotations

import re

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, object_clause
from norberts_db.migrations.ddl_parts import replace
from norberts_db.migrations.partitioned import (
    children,
    comes_along,
    detached,
    inherited,
    parent_part,
    part_needs,
    rebuilt,
    table_of,
)
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import last_of, literal, parent_of, schema_of

_CREATE_INDEX = re.compile(r"^CREATE (UNIQUE )?INDEX ")
_ON_ONLY = " ON ONLY "


def create_index(p: Planner, key: ObjectKey) -> None:
    if inherited(p.target, key):
        if comes_along(p, key):
            comment(p, key, needs=part_needs(p, key))
        elif not rebuilt(p, parent_part(p.target, key)):
            _build(p, key)
            _attach(p, key)
        # Otherwise the parent's index, made by this plan, builds and attaches it.
        return
    _build(p, key)


def _build(p: Planner, key: ObjectKey) -> None:
    """CREATE INDEX, and for a partitioned table's index, its partitions' indexes attached."""
    definition = p.target.attrs(key)["definition"]
    table = table_of(key)
    concurrently = p.options.concurrently and p.source.has(table) and _ON_ONLY not in definition
    if concurrently:
        definition = _CREATE_INDEX.sub(
            lambda m: f"CREATE {m[1] or ''}INDEX CONCURRENTLY ", definition
        )
    attached = children(p, key) if _ON_ONLY in definition else []
    # New partitions first: created after the parent's index, each would get a copy of it.
    arriving = [table_of(child) for child in attached if p.is_new(table_of(child))]
    p.add(key, "create", definition, concurrently=concurrently, needs=arriving)
    _keep_replica_identity(p, key)
    text = p.target.attrs(key).get("comment")
    if concurrently and text is not None:
        # COMMENT ON runs inside the transaction, before the index exists: keep it with the index.
        clause = object_clause(key, p.target)
        p.add(key, "create", f"COMMENT ON {clause} IS {literal(text)}", concurrently=True)
    elif not concurrently:
        comment(p, key)
    for child in attached:
        if _made_again(p, child):
            p.replaced.add(child)
            _build(p, child)
        _attach(p, child)


def _made_again(p: Planner, child: ObjectKey) -> bool:
    """A partition's index that is missing once the parent's index exists again."""
    return (
        not p.source.has(child) or bool(inherited(p.source, child)) or _definition_changes(p, child)
    )


def _definition_changes(p: Planner, key: ObjectKey) -> bool:
    return p.source.attrs(key).get("definition") != p.target.attrs(key).get("definition")


def _attach(p: Planner, child: ObjectKey) -> None:
    """ALTER INDEX parent ATTACH PARTITION child (a no-op when it is attached already)."""
    parent = parent_part(p.target, child)
    if parent is None:
        return
    sql = (
        f"ALTER INDEX {schema_of(parent.name)}.{last_of(parent.name)} "
        f"ATTACH PARTITION {schema_of(child.name)}.{last_of(child.name)}"
    )
    if any(step.sql == sql for step in p.steps):
        return
    late = any(step.key == child and step.concurrently for step in p.steps)
    p.add(child, "create", sql, needs=part_needs(p, child), late=late)


def drop_index(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    if p.goes_with_parent(key):
        return
    drop = f"DROP INDEX {schema_of(key.name)}.{last_of(key.name)}"
    if inherited(p.source, key):
        # Goes with the parent's index; a detached partition keeps it, to be dropped after.
        if detached(p, table_of(key)):
            p.add(key, "create", drop, needs=[table_of(key)])
        return
    p.add(key, "drop", drop)


def alter_index(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes} - {"comment", "partition_of"}
    if _ON_ONLY in p.target.attrs(key).get("definition", ""):
        changed.discard("validity")  # valid once its partitions' indexes are attached
    was, will = inherited(p.source, key), inherited(p.target, key)
    if was or will:
        _alter_partition_index(p, key, was=bool(was), will=bool(will))
    elif changed:
        replace(p, key)
        return
    if key not in p.replaced and any(change.attribute == "comment" for change in changes):
        comment(p, key, clear=True)


def _alter_partition_index(p: Planner, key: ObjectKey, *, was: bool, will: bool) -> None:
    parent = parent_part(p.target if will else p.source, key)
    differs = _definition_changes(p, key)
    if will and rebuilt(p, parent):
        if differs and not was:
            p.add(key, "drop", f"DROP INDEX {schema_of(key.name)}.{last_of(key.name)}")
        return  # the parent's index builds or attaches it
    if was and will:
        if differs and parent is not None:
            replace(p, parent)
        return
    if will:
        if differs:
            p.add(key, "drop", f"DROP INDEX {schema_of(key.name)}.{last_of(key.name)}")
            _build(p, key)
        _attach(p, key)
        return
    if detached(p, table_of(key)):
        if differs:
            p.add(key, "create", f"DROP INDEX {schema_of(key.name)}.{last_of(key.name)}")
            _build(p, key)
        return
    # An index cannot be detached: the parent's is made again without it, and it alone after.
    if parent is not None and p.target.has(parent) and not rebuilt(p, parent):
        replace(p, parent)
    p.replaced.add(key)
    _build(p, key)


# -- replica identity ---------------------------------------------------------------------------


def replica_identity(p: Planner, key: ObjectKey, clause: str) -> None:
    """REPLICA IDENTITY as a step of its own, after the index it uses (new or made again)."""
    step = ObjectKey("table replica identity", key.name)
    if any(planned.key == step for planned in p.steps):
        return
    index = p.target.detail(key).get("replica_index")
    p.add(
        step,
        "create",
        f"ALTER TABLE {key.name} REPLICA IDENTITY {clause}",
        needs=[key, ObjectKey("index", f"{key.name}.{index}")] if index else [key],
    )


def _keep_replica_identity(p: Planner, key: ObjectKey) -> None:
    """An index made again stops being the replica identity: say it is again once rebuilt."""
    table = ObjectKey("table", parent_of(key.name))
    if not p.source.has(key) or p.target.detail(table).get("replica_index") != last_of(key.name):
        return
    replica_identity(p, table, f"USING INDEX {last_of(key.name)}")
