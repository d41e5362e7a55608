"""``migration.prove`` on a million-row copy of our schema, against doing it by hand.

Run against a PostgreSQL 15+ server, as a superuser:

    python bench/prove_bench.py --url postgresql://postgres@127.0.0.1:5432/postgres [--rows N]

``--url`` defaults to NORBERTS_DB_TEST_URL. The script makes a target database
holding sql/migrations/0001_baseline.sql and ``--rows`` rows (1,000 users,
10,000 chats, the rest messages, generated in SQL), and a throwaway project
whose one pending migration adds a column and an index to ``messages``. It
then times:

* prove: ``migration.prove`` in process, split as it reports it (copy, apply
  with every statement watched, verify, report);
* by hand: ``pg_dump --format=custom | pg_restore`` into a new database (the
  same programs prove uses), then the runner ``db.migrate`` uses, unwatched.

No assertions. It drops everything it created, also when interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from norberts_db import databases  # noqa: E402
from norberts_db.connection import connect  # noqa: E402
from norberts_db.conninfo import ConnInfo  # noqa: E402
from norberts_db.migrations.prove import prove  # noqa: E402
from norberts_db.migrations.prove_dump import find_client_tools  # noqa: E402
from norberts_db.migrations.prove_report import render_text  # noqa: E402
from norberts_db.migrations.runner import migrate  # noqa: E402
from norberts_db.settings import Settings, load_settings  # noqa: E402

PENDING = """\
ALTER TABLE public.messages ADD COLUMN edited_at timestamptz;

CREATE INDEX messages_created_at_idx ON public.messages (created_at);
"""
ROWS = """
INSERT INTO public.users (email, display_name)
SELECT 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 1000) AS g;
INSERT INTO public.chats (user_id, title)
SELECT 1 + g % 1000, 'Chat ' || g FROM generate_series(1, 10000) AS g;
INSERT INTO public.messages (chat_id, message_role)
SELECT 1 + g % 10000, 'user' FROM generate_series(1, %(messages)s) AS g;
ANALYZE;
"""


def make_project(root: Path) -> Path:
    migrations = root / "sql" / "migrations"
    migrations.mkdir(parents=True)
    shutil.copy(ROOT / "sql" / "migrations" / "0001_baseline.sql", migrations)
    (migrations / "0002_messages_edited_at.sql").write_text(PENDING, encoding="utf-8")
    schema = (ROOT / "sql" / "norberts_schema.sql").read_text(encoding="utf-8")
    (root / "sql" / "schema.sql").write_text(schema + "\n" + PENDING, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.norberts_db]\nschema = "sql/schema.sql"\n', encoding="utf-8"
    )
    return root


def make_target(target: ConnInfo, project: Path, rows: int) -> float:
    started = time.perf_counter()
    migrate(target, project / "sql" / "migrations", upto=1)
    with connect(target, autocommit=True) as conn:
        conn.execute(ROWS.replace("%(messages)s", str(max(rows - 11_000, 0))))
    return time.perf_counter() - started


def by_hand(
    settings: Settings, target: ConnInfo, server: ConnInfo, project: Path
) -> tuple[float, float]:
    """pg_dump | pg_restore into a new database, then db.migrate's runner: seconds of each."""
    with connect(target, autocommit=True) as conn:
        row = conn.execute("SELECT current_setting('server_version_num')::int / 10000").fetchone()
    tools = find_client_tools(settings, int(str(row[0])) if row else 0)
    name = f"norberts_bench_hand_{secrets.token_hex(4)}"
    databases.create_database(server, name)
    copy = server.for_database(name)
    env = {**os.environ, "PGPASSWORD": server.password or ""}
    try:
        started = time.perf_counter()
        dump = subprocess.Popen(
            [
                tools.program("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "-h",
                target.host,
                "-p",
                str(target.port),
                "-U",
                target.user,
                target.dbname,
            ],
            stdout=subprocess.PIPE,
            env=env,
        )
        subprocess.run(
            [
                tools.program("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "-h",
                server.host,
                "-p",
                str(server.port),
                "-U",
                server.user,
                "-d",
                name,
            ],
            stdin=dump.stdout,
            env=env,
            check=True,
        )
        dump.wait()
        copied = time.perf_counter() - started
        started = time.perf_counter()
        migrate(copy, project / "sql" / "migrations")
        return copied, time.perf_counter() - started
    finally:
        databases.drop_database(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("NORBERTS_DB_TEST_URL"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--dump",
        action="store_true",
        help="keep a session on the target, so prove copies by pg_dump | pg_restore into "
        "the toolkit's own server (chosen by the NORBERTS_DB_* environment, as db.up)",
    )
    args = parser.parse_args()
    if not args.url:
        parser.error("give --url (a superuser URL of a PostgreSQL 15+ server)")
    server = ConnInfo.from_url(args.url, source="--url").for_database(databases.MAINTENANCE_DB)
    name = f"norberts_bench_prove_{secrets.token_hex(4)}"
    databases.create_database(server, name)
    target = server.for_database(name)
    with tempfile.TemporaryDirectory() as folder:
        project = make_project(Path(folder))
        settings = load_settings(
            project_root=project,
            environ={k: v for k, v in os.environ.items() if k.startswith("NORBERTS_DB_")}
            if args.dump
            else {},
            backend="external",
            url=target.url(with_password=True),
        )
        try:
            built = make_target(target, project, args.rows)
            print(f"target: {args.rows} rows built in {built:.1f} s", flush=True)
            with contextlib.ExitStack() as stack:
                if args.dump:
                    stack.enter_context(connect(target))
                started = time.perf_counter()
                result = prove(settings, note=lambda _: None)
                wall = time.perf_counter() - started
            rendering = time.perf_counter()
            text = render_text(result)
            report = time.perf_counter() - rendering
            if result.error or result.problems:
                print(text)
            s = result.seconds
            hand_copy, hand_apply = by_hand(settings, target, server, project)
        finally:
            databases.drop_database(server, name)
    lines = [
        f"migration.prove ({result.copy_how} copy, status {result.status}):",
        f"  copy   {s.get('copy', 0):7.2f} s",
        f"  apply  {s.get('apply', 0):7.2f} s   ({len(result.statements)} statements watched)",
        f"  verify {s.get('verify', 0):7.2f} s",
        f"  report {report:7.3f} s",
        f"  total  {wall:7.2f} s",
        "by hand (pg_dump | pg_restore, then db.migrate):",
        f"  copy   {hand_copy:7.2f} s",
        f"  apply  {hand_apply:7.2f} s",
        f"  total  {hand_copy + hand_apply:7.2f} s",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
