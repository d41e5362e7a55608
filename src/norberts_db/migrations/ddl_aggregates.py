"""Aggregates, ordered-set and hypothetical-set ones included.

The catalog reads each aggregate as its complete CREATE AGGREGATE statement
(``definition``, every attribute in it), which is what a new one runs. A
changed one is replaced in place (CREATE OR REPLACE) while its arguments,
result and kind stay; otherwise dropped and created again, with its users.
An aggregate is named in DDL by its aggregate signature, which is not its
function signature: ``(*)`` without arguments, ``ORDER BY`` for an
ordered-set one.
"""

from __future__ import annotations

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.catalog import Catalog
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.planner import Planner

# Attributes whose change CREATE OR REPLACE AGGREGATE cannot make.
_SIGNATURE = {"result", "arguments"}
_KIND_WORDS = ("ORDERED-SET", "HYPOTHETICAL")


def signature(key: ObjectKey, catalog: Catalog) -> str:
    """``public.agg(integer)``, ``public.cnt(*)``, ``public.pct(double precision ORDER BY x)``."""
    detail = catalog.detail(key)
    if "qualified_name" not in detail:
        return key.name
    arguments = str(detail.get("identity_arguments") or "") or "*"
    return f"{detail['qualified_name']}({arguments})"


def create_aggregate(p: Planner, key: ObjectKey, *, replace: bool = False) -> None:
    text = p.target.attrs(key)["definition"]
    if replace:
        text = text.replace("CREATE AGGREGATE", "CREATE OR REPLACE AGGREGATE", 1)
    p.add(key, "create", text)
    if not replace:
        comment(p, key)
        privileges(p, key, created=True)


def drop_aggregate(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP AGGREGATE {signature(key, p.source)}")


def _kind(aggregate: str | None) -> str:
    return next((word for word in _KIND_WORDS if word in (aggregate or "")), "")


def alter_aggregate(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    found, wanted = p.source.attrs(key), p.target.attrs(key)
    if changed & _SIGNATURE or _kind(found.get("aggregate")) != _kind(wanted.get("aggregate")):
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    if changed - {"comment", "owner", "acl"}:
        create_aggregate(p, key, replace=True)
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)
