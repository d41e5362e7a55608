"""verify, diff and reset on generated schemas of hundreds to thousands of tables.

Run (needs the bench extra for migra, and psql):

    pip install -e '.[bench]'
    python bench/scale_bench.py --tables 100,1000,3000 [--url postgresql://...] [--runs 2]
    python bench/scale_bench.py --tables 5000 --runs 1    # the largest the servers are sized for

For each size it writes a schema of that many tables into a temporary folder,
in a schema of its own (``scale``): identity keys, a foreign key to the table
before, CHECKs, an enum column, indexes, a trigger on every table, a view on
every tenth, comments. A variant changes one table in fifty (a new column, a
changed CHECK, a dropped index, a new view). Then it prints, side by side:

- psql: ``psql -1 -f schema.sql`` into an empty database (the build alone),
  the reference for the verify of that database;
- reset: ``invoke db.reset`` of that database from the schema file, against
  ``psql -1 -f drop.sql -f schema.sql`` (the same drop and build), in turns;
- verify: ``invoke db.verify``, on a clean database and on one built from the
  variant (drift), the first run right after the build and a repeated one;
- diff: ``invoke db.diff --to-url`` from the variant's database to the schema's;
- migra: the same two databases, in turns with the diff, and the median ratio;
- peak memory (max RSS) of each toolkit command's process.

The server is the dev server (``invoke db.up``; started if needed) or ``--url``,
a superuser's. Each command runs in a new process, as a user runs it. No
assertions; the targets are verify within 1.5 times the psql build, and diff
within half of migra. On a shared machine the figures move with its load
(printed before and after each size): compare the ratios of one run, not
seconds across runs.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from norberts_db import databases  # noqa: E402
from norberts_db.commands import serve  # noqa: E402
from norberts_db.conninfo import ConnInfo  # noqa: E402
from norberts_db.settings import load_settings  # noqa: E402

SCHEMA = "scale"
STATUSES = ("'new'", "'open'", "'won'", "'lost'")


def table_sql(i: int, *, variant: bool) -> str:
    """One table with its key, foreign key, checks, indexes, trigger and comments."""
    name = f"{SCHEMA}.t{i:05d}"
    changed = variant and i % 50 == 7
    parent = f"    parent_id bigint REFERENCES {SCHEMA}.t{i - 1:05d} (id) ON DELETE SET NULL,\n"
    check = "amount >= 0" if not changed else "amount >= 0 AND amount < 1000000"
    extra = "    note text,\n" if changed else ""
    lines = [
        f"CREATE TABLE {name} (\n"
        "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        + (parent if i > 0 else "")
        + "    label text NOT NULL CHECK (label ~ '[^[:space:]]'),\n"
        f"    status {SCHEMA}.status NOT NULL DEFAULT 'new',\n"
        f"    amount numeric(12, 2) NOT NULL DEFAULT 0 CONSTRAINT t{i:05d}_amount_ck "
        f"CHECK ({check}),\n" + extra + "    created_at timestamptz NOT NULL DEFAULT now(),\n"
        "    updated_at timestamptz NOT NULL DEFAULT now()\n"
        ");",
        f"COMMENT ON TABLE {name} IS 'Generated table {i}.';",
        f"COMMENT ON COLUMN {name}.label IS 'What the row is called.';",
        f"CREATE UNIQUE INDEX t{i:05d}_label_uq ON {name} (lower(label));",
        f"CREATE TRIGGER t{i:05d}_touch_trg BEFORE UPDATE ON {name} "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.touch();",
    ]
    if i > 0 and not changed:
        lines.append(f"CREATE INDEX t{i:05d}_parent_idx ON {name} (parent_id);")
    if i % 10 == 0 or (changed and variant):
        lines.append(
            f"CREATE VIEW {SCHEMA}.v{i:05d} AS SELECT id, label, status FROM {name} "  # noqa: S608
            "WHERE status <> 'lost';"
        )
    return "\n".join(lines)


def schema_sql(tables: int, *, variant: bool) -> str:
    head = [
        f"CREATE SCHEMA {SCHEMA};",
        f"CREATE TYPE {SCHEMA}.status AS ENUM ({', '.join(STATUSES)});",
        f"CREATE FUNCTION {SCHEMA}.touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;",
    ]
    body = (table_sql(i, variant=variant) for i in range(tables))
    return "\n\n".join([*head, *body]) + "\n"


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_mb: float
    code: int


def run(command: Sequence[str], env: dict[str, str]) -> Run:
    """Run ``command`` in a new process: wall time, its peak memory, its exit code.

    The peak comes from /usr/bin/time, not from this process's wait4(): a child
    forked from this Python process inherits its memory high-water mark.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", rss.name, *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        kilobytes = rss.read().strip().splitlines()[-1:] or ["0"]
    # 0 same, 1 differs (the toolkit); migra says "differs" with 2.
    if done.returncode not in (0, 1, 2):
        print(f"    {' '.join(command[:4])}: {done.stderr.strip()[-300:]}", file=sys.stderr)
    return Run(seconds, int(kilobytes[0]) / 1024, done.returncode)


