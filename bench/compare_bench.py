"""The Python side of verify and diff: comparing two snapshots, per object, as they grow.

Run:

    python bench/compare_bench.py [--sizes 10000,100000] [--runs 5]

Builds two synthetic snapshots of each size (tables, columns, constraints,
indexes and triggers in the proportions of a real schema, eight attributes
each), one object in a hundred changed, missing or unexpected, and times
``compare`` on them. Prints the median time and the time per object: a cost
that grows no faster than the schema keeps the per-object figure flat.

Past the CPU's caches every look-up in a large mapping costs more, whatever
does it, so beside ``compare`` the bench times the least any comparison by
key does: one look-up of each object's key in the other snapshot. While
``compare`` stays a constant multiple of that (the last column), it grows
with the objects, and what rises is the memory's cost per look-up.
No assertions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from norberts_db.catalog.compare import compare
from norberts_db.catalog.model import ObjectKey, Snapshot

# Of every 20 objects: 1 table, 10 columns, 4 constraints, 3 indexes, 2 triggers.
KINDS = ("table",) + ("column",) * 10 + ("constraint",) * 4 + ("index",) * 3 + ("trigger",) * 2


def snapshots(size: int) -> tuple[Snapshot, Snapshot]:
    expected: dict[ObjectKey, dict[str, str]] = {}
    actual: dict[ObjectKey, dict[str, str]] = {}
    for i in range(size):
        kind = KINDS[i % len(KINDS)]
        table = i // len(KINDS)
        name = f"public.t{table:06d}" if kind == "table" else f"public.t{table:06d}.{kind}{i}"
        attrs = {f"attribute_{a}": f"value {a} of {name}" for a in range(8)}
        key = ObjectKey(kind, name)
        expected[key] = attrs
        if i % 100 == 1:
            continue  # missing
        found = dict(attrs)
        if i % 100 == 2:
            found["attribute_3"] = "changed"
        actual[key] = found
        if i % 100 == 3:
            actual[ObjectKey(kind, name + "_new")] = dict(attrs)  # unexpected
    return Snapshot(expected), Snapshot(actual)


def lookups(expected: Snapshot, actual: Snapshot) -> int:
    """One look-up of each object's key in the other snapshot, and nothing else."""
    find, wanted = actual.objects.get, expected.objects
    absent = sum(1 for key in wanted if find(key) is None)
    return absent + sum(1 for key in actual.objects if key not in wanted)


def median_seconds(
    runs: int, step: Callable[[Snapshot, Snapshot], object], pair: tuple[Snapshot, Snapshot]
) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step(*pair)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{'objects':>8} {'differences':>12} {'median ms':>10} {'us/object':>10}"
        f" {'look-ups us/object':>19} {'compare / look-ups':>19}"
    )
    for size in (int(n) for n in args.sizes.split(",")):
        pair = snapshots(size)
        found = compare(*pair)
        median = median_seconds(args.runs, compare, pair)
        floor = median_seconds(args.runs, lookups, pair)
        print(
            f"{size:>8} {len(found):>12} {median * 1000:10.1f} {median / size * 1e6:10.2f}"
            f" {floor / size * 1e6:19.2f} {median / floor:19.1f}"
        )


if __name__ == "__main__":
    main()
