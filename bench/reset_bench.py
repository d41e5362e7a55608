"""Warm `invoke db.reset` against plain `psql -f`, on the same running server.

Run (the dev server is started first if needed):

    python bench/reset_bench.py [--runs 15] [--pg 18] [--backend auto]

Prints the median and best wall time of a warm `invoke db.reset` (a new
process each time, as a user runs it), of the same drop and create done by
`psql -1 -f drop -f schema`, and their ratio and difference. No assertions:
targets are a warm reset within 0.4 s and at most 0.25 s above psql.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from norberts_db import commands, pgbinaries  # noqa: E402
from norberts_db.settings import load_settings  # noqa: E402


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pg", type=int, default=None)
    parser.add_argument("--backend", default=None)
    args = parser.parse_args()

    # As installed: the toolkit's modules load from their bytecode cache, not compiled anew.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if args.pg:
        env["NORBERTS_DB_PG_VERSION"] = str(args.pg)
    if args.backend:
        env["NORBERTS_DB_BACKEND"] = args.backend
    settings = load_settings(project_root=ROOT, environ=env)
    print(commands.up(settings, note=lambda _: None))
    server = commands.pick(settings, note=lambda line: print(line))
    info = server.conninfo

    psql = shutil.which("psql")
    if psql is None:
        found = pgbinaries.find(settings.pg_version, state_dir=settings.state_path)
        psql = str(found.program("psql")) if found else None
    if psql is None:
        sys.exit("psql is needed for the comparison: install postgresql-client")
    psql_env = {**env, "PGPASSWORD": info.password or ""}
    psql_cmd = [psql, "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", info.url()]
    psql_cmd += ["-f", str(settings.drop_script_path), "-f", str(settings.schema_path)]
    # Like for like: psql runs the drop script and the schema, so the seed stays out.
    invoke_cmd = [sys.executable, "-m", "invoke", "db.reset", "--no-seed"]

    timed(invoke_cmd, env)  # warm the page cache, the bytecode cache and the server
    load_before = load_average()
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(args.runs):  # in turns, so a change in the machine's load hits both
        ours.append(timed(invoke_cmd, env))
        theirs.append(timed(psql_cmd, psql_env))

    ours_med, theirs_med = statistics.median(ours), statistics.median(theirs)
    print(f"runs: {args.runs}, server: {server.describe()}")
    print(f"invoke db.reset  median {ours_med:.3f} s   best {min(ours):.3f} s")
    print(f"psql -1 -f ...   median {theirs_med:.3f} s   best {min(theirs):.3f} s")
    print(f"ratio {ours_med / theirs_med:.2f}x   difference {ours_med - theirs_med:+.3f} s")
    print(f"load average (1 min) before {load_before}, after {load_average()}")


def load_average() -> str:
    """The machine's one-minute load average: figures from a loaded machine say so."""
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