def load_average() -> str:
    """The machine's one-minute load average: figures from a loaded machine say so."""
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        return "unknown"


def fresh_database(server: ConnInfo, label: str) -> ConnInfo:
    name = f"bench_scale_{label}_{secrets.token_hex(3)}"
    databases.create_database(server, name)
    return server.for_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="100,1000,3000")
    parser.add_argument("--url", default=os.environ.get("NORBERTS_DB_TEST_URL"))
    parser.add_argument("--runs", type=int, default=2, help="repeated runs of each command")
    args = parser.parse_args()
    sizes = [int(n) for n in args.tables.split(",")]

    settings = load_settings(project_root=ROOT, **({"url": args.url} if args.url else {}))
    server = serve(settings, lambda _m: None)[1].for_database(databases.MAINTENANCE_DB)
    psql = shutil.which("psql")
    if psql is None:
        sys.exit("psql is needed for the comparison: install postgresql-client")
    # As installed: the toolkit's modules load from their bytecode cache, not compiled anew.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NORBERTS_DB_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env |= {"PGPASSWORD": server.password or "", "NORBERTS_DB_BACKEND": "external"}
    invoke = [sys.executable, "-m", "invoke"]
    print(f"server: {server.redacted()}   runs: {args.runs}")
    # exit: 0 same (or done), 1 differs, 2 could not verify; migra says "differs" with 2.
    print(f"{'tables':>6} {'step':<28} {'seconds':>8} {'vs psql':>8} {'peak MB':>8} exit")

    with tempfile.TemporaryDirectory(prefix="norberts-scale-") as folder:
        for tables in sizes:
            schema = Path(folder, f"schema_{tables}.sql")
            variant = Path(folder, f"variant_{tables}.sql")
            drop = Path(folder, "drop.sql")
            schema.write_text(schema_sql(tables, variant=False), encoding="utf-8")
            variant.write_text(schema_sql(tables, variant=True), encoding="utf-8")
            drop.write_text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE;\n", encoding="utf-8")

            def report(step: str, result: Run, base: float | None, n: int = tables) -> None:
                ratio = f"{result.seconds / base:7.2f}x" if base else " " * 8
                print(
                    f"{n:>6} {step:<28} {result.seconds:8.2f} {ratio} "
                    f"{result.max_rss_mb:8.1f} {result.code:4d}",
                    flush=True,
                )

            clean = fresh_database(server, "clean")
            drifted = fresh_database(server, "drift")
            try:
                psql_cmd = [psql, "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1"]
                flags = ["--schema", str(schema)]
                verify = [*invoke, "db.verify", *flags]
                target = {**env, "DATABASE_URL": clean.url(with_password=True)}
                drift_env = {**env, "DATABASE_URL": drifted.url(with_password=True)}
                print(f"{tables:>6} load average before: {load_average()}", flush=True)
                # Each database is verified right after its build: "first" is the first
                # read of a freshly built catalog, as after a user's own build.
                builds = (("clean", clean, schema, target), ("drift", drifted, variant, drift_env))
                for label, db, path, where in builds:
                    build = run([*psql_cmd, "-d", db.url(), "-f", str(path)], env)
                    if label == "clean":
                        clean_build = build  # what the reset of the clean database builds
                    report(f"psql -1 -f (build {label})", build, None)
                    report(f"db.verify {label}, first", run(verify, where), build.seconds)
                    for _ in range(args.runs):
                        report(f"db.verify {label}, repeated", run(verify, where), build.seconds)
                diff_cmd = [*invoke, "db.diff", "--to-url", clean.url(), "--allow-destructive"]
                migra = shutil.which("migra")
                ratios: list[float] = []
                # Taken in turns, so both see the same moment of a shared machine.
                for _ in range(max(1, args.runs)):
                    diff = run(diff_cmd, {**drift_env, "PGPASSWORD": server.password or ""})
                    report("db.diff --to-url", diff, build.seconds)
                    if migra is not None:
                        m = run([migra, "--unsafe", drifted.url(), clean.url()], env)
                        report("migra (same pair)", m, build.seconds)
                        ratios.append(diff.seconds / m.seconds if m.seconds else 0.0)
                if ratios:
                    each = " ".join(f"{r:.2f}" for r in ratios)
                    print(
                        f"{tables:>6} {'diff / migra, median':<28} "
                        f"{statistics.median(ratios):8.2f}   (each: {each})"
                    )
                reset_cmd = [*invoke, "db.reset", *flags, "--drop-script", str(drop), "--no-seed"]
                # What a reset does, done by psql: drop everything, then build. In turns.
                like = [*psql_cmd, "-d", clean.url(), "-f", str(drop), "-f", str(schema)]
                for _ in range(max(1, args.runs)):
                    plain = run(like, env)
                    report("psql -1 -f drop -f schema", plain, clean_build.seconds)
                    report("db.reset (vs drop+build)", run(reset_cmd, target), plain.seconds)
                print(f"{tables:>6} load average after: {load_average()}", flush=True)
            finally:
                databases.drop_database(server, clean.dbname)
                databases.drop_database(server, drifted.dbname)


if __name__ == "__main__":
    main()
