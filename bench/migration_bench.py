"""Migration generation against migra, on the same pairs of schemas.

Run (needs a superuser URL of a running server, and the bench extra for migra):

    pip install -e '.[bench]'
    python bench/migration_bench.py --url postgresql://postgres@127.0.0.1:5432/postgres

The URL defaults to NORBERTS_DB_TEST_URL. The pairs are those of the
round-trip tests (tests/integration/test_migration_roundtrip.py), the
project schema from an empty database, and every pair of the corpus
(tests/corpus), both ways unless the pair says otherwise. For each pair
A -> B, both tools generate the migration from a database holding A to one
holding B (timed: reading both catalogs and writing the SQL); then each
migration is applied to a fresh copy of A and the result compared with B as
db.verify compares. When a pg_dump of the server's major is at hand (the
embedded binaries, or Debian's), each migrated A that round-trips is also
dumped (--schema-only) and compared with B's dump, database names and
pg_dump's comment lines left out.
Prints the median generation time of each tool, how many pairs each
round-trips exactly (the corpus apart), and lists the pairs each one
misses. No assertions.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.integration.corpus import corpus_pairs  # noqa: E402
from tests.integration.migration_helpers import EMPTY_DATABASE, database_pair  # noqa: E402
from tests.integration.test_migration_roundtrip import PAIRS  # noqa: E402

from norberts_db.catalog.compare import compare  # noqa: E402
from norberts_db.catalog.snapshot import snapshot_database  # noqa: E402
from norberts_db.connection import connect  # noqa: E402
from norberts_db.conninfo import ConnInfo  # noqa: E402
from norberts_db.migrations.catalog import read_catalogs  # noqa: E402
from norberts_db.migrations.plan import PlanOptions, plan_migration, render_plan  # noqa: E402
from norberts_db.migrations.runner import migrate  # noqa: E402
from norberts_db.pgbinaries import find  # noqa: E402

# name, A, B, whether the plan builds indexes concurrently, whether grants are compared
Pair = tuple[str, str, str, bool, bool]
Result = tuple[str, float, bool, str, bool | None]


def ours(source: ConnInfo, target: ConnInfo, concurrently: bool, grants: bool) -> str:
    options = PlanOptions(concurrently=concurrently, privileges=grants)
    catalogs = read_catalogs(source, target, privileges=grants)
    return render_plan(plan_migration(*catalogs, options))


def migras(source: ConnInfo, target: ConnInfo, concurrently: bool, grants: bool) -> str:
    from migra import Migration
    from sqlbag import S  # type: ignore[import-untyped]

    with S(source.url(with_password=True)) as s0, S(target.url(with_password=True)) as s1:
        migration = Migration(s0, s1)
        migration.set_safety(False)
        migration.add_all_changes(privileges=grants)
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


def measure(
    dbs: tuple[ConnInfo, ConnInfo], pair: Pair, tool: str, pg_dump: Path | None
) -> tuple[float, bool, str, bool | None]:
    """Generation time, whether the migration turns A into B exactly, why not, same dump."""
    source, target = dbs
    _, a, b, concurrently, grants = pair
    reset(source, a)
    reset(target, b)
    generate, run = (ours, apply_ours) if tool == "norberts_db" else (migras, apply_plain)
    started = time.perf_counter()
    try:
        text = generate(source, target, concurrently, grants)
    except Exception as exc:  # a tool that cannot generate has missed the pair
        why = f"generation failed: {exc}".splitlines()[0]
        return time.perf_counter() - started, False, why, None
    seconds = time.perf_counter() - started
    try:
        if text.strip():
            run(source, text)
    except Exception as exc:  # a migration the server rejects has missed the pair
        return seconds, False, f"apply failed: {str(exc).splitlines()[0]}", None
    left = compare(
        snapshot_database(target, privileges=grants), snapshot_database(source, privileges=grants)
    )
    if left:
        return seconds, False, f"{len(left)} difference(s) left", None
    same_dump = None if pg_dump is None else dump(pg_dump, source) == dump(pg_dump, target)
    return seconds, True, "", same_dump


_DUMP_NOISE = re.compile(r"^(--.*|\\(un)?restrict .*|)$")


def dump(pg_dump: Path, info: ConnInfo) -> list[str]:
    """``pg_dump --schema-only`` of the database, its name and pg_dump's comments left out.

    The ``\\restrict`` lines (PostgreSQL 18's) carry a random key: left out too.
    """
    environment = {**os.environ, "PGPASSWORD": info.password or ""}
    # The migration runner's own history (schema norberts_db) is no part of the schema.
    command = [str(pg_dump), "--schema-only", "--exclude-schema=norberts_db"]
    command += ["-h", info.host, "-p", str(info.port)]
    text = subprocess.run(
        [*command, "-U", info.user, "-d", info.dbname],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    ).stdout
    return [
        line.replace(info.dbname, "DB") for line in text.splitlines() if not _DUMP_NOISE.match(line)
    ]


def dumper(server: ConnInfo) -> Path | None:
    """A pg_dump of the server's major, if this machine has one."""
    with connect(server, autocommit=True) as conn:
        major = int(conn.info.server_version) // 10000
    found = find(major, state_dir=ROOT / ".norberts_db")
    program = found.program("pg_dump") if found else None
    return program if program is not None and program.is_file() else None


def has_icu(server: ConnInfo) -> bool:
    """Whether the server was built with ICU (the catalog lists ICU collations either way)."""
    with connect(server, autocommit=True) as conn:
        try:
            with conn.transaction(force_rollback=True):
                conn.execute("CREATE COLLATION pg_temp.probe (provider = icu, locale = 'und')")
        except psycopg.errors.FeatureNotSupported:
            return False
    return True


def corpus(server: ConnInfo, icu: bool) -> list[Pair]:
    """The corpus pairs this server can build, each way they run."""
    with connect(server, autocommit=True) as conn:
        version = int(conn.info.server_version)
        rows = conn.execute("SELECT name FROM pg_available_extensions").fetchall()
    extensions = {str(row[0]) for row in rows}
    return [
        (f"corpus {way}", a, b, pair.concurrently, pair.privileges)
        for pair in corpus_pairs()
        if version >= pair.since and (icu or not pair.icu) and pair.extension in extensions | {""}
        for way, a, b in pair.directions()
    ]


def summary(tool: str, found: list[Result], label: str) -> str:
    times = [seconds for _, seconds, _, _, _ in found]
    good = sum(1 for _, _, ok, _, _ in found if ok)
    dumps = [same for _, _, ok, _, same in found if ok and same is not None]
    text = (
        f"{tool:12} {label}: generation median {statistics.median(times) * 1000:6.1f} ms, "
        f"total {sum(times):5.2f} s; round-trips {good}/{len(found)} pairs exactly"
    )
    if dumps:
        text += f"; pg_dump of the migrated A equals B's in {sum(dumps)}/{len(dumps)}"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("NORBERTS_DB_TEST_URL"))
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url or set NORBERTS_DB_TEST_URL")
    server = ConnInfo.from_url(args.url).for_database("postgres")
    schema = (ROOT / "sql" / "norberts_schema.sql").read_text(encoding="utf-8")
    icu = has_icu(server)
    usable = [p for p in PAIRS if not p.extension and (icu or not p.icu)]
    pairs: list[Pair] = [(p.id, p.a, p.b, False, False) for p in usable]
    pairs += [(f"{p.id} (back)", p.b, p.a, False, False) for p in usable if p.both_ways]
    pairs.append(("project schema from empty", "", schema, False, False))
    pairs += corpus(server, icu)
    pg_dump = dumper(server)
    results: dict[str, list[Result]] = {"norberts_db": [], "migra": []}
    with database_pair(server) as dbs:
        for pair in pairs:
            for tool, found in results.items():
                found.append((pair[0], *measure(dbs, pair, tool, pg_dump)))
    print(f"{len(pairs)} pairs of schemas, PostgreSQL at {server.address}")
    print(f"pg_dump: {pg_dump or 'none of the server major at hand: dumps not compared'}")
    for tool, found in results.items():
        in_corpus = [result for result in found if result[0].startswith("corpus ")]
        rest = [result for result in found if not result[0].startswith("corpus ")]
        print(summary(tool, rest, "round-trip pairs"))
        print(summary(tool, in_corpus, "corpus pairs    "))
    for tool, found in results.items():
        for name, _, ok, why, same in found:
            if not ok:
                print(f"  {tool} misses: {name}: {why}")
            elif same is False:
                print(f"  {tool}: {name}: pg_dump of the migrated A differs from B's")


if __name__ == "__main__":
    main()
