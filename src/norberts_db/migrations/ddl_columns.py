"""Columns: ALTER TABLE ... ADD, DROP and ALTER COLUMN, and a column's definition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations import safety
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_identity import alter_identity, identity_options
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import last_of, parent_of


def storage_options(text: str | None) -> dict[str, str]:
    """``a=1, b=2`` (reloptions as the snapshot shows them) as a mapping."""
    return dict(item.split("=", 1) for item in (text or "").split(", ") if "=" in item)


def column_definition(detail: Mapping[str, Any]) -> str:
    """``name type [COLLATE c] [DEFAULT e | GENERATED ...] [NOT NULL]`` of a column."""
    text = f"{detail['column_name']} {detail['type']}"
    if detail.get("collation"):
        text += f" COLLATE {detail['collation']}"
    if detail.get("generated"):
        text += f" GENERATED ALWAYS AS ({detail['generated']}) {detail['generated_kind']}"
    elif detail.get("identity"):
        text += f" GENERATED {detail['identity']} AS IDENTITY{identity_options(detail)}"
    elif detail.get("default") is not None:
        text += f" DEFAULT {detail['default']}"
    if detail.get("not_null") and not detail.get("identity"):
        text += " NOT NULL"
    return text


def create_column(p: Planner, key: ObjectKey) -> None:
    if p.comes_with_parent(key):
        return
    detail = p.target.detail(key)
    if not detail.get("is_local", True):
        return  # inherited: arrives with the parent's column
    table = parent_of(key.name)
    p.add(key, "create", f"ALTER TABLE {table} ADD COLUMN {column_definition(detail)}")
    column_settings(p, key, {})
    comment(p, key)
    privileges(p, key, created=True)


def drop_column(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    if p.goes_with_parent(key) or not p.source.detail(key).get("is_local", True):
        return
    table = parent_of(key.name)
    p.add(
        key,
        "drop",
        f"ALTER TABLE {table} DROP COLUMN {last_of(key.name)}",
        destructive=f"drops column {key.name} and its data",
    )


def alter_column(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed & {"definition", "identity_sequence"}:
        _alter_definition(p, key)
    if changed & COLUMN_SETTINGS or key in p.retyped:
        # A new type brings its own storage: set the wanted one again after it.
        column_settings(p, key, p.source.attrs(key), again=key in p.retyped)
    if "comment" in changed:
        comment(p, key, clear=True)
    if "acl" in changed:
        privileges(p, key, created=False)


# Attributes of a column that ALTER COLUMN sets apart from its definition.
COLUMN_SETTINGS = frozenset({"storage", "compression", "statistics_target", "options"})


def column_settings(
    p: Planner, key: ObjectKey, found: Mapping[str, str], *, again: bool = False
) -> None:
    """Storage, compression, statistics target and options that differ from ``found``.

    An unset attribute is the default: the type's own storage, the server's
    compression, the default statistics target, no options. ``again`` sets
    every attribute the target sets, also those ``found`` already has.
    """
    wanted = p.target.attrs(key)
    alter = f"ALTER TABLE {parent_of(key.name)} ALTER COLUMN {last_of(key.name)}"

    def differs(name: str) -> bool:
        return wanted.get(name) != found.get(name) or (again and name in wanted)

    if differs("storage"):
        storage = wanted.get("storage") or p.target.detail(key).get("type_storage")
        if storage:
            p.add(key, "create", f"{alter} SET STORAGE {storage}")
    if differs("compression"):
        p.add(key, "create", f"{alter} SET COMPRESSION {wanted.get('compression', 'default')}")
    if differs("statistics_target"):
        # -1 is the default on every major (17 also reads SET STATISTICS DEFAULT).
        p.add(key, "create", f"{alter} SET STATISTICS {wanted.get('statistics_target', '-1')}")
    if differs("options"):
        old, new = storage_options(found.get("options")), storage_options(wanted.get("options"))
        if gone := sorted(old.keys() - new.keys()):
            p.add(key, "create", f"{alter} RESET ({', '.join(gone)})")
        if new:
            p.add(key, "create", f"{alter} SET ({wanted['options']})")


def _alter_definition(p: Planner, key: ObjectKey) -> None:
    old, new = p.source.detail(key), p.target.detail(key)
    if not new.get("is_local", True) and not old.get("is_local", True):
        return  # inherited on both sides: the parent's change carries over
    table, column = parent_of(key.name), last_of(key.name)
    alter = f"ALTER TABLE {table} ALTER COLUMN {column}"
    if (old.get("generated") or "") != (new.get("generated") or ""):
        if new.get("generated"):
            _regenerate(p, key, was_generated=bool(old.get("generated")))
            return
        p.add(key, "create", f"{alter} DROP EXPRESSION")
    if old.get("identity") and not new.get("identity"):
        # Before the creates: a serial's new sequence may take the identity sequence's name.
        p.add(key, "drop", f"{alter} DROP IDENTITY")
    _alter_type(p, key, old, new, alter)
    if old.get("default") != new.get("default") and key not in p.defaults_reset:
        if new.get("default") is None:
            # A serial becoming an identity: its sequence goes first (see plan.py), and the
            # identity's sequence takes its name, as in a database built so.
            serial = new.get("identity") and not old.get("identity")
            p.add(key, "drop" if serial else "create", f"{alter} DROP DEFAULT")
        else:
            p.add(key, "create", f"{alter} SET DEFAULT {new['default']}")
    if new.get("not_null") and not old.get("not_null"):
        p.add(key, "create", f"{alter} SET NOT NULL")
    alter_identity(p, key, old, new, alter)
    if old.get("not_null") and not new.get("not_null"):
        p.add(key, "create", f"{alter} DROP NOT NULL")


def _alter_type(
    p: Planner, key: ObjectKey, old: Mapping[str, Any], new: Mapping[str, Any], alter: str
) -> None:
    before, after = (old["type"], old.get("collation")), (new["type"], new.get("collation"))
    if key in p.converted or before == after:
        return
    p.retyped.add(key)
    collate = f" COLLATE {new['collation']}" if new.get("collation") else ""
    using = ""
    if safety.needs_using(old["type"], new["type"]):
        # Through the text form: a conversion every pair of types has, where a
        # direct cast often does not (bigint to boolean, one enum to another).
        via = "" if safety.parse_type(old["type"]).base in safety.STRINGS else "::text"
        using = f" USING {last_of(key.name)}{via}::{new['type']}"
    # The old default may not convert to the new type: drop it first, set the new one after.
    reset = bool(using) and old.get("default") is not None and key not in p.defaults_reset
    if reset:
        p.defaults_reset.add(key)
        p.add(key, "create", f"{alter} DROP DEFAULT")
    destructive = ""
    if safety.narrowing(old["type"], new["type"]):
        destructive = (
            f"changes column {key.name} from {old['type']} to {new['type']}; values may not convert"
        )
    p.add(key, "create", f"{alter} TYPE {new['type']}{collate}{using}", destructive=destructive)
    if reset and new.get("default") is not None:
        p.add(key, "create", f"{alter} SET DEFAULT {new['default']}")


def _regenerate(p: Planner, key: ObjectKey, *, was_generated: bool) -> None:
    """A generated column whose expression changes (or a column that becomes generated)."""
    table = parent_of(key.name)
    reason = "" if was_generated else f"replaces the data of column {key.name} by generated values"
    p.replaced.add(key)
    p.add(
        key,
        "drop",
        f"ALTER TABLE {table} DROP COLUMN {last_of(key.name)}",
        destructive=reason,
        note="" if reason else "a generated column is dropped and added again to change it",
    )
    p.add(
        key, "create", f"ALTER TABLE {table} ADD COLUMN {column_definition(p.target.detail(key))}"
    )
    column_settings(p, key, {})
    comment(p, key)


def reset_default(p: Planner, key: ObjectKey) -> None:
    """Drop a column's default before what it uses goes, and set the target's after."""
    if key in p.defaults_reset:
        return
    p.defaults_reset.add(key)
    alter = f"ALTER TABLE {parent_of(key.name)} ALTER COLUMN {last_of(key.name)}"
    p.add(key, "drop", f"{alter} DROP DEFAULT")
    default = p.target.detail(key).get("default")
    if default is not None:
        p.add(key, "create", f"{alter} SET DEFAULT {default}")
