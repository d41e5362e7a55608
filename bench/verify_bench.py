"""`db.verify` on the project schema against migra, on the same server and databases.

Run (needs the bench extra for migra):

    pip install -e '.[bench]'
    python bench/verify_bench.py [--url postgresql://postgres@127.0.0.1:5432/postgres] [--runs 9]

The server is the dev server (`invoke db.up`; started if needed), or the one of
--url or NORBERTS_DB_TEST_URL, which must be a superuser's. On the dev server the
shadow database lives in memory (see the README); elsewhere it is on disk. Two
databases are created with the project schema next to the dev database and
dropped at the end: a target, and a reference for the tools that compare two
existing databases. Prints the median and best wall time of

- verify: verify_database(target, schema), shadow database included, as
  `invoke db.verify` does it (in process, so without interpreter start-up);
- compare: compare_databases(reference, target), the catalog reads alone;
- migra: Migration(reference, target) with all changes computed;

and the ratio of verify to migra; then the same comparison as a user sees it,
whole commands in new processes: `invoke db.verify --url TARGET` against
`migra --unsafe REFERENCE TARGET`. No assertions: the targets are verify
within 1 s and at most half of migra's time.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from norberts_db import apply, databases  # noqa: E402
from norberts_db.commands import serve  # noqa: E402
from norberts_db.conninfo import ConnInfo  # noqa: E402
from norberts_db.settings import load_settings  # noqa: E402
from norberts_db.sqlfile import SqlScript, load_script  # noqa: E402
from norberts_db.verify import compare_databases, verify_database  # noqa: E402


def timed(runs: int, action: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def migra_diff(reference: ConnInfo, target: ConnInfo) -> str:
    from migra import Migration
    from sqlbag import S  # type: ignore[import-untyped]

    with S(reference.url(with_password=True)) as s0, S(target.url(with_password=True)) as s1:
        migration = Migration(s0, s1)
        migration.set_safety(False)
        migration.add_all_changes()
        return str(migration.sql)


def line(label: str, times: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(times) * 1000:7.1f} ms   "
        f"best {min(times) * 1000:7.1f} ms   ({len(times)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("NORBERTS_DB_TEST_URL"))
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if args.url:
        server = ConnInfo.from_url(args.url, source="--url")
    else:
        running, server = serve(load_settings(project_root=ROOT))
        print(running)
    server = server.for_database(databases.MAINTENANCE_DB)
    schema = load_script(ROOT / "sql" / "norberts_schema.sql", what="schema file")
    suffix = secrets.token_hex(4)
    target = server.for_database(f"norberts_bench_target_{suffix}")
    reference = server.for_database(f"norberts_bench_reference_{suffix}")
    try:
        for info in (target, reference):
            databases.create_database(server, info.dbname)
            apply.create(info, schema)
        run(args.runs, target, reference, schema)
    finally:
        for info in (target, reference):
            databases.drop_database(server, info.dbname)


def run(runs: int, target: ConnInfo, reference: ConnInfo, schema: SqlScript) -> None:
    first = verify_database(target, schema)
    print(f"verify: exit code {first.exit_code}, {first.objects_compared} objects compared")
    verify_times = timed(runs, lambda: verify_database(target, schema))
    compare_times = timed(runs, lambda: compare_databases(reference, target))
    print(line("verify (shadow database included)", verify_times))
    print(line("compare (two existing databases)", compare_times))
    try:
        statements = migra_diff(reference, target)
    except ImportError as exc:
        print(f"migra: not importable ({exc}); install the bench extra: pip install -e '.[bench]'")
        return
    print(f"migra: {len(statements.strip().splitlines())} lines of migration SQL (0 expected)")
    migra_times = timed(runs, lambda: migra_diff(reference, target))
    print(line("migra (two existing databases)", migra_times))
    ratio = statistics.median(verify_times) / statistics.median(migra_times)
    print(f"verify / migra in process: {ratio:.2f}")
    run_commands(runs, target, reference)


def run_commands(runs: int, target: ConnInfo, reference: ConnInfo) -> None:
    """Both tools as whole commands, interpreter start-up and imports included."""
    migra = shutil.which("migra")
    if migra is None:
        print("migra command not found; install the bench extra: pip install -e '.[bench]'")
        return
    env = {**os.environ, "PGPASSWORD": target.password or ""}
    ours = [sys.executable, "-m", "invoke", "db.verify", "--url", target.url()]
    theirs = [migra, "--unsafe", reference.url(), target.url()]

    def command(argv: list[str]) -> Callable[[], object]:
        return lambda: subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=False)

    ours_times = timed(runs, command(ours))
    theirs_times = timed(runs, command(theirs))
    print(line("invoke db.verify (command)", ours_times))
    print(line("migra (command)", theirs_times))
    ratio = statistics.median(ours_times) / statistics.median(theirs_times)
    print(f"verify / migra as commands: {ratio:.2f} (target: at most 0.50; verify under 1 s)")


if __name__ == "__main__":
    main()
