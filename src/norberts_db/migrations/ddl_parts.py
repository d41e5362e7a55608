"""The parts of a table: constraints, indexes, triggers, policies and rules."""

from __future__ import annotations

import re

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import last_of, parent_of, schema_of

_DEFERRABLE = {
    "deferrable initially immediate": " DEFERRABLE",
    "deferrable initially deferred": " DEFERRABLE INITIALLY DEFERRED",
}
# Constraints that may be added NOT VALID and validated after, which takes a
# weaker lock than checking every row while adding.
_VALIDATABLE = ("check", "foreign key")

# -- constraints --------------------------------------------------------------------------------


def _constraint_sql(p: Planner, key: ObjectKey) -> str:
    attrs = p.target.attrs(key)
    return (
        f"CONSTRAINT {last_of(key.name)} {attrs['definition']}"
        f"{_DEFERRABLE.get(attrs.get('deferrable', ''), '')}"
    )


def inline_constraints(p: Planner, table: ObjectKey) -> list[str]:
    """Constraints written inside CREATE TABLE: all but foreign keys and unvalidated ones.

    Foreign keys are added after every table exists, so tables can refer to
    each other in any order.
    """
    prefix = table.name + "."
    return [
        _constraint_sql(p, key)
        for key in sorted(p.target.snapshot.objects)
        if key.kind == "constraint"
        and key.name.startswith(prefix)
        and parent_of(key.name) == table.name
        and _inline(p, key)
    ]


def _inline(p: Planner, key: ObjectKey) -> bool:
    attrs = p.target.attrs(key)
    return attrs.get("type") != "foreign key" and attrs.get("validated") != "not validated"


def is_foreign_key(p: Planner, key: ObjectKey) -> bool:
    return key.kind == "constraint" and p.target.attrs(key).get("type") == "foreign key"


def create_constraint(p: Planner, key: ObjectKey) -> None:
    parent = p.parent(key, p.target)
    new_parent = p.is_new(parent)
    if new_parent and parent.kind == "table" and _inline(p, key):
        comment(p, key)
        return
    attrs = p.target.attrs(key)
    alter = f"ALTER {'DOMAIN' if parent.kind == 'domain' else 'TABLE'} {parent.name}"
    validated = attrs.get("validated") != "not validated"
    # On a table that has rows, check them after adding, under a weaker lock.
    later = validated and not new_parent and attrs.get("type") in _VALIDATABLE
    not_valid = " NOT VALID" if later or not validated else ""
    p.add(key, "create", f"{alter} ADD {_constraint_sql(p, key)}{not_valid}")
    if later:
        p.add(key, "create", f"{alter} VALIDATE CONSTRAINT {last_of(key.name)}")
    comment(p, key)


