"""Ordering the steps of a plan by the dependencies between their objects.

A pure function, tested without a server. The order is:

1. ``ALTER TYPE ... ADD VALUE`` steps, which the runner commits before the
   rest, because a new enum value cannot be used in the transaction that
   added it;
2. drop steps, an object before anything it needs (read in the source);
3. create and alter steps, an object after everything it needs (read in
   the target);
4. cleanup steps: drops of types, functions, sequences, extensions and
   schemas that the steps before stopped using, ordered as drops;
5. ``CREATE INDEX CONCURRENTLY`` steps, which run outside a transaction, and
   the steps that must follow them (attaching a partition's index), in the
   order they were planned.

Within 2 and 3 the steps are otherwise in a fixed, readable order: by kind
(schemas, extensions, collations, types, functions, tables with their
parts, foreign keys, extended statistics, views, ...), then by name; steps
of one object keep the order they were planned in.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from norberts_db.catalog.model import CHILD_KINDS, ObjectKey
from norberts_db.migrations.quoting import parent_of
from norberts_db.migrations.steps import Step

# Rank of an object's kind in the readable order of a schema file.
_RANK = {
    kind: rank
    for rank, kind in enumerate(
        (
            "schema",
            "extension",
            "language",
            "collation",
            "enum",
            "composite type",
            "range type",
            "shell type",
            "domain",
            "function",
            "procedure",
            "aggregate",
            "window function",
            # Kinds made of functions, that columns, indexes and views may use.
            "base type",
            "operator",
            "operator family",
            "operator class",
            "cast",
            "conversion",
            "text search parser",
            "text search template",
            "text search dictionary",
            "text search configuration",
            "text search mapping",
            "sequence",
            "table",
            "foreign data wrapper",
            "server",
            "user mapping",
            "foreign table",
            "foreign key",
            "statistics",
            "view",
            "materialized view",
            "sequence owner",
            "event trigger",
        )
    )
}
_CHILD_RANK = {"column": 0, "constraint": 1, "index": 2, "trigger": 3, "policy": 4, "rule": 5}

Dependencies = Mapping[ObjectKey, Iterable[ObjectKey]]


def owner(key: ObjectKey) -> ObjectKey:
    """The table (or domain) a part belongs to; any other object owns itself."""
    if key.kind in CHILD_KINDS:
        return ObjectKey("table", parent_of(key.name))
    return key


def order_steps(
    steps: Sequence[Step],
    *,
    source_needs: Dependencies,
    target_needs: Dependencies,
    foreign_keys: frozenset[ObjectKey] = frozenset(),
) -> list[Step]:
    """The steps in an order PostgreSQL accepts; see the module docstring."""
    first = [s for s in steps if s.adds_enum_value]
    last = [s for s in steps if s.concurrently or s.late]
    drops = [s for s in steps if s.phase == "drop" and not s.adds_enum_value]
    creates = [
        s
        for s in steps
        if s.phase == "create" and not s.adds_enum_value and not s.concurrently and not s.late
    ]
    cleanups = [s for s in steps if s.phase == "cleanup"]
    return [
        *first,
        *_sorted(drops, source_needs, foreign_keys, reverse=True),
        *_sorted(creates, target_needs, foreign_keys, reverse=False),
        *_sorted(cleanups, source_needs, foreign_keys, reverse=True),
        *last,
    ]


def _priority(
    step: Step, index: int, foreign_keys: frozenset[ObjectKey], reverse: bool
) -> tuple[int, str, int, int]:
    top = owner(step.key)
    kind = "foreign key" if step.key in foreign_keys else top.kind
    rank = _RANK.get(kind, len(_RANK))
    sub = _CHILD_RANK.get(step.key.kind, -1) if top != step.key else -1
    if reverse:
        return (-rank, top.name, -sub, index)
    return (rank, top.name, sub, index)


def _sorted(
    steps: list[Step], needs: Dependencies, foreign_keys: frozenset[ObjectKey], *, reverse: bool
) -> list[Step]:
    """Kahn's algorithm, taking the ready step of lowest priority each time.

    ``reverse`` (drops): a step goes before the steps of the objects its own
    object needs. Otherwise a step goes after them. A cycle, which a
    consistent catalog does not have, is broken at the step of lowest priority.
    """
    by_key: dict[ObjectKey, list[int]] = defaultdict(list)
    for index, step in enumerate(steps):
        by_key[step.key].append(index)
    after: dict[int, set[int]] = defaultdict(set)  # index -> indexes that must come later
    for index, step in enumerate(steps):
        same = by_key[step.key]
        position = same.index(index)
        if position:
            after[same[position - 1]].add(index)
        required = {*needs.get(step.key, ()), *step.needs}
        if step.key.kind in CHILD_KINDS:
            required.add(owner(step.key))
        for other_key in required:
            # A part created or dropped with its table: its table's step stands for it.
            found = by_key.get(other_key) or by_key.get(owner(other_key)) or []
            for other in found:
                if other == index:
                    continue
                if reverse:
                    after[index].add(other)
                else:
                    after[other].add(index)
    blocked: dict[int, int] = defaultdict(int)
    for successors in after.values():
        for successor in successors:
            blocked[successor] += 1
    priority = [_priority(s, i, foreign_keys, reverse) for i, s in enumerate(steps)]
    ready = [(priority[i], i) for i in range(len(steps)) if not blocked[i]]
    heapq.heapify(ready)
    done: list[int] = []
    placed = [False] * len(steps)
    while len(done) < len(steps):
        if not ready:
            # A cycle: release the waiting step of lowest priority.
            waiting = min((priority[i], i) for i in range(len(steps)) if not placed[i])
            blocked[waiting[1]] = 0
            ready.append(waiting)
        _, index = heapq.heappop(ready)
        if placed[index]:
            continue
        placed[index] = True
        done.append(index)
        for successor in after[index]:
            blocked[successor] -= 1
            if blocked[successor] == 0 and not placed[successor]:
                heapq.heappush(ready, (priority[successor], successor))
    return [steps[i] for i in done]
