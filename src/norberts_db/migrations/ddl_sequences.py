"""Sequences: CREATE, ALTER and DROP SEQUENCE, and the column that owns one."""

from __future__ import annotations

from collections.abc import Mapping

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import Planner

_SEQUENCE_OPTIONS = (
    ("type", "AS {}"),
    ("start", "START WITH {}"),
    ("increment", "INCREMENT BY {}"),
    ("minvalue", "MINVALUE {}"),
    ("maxvalue", "MAXVALUE {}"),
    ("cache", "CACHE {}"),
    ("cycle", "{}"),
)


def restart_clause(
    key: ObjectKey, old: Mapping[str, str], new: Mapping[str, str]
) -> tuple[str, str]:
    """`` RESTART WITH start`` when the new bounds leave out where the sequence stands.

    Where it stands is data the catalog does not hold; the old start stands
    for it (a sequence not used yet is there). PostgreSQL refuses bounds that
    leave the current value out ("RESTART value (1) cannot be less than
    MINVALUE (100)"), so the sequence restarts at its new start.
    """
    try:
        at, low, high = int(old["start"]), int(new["minvalue"]), int(new["maxvalue"])
    except (KeyError, ValueError):
        return "", ""
    if low <= at <= high:
        return "", ""
    start = new.get("start", str(low))
    return (
        f" RESTART WITH {start}",
        f"restarts {key.kind} {key.name} at {start}: its new bounds leave out {at}",
    )


def create_sequence(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    options = " ".join(
        form.format(attrs[name]) for name, form in _SEQUENCE_OPTIONS if name in attrs
    )
    unlogged = "UNLOGGED " if attrs.get("persistence") == "unlogged" else ""
    p.add(key, "create", f"CREATE {unlogged}SEQUENCE {key.name} {options}")
    _owned_by(p, key)
    comment(p, key)
    privileges(p, key, created=True)


def _owned_by(p: Planner, key: ObjectKey) -> None:
    """OWNED BY is set once the column exists, which may need the sequence for its default."""
    owned_by = p.target.attrs(key).get("owned_by")
    was_owned_by = p.source.attrs(key).get("owned_by")
    if not owned_by and not was_owned_by:
        return
    owner = ObjectKey("sequence owner", key.name)
    if was_owned_by and p.is_gone(ObjectKey("column", was_owned_by)):
        # Released before its column (or table) goes, which would take the sequence along.
        p.add(
            owner,
            "drop",
            f"ALTER SEQUENCE {key.name} OWNED BY NONE",
            needs=[ObjectKey("column", was_owned_by)],
        )
        if not owned_by:
            return
    column = ObjectKey("column", owned_by) if owned_by else None
    p.add(
        owner,
        "create",
        f"ALTER SEQUENCE {key.name} OWNED BY {owned_by or 'NONE'}",
        needs=[key, column] if column else [key],
    )


def drop_sequence(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    owned_by = p.source.attrs(key).get("owned_by")
    if owned_by and p.is_gone(ObjectKey("column", owned_by)):
        return  # dropped with the column that owns it
    p.add(
        key,
        "drop",
        f"DROP SEQUENCE {key.name}",
        destructive=f"drops sequence {key.name} and its current value",
    )


def alter_sequence(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    attrs = p.target.attrs(key)
    options = [form.format(attrs[name]) for name, form in _SEQUENCE_OPTIONS if name in changed]
    if options:
        # One statement: PostgreSQL checks the options together, against the new bounds.
        restart, destructive = restart_clause(key, p.source.attrs(key), attrs)
        p.add(
            key,
            "create",
            f"ALTER SEQUENCE {key.name} {' '.join(options)}{restart}",
            destructive=destructive,
        )
    if "persistence" in changed:
        logged = "UNLOGGED" if attrs.get("persistence") == "unlogged" else "LOGGED"
        p.add(key, "create", f"ALTER SEQUENCE {key.name} SET {logged}")
    if "owned_by" in changed:
        _owned_by(p, key)
    alter_with_comment(p, key, changes)
