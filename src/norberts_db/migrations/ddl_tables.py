"""Tables and columns: CREATE TABLE, ALTER TABLE ... ADD/DROP/ALTER COLUMN, DROP TABLE."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations import ddl_indexes, ddl_parts, safety
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_identity import alter_identity, identity_options
from norberts_db.migrations.planner import PlanError, Planner
from norberts_db.migrations.quoting import last_of, parent_of

# -- tables -------------------------------------------------------------------------------------


def create_table(p: Planner, key: ObjectKey) -> None:
    attrs, detail = p.target.attrs(key), p.target.detail(key)
    unlogged = "UNLOGGED " if attrs.get("persistence") == "unlogged" else ""
    parent = detail.get("partition_parent")
    columns = _local_columns(p, key)
    inline = ddl_parts.inline_constraints(p, key)
    if parent:
        body = f"PARTITION OF {parent} {detail['partition_bound']}"
        if inline:
            body = f"PARTITION OF {parent} (\n    " + ",\n    ".join(inline) + ")\n"
            body += str(detail["partition_bound"])
    else:
        body = "(\n    " + ",\n    ".join([*columns, *inline]) + "\n)"
        if attrs.get("inherits"):
            body += f"\nINHERITS ({attrs['inherits']})"
    if attrs.get("partition_key"):
        body += f"\nPARTITION BY {attrs['partition_key']}"
    if attrs.get("access_method"):
        body += f"\nUSING {attrs['access_method']}"
    if attrs.get("storage_options"):
        body += f"\nWITH ({attrs['storage_options']})"
    p.add(key, "create", f"CREATE {unlogged}TABLE {key.name} {body}")
    _table_settings(p, key, {})
    comment(p, key)
    privileges(p, key, created=True)
    for column in _column_keys(p, key):
        column_settings(p, column, {})
        comment(p, column)
        privileges(p, column, created=True)


def drop_table(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP TABLE {key.name}", destructive=f"drops table {key.name} and its rows")


def alter_table(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed & {"partition_key"}:
        old = p.source.attrs(key).get("partition_key") or "none (a plain table)"
        new = p.target.attrs(key).get("partition_key") or "none (a plain table)"
        raise PlanError(
            f"table {key.name}: its partition key changes from {old} to {new}. PostgreSQL "
            "cannot change a table's partitioning in place: the rows must be copied into a new "
            "table, which then takes the old one's name, and the foreign keys, views, "
            "routines, grants and publications that name the table moved to it. The copy "
            "holds both tables' rows at once and writes to the old one must stop while it "
            "runs, which a generated migration cannot arrange. Write this migration by hand."
        )
    if "partition_of" in changed:
        _partition(p, key)
    if "inherits" in changed:
        _inherits(p, key)
    _table_settings(p, key, p.source.attrs(key))
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)


def _table_settings(p: Planner, key: ObjectKey, found: Mapping[str, str]) -> None:
    """Persistence, type, access method, storage options, replica identity, row-level security."""
    wanted = p.target.attrs(key)
    alter = f"ALTER TABLE {key.name}"
    if wanted.get("of_type") != found.get("of_type"):
        # A typed table's columns are the type's: OF checks that they match exactly.
        typed = wanted.get("of_type")
        p.add(
            key,
            "create",
            f"{alter} OF {typed}" if typed else f"{alter} NOT OF",
            needs=[ObjectKey("composite type", typed)] if typed else [],
        )
    if found and wanted.get("persistence") != found.get("persistence"):
        logged = "UNLOGGED" if wanted.get("persistence") == "unlogged" else "LOGGED"
        p.add(key, "create", f"{alter} SET {logged}")
    if found and wanted.get("access_method") != found.get("access_method"):
        # The snapshot leaves out heap, the default; SET ACCESS METHOD DEFAULT is 17+ only.
        method = wanted.get("access_method") or "heap"
        p.add(key, "create", f"{alter} SET ACCESS METHOD {method}")
    if found and wanted.get("storage_options") != found.get("storage_options"):
        old = _options(found.get("storage_options"))
        new = _options(wanted.get("storage_options"))
        if gone := sorted(old.keys() - new.keys()):
            p.add(key, "create", f"{alter} RESET ({', '.join(gone)})")
        if new:
            p.add(key, "create", f"{alter} SET ({wanted['storage_options']})")
    identity = wanted.get("replica_identity")
    if identity != found.get("replica_identity"):
        index = p.target.detail(key).get("replica_index")
        clause = {"full": "FULL", "nothing": "NOTHING"}.get(identity or "", "DEFAULT")
        if identity and identity.startswith("using index"):
            clause = f"USING INDEX {index}"
        ddl_indexes.replica_identity(p, key, clause)
    clustered = wanted.get("clustered_on")
    if clustered != found.get("clustered_on"):
        # A step of its own, after the index (or the constraint that owns it).
        p.add(
            ObjectKey("table cluster", key.name),
            "create",
            f"{alter} CLUSTER ON {clustered}" if clustered else f"{alter} SET WITHOUT CLUSTER",
            needs=[key]
            + (
                [ObjectKey(kind, f"{key.name}.{clustered}") for kind in ("index", "constraint")]
                if clustered
                else []
            ),
        )
    for attribute, on, off in (
        ("row_level_security", "ENABLE", "DISABLE"),
        ("force_row_level_security", "FORCE", "NO FORCE"),
    ):
        value = wanted.get(attribute)
        if value != found.get(attribute, "disabled" if "force" not in attribute else "not forced"):
            word = on if value in ("enabled", "forced") else off
            p.add(key, "create", f"{alter} {word} ROW LEVEL SECURITY")


def _options(text: str | None) -> dict[str, str]:
    return dict(item.split("=", 1) for item in (text or "").split(", ") if "=" in item)


def _partition(p: Planner, key: ObjectKey) -> None:
    old, new = p.source.detail(key), p.target.detail(key)
    if old.get("partition_parent"):
        p.add(key, "drop", f"ALTER TABLE {old['partition_parent']} DETACH PARTITION {key.name}")
    if new.get("partition_parent"):
        p.add(
            key,
            "create",
            f"ALTER TABLE {new['partition_parent']} ATTACH PARTITION {key.name} "
            f"{new['partition_bound']}",
        )


def _inherits(p: Planner, key: ObjectKey) -> None:
    old = set(filter(None, p.source.attrs(key).get("inherits", "").split(", ")))
    new = set(filter(None, p.target.attrs(key).get("inherits", "").split(", ")))
    for parent in sorted(old - new):
        p.add(key, "drop", f"ALTER TABLE {key.name} NO INHERIT {parent}")
    for parent in sorted(new - old):
        p.add(key, "create", f"ALTER TABLE {key.name} INHERIT {parent}")


def _column_keys(p: Planner, table: ObjectKey) -> list[ObjectKey]:
    prefix = table.name + "."
    keys = [
        key
        for key in p.target.snapshot.objects
        if key.kind == "column"
        and key.name.startswith(prefix)
        and parent_of(key.name) == table.name
    ]
    return sorted(keys, key=lambda k: int(p.target.detail(k).get("position", 0)))


def _local_columns(p: Planner, table: ObjectKey) -> list[str]:
    return [
        column_definition(p.target.detail(column))
        for column in _column_keys(p, table)
        if p.target.detail(column).get("is_local", True)
    ]


# -- columns ------------------------------------------------------------------------------------


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
        old, new = _options(found.get("options")), _options(wanted.get("options"))
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
