"""Publications and subscriptions (logical replication).

A generated migration never connects to a publisher: subscriptions are
created with ``connect = false`` (so no slot is made and no data copied),
publication lists change with ``refresh = false``, and a dropped
subscription lets go of its slot first (``slot_name = NONE``), so DROP runs
in the migration's transaction. A subscription that the schema wants enabled
is enabled (its worker then connects) only with
``PlanOptions.connect_subscriptions`` (``--connect-subscriptions``).
"""

from __future__ import annotations

from collections.abc import Mapping

from psycopg.conninfo import conninfo_to_dict

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import PlanError, Planner
from norberts_db.migrations.quoting import literal

# -- publications -------------------------------------------------------------------------------


def _publication_targets(attrs: Mapping[str, str]) -> str:
    """What a publication publishes, as CREATE PUBLICATION ... FOR and ALTER ... SET write it."""
    if attrs.get("all_tables"):
        return "ALL TABLES"
    parts = []
    if attrs.get("tables"):
        parts.append(f"TABLE {attrs['tables']}")
    if attrs.get("schemas"):
        parts.append(f"TABLES IN SCHEMA {attrs['schemas']}")
    return ", ".join(parts)


def _publication_options(p: Planner, key: ObjectKey, changed: set[str] | None) -> list[str]:
    """The WITH options: all of them for a new publication, else those in ``changed``."""
    attrs = p.target.attrs(key)
    options = []
    if changed is None or "publish" in changed:
        options.append(f"publish = {literal(attrs.get('publish', ''))}")
    if (changed is None and attrs.get("publish_via_partition_root")) or (
        changed is not None and "publish_via_partition_root" in changed
    ):
        on = "true" if attrs.get("publish_via_partition_root") else "false"
        options.append(f"publish_via_partition_root = {on}")
    if (changed is None and attrs.get("publish_generated_columns")) or (
        changed is not None and "publish_generated_columns" in changed
    ):
        options.append(
            f"publish_generated_columns = {attrs.get('publish_generated_columns', 'none')}"
        )
    return options


def create_publication(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    targets = _publication_targets(attrs)
    text = f"CREATE PUBLICATION {key.name}"
    if targets:
        text += f" FOR {targets}"
    text += f" WITH ({', '.join(_publication_options(p, key, None))})"
    p.add(key, "create", text)
    comment(p, key)
    privileges(p, key, created=True)


def drop_publication(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP PUBLICATION {key.name}")


def alter_publication(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    wanted = p.target.attrs(key)
    targets = _publication_targets(wanted)
    # ALTER PUBLICATION cannot switch FOR ALL TABLES, nor SET an empty list: made again.
    if "all_tables" in changed or (changed & {"tables", "schemas"} and not targets):
        drop_publication(p, key)
        create_publication(p, key)
        p.replaced.add(key)
        return
    if changed & {"tables", "schemas"}:
        p.add(key, "create", f"ALTER PUBLICATION {key.name} SET {targets}")
    options = _publication_options(p, key, changed)
    if options:
        p.add(key, "create", f"ALTER PUBLICATION {key.name} SET ({', '.join(options)})")
    alter_with_comment(p, key, changes)


# -- subscriptions ------------------------------------------------------------------------------


def _connection(p: Planner, key: ObjectKey) -> str:
    text = str(p.target.detail(key).get("connection") or "")
    try:
        secret = "password" in conninfo_to_dict(text)
    except Exception:  # a string libpq cannot parse: let PostgreSQL say why
        secret = False
    if secret:
        raise PlanError(
            f"subscription {key.name}: its connection string holds a password, and the "
            "toolkit never writes a secret into a migration file. Write this statement by "
            "hand, or keep the password out of the connection string (a password file on "
            "the subscriber)."
        )
    return text


def _options(attrs: Mapping[str, str]) -> dict[str, str]:
    text = attrs.get("options") or ""
    return dict(item.split(" = ", 1) for item in text.split(", ") if " = " in item)


def _publications(p: Planner, key: ObjectKey) -> str:
    """The subscription's publications as the schema lists them."""
    listed = p.target.detail(key).get("publications_in_order")
    return str(listed) if listed else p.target.attrs(key)["publications"]


def create_subscription(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    options = ["connect = false", f"slot_name = {attrs.get('slot_name', 'NONE')}"]
    options += [f"{name} = {value}" for name, value in _options(attrs).items()]
    p.add(
        key,
        "create",
        f"CREATE SUBSCRIPTION {key.name} CONNECTION {literal(_connection(p, key))}\n"
        f"PUBLICATION {_publications(p, key)}\nWITH ({', '.join(options)})",
    )
    if attrs.get("enabled") == "enabled":
        _enable(p, key)
    comment(p, key)
    privileges(p, key, created=True)


def _enable(p: Planner, key: ObjectKey) -> None:
    if p.options.connect_subscriptions:
        p.add(key, "create", f"ALTER SUBSCRIPTION {key.name} ENABLE")
        return
    # Said where the statement that would enable it would stand.
    p.add(
        key,
        "create",
        f"ALTER SUBSCRIPTION {key.name} DISABLE",
        note=(
            f"Subscription {key.name} is enabled in the schema, but enabling it connects to "
            f"the publisher: run ALTER SUBSCRIPTION {key.name} ENABLE when it may, or "
            "generate with --connect-subscriptions."
        ),
    )


def drop_subscription(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    attrs = p.source.attrs(key)
    if attrs.get("slot_name", "NONE") != "NONE":
        if attrs.get("enabled") == "enabled":
            p.add(key, "drop", f"ALTER SUBSCRIPTION {key.name} DISABLE")
        p.add(
            key,
            "drop",
            f"ALTER SUBSCRIPTION {key.name} SET (slot_name = NONE)",
            note=(
                f"The replication slot {attrs['slot_name']} stays on the publisher: drop it "
                "there (pg_drop_replication_slot) once nothing needs it."
            ),
        )
    p.add(key, "drop", f"DROP SUBSCRIPTION {key.name}")


def alter_subscription(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    wanted, found = p.target.attrs(key), p.source.attrs(key)
    alter = f"ALTER SUBSCRIPTION {key.name}"
    disabling = "enabled" in changed and wanted.get("enabled") != "enabled"
    if disabling or ("slot_name" in changed and found.get("enabled") == "enabled"):
        p.add(key, "create", f"{alter} DISABLE")
    if "connection" in changed:
        p.add(key, "create", f"{alter} CONNECTION {literal(_connection(p, key))}")
    if "publications" in changed:
        p.add(
            key,
            "create",
            f"{alter} SET PUBLICATION {_publications(p, key)} WITH (refresh = false)",
        )
    options = _options(wanted)
    was = _options(found)
    items = [f"{name} = {value}" for name, value in options.items() if was.get(name) != value]
    if "slot_name" in changed:
        items.append(f"slot_name = {wanted.get('slot_name', 'NONE')}")
    if items:
        p.add(key, "create", f"{alter} SET ({', '.join(items)})")
    enable = wanted.get("enabled") == "enabled"
    if enable and ("enabled" in changed or "slot_name" in changed):
        _enable(p, key)
    alter_with_comment(p, key, changes)
