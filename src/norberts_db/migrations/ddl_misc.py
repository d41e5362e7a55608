"""Schemas, extensions, views, event triggers, collations and extended statistics."""

from __future__ import annotations

import json

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.planner import PlanError, Planner
from norberts_db.migrations.quoting import ident, literal

# -- schemas ------------------------------------------------------------------------------------


def create_schema(p: Planner, key: ObjectKey) -> None:
    p.add(key, "create", f"CREATE SCHEMA {key.name}")
    comment(p, key)
    privileges(p, key, created=True)


def drop_schema(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP SCHEMA {key.name}")


def alter_with_comment(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    """Kinds whose only alterable attributes are the comment and privileges."""
    changed = {change.attribute for change in changes}
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)


# -- extensions ---------------------------------------------------------------------------------


def create_extension(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    text = f"CREATE EXTENSION IF NOT EXISTS {key.name} WITH SCHEMA {attrs['schema']}"
    if attrs.get("version"):
        text += f" VERSION {literal(attrs['version'])}"
    p.add(key, "create", text)
    comment(p, key)


def drop_extension(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(
        key,
        "drop",
        f"DROP EXTENSION {key.name}",
        destructive=f"drops extension {key.name} and everything it created",
    )


def alter_extension(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    attrs = p.target.attrs(key)
    if "version" in changed:
        p.add(key, "create", f"ALTER EXTENSION {key.name} UPDATE TO {literal(attrs['version'])}")
    if "schema" in changed:
        if p.source.detail(key).get("relocatable") is False:
            raise PlanError(
                f"extension {key.name}: it moves to schema {attrs['schema']}, but it is not "
                "relocatable, so only dropping it (with everything it created) and creating it "
                "again would move it. Write this migration by hand."
            )
        p.add(key, "create", f"ALTER EXTENSION {key.name} SET SCHEMA {attrs['schema']}")
    if "comment" in changed:
        comment(p, key, clear=True)


# -- views and materialized views ---------------------------------------------------------------


def create_view(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    materialized = key.kind == "materialized view"
    keyword = "MATERIALIZED VIEW" if materialized else "VIEW"
    options = f" WITH ({attrs['options']})" if attrs.get("options") else ""
    query = attrs["definition"].strip().rstrip(";")
    suffix = "\nWITH DATA" if materialized else ""
    p.add(key, "create", f"CREATE {keyword} {key.name}{options} AS\n{query}{suffix}")
    comment(p, key)
    _column_comments(p, key, created=True)
    privileges(p, key, created=True)


def drop_view(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    keyword = "MATERIALIZED VIEW" if key.kind == "materialized view" else "VIEW"
    p.add(key, "drop", f"DROP {keyword} {key.name}")


def alter_view(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed - {"comment", "column_comments", "owner", "acl"}:
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    alter_with_comment(p, key, changes)
    if "column_comments" in changed:
        _column_comments(p, key, created=False)


def _column_comments(p: Planner, key: ObjectKey, *, created: bool) -> None:
    """COMMENT ON COLUMN for each column whose comment the view gains, changes or loses."""
    wanted = json.loads(p.target.attrs(key).get("column_comments") or "{}")
    found = {} if created else json.loads(p.source.attrs(key).get("column_comments") or "{}")
    for column in sorted(wanted.keys() | found.keys()):
        text = wanted.get(column)
        if text != found.get(column):
            value = "NULL" if text is None else literal(text)
            p.add(key, "create", f"COMMENT ON COLUMN {key.name}.{ident(column)} IS {value}")


# -- event triggers -----------------------------------------------------------------------------

_EVENT_ENABLE = {
    "disabled": "DISABLE",
    "enabled on replica only": "ENABLE REPLICA",
    "enabled always": "ENABLE ALWAYS",
}


def create_event_trigger(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    text = f"CREATE EVENT TRIGGER {key.name} ON {attrs['event']}"
    if attrs.get("tags"):
        tags = ", ".join(literal(tag) for tag in attrs["tags"].split(", "))
        text += f"\nWHEN TAG IN ({tags})"
    text += f"\nEXECUTE FUNCTION {attrs['function']}"
    p.add(key, "create", text)
    if attrs.get("enabled", "enabled") != "enabled":
        p.add(key, "create", f"ALTER EVENT TRIGGER {key.name} {_EVENT_ENABLE[attrs['enabled']]}")
    comment(p, key)


def drop_event_trigger(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP EVENT TRIGGER {key.name}")


def alter_event_trigger(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed - {"comment", "owner", "enabled"}:
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    if "enabled" in changed:
        word = _EVENT_ENABLE.get(p.target.attrs(key).get("enabled", ""), "ENABLE")
        p.add(key, "create", f"ALTER EVENT TRIGGER {key.name} {word}")
    alter_with_comment(p, key, changes)


# -- collations ---------------------------------------------------------------------------------

# Snapshot attribute -> CREATE COLLATION option, each a string literal.
_COLLATION_OPTIONS = (
    ("locale", "locale"),
    ("lc_collate", "lc_collate"),
    ("lc_ctype", "lc_ctype"),
    ("rules", "rules"),
)


def create_collation(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    options = [f"provider = {attrs['provider']}"]
    options += [
        f"{option} = {literal(attrs[name])}" for name, option in _COLLATION_OPTIONS if name in attrs
    ]
    if attrs.get("deterministic") == "not deterministic":
        options.append("deterministic = false")
    p.add(key, "create", f"CREATE COLLATION {key.name} ({', '.join(options)})")
    comment(p, key)
    privileges(p, key, created=True)


def drop_collation(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP COLLATION {key.name}")


def alter_collation(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    """Nothing of a collation but its comment and owner can change: it is made again."""
    if {change.attribute for change in changes} - {"comment", "owner"}:
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    alter_with_comment(p, key, changes)


# -- extended statistics ------------------------------------------------------------------------


def create_statistics(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    p.add(key, "create", attrs["definition"])
    if "statistics_target" in attrs:
        _statistics_target(p, key)
    comment(p, key)
    privileges(p, key, created=True)


def _statistics_target(p: Planner, key: ObjectKey) -> None:
    # -1 is the default on every major (17 also reads SET STATISTICS DEFAULT).
    target = p.target.attrs(key).get("statistics_target", "-1")
    p.add(key, "create", f"ALTER STATISTICS {key.name} SET STATISTICS {target}")


def drop_statistics(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP STATISTICS {key.name}")


def alter_statistics(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed - {"statistics_target", "comment", "owner"}:
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    if "statistics_target" in changed:
        _statistics_target(p, key)
    alter_with_comment(p, key, changes)
