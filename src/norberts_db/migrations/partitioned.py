"""What partitions inherit from their parent table, and which statement makes each part.

A partition gets its parent's keys, unique constraints, CHECKs, foreign
keys and row triggers from PostgreSQL: when the parent's part is added, when
the partition is created or attached. Those are never created (or dropped)
on the partition itself; the snapshot names each one's parent part
(``inherited_from`` of constraints and triggers, ``partition_of`` of indexes).

Indexes are the exception that the generator builds itself. An index of a
partitioned table is created ``ON ONLY`` the parent (so it is built once and
can be built concurrently partition by partition), then each partition's
index is built and attached with ``ALTER INDEX ... ATTACH PARTITION``, which
is what makes the parent's index valid.
"""

from __future__ import annotations

from norberts_db.catalog.model import ObjectKey
from norberts_db.migrations.catalog import Catalog
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import parent_of

_PARENT_ATTRIBUTE = {
    "index": "partition_of",
    "constraint": "inherited_from",
    "trigger": "inherited_from",
}


def inherited(catalog: Catalog, key: ObjectKey) -> str:
    """The parent part ``key`` comes from in ``catalog``; empty for a part of its own."""
    attribute = _PARENT_ATTRIBUTE.get(key.kind)
    return catalog.attrs(key).get(attribute, "") if attribute else ""


def parent_part(catalog: Catalog, key: ObjectKey) -> ObjectKey | None:
    """The parent's part as a key, when the catalog names it."""
    name = inherited(catalog, key)
    return ObjectKey(key.kind, name) if name and name != "the parent table" else None


def rebuilt(p: Planner, key: ObjectKey | None) -> bool:
    """The parent part is created by this plan (new, or dropped and created again)."""
    if key is None:
        return False
    if not p.source.has(key) or key in p.replaced:
        return p.target.has(key)
    old = {k: v for k, v in p.source.attrs(key).items() if k != "comment"}
    new = {k: v for k, v in p.target.attrs(key).items() if k != "comment"}
    for ignored in ("validated", "validity"):
        # Not made again for these: a constraint is validated in place, and an index of a
        # partitioned table is valid once its partitions' indexes are attached.
        old.pop(ignored, None)
        new.pop(ignored, None)
    return old != new


def table_of(key: ObjectKey) -> ObjectKey:
    return ObjectKey("table", parent_of(key.name))


def arrives(p: Planner, table: ObjectKey) -> bool:
    """The partition is created or attached by this plan: PostgreSQL gives it the parent's parts."""
    wanted = p.target.detail(table).get("partition_parent")
    if not wanted:
        return False
    return p.is_new(table) or p.source.detail(table).get("partition_parent") != wanted


def detached(p: Planner, table: ObjectKey) -> bool:
    """The partition stays, but no longer as a partition of its parent."""
    was = p.source.detail(table).get("partition_parent")
    return (
        bool(was) and p.target.has(table) and p.target.detail(table).get("partition_parent") != was
    )


def comes_along(p: Planner, key: ObjectKey) -> bool:
    """A part of the target that PostgreSQL makes itself, with its parent's part or partition."""
    if not inherited(p.target, key):
        return False
    if key.kind != "index":
        return True
    return not rebuilt(p, parent_part(p.target, key)) and arrives(p, table_of(key))


def children(p: Planner, parent: ObjectKey) -> list[ObjectKey]:
    """The target's parts attached to ``parent``."""
    return sorted(
        key
        for key in p.target.snapshot.objects
        if key.kind == parent.kind and inherited(p.target, key) == parent.name
    )


def part_needs(p: Planner, key: ObjectKey) -> list[ObjectKey]:
    """What a statement on an inherited part waits for: its partition and its parent's part."""
    parent = parent_part(p.target, key)
    return [table_of(key), *([parent] if parent else [])]
