"""Migration generation against migra, on the same pairs of schemas.

Run (needs a superuser URL of a running server, and the bench extra for migra):

    pip install -e '.[bench]'
    python bench/migration_bench.py --url postgresql://postgres@127.0.0.1:5432/postgres

The URL defaults to NORBERTS_DB_TEST_URL. The pairs are those of the
round-trip tests (tests/integration/test_migration_roundtrip.py), plus the
project schema from an empty database. For each pair A -> B, both tools
generate the migration from a database holding A to one holding B (timed:
reading both catalogs and writing the SQL); then each migration is applied
to a fresh copy of A and the result compared with B as db.verify compares.
Prints the median generation time of each tool and how many pairs each
round-trips exactly, and lists the pairs each one misses. No assertions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.integration.migration_helpers import EMPTY_DATABASE, database_pair  # noqa: E402
from tests.integration.test_migration_roundtrip import PAIRS  # noqa: E402

from norberts_db.catalog.compare import compare  # noqa: E402
from norberts_db.catalog.snapshot import snapshot_database  # noqa: E402
from norberts_db.connection import connect  # noqa: E402
from norberts_db.conninfo import ConnInfo  # noqa: E402
from norberts_db.migrations.catalog import read_catalogs  # noqa: E402
from norberts_db.migrations.plan import plan_migration, render_plan  # noqa: E402
from norberts_db.migrations.runner import migrate  # noqa: E402

Pair = tuple[str, str, str]


def ours(source: ConnInfo, target: ConnInfo) -> str:
    return render_plan(plan_migration(*read_catalogs(source, target)))


def migras(source: ConnInfo, target: ConnInfo) -> str:
    from migra import Migration
    from sqlbag import S  # type: ignore[import-untyped]

    with S(source.url(with_password=True)) as s0, S(target.url(with_password=True)) as s1:
        migration = Migration(s0, s1)
        migration.set_safety(False)
        migration.add_all_changes()
        return str(migration.sql)


def apply_ours(info: ConnInfo, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "0001_bench.sql").write_text(text, encoding="utf-8")
        migrate(info, Path(folder), place=False)  # written for this very database


def apply_plain(info: ConnInfo, text: str) -> None:
    with connect(info, autocommit=True) as conn, conn.transaction():
        conn.execute(text)


def reset(info: ConnInfo, schema: str) -> None:
    with connect(info, autocommit=True) as conn:
        conn.execute(EMPTY_DATABASE + schema)


def measure(pair: tuple[ConnInfo, ConnInfo], a: str, b: str, tool: str) -> tuple[float, bool, str]:
    """Generation time, whether the migration turns A into B exactly, and why not."""
    source, target = pair
    reset(source, a)
    reset(target, b)
    generate, run = (ours, apply_ours) if tool == "norberts_db" else (migras, apply_plain)
    started = time.perf_counter()
    try:
        text = generate(source, target)
    except Exception as exc:  # a tool that cannot generate has missed the pair
        return time.perf_counter() - started, False, f"generation failed: {exc}".splitlines()[0]
    seconds = time.perf_counter() - started
    try:
        if text.strip():
            run(source, text)
    except Exception as exc:  # a migration the server rejects has missed the pair
        return seconds, False, f"apply failed: {str(exc).splitlines()[0]}"
    left = compare(snapshot_database(target), snapshot_database(source))
    return seconds, not left, f"{len(left)} difference(s) left" if left else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("NORBERTS_DB_TEST_URL"))
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url or set NORBERTS_DB_TEST_URL")
    server = ConnInfo.from_url(args.url).for_database("postgres")
    schema = (ROOT / "sql" / "norberts_schema.sql").read_text(encoding="utf-8")
    pairs: list[Pair] = [(p.id, p.a, p.b) for p in PAIRS if not p.extension]
    pairs += [(f"{p.id} (back)", p.b, p.a) for p in PAIRS if p.both_ways and not p.extension]
    pairs.append(("project schema from empty", "", schema))
    results: dict[str, list[tuple[str, float, bool, str]]] = {"norberts_db": [], "migra": []}
    with database_pair(server) as dbs:
        for name, a, b in pairs:
            for tool, found in results.items():
                found.append((name, *measure(dbs, a, b, tool)))
    print(f"{len(pairs)} pairs of schemas, PostgreSQL at {server.address}")
    for tool, found in results.items():
        times = [seconds for _, seconds, _, _ in found]
        good = sum(1 for _, _, ok, _ in found if ok)
        print(
            f"{tool:12} generation median {statistics.median(times) * 1000:6.1f} ms, "
            f"total {sum(times):5.2f} s; round-trips {good}/{len(found)} pairs exactly"
        )
    for tool, found in results.items():
        for name, _, ok, why in found:
            if not ok:
                print(f"  {tool} misses: {name}: {why}")


if __name__ == "__main__":
    main()
