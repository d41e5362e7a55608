"""Comparing two snapshots: a pure function, so it is tested without a server."""

from __future__ import annotations

from norberts_db.catalog.model import Attributes, Change, Difference, Snapshot


def compare(expected: Snapshot, actual: Snapshot) -> list[Difference]:
    """Every object that is missing from, unexpected in, or changed in ``actual``.

    Objects are matched by kind and qualified name only, so a renamed object is
    the old name missing and the new name unexpected. The result is sorted:
    missing, then unexpected, then changed, each by name.
    """
    wanted_objects, found_objects = expected.objects, actual.objects
    # One look-up per object on each side, and no sets of all keys: past the
    # CPU's caches a look-up in a large mapping is most of what this costs.
    differences: list[Difference] = []
    changed: list[Difference] = []
    find = found_objects.get
    for key, wanted in wanted_objects.items():
        found = find(key)
        if found is None:
            differences.append(Difference(key.kind, key.name, "missing"))
        # Most objects match: one dict comparison in C settles those.
        elif found != wanted:
            changed.append(
                Difference(key.kind, key.name, "changed", attribute_changes(wanted, found))
            )
    differences += (
        Difference(key.kind, key.name, "unexpected")
        for key in found_objects
        if key not in wanted_objects
    )
    differences += changed
    return sorted(differences, key=Difference.sort_key)


def attribute_changes(expected: Attributes, found: Attributes) -> tuple[Change, ...]:
    """The attributes whose values differ, by name; an absent attribute is ``None``."""
    return tuple(
        Change(name, expected.get(name), found.get(name))
        for name in sorted(expected.keys() | found.keys())
        if expected.get(name) != found.get(name)
    )


def objects_compared(expected: Snapshot, actual: Snapshot) -> int:
    """How many distinct objects the two snapshots hold together."""
    return len(expected.objects.keys() | actual.objects.keys())


def not_compared(expected: Snapshot, actual: Snapshot) -> tuple[str, ...]:
    """What either snapshot could not read, each side named."""
    return tuple(
        [f"schema: {item}" for item in expected.not_compared]
        + [f"database: {item}" for item in actual.not_compared]
    )
