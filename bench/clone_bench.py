"""A fresh schema database per test: cloning the template against replaying the schema file.

Run against a PostgreSQL 15+ server, as a superuser:

    python bench/clone_bench.py --url postgresql://postgres@127.0.0.1:5432/postgres [--runs 30]

``--url`` defaults to NORBERTS_DB_TEST_URL. The script builds its own template
from sql/norberts_schema.sql the way the ``schema_template`` fixture does, then
times, round-robin so that background load hits every method alike:

* fixture clone: ``databases.create_database(..., template=...)`` and
  ``drop_database``, exactly what the ``schema_db`` fixture does: each opens its
  own maintenance connection, and the server's default strategy (WAL_LOG) is used;
* clone WAL_LOG / FILE_COPY: the bare CREATE DATABASE ... TEMPLATE ... STRATEGY
  and DROP DATABASE on one held connection, to compare the two strategies;
* replay: create an empty database, apply the schema file, drop it.

Phases: create; first use (connect to the new database and read a schema
table, as a test's first statement does); drop. It prints the median and p95
of each, the WAL written and checkpoints requested per run, the time to open a
connection, and the server settings that decide the cost. No assertions; the
target is a clone within 50 ms. It drops everything it created, also when
interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import LiteralString

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from norberts_db import apply, databases  # noqa: E402
from norberts_db.conninfo import ConnInfo  # noqa: E402
from norberts_db.errors import NorbertsDbError  # noqa: E402
from norberts_db.sqlfile import SqlScript, load_script  # noqa: E402

Connection = psycopg.Connection[tuple[object, ...]]
TARGET_MS = 50.0


@dataclass
class Method:
    """One way of giving a test a fresh schema database, and what it cost each run."""

    label: str
    create: Callable[[str], None]
    drop: Callable[[str], None]
    create_ms: list[float] = field(default_factory=list)
    use_ms: list[float] = field(default_factory=list)
    drop_ms: list[float] = field(default_factory=list)
    wal_kb: list[float] = field(default_factory=list)
    checkpoints: list[int] = field(default_factory=list)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("NORBERTS_DB_TEST_URL"))
    parser.add_argument("--runs", type=int, default=30, help="runs per method (default: 30)")
    options = parser.parse_args()
    if not options.url:
        print("error: give --url or set NORBERTS_DB_TEST_URL (a superuser URL)")
        return 2
    try:
        server = ConnInfo.from_url(options.url, source="--url").for_database(
            databases.MAINTENANCE_DB
        )
        schema = load_script(ROOT / "sql" / "norberts_schema.sql", what="schema file")
        run(server, schema, options.runs)
    except (NorbertsDbError, psycopg.Error) as exc:
        print(f"error: {exc}")
        return 1
    return 0


def run(server: ConnInfo, schema: SqlScript, runs: int) -> None:
    tag = secrets.token_hex(4)
    template = f"bench_tpl_{tag}"
    names: list[str] = []
    with psycopg.connect(**server.connect_kwargs(), autocommit=True) as conn:
        describe(conn)
        databases.create_database(server, template)
        try:
            apply.create(server.for_database(template), schema)
            size = scalar(conn, "SELECT pg_database_size(%s)", [template])
            print(f"template: {int(str(size)) / 1024:.0f} kB (mostly the system catalogs)")
            connect_ms = [first_use(server, "SELECT 1") for _ in range(10)]
            print(f"connect + SELECT 1: median {statistics.median(connect_ms):.1f} ms")
            methods = build_methods(server, conn, schema, template)
            for i in range(runs + 1):  # round 0 warms up and is not counted
                for method in methods:
                    name = f"bench_{tag}_{i}_{len(names)}"
                    names.append(name)
                    measure(server, conn, method, name, counted=i > 0)
            print(f"\n{runs} runs per method, round-robin; times in ms\n")
            report(methods)
        finally:
            for name in [*names, template]:
                databases.drop_database(server, name)


def build_methods(
    server: ConnInfo, conn: Connection, schema: SqlScript, template: str
) -> list[Method]:
    def drop(name: str) -> None:
        databases.drop_database(server, name)

    def clone(name: str) -> None:
        databases.create_database(server, name, template=template)

    def clone_with(strategy: str) -> Callable[[str], None]:
        def create(name: str) -> None:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY {}").format(
                    sql.Identifier(name), sql.Identifier(template), sql.SQL(strategy)
                )
            )

        return create

    def drop_held(name: str) -> None:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))

    def replay(name: str) -> None:
        databases.create_database(server, name)
        apply.create(server.for_database(name), schema)

    return [
        Method("fixture clone", clone, drop),
        Method("clone WAL_LOG, held conn", clone_with("WAL_LOG"), drop_held),
        Method("clone FILE_COPY, held conn", clone_with("FILE_COPY"), drop_held),
        Method("replay schema file", replay, drop),
    ]


def measure(
    server: ConnInfo, conn: Connection, method: Method, name: str, *, counted: bool
) -> None:
    lsn_before = scalar(conn, "SELECT pg_current_wal_insert_lsn()")
    checkpoints_before = checkpoints_requested(conn)
    started = time.perf_counter()
    method.create(name)
    created = time.perf_counter()
    use_ms = first_use(server.for_database(name))
    used = time.perf_counter()
    method.drop(name)
    dropped = time.perf_counter()
    if not counted:
        return
    method.create_ms.append((created - started) * 1000)
    method.use_ms.append(use_ms)
    method.drop_ms.append((dropped - used) * 1000)
    wal = scalar(conn, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [lsn_before])
    method.wal_kb.append(float(str(wal)) / 1024)
    method.checkpoints.append(checkpoints_requested(conn) - checkpoints_before)


def first_use(info: ConnInfo, query: LiteralString = "SELECT count(*) FROM public.users") -> float:
    """Milliseconds to connect to ``info`` and run ``query`` (by default, read a schema table)."""
    started = time.perf_counter()
    with psycopg.connect(**info.connect_kwargs()) as conn:
        conn.execute(query).fetchone()
    return (time.perf_counter() - started) * 1000


def checkpoints_requested(conn: Connection) -> int:
    """Checkpoints requested so far (FILE_COPY asks for two per CREATE DATABASE)."""
    version = int(str(scalar(conn, "SHOW server_version_num")))
    if version >= 170000:
        query = "SELECT num_requested FROM pg_stat_checkpointer"
    else:
        query = "SELECT checkpoints_req FROM pg_stat_bgwriter"
    # Statistics are a snapshot per transaction; clear it to read the current value.
    conn.execute("SELECT pg_stat_clear_snapshot()")
    return int(str(scalar(conn, query)))


def scalar(conn: Connection, query: LiteralString, params: list[object] | None = None) -> object:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def describe(conn: Connection) -> None:
    settings = ", ".join(
        f"{name}={scalar(conn, 'SELECT current_setting(%s)', [name])}"
        for name in ("fsync", "synchronous_commit", "full_page_writes", "wal_level")
    )
    print(f"PostgreSQL {scalar(conn, 'SHOW server_version')}: {settings}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {p95(values):.1f}"


def report(methods: list[Method]) -> None:
    phases = ("create", "first use", "drop", "total")
    print(f"{'':<27}" + "".join(f"{phase:>15}" for phase in phases) + f"{'WAL kB':>8}{'ckpt':>5}")
    print(f"{'method':<27}" + f"{'median / p95':>15}" * len(phases))
    for m in methods:
        total = [sum(run) for run in zip(m.create_ms, m.use_ms, m.drop_ms, strict=True)]
        cells = "".join(f"{cell(v):>15}" for v in (m.create_ms, m.use_ms, m.drop_ms, total))
        wal = statistics.median(m.wal_kb)
        ckpt = statistics.median(m.checkpoints)
        print(f"{m.label:<27}{cells}{wal:8.0f}{ckpt:5.0f}")
    clone = statistics.median(methods[0].create_ms)
    verdict = "within" if clone <= TARGET_MS else "over"
    print(f"\nfixture clone: create median {clone:.1f} ms, {verdict} the {TARGET_MS:.0f} ms target")


if __name__ == "__main__":
    sys.exit(main())
