"""Base types (CREATE TYPE name (INPUT = ..., OUTPUT = ...)) and shell types.

A base type needs its input and output functions, which need the type: the
type is first made as a shell (CREATE TYPE name), then its functions, then
defined. Dropped, it takes those functions with it (DROP TYPE ... CASCADE),
so their own drops are left out of the plan.
"""

from __future__ import annotations

import re

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import Planner

# ``INPUT = public.f(cstring)``: CREATE TYPE takes a function's name only.
_SIGNATURE = re.compile(r"(= [^,=()']+)\([^()]*\)")
_FUNCTION_OPTIONS = re.compile(
    r"\b(?:INPUT|OUTPUT|RECEIVE|SEND|TYPMOD_IN|TYPMOD_OUT|ANALYZE) = ([^,']+\))"
)
SHELL = "shell type"
BASE = "base type"


def create_shell(p: Planner, key: ObjectKey) -> None:
    if p.source.has(ObjectKey(BASE, key.name)):
        return  # only a base type becomes a shell by being dropped: see drop_base_type
    p.add(key, "create", f"CREATE TYPE {key.name}")
    comment(p, key)


def drop_shell(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    if p.target.has(ObjectKey(BASE, key.name)):
        return  # the shell is defined now: CREATE TYPE fills it in
    p.add(key, "drop", f"DROP TYPE {key.name}")


def alter_shell(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    alter_with_comment(p, key, changes)


def create_base_type(p: Planner, key: ObjectKey) -> None:
    shell = ObjectKey(SHELL, key.name)
    if not p.source.has(shell) and not p.target.has(shell):
        # The shell step ranks before functions; the definition after them.
        p.add(shell, "create", f"CREATE TYPE {key.name}")
    definition = _SIGNATURE.sub(r"\1", p.target.attrs(key)["definition"])
    p.add(key, "create", f"CREATE TYPE {key.name} ({definition})", needs=[shell])
    comment(p, key)
    privileges(p, key, created=True)


def drop_base_type(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    definition = p.source.attrs(key).get("definition", "")
    for signature in _FUNCTION_OPTIONS.findall(definition):
        # Taken along by CASCADE: their own drop would find nothing.
        p.dropped.add(ObjectKey("function", signature.strip()))
    p.add(
        key,
        "cleanup",
        f"DROP TYPE {key.name} CASCADE",
        destructive=f"drops type {key.name}, its input and output functions, and what uses them",
    )


def alter_base_type(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed - {"comment", "owner", "acl"}:
        from norberts_db.migrations.planner import PlanError

        raise PlanError(
            f"base type {key.name}: its definition changes, and a base type can only be "
            "dropped with its input and output functions and every column of it, then made "
            "again. Write this migration by hand."
        )
    alter_with_comment(p, key, changes)
