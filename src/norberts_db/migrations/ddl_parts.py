"""The parts of a table: constraints, indexes, triggers, policies and rules."""

from __future__ import annotations

import re

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment
from norberts_db.migrations.partitioned import (
    detached,
    inherited,
    parent_part,
    part_needs,
    rebuilt,
    table_of,
)
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import last_of, parent_of

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
    return (
        attrs.get("type") != "foreign key"
        and attrs.get("validated") != "not validated"
        and not inherited(p.target, key)
    )


def is_foreign_key(p: Planner, key: ObjectKey) -> bool:
    return key.kind == "constraint" and p.target.attrs(key).get("type") == "foreign key"


def create_constraint(p: Planner, key: ObjectKey) -> None:
    if inherited(p.target, key):
        # Made by PostgreSQL with the parent's constraint, or the partition.
        comment(p, key, needs=part_needs(p, key))
        return
    _add_constraint(p, key)


def _add_constraint(p: Planner, key: ObjectKey) -> None:
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
    if attrs.get("type") == "foreign key" and p.source.server_version < 180000:
        # Before 18, a partitioned table refuses a NOT VALID foreign key.
        later = later and not p.target.attrs(parent).get("partition_key")
    not_valid = " NOT VALID" if later or not validated else ""
    p.add(key, "create", f"{alter} ADD {_constraint_sql(p, key)}{not_valid}")
    if later:
        p.add(key, "create", f"{alter} VALIDATE CONSTRAINT {last_of(key.name)}")
    comment(p, key)


def drop_constraint(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    if p.goes_with_parent(key):
        return
    if inherited(p.source, key):
        # Goes with the parent's constraint; a detached partition keeps it, to be dropped after.
        if detached(p, table_of(key)):
            sql = f"ALTER TABLE {parent_of(key.name)} DROP CONSTRAINT {last_of(key.name)}"
            p.add(key, "create", sql, needs=[table_of(key)])
        return
    parent = p.parent(key, p.source)
    if parent.kind == "domain" and p.is_gone(parent):
        return
    keyword = "DOMAIN" if parent.kind == "domain" else "TABLE"
    p.add(key, "drop", f"ALTER {keyword} {parent.name} DROP CONSTRAINT {last_of(key.name)}")


def alter_constraint(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if inherited(p.source, key) or inherited(p.target, key):
        _alter_inherited(p, key, changes, "constraint")
        return
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


# -- triggers -----------------------------------------------------------------------------------

_ENABLE = {
    "enabled": "ENABLE",
    "disabled": "DISABLE",
    "enabled on replica only": "ENABLE REPLICA",
    "enabled always": "ENABLE ALWAYS",
}


def create_trigger(p: Planner, key: ObjectKey) -> None:
    if inherited(p.target, key):
        comment(p, key, needs=part_needs(p, key))  # cloned from the parent's trigger
        return
    _create_switchable(p, key, "TRIGGER")


def _alter_inherited(p: Planner, key: ObjectKey, changes: tuple[Change, ...], noun: str) -> None:
    """A constraint or trigger inherited on one side or both."""
    was, will = inherited(p.source, key), inherited(p.target, key)
    commented = any(change.attribute == "comment" for change in changes)
    if was and will:
        if rebuilt(p, parent_part(p.target, key)):
            comment(p, key, needs=part_needs(p, key))
        elif commented:
            comment(p, key, clear=True, needs=part_needs(p, key))
        return
    if will:
        # It becomes the parent's: a trigger of its own would clash with the clone.
        if noun == "trigger":
            p.add(key, "drop", f"DROP TRIGGER {last_of(key.name)} ON {parent_of(key.name)}")
        if commented or noun == "trigger":
            comment(p, key, needs=part_needs(p, key))
        return
    # It stops being the parent's: a detached partition keeps its constraints (not its
    # cloned triggers); a parent's constraint that goes takes the partition's with it.
    if noun == "trigger":
        _create_switchable(p, key, "TRIGGER")
    elif not detached(p, table_of(key)):
        _add_constraint(p, key)
    elif commented:
        comment(p, key, clear=True)


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
    if inherited(p.source, key):
        p.dropped.add(key)  # with the parent's trigger, or the partition's detaching
        return
    _drop_part(p, key, "TRIGGER")


def alter_trigger(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if inherited(p.source, key) or inherited(p.target, key):
        _alter_inherited(p, key, changes, "trigger")
        return
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

    if key in p.replaced:
        return
    if inherited(p.source, key) and inherited(p.target, key):
        # A partition's part is made again with its parent's.
        parent = parent_part(p.target, key)
        p.replaced.add(key)
        if parent is not None and p.source.has(parent) and p.target.has(parent):
            replace(p, parent)
        return
    p.steps[:] = [step for step in p.steps if step.key != key or step.phase != "create"]
    handler = HANDLERS[key.kind]
    handler.drop(p, key)
    p.dropped.discard(key)
    p.replaced.add(key)
    handler.create(p, key)
