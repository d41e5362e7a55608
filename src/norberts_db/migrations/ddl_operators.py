"""Operators, operator families and operator classes.

An operator is named ``schema.op(left,right)`` (``NONE`` on the left of a
prefix one). A shell operator (named as a commutator, not defined) comes
and goes with the operator that names it. A family's members are those of
all its classes: a new class takes the members of its own type (as CREATE
OPERATOR CLASS binds them), and its family takes the rest with ALTER
OPERATOR FAMILY ... ADD.
"""

from __future__ import annotations

import re

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import PlanError, Planner

_ESTIMATORS = ("restrict", "join")


def _split_operator(name: str) -> tuple[str, str, str]:
    """``public.===(integer,integer)`` -> (``public.===``, ``integer``, ``integer``)."""
    head, arguments = name.split("(", 1)
    left, right = arguments.rstrip(")").split(",", 1)
    return head, left, right


def _function(signature: str) -> str:
    return signature.rsplit("(", 1)[0]


def _operator_ref(name: str) -> str:
    """An operator as COMMUTATOR / NEGATOR take it: ``OPERATOR(schema.op)``."""
    head = _split_operator(name)[0]
    return f"OPERATOR({head if '.' in head else 'pg_catalog.' + head})"


def create_operator(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    if not attrs.get("function"):
        return  # a shell: made by the operator that names it
    head, left, right = _split_operator(key.name)
    options = [f"FUNCTION = {_function(attrs['function'])}"]
    if left != "NONE":
        options.append(f"LEFTARG = {left}")
    options.append(f"RIGHTARG = {right}")
    for attribute, option in (("commutator", "COMMUTATOR"), ("negator", "NEGATOR")):
        if attrs.get(attribute):
            options.append(f"{option} = {_operator_ref(attrs[attribute])}")
    for attribute in _ESTIMATORS:
        if attrs.get(attribute):
            options.append(f"{attribute.upper()} = {_function(attrs[attribute])}")
    options += [word.upper() for word in ("hashes", "merges") if attrs.get(word)]
    p.add(key, "create", f"CREATE OPERATOR {head} ({', '.join(options)})")
    comment(p, key)
    privileges(p, key, created=True)


def _operator_clause(name: str) -> str:
    head, left, right = _split_operator(name)
    return f"{head} ({left}, {right})"


def drop_operator(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP OPERATOR {_operator_clause(key.name)}")


def alter_operator(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    found, wanted = p.source.attrs(key), p.target.attrs(key)
    if not wanted.get("function") and found.get("function"):
        raise PlanError(
            f"operator {key.name}: it becomes a shell (named only as a commutator), which "
            "no statement makes of a defined operator. Write this migration by hand."
        )
    if changed - {"comment", "owner", *_ESTIMATORS} and found.get("function"):
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    if changed - {"comment", "owner", *_ESTIMATORS}:
        create_operator(p, key)  # a shell now defined: CREATE OPERATOR fills it in
        return
    settings = [
        f"{name.upper()} = {_function(wanted[name]) if wanted.get(name) else 'NONE'}"
        for name in _ESTIMATORS
        if name in changed
    ]
    if settings:
        clause = _operator_clause(key.name)
        p.add(key, "create", f"ALTER OPERATOR {clause} SET ({', '.join(settings)})")
    alter_with_comment(p, key, changes)


# -- operator families and classes --------------------------------------------------------------

_MEMBER_TYPES = re.compile(r"^(OPERATOR|FUNCTION) (\d+) ")


def _split_members(text: str | None) -> list[str]:
    """Members as the catalog lists them, each starting with OPERATOR or FUNCTION."""
    return [m.strip(", ") for m in re.split(r", (?=(?:OPERATOR|FUNCTION) \d+ )", text or "") if m]


def _member_types(member: str) -> tuple[str, str]:
    """The (left, right) types a member is filed under."""
    if member.startswith("FUNCTION"):
        inside = member.split("(", 1)[1].split(")", 1)[0]
    else:
        inside = member.split("(", 1)[1].rsplit(")", 1)[0]
    left, right = (part.strip() for part in inside.split(",", 1))
    return left, right


def _member_drop(member: str) -> str:
    match = _MEMBER_TYPES.match(member)
    assert match is not None
    left, right = _member_types(member)
    return f"{match[1]} {match[2]} ({left}, {right})"


def _method(name: str) -> tuple[str, str]:
    """``public.f USING btree`` -> (``public.f``, ``btree``)."""
    head, method = name.rsplit(" USING ", 1)
    return head, method


def _class_type(definition: str) -> str:
    return definition.split("FOR TYPE ", 1)[1].split(" FAMILY ", 1)[0]


def _class_family(key: ObjectKey, definition: str) -> ObjectKey:
    family = definition.split(" FAMILY ", 1)[1].split(" STORAGE ", 1)[0]
    return ObjectKey("operator family", f"{family} USING {_method(key.name)[1]}")


def _classes_of(p: Planner, family: ObjectKey) -> list[ObjectKey]:
    return [
        key
        for key, attrs in p.target.snapshot.objects.items()
        if key.kind == "operator class" and _class_family(key, attrs["definition"]) == family
    ]


def _claimed(p: Planner, family: ObjectKey, members: list[str]) -> set[str]:
    """Members a class of ``family`` binds: both types the class's type."""
    types = {_class_type(p.target.attrs(c)["definition"]) for c in _classes_of(p, family)}
    return {
        m for m in members if set(_member_types(m)) <= types and len(set(_member_types(m))) == 1
    }


def create_family(p: Planner, key: ObjectKey) -> None:
    p.add(key, "create", f"CREATE OPERATOR FAMILY {key.name}")
    members = _split_members(p.target.attrs(key).get("members"))
    loose = [m for m in members if m not in _claimed(p, key, members)]
    if loose:
        p.add(key, "create", f"ALTER OPERATOR FAMILY {key.name} ADD {', '.join(loose)}")
    comment(p, key)
    privileges(p, key, created=True)


def drop_family(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP OPERATOR FAMILY {key.name}")


def alter_family(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if "members" in changed:
        found = _split_members(p.source.attrs(key).get("members"))
        wanted = _split_members(p.target.attrs(key).get("members"))
        gone = [_member_drop(m) for m in found if m not in wanted]
        new = [m for m in wanted if m not in found and not _comes_with_new_class(p, key, m)]
        if gone:
            p.add(key, "create", f"ALTER OPERATOR FAMILY {key.name} DROP {', '.join(gone)}")
        if new:
            p.add(key, "create", f"ALTER OPERATOR FAMILY {key.name} ADD {', '.join(new)}")
    alter_with_comment(p, key, changes)


def _comes_with_new_class(p: Planner, family: ObjectKey, member: str) -> bool:
    new_classes = [c for c in _classes_of(p, family) if p.is_new(c) or c in p.replaced]
    types = {_class_type(p.target.attrs(c)["definition"]) for c in new_classes}
    return len(set(_member_types(member))) == 1 and set(_member_types(member)) <= types


def create_class(p: Planner, key: ObjectKey) -> None:
    definition = p.target.attrs(key)["definition"]
    family = _class_family(key, definition)
    name, method = _method(key.name)
    kind = _class_type(definition)
    members = _split_members(p.target.attrs(family).get("members"))
    items = [m for m in members if set(_member_types(m)) == {kind}]
    head = definition.split(" FAMILY ", 1)[0]
    if " STORAGE " in definition:
        items.append("STORAGE " + definition.split(" STORAGE ", 1)[1])
    if not items:
        raise PlanError(
            f"operator class {key.name}: it has no operator, function or storage type of "
            "its own, which CREATE OPERATOR CLASS needs. Write this migration by hand."
        )
    family_name = _method(family.name)[0]
    p.add(
        key,
        "create",
        f"CREATE OPERATOR CLASS {name} {head} USING {method} FAMILY {family_name} AS\n    "
        + ",\n    ".join(items),
        needs=[family],
    )
    comment(p, key)
    privileges(p, key, created=True)


def drop_class(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    family = _class_family(key, p.source.attrs(key)["definition"])
    p.add(key, "drop", f"DROP OPERATOR CLASS {key.name}", needs=[family])


def alter_class(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    if {change.attribute for change in changes} - {"comment", "owner"}:
        from norberts_db.migrations.ddl_parts import replace

        replace(p, key)
        return
    alter_with_comment(p, key, changes)
