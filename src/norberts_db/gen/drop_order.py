"""The order in which to drop what a schema file made: every object after all that need it.

Pure logic over two catalog reads (``drop_objects.sql``, ``drop_dependencies.sql``):
a part of an object (a column, constraint, index, trigger, rule, owned
sequence, array type) counts as the object it belongs to, and an object needs
another when one of its parts has a normal dependency on one of the other's.
Among the objects that nothing left needs, views go first, then tables, then
routines, then types and the rest, each kind newest first: the reverse of the
order the schema file made them in, as a person would write it.

Foreign keys can make tables need each other in a cycle; such keys are
dropped first (``ALTER TABLE ... DROP CONSTRAINT``), which breaks it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from typing import Any

from norberts_db.errors import NorbertsDbError
from norberts_db.gen.model import DropObject

Ref = tuple[int, int]  # (classid, objid)

# Readability only: dependencies decide first.
KIND_RANK = {
    kind: rank
    for rank, kind in enumerate(
        (
            "event trigger",
            "publication",
            "materialized view",
            "view",
            "foreign table",
            "table",
            "sequence",
            "procedure",
            "function",
            "aggregate",
            "cast",
            "operator class",
            "operator family",
            "operator",
            "domain",
            "composite type",
            "type",
            "collation",
            "text search configuration",
            "text search dictionary",
            "text search template",
            "text search parser",
            "conversion",
            "server",
            "foreign-data wrapper",
            "access method",
            "language",
            "extension",
            "schema",
        )
    )
}

_PART_OF = frozenset({"i", "a", "e", "x"})


def order(
    objects: Iterable[Mapping[str, Any]], dependencies: Iterable[Mapping[str, Any]]
) -> tuple[tuple[DropObject, ...], tuple[tuple[str, str], ...]]:
    """The objects in drop order, and the foreign keys (table, name) to drop before them."""
    found = {
        (int(o["classid"]), int(o["objid"])): DropObject(
            str(o["type"]), str(o["identity"]), int(o["objid"])
        )
        for o in objects
    }
    deps = list(dependencies)
    owner_of: dict[Ref, Ref] = {}
    for d in deps:
        if d["deptype"] in _PART_OF:
            owner_of.setdefault((int(d["classid"]), int(d["objid"])), _ref(d))

    def top(ref: Ref) -> Ref | None:
        seen: set[Ref] = set()
        while ref not in found:
            if ref in seen or ref not in owner_of:
                return None
            seen.add(ref)
            ref = owner_of[ref]
        return ref

    # needs[a] = objects a needs; fk_edges[(a, b)] = foreign keys behind a -> b
    needs: dict[Ref, set[Ref]] = {ref: set() for ref in found}
    fk_edges: dict[tuple[Ref, Ref], set[tuple[str, str]]] = {}
    other_edges: set[tuple[Ref, Ref]] = set()
    for d in deps:
        if d["deptype"] != "n":
            continue
        source, target = top((int(d["classid"]), int(d["objid"]))), top(_ref(d))
        if source is None or target is None or source == target:
            continue
        needs[source].add(target)
        if d["fk_table"] is not None:
            fk_edges.setdefault((source, target), set()).add((d["fk_table"], d["fk_name"]))
        else:
            other_edges.add((source, target))

    # Break each cycle by the foreign keys that close it, one edge at a time
    # in a fixed order, until none is left: as few keys as that takes.
    broken: set[tuple[str, str]] = set()
    breakable = sorted(
        (keys, edge)
        for edge, keys in ((e, sorted(k)) for e, k in fk_edges.items())
        if edge not in other_edges
    )
    components = _cycles(needs)
    for keys, (source, target) in breakable:
        if not any(source in c and target in c for c in components):
            continue
        needs[source].discard(target)
        broken.update(keys)
        components = _cycles(needs)
    return _sorted_drops(found, needs), tuple(sorted(broken))


def _ref(d: Mapping[str, Any]) -> Ref:
    return (int(d["refclassid"]), int(d["refobjid"]))


def _sorted_drops(
    found: Mapping[Ref, DropObject], needs: Mapping[Ref, set[Ref]]
) -> tuple[DropObject, ...]:
    """Kahn's algorithm: drop an object once nothing left needs it."""
    needed_by = {ref: 0 for ref in found}
    for targets in needs.values():
        for target in targets:
            needed_by[target] += 1

    def key(ref: Ref) -> tuple[int, int, str]:
        obj = found[ref]
        return (KIND_RANK.get(obj.type, len(KIND_RANK)), -obj.order, obj.identity)

    ready = [(key(ref), ref) for ref, count in needed_by.items() if count == 0]
    heapq.heapify(ready)
    result: list[DropObject] = []
    while ready:
        _, ref = heapq.heappop(ready)
        result.append(found[ref])
        for target in needs[ref]:
            needed_by[target] -= 1
            if needed_by[target] == 0:
                heapq.heappush(ready, (key(target), target))
    if len(result) != len(found):
        stuck = sorted(found[ref].identity for ref, count in needed_by.items() if count > 0)
        raise NorbertsDbError(
            "The objects of the schema file depend on each other in a cycle that no foreign key "
            f"breaks: {', '.join(stuck)}. The drop script cannot be generated; write it by hand."
        )
    return tuple(result)


def _cycles(needs: Mapping[Ref, set[Ref]]) -> list[set[Ref]]:
    """The strongly connected components of more than one object (Tarjan, iterative)."""
    index: dict[Ref, int] = {}
    low: dict[Ref, int] = {}
    stack: list[Ref] = []
    on_stack: set[Ref] = set()
    components: list[set[Ref]] = []
    counter = 0
    for root in sorted(needs):
        if root in index:
            continue
        work: list[tuple[Ref, list[Ref]]] = [(root, sorted(needs[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(needs[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[Ref] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components
