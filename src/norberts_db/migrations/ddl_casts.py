"""Casts, encoding conversions and procedural languages.

None of them can be altered beyond a comment or an owner, except a language
(CREATE OR REPLACE LANGUAGE keeps the functions written in it): a changed
cast or conversion is dropped and created again.
"""

from __future__ import annotations

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import Planner


def _remake(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if {change.attribute for change in changes} - {"comment", "owner", "acl"}:
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    alter_with_comment(p, key, changes)


# -- casts --------------------------------------------------------------------------------------


def create_cast(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    context = attrs.get("context", "explicit")
    suffix = "" if context == "explicit" else f" {context}"
    p.add(key, "create", f"CREATE CAST {key.name} {attrs['method']}{suffix}")
    comment(p, key)


def drop_cast(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP CAST {key.name}")


alter_cast = _remake


# -- conversions --------------------------------------------------------------------------------


def create_conversion(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    definition = attrs["definition"]
    default = "DEFAULT " if definition.startswith("DEFAULT ") else ""
    direction = definition.removeprefix("DEFAULT ")
    function = attrs["function"].rsplit("(", 1)[0]
    p.add(key, "create", f"CREATE {default}CONVERSION {key.name} {direction} FROM {function}")
    comment(p, key)
    privileges(p, key, created=True)


def drop_conversion(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP CONVERSION {key.name}")


alter_conversion = _remake


# -- languages ----------------------------------------------------------------------------------


def _language(p: Planner, key: ObjectKey, *, replace: bool) -> str:
    attrs = p.target.attrs(key)
    trusted = "TRUSTED " if attrs.get("definition") == "trusted" else ""
    text = f"CREATE {'OR REPLACE ' if replace else ''}{trusted}LANGUAGE {key.name}"
    for attribute in ("handler", "inline", "validator"):
        if attrs.get(attribute):
            text += f" {attribute.upper()} {attrs[attribute].rsplit('(', 1)[0]}"
    return text


def create_language(p: Planner, key: ObjectKey) -> None:
    p.add(key, "create", _language(p, key, replace=False))
    comment(p, key)
    privileges(p, key, created=True)


def drop_language(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP LANGUAGE {key.name}")


def alter_language(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if {change.attribute for change in changes} - {"comment", "owner", "acl"}:
        p.add(key, "create", _language(p, key, replace=True))
    alter_with_comment(p, key, changes)
