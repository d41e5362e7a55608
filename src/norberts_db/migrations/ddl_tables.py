"""Tables: CREATE TABLE, ALTER TABLE of the table itself, DROP TABLE (columns: ddl_columns)."""

from __future__ import annotations

from collections.abc import Mapping

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations import ddl_indexes, ddl_parts
from norberts_db.migrations.ddl_columns import column_definition, column_settings, storage_options
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.planner import PlanError, Planner
from norberts_db.migrations.quoting import parent_of

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
        old = storage_options(found.get("storage_options"))
        new = storage_options(wanted.get("storage_options"))
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