def drop_constraint(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    if p.goes_with_parent(key):
        return
    parent = p.parent(key, p.source)
    if parent.kind == "domain" and p.is_gone(parent):
        return
    keyword = "DOMAIN" if parent.kind == "domain" else "TABLE"
    p.add(key, "drop", f"ALTER {keyword} {parent.name} DROP CONSTRAINT {last_of(key.name)}")


def alter_constraint(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes} - {"comment"}
    if changed == {"validated"} and p.target.attrs(key).get("validated") == "validated":
        parent = p.parent(key, p.target)
        keyword = "DOMAIN" if parent.kind == "domain" else "TABLE"
        p.add(
            key, "create", f"ALTER {keyword} {parent.name} VALIDATE CONSTRAINT {last_of(key.name)}"
        )
    elif changed:
        replace(p, key)
        return
    comment(p, key, clear=True)


# -- indexes ------------------------------------------------------------------------------------

_CREATE_INDEX = re.compile(r"^CREATE (UNIQUE )?INDEX ")


def create_index(p: Planner, key: ObjectKey) -> None:
    definition = p.target.attrs(key)["definition"]
    table = ObjectKey("table", parent_of(key.name))
    concurrently = p.options.concurrently and p.source.has(table) and " ON ONLY " not in definition
    if concurrently:
        definition = _CREATE_INDEX.sub(
            lambda m: f"CREATE {m[1] or ''}INDEX CONCURRENTLY ", definition
        )
    p.add(key, "create", definition, concurrently=concurrently)
    _keep_replica_identity(p, key)
    if concurrently:
        # COMMENT ON runs inside the transaction, before the index exists: keep it with the index.
        text = p.target.attrs(key).get("comment")
        if text is not None:
            from norberts_db.migrations.ddl_common import object_clause
            from norberts_db.migrations.quoting import literal

            clause = object_clause(key, p.target)
            p.add(key, "create", f"COMMENT ON {clause} IS {literal(text)}", concurrently=True)
        return
    comment(p, key)


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


def drop_index(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    if not p.goes_with_parent(key):
        p.add(key, "drop", f"DROP INDEX {schema_of(key.name)}.{last_of(key.name)}")


def alter_index(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if {change.attribute for change in changes} - {"comment"}:
        replace(p, key)
    else:
        comment(p, key, clear=True)


# -- triggers -----------------------------------------------------------------------------------

_ENABLE = {
    "enabled": "ENABLE",
    "disabled": "DISABLE",
    "enabled on replica only": "ENABLE REPLICA",
    "enabled always": "ENABLE ALWAYS",
}


def create_trigger(p: Planner, key: ObjectKey) -> None:
    _create_switchable(p, key, "TRIGGER")


def _create_switchable(p: Planner, key: ObjectKey, noun: str) -> None:
    """Create a trigger or rule from its definition, then set whether it fires."""
    attrs = p.target.attrs(key)
    p.add(key, "create", attrs["definition"])
    if attrs.get("enabled", "enabled") != "enabled":
        _enable(p, key, noun)
    comment(p, key)


def _enable(p: Planner, key: ObjectKey, noun: str) -> None:
    word = _ENABLE[p.target.attrs(key).get("enabled", "enabled")]
    p.add(key, "create", f"ALTER TABLE {parent_of(key.name)} {word} {noun} {last_of(key.name)}")


def _drop_part(p: Planner, key: ObjectKey, noun: str) -> None:
    """Drop a trigger, policy or rule, unless its table goes and takes it along."""
    p.dropped.add(key)
    if not p.goes_with_parent(key):
        p.add(key, "drop", f"DROP {noun} {last_of(key.name)} ON {parent_of(key.name)}")


def drop_trigger(p: Planner, key: ObjectKey) -> None:
    _drop_part(p, key, "TRIGGER")


def alter_trigger(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if "definition" in changed:
        replace(p, key)
        return
    if "enabled" in changed:
        _enable(p, key, "TRIGGER")
    if "comment" in changed:
        comment(p, key, clear=True)


# -- policies -----------------------------------------------------------------------------------


def create_policy(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    text = (
        f"CREATE POLICY {last_of(key.name)} ON {parent_of(key.name)}\n"
        f"AS {attrs.get('mode', 'PERMISSIVE')} FOR {attrs.get('command', 'ALL')}\n"
        f"TO {attrs.get('roles', 'PUBLIC')}"
    )
    if attrs.get("using"):
        text += f"\nUSING ({attrs['using']})"
    if attrs.get("with_check"):
        text += f"\nWITH CHECK ({attrs['with_check']})"
    p.add(key, "create", text)
    comment(p, key)


def drop_policy(p: Planner, key: ObjectKey) -> None:
    _drop_part(p, key, "POLICY")


def alter_policy(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if {change.attribute for change in changes} - {"comment"}:
        replace(p, key)
    else:
        comment(p, key, clear=True)


# -- rules --------------------------------------------------------------------------------------


def create_rule(p: Planner, key: ObjectKey) -> None:
    _create_switchable(p, key, "RULE")


def drop_rule(p: Planner, key: ObjectKey) -> None:
    _drop_part(p, key, "RULE")


_CREATE_RULE = re.compile(r"^CREATE RULE ")


def alter_rule(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    attrs = p.target.attrs(key)
    if "definition" in changed:
        # Replaced in place: the rule keeps its comment and whether it fires.
        p.add(key, "create", _CREATE_RULE.sub("CREATE OR REPLACE RULE ", attrs["definition"]))
    if "enabled" in changed:
        _enable(p, key, "RULE")
    if "comment" in changed:
        comment(p, key, clear=True)


# -- replacing any part -------------------------------------------------------------------------


def replace(p: Planner, key: ObjectKey) -> None:
    """Drop the object as it is and create it as it should be.

    Creating it makes it whole, so any change planned in place before (a rule
    replaced with CREATE OR REPLACE, a trigger enabled, a comment) goes: run
    after the drop and before the create, it would find nothing to change.
    """
    from norberts_db.migrations.kinds import HANDLERS

    p.steps[:] = [step for step in p.steps if step.key != key or step.phase != "create"]
    handler = HANDLERS[key.kind]
    handler.drop(p, key)
    p.dropped.discard(key)
    p.replaced.add(key)
    handler.create(p, key)
