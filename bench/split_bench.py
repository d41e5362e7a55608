"""Splitting large schema files, and the whole db.create of them, at 1, 5 and 20 MB.

Run against a PostgreSQL 15+ server, as a superuser:

    python bench/split_bench.py --url postgresql://postgres@127.0.0.1:5432/postgres

``--url`` defaults to NORBERTS_DB_TEST_URL; without either, only the split is
timed. Each file is the project schema followed by a seed table and INSERTs
(quoted strings holding semicolons and quotes, E'' strings, a dollar-quoted
function) up to the size. For each size the script prints the statements
found, the best of three splits (reading the file included, as every task
does), and the wall time of ``invoke db.create --schema FILE`` in a fresh
database, with the time the task reports on its success line. No
assertions; the target is a 20 MB split within 2 s. It drops the databases it
created, also when interrupted.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from norberts_db import databases  # noqa: E402
from norberts_db.conninfo import ConnInfo  # noqa: E402
from norberts_db.sqlfile import load_script  # noqa: E402

SEED_TABLE = """
CREATE TABLE public.seed_rows (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    note text,
    made timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION public.seed_label(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $body$
    SELECT 'row ' || n || '; seeded'
$body$;
"""


def generate(path: Path, megabytes: int) -> None:
    """The project schema, then seed rows up to ``megabytes``."""
    target = megabytes * 1_000_000
    parts = [(ROOT / "sql" / "norberts_schema.sql").read_text(), SEED_TABLE]
    size = sum(len(part) for part in parts)
    row = 0
    while size < target:
        # Generated rows of numbers: nothing comes from outside.
        line = (
            f"INSERT INTO public.seed_rows (id, name, note) VALUES ({row}, 'name {row}; it''s', "  # noqa: S608
            f"E'line one\\nline two: \\'quoted\\' -- not a comment');\n"
        )
        parts.append(line)
        size += len(line)
        row += 1
    path.write_text("".join(parts), encoding="utf-8")


def time_split(path: Path) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(3):
        started = time.perf_counter()
        script = load_script(path, what="schema file")
        best = min(best, time.perf_counter() - started)
        count = len(script.statements)
    return best, count


def time_create(server: ConnInfo, path: Path) -> tuple[float, str]:
    """Wall time of ``invoke db.create`` of ``path`` into a fresh database, and its own figure."""
    name = f"norberts_bench_split_{secrets.token_hex(4)}"
    databases.create_database(server, name)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NORBERTS_DB_", "PG"))}
        env.update(
            NORBERTS_DB_BACKEND="external",
            NORBERTS_DB_URL=server.for_database(name).url(with_password=True),
            NORBERTS_DB_STATE_DIR=tempfile.gettempdir(),
            PYTHONPATH=str(ROOT / "src"),
        )
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "invoke", "db.create", "--schema", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
    finally:
        databases.drop_database(server, name)
    if result.returncode != 0:
        raise SystemExit(f"db.create failed:\n{result.stderr}")
    reported = re.search(r" in ([0-9.]+ s)\s*$", result.stdout.strip())
    return wall, reported.group(1) if reported else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("NORBERTS_DB_TEST_URL"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 20], metavar="MB")
    args = parser.parse_args()
    server = ConnInfo.from_url(args.url, source="--url") if args.url else None
    print(f"{'size':>6} {'statements':>11} {'split':>9} {'db.create':>10} {'it reports':>11}")
    with tempfile.TemporaryDirectory(prefix="norberts-split-bench-") as folder:
        for megabytes in args.sizes:
            path = Path(folder) / f"schema_{megabytes}mb.sql"
            generate(path, megabytes)
            split, count = time_split(path)
            wall, reported = time_create(server, path) if server else (float("nan"), "-")
            print(f"{megabytes:>4} MB {count:>11} {split:>7.3f} s {wall:>8.2f} s {reported:>11}")
    print("target: a 20 MB split within 2 s")


if __name__ == "__main__":
    main()
