"""Functions and procedures (aggregates: :mod:`norberts_db.migrations.ddl_aggregates`).

A changed routine is replaced in place (CREATE OR REPLACE) when PostgreSQL
allows it: same kind, same result type, same argument names and defaults.
Otherwise it is dropped and created again, and the plan rebuilds what
depends on it (triggers, defaults, constraints, views, other routines).
"""

from __future__ import annotations

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.planner import Planner

_KEYWORD = {
    "function": "FUNCTION",
    "window function": "FUNCTION",
    "procedure": "PROCEDURE",
}
# Attributes whose change CREATE OR REPLACE cannot make.
_SIGNATURE = {"result", "arguments"}


def create_routine(p: Planner, key: ObjectKey) -> None:
    detail = p.target.detail(key)
    if detail.get("is_internal"):
        return  # created with the object it belongs to
    p.add(key, "create", str(detail["definition"]))
    comment(p, key)
    privileges(p, key, created=True)


def drop_routine(p: Planner, key: ObjectKey) -> None:
    if key in p.dropped:
        return  # taken along by another drop (a base type's DROP ... CASCADE)
    p.dropped.add(key)
    if p.source.detail(key).get("is_internal"):
        return  # dropped with the object it belongs to
    p.add(key, "drop", f"DROP {_KEYWORD[key.kind]} {key.name}")


def alter_routine(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if p.target.detail(key).get("is_internal"):
        return
    if changed & _SIGNATURE:
        _replace(p, key)
        return
    if changed - {"comment", "owner", "acl"}:
        p.add(key, "create", str(p.target.detail(key)["definition"]))
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)


def _replace(p: Planner, key: ObjectKey) -> None:
    from norberts_db.migrations.ddl_parts import replace

    replace(p, key)
