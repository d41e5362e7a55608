"""Types: enums, composite types, range types and domains."""

from __future__ import annotations

from collections.abc import Sequence

from norberts_db.catalog.model import Change, ObjectKey, split_name
from norberts_db.migrations import safety
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.planner import PlanError, Planner
from norberts_db.migrations.quoting import last_of, literal, parent_of, schema_of, with_suffix

# -- enums --------------------------------------------------------------------------------------


def _labels(p: Planner, key: ObjectKey, *, source: bool = False) -> list[str]:
    catalog = p.source if source else p.target
    return list(catalog.detail(key).get("labels") or [])


def create_enum(p: Planner, key: ObjectKey) -> None:
    labels = ", ".join(literal(label) for label in _labels(p, key))
    p.add(key, "create", f"CREATE TYPE {key.name} AS ENUM ({labels})")
    comment(p, key)
    privileges(p, key, created=True)


def drop_type(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    keyword = "DOMAIN" if key.kind == "domain" else "TYPE"
    p.add(key, "drop", f"DROP {keyword} {key.name}")


def alter_enum(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if "labels" in changed:
        old, new = _labels(p, key, source=True), _labels(p, key)
        additions = enum_additions(old, new)
        if additions is None:
            _recreate_enum(p, key, old, new)
        else:
            for label, where, neighbour in additions:
                p.add(
                    key,
                    "create",
                    f"ALTER TYPE {key.name} ADD VALUE IF NOT EXISTS {literal(label)} "
                    f"{where} {literal(neighbour)}",
                    adds_enum_value=True,
                )
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)


def enum_additions(old: Sequence[str], new: Sequence[str]) -> list[tuple[str, str, str]] | None:
    """``(label, "BEFORE"|"AFTER", neighbour)`` for each added label, or None.

    None when ``new`` is not ``old`` with labels inserted: a label was removed
    or the order changed, which ADD VALUE cannot do.
    """
    if [label for label in new if label in old] != list(old):
        return None
    if not old:
        return None
    additions: list[tuple[str, str, str]] = []
    for index, label in enumerate(new):
        if label in old:
            continue
        if index > 0:
            additions.append((label, "AFTER", new[index - 1]))
        else:
            # The first label: before the first existing one (those after it may be new too).
            additions.append((label, "BEFORE", old[0]))
    return additions


def _recreate_enum(p: Planner, key: ObjectKey, old: list[str], new: list[str]) -> None:
    """Removing or reordering labels: a new type, the columns converted, the old type dropped.

    Destructive: a row holding a removed label makes the conversion fail.
    """
    removed = [label for label in old if label not in new]
    what = f"removes {', '.join(map(literal, removed))} from" if removed else "reorders"
    reason = f"{what} enum {key.name}: the type is re-created and its columns converted"
    old_name = with_suffix(last_of(key.name), "_old")
    statements = [
        f"ALTER TYPE {key.name} RENAME TO {old_name}",
        f"CREATE TYPE {key.name} AS ENUM ({', '.join(literal(label) for label in new)})",
    ]
    for edge in p.dependents(key):
        column = edge.dependent
        if column.kind != "column" or edge.through_default or not p.target.has(column):
            continue
        statements += _convert_column(p, column)
    statements.append(f"DROP TYPE {schema_of(key.name)}.{old_name}")
    p.replaced.add(key)
    p.add(key, "create", ";\n".join(statements), destructive=reason)
    comment(p, key)


def _convert_column(p: Planner, column: ObjectKey) -> list[str]:
    old, new = p.source.detail(column), p.target.detail(column)
    alter = f"ALTER TABLE {parent_of(column.name)} ALTER COLUMN {last_of(column.name)}"
    statements = []
    if old.get("default") is not None:
        statements.append(f"{alter} DROP DEFAULT")
    name = last_of(column.name)
    cast = f"{name}::text::{new['type']}"
    if new["type"].endswith("[]"):
        cast = f"{name}::text[]::{new['type']}"
    statements.append(f"{alter} TYPE {new['type']} USING {cast}")
    if new.get("default") is not None:
        statements.append(f"{alter} SET DEFAULT {new['default']}")
    p.converted.add(column)
    p.defaults_reset.add(column)
    return statements


# -- composite types ----------------------------------------------------------------------------


def _attributes(p: Planner, key: ObjectKey, *, source: bool = False) -> list[tuple[str, str]]:
    detail = (p.source if source else p.target).detail(key)
    return list(
        zip(detail.get("attribute_names") or [], detail.get("attribute_types") or [], strict=True)
    )


def create_composite(p: Planner, key: ObjectKey) -> None:
    body = ",\n    ".join(f"{name} {type_}" for name, type_ in _attributes(p, key))
    p.add(key, "create", f"CREATE TYPE {key.name} AS (\n    {body}\n)")
    comment(p, key)
    privileges(p, key, created=True)


def alter_composite(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if "attributes" in changed:
        _alter_attributes(p, key)
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)


def _alter_attributes(p: Planner, key: ObjectKey) -> None:
    old = dict(_attributes(p, key, source=True))
    new = _attributes(p, key)
    kept = [name for name, _ in new if name in old]
    added = [name for name, _ in new if name not in old]
    if [name for name, _ in new] != kept + added or kept != [n for n in old if n in dict(new)]:
        _replace_unused(p, key, "its attributes change order")
        return
    users = sorted(e.dependent.name for e in p.dependents(key) if e.dependent.kind == "column")
    used = bool(users)
    cascade = ""
    retyped = [name for name, type_ in new if name in old and old[name] != type_]
    if retyped and users:
        raise PlanError(
            f"composite type {key.name}: attribute {retyped[0]} changes type, which PostgreSQL "
            f"refuses while columns use the type ({', '.join(users)}). Write this migration by "
            "hand (add a new attribute, copy the values, drop the old one)."
        )
    for name in old:
        if name not in dict(new):
            p.add(
                key,
                "create",
                f"ALTER TYPE {key.name} DROP ATTRIBUTE {name}{cascade}",
                destructive=f"drops attribute {name} of type {key.name}" if used else "",
            )
    for name, type_ in new:
        if name in old and old[name] != type_:
            narrowing = safety.narrowing(old[name], type_)
            p.add(
                key,
                "create",
                f"ALTER TYPE {key.name} ALTER ATTRIBUTE {name} TYPE {type_}{cascade}",
                destructive=(
                    f"changes attribute {name} of {key.name} from {old[name]} to {type_}"
                    if narrowing and used
                    else ""
                ),
            )
        elif name not in old:
            p.add(key, "create", f"ALTER TYPE {key.name} ADD ATTRIBUTE {name} {type_}{cascade}")


def _replace_unused(p: Planner, key: ObjectKey, why: str) -> None:
    users = [edge.dependent.name for edge in p.dependents(key) if edge.dependent.kind == "column"]
    if users:
        raise PlanError(
            f"{key.kind} {key.name}: {why}, which needs the type re-created, and columns use "
            f"it ({', '.join(sorted(users))}). Write this migration by hand."
        )
    from norberts_db.migrations.ddl_parts import replace

    replace(p, key)


# -- range types --------------------------------------------------------------------------------


def create_range(p: Planner, key: ObjectKey) -> None:
    detail = p.target.detail(key)
    options = [f"SUBTYPE = {detail['subtype']}"]
    for option, field in (
        ("SUBTYPE_OPCLASS", "subtype_opclass"),
        ("COLLATION", "collation"),
        ("CANONICAL", "canonical"),
        ("SUBTYPE_DIFF", "subtype_diff"),
    ):
        if detail.get(field):
            options.append(f"{option} = {detail[field]}")
    if detail.get("multirange_type"):
        options.append(f"MULTIRANGE_TYPE_NAME = {detail['multirange_type']}")
    p.add(key, "create", f"CREATE TYPE {key.name} AS RANGE ({', '.join(options)})")
    comment(p, key)
    privileges(p, key, created=True)


def alter_range(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed - {"comment", "owner", "acl", "multirange_type"}:
        _replace_unused(p, key, "its definition changes")
        return
    if "multirange_type" in changed:
        _move_multirange(p, key)
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)


def _move_multirange(p: Planner, key: ObjectKey) -> None:
    """The range's multirange type renamed (and moved) in place: its users keep it.

    Both names come quoted where they need it (quote_ident in the catalog query).
    """
    old = str(p.source.detail(key)["multirange_type"])
    new = str(p.target.detail(key)["multirange_type"])
    old_schema, old_name = split_name(old)[-2:]
    new_schema, new_name = split_name(new)[-2:]
    if old_schema != new_schema:
        p.add(key, "create", f"ALTER TYPE {old} SET SCHEMA {new_schema}")
        old = f"{new_schema}.{old_name}"
    if old_name != new_name:
        p.add(key, "create", f"ALTER TYPE {old} RENAME TO {new_name}")


# -- domains ------------------------------------------------------------------------------------


def create_domain(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    text = f"CREATE DOMAIN {key.name} AS {attrs['base_type']}"
    if attrs.get("collation"):
        text += f" COLLATE {attrs['collation']}"
    if attrs.get("default"):
        text += f" DEFAULT {attrs['default']}"
    if attrs.get("nullable") == "NOT NULL":
        text += " NOT NULL"
    p.add(key, "create", text)
    comment(p, key)
    privileges(p, key, created=True)


def alter_domain(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed & {"base_type", "collation"}:
        _replace_unused(p, key, "its base type or collation changes")
        return
    attrs = p.target.attrs(key)
    if "nullable" in changed:
        word = "SET" if attrs.get("nullable") == "NOT NULL" else "DROP"
        p.add(key, "create", f"ALTER DOMAIN {key.name} {word} NOT NULL")
    if "default" in changed:
        default = attrs.get("default")
        clause = f"SET DEFAULT {default}" if default else "DROP DEFAULT"
        p.add(key, "create", f"ALTER DOMAIN {key.name} {clause}")
    if "comment" in changed:
        comment(p, key, clear=True)
    if changed & {"owner", "acl"}:
        privileges(p, key, created=False)
