"""``invoke migration.prove``: the pending migrations run on a copy of a target with real data.

Each target is a database of the session's server holding the first migration
and rows that make one problem happen. The target is fingerprinted before and
after: prove only ever reads it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from norberts_db.conninfo import ConnInfo
from norberts_db.migrations.runner import migrate
from norberts_db.settings import load_settings
from norberts_db.temporary import PROVE_PREFIX
from tests.port_holders import free_port

from .conftest import (
    PROJECT_ROOT,
    TEST_SERVER_OPTIONS,
    project_bin_dir,
    reachable_tmpdir,
)
from .migration_helpers import child_path
from .safety_helpers import (
    clean_environment,
    database_names,
    execute,
    fingerprint,
    run_tasks,
    url_environment,
)

FIRST = """
CREATE TYPE size AS ENUM ('s', 'm', 'l');
CREATE TABLE items (id bigint PRIMARY KEY, name text, price integer, size size);
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
"""
# Rows that make the problem migrations below fail: nulls, a negative price,
# duplicate names, and the enum value 'l' in use.
ROWS = """
INSERT INTO items
SELECT g, CASE WHEN g % 50 = 0 THEN NULL ELSE 'n' || (g % 40) END,
       CASE WHEN g = 7 THEN -1 ELSE g END, 'l'
FROM generate_series(1, 200) AS g;
INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 30) AS g;
"""
SCHEMA = """
CREATE TYPE size AS ENUM ('s', 'm', 'l');
CREATE TABLE items (id bigint PRIMARY KEY, name text, price bigint, size size);
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
"""


def make_project(root: Path, second: str, *, schema: str = SCHEMA) -> Path:
    (root / "sql" / "migrations").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.norberts_db]\nschema = "sql/schema.sql"\n', encoding="utf-8"
    )
    (root / "sql" / "schema.sql").write_text(schema, encoding="utf-8")
    (root / "sql" / "migrations" / "0001_first.sql").write_text(FIRST, encoding="utf-8")
    (root / "sql" / "migrations" / "0002_second.sql").write_text(second, encoding="utf-8")
    return root


def make_target(target: ConnInfo, project: Path) -> None:
    """The target holds the first migration, recorded, and rows."""
    migrate(target, project / "sql" / "migrations", upto=1)
    execute(target, ROWS)


def prove(target: ConnInfo, project: Path, **env: str) -> tuple[int, dict[str, Any], str]:
    state = Path(env.pop("NORBERTS_DB_STATE_DIR", project / ".state"))
    outcome = run_tasks(
        "migration.prove", "--json", env=url_environment(target, state, **env), cwd=project
    )
    document = json.loads(outcome.stdout)
    if document["status"] != "error":
        assert document["copy"]["database"].startswith(PROVE_PREFIX)
    return outcome.code, document, outcome.stderr


def copies(server: ConnInfo) -> set[str]:
    return {name for name in database_names(server) if name.startswith(PROVE_PREFIX)}


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("ALTER TABLE items ALTER COLUMN name SET NOT NULL;", "contains null values"),
        (
            "ALTER TABLE items ADD CONSTRAINT items_price_check CHECK (price >= 0);",
            "is violated by some row",
        ),
        ("CREATE UNIQUE INDEX items_name_key ON items (name);", "could not create unique index"),
        (
            "ALTER TYPE size RENAME TO size_old;\n"
            "CREATE TYPE size AS ENUM ('s', 'm');\n"
            "ALTER TABLE items ALTER COLUMN size TYPE size USING size::text::size;\n"
            "DROP TYPE size_old;",
            'invalid input value for enum size: "l"',
        ),
    ],
    ids=["set-not-null-over-nulls", "check-violated", "unique-over-duplicates", "enum-in-use"],
)
def test_a_statement_that_fails_on_the_real_data_is_a_problem_naming_file_and_line(
    scratch_db: ConnInfo, tmp_path: Path, second: str, message: str
) -> None:
    project = make_project(tmp_path, "-- tighten\n\n" + second)
    make_target(scratch_db, project)
    before = fingerprint(scratch_db)

    code, report, _ = prove(scratch_db, project)

    assert code == 1, report
    assert report["status"] == "problems"
    [problem] = report["problems"]
    assert problem["kind"] == "statement-failed"
    assert message in problem["message"]
    assert problem["file"] == "sql/migrations/0002_second.sql"
    failing = [s for s in report["statements"] if s["error"]]
    assert problem["line"] == failing[0]["line"] >= 3
    assert fingerprint(scratch_db) == before
    assert report["copy"]["database"] not in copies(scratch_db)


def test_a_migration_refused_before_it_runs_could_not_be_proved(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    project = make_project(tmp_path, "UPDATE items SET price = 0;\nCOMMIT;\n")
    make_target(scratch_db, project)

    code, report, _ = prove(scratch_db, project)

    assert code == 2, report
    assert report["status"] == "error" and report["problems"] == []
    assert "0002_second.sql:2" in report["error"] and "COMMIT" in report["error"]
    assert report["copy"]["database"] not in copies(scratch_db)


def test_lost_rows_rewrites_long_exclusive_locks_and_drift_are_each_named(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    second = """
DELETE FROM notes WHERE id > 20;
-- DESTRUCTIVE: removes the items without a name
DELETE FROM items WHERE name IS NULL;
ALTER TABLE items ALTER COLUMN price TYPE bigint;
CREATE TABLE extra (id integer);
"""
    project = make_project(tmp_path, second)
    make_target(scratch_db, project)
    before = fingerprint(scratch_db)

    code, report, _ = prove(
        scratch_db,
        project,
        NORBERTS_DB_PROVE_REWRITE_ROWS="100",
        NORBERTS_DB_PROVE_LOCK_THRESHOLD="0",
    )

    assert code == 1, report
    kinds = {p["kind"]: p for p in report["problems"]}
    assert set(kinds) == {"rows-lost", "table-rewrite", "long-exclusive-lock", "schema-drift"}
    # The marked delete is not a problem; the unmarked one is, with its counts.
    lost = [p for p in report["problems"] if p["kind"] == "rows-lost"]
    assert len(lost) == 1 and "public.notes lost 10 of 30 rows" in lost[0]["message"]
    assert "public.items (196 rows, over 100)" in kinds["table-rewrite"]["message"]
    assert "ACCESS EXCLUSIVE on public.items (196 rows)" in kinds["long-exclusive-lock"]["message"]
    assert "extra" in kinds["schema-drift"]["message"]
    rewrite = next(s for s in report["statements"] if "TYPE bigint" in s["statement"])
    assert rewrite["rewrote"] == ["public.items"]
    assert {"relation": "public.items", "mode": "AccessExclusiveLock"} in rewrite["locks"]
    # Only the user's relations: not the catalogs, TOAST, or what the rewrite made and dropped.
    assert {lock["relation"] for lock in rewrite["locks"]} == {"public.items", "public.items_pkey"}
    assert report["tables"]["public.items"] == {"before": 200, "after": 196}
    assert report["tables"]["public.notes"] == {"before": 30, "after": 20}
    assert fingerprint(scratch_db) == before
    assert report["copy"]["database"] not in copies(scratch_db)


def test_a_clean_migration_over_real_data_proves_clean_by_a_template_copy(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    project = make_project(tmp_path, "ALTER TABLE items ALTER COLUMN price TYPE bigint;")
    make_target(scratch_db, project)
    before = fingerprint(scratch_db)

    code, report, stderr = prove(scratch_db, project)

    assert code == 0, report
    assert report["status"] == "proved" and report["problems"] == []
    assert report["copy"]["how"] == "template"
    assert "no one else is connected" in stderr
    assert report["applied"] == ["0002_second.sql"]
    assert report["verify"]["status"] == "matches"
    assert report["longest_exclusive_lock"]["table"] == "public.items"
    assert fingerprint(scratch_db) == before
    assert report["copy"]["database"] not in copies(scratch_db)


@pytest.fixture
def scratch_server_env() -> Iterator[dict[str, str]]:
    """Settings for the toolkit's own server of the session's major; stopped afterwards."""
    state = reachable_tmpdir("norberts-db-prove-")
    env = {
        "NORBERTS_DB_PORT": str(free_port()),
        "NORBERTS_DB_STATE_DIR": str(state),
        "NORBERTS_DB_SERVER_OPTIONS": TEST_SERVER_OPTIONS,
        # Never the names of a developer's own dev server, should docker be chosen.
        "NORBERTS_DB_CONTAINER_NAME": f"norberts-db-provetest-{os.getpid()}",
        "NORBERTS_DB_VOLUME_NAME": f"norberts-db-provetest-{os.getpid()}-data",
    }
    bin_dir = project_bin_dir(dict(os.environ))
    if bin_dir:
        env["NORBERTS_DB_PG_BIN_DIR"] = bin_dir
    # What `invoke pg.fetch` put in the project cache, where a user's state folder holds it.
    cache = load_settings(project_root=PROJECT_ROOT).state_path / "pgbin"
    if cache.is_dir():
        (state / "pgbin").symlink_to(cache.resolve(), target_is_directory=True)
    try:
        yield env
    finally:
        run_tasks("db.down", "--volumes", env=clean_environment(**env))
        shutil.rmtree(state, ignore_errors=True)


def test_a_target_others_are_connected_to_is_copied_by_dump_and_restore(
    scratch_db: ConnInfo, tmp_path: Path, scratch_server_env: dict[str, str]
) -> None:
    project = make_project(tmp_path, "ALTER TABLE items ALTER COLUMN name SET NOT NULL;")
    make_target(scratch_db, project)
    before = fingerprint(scratch_db)

    with psycopg.connect(**scratch_db.connect_kwargs()):
        code, report, stderr = prove(scratch_db, project, **scratch_server_env)

    assert code == 1, report
    assert report["copy"]["how"] == "dump"
    assert report["copy"]["why"] == "1 other session is connected to the target"
    assert "pg_dump | pg_restore" in stderr
    assert "pg_dump and pg_restore: " in stderr  # where the programs of the major came from
    [problem] = report["problems"]
    assert "contains null values" in problem["message"]
    assert report["tables"]["public.items"] == {"before": 200, "after": 200}
    assert fingerprint(scratch_db) == before


def _start_prove(project: Path, target: ConnInfo) -> subprocess.Popen[str]:
    env = url_environment(target, project / ".state", PYTHONPATH=child_path())
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "-r", str(PROJECT_ROOT), "migration.prove"],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_sleeping_copy(server: ConnInfo, process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = execute(
            server,
            "SELECT datname FROM pg_stat_activity WHERE datname LIKE %s AND query LIKE %s",
            PROVE_PREFIX + "%",
            "%pg_sleep(60)%",
        )
        if rows:
            return str(rows[0][0])
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("prove never reached the sleeping statement")


SLEEPING = "ALTER TABLE items ALTER COLUMN price TYPE bigint;\nSELECT pg_sleep(60);\n"


@pytest.mark.parametrize("how", ["sigint", "sigkill"])
def test_an_interrupted_or_killed_prove_leaves_the_target_untouched_and_the_copy_gone(
    scratch_db: ConnInfo, tmp_path: Path, how: str
) -> None:
    project = make_project(tmp_path, SLEEPING)
    make_target(scratch_db, project)
    before = fingerprint(scratch_db)
    process = _start_prove(project, scratch_db)
    try:
        copy = _wait_for_sleeping_copy(scratch_db, process)
        process.send_signal(signal.SIGINT if how == "sigint" else signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert fingerprint(scratch_db) == before
    if how == "sigint":
        assert process.returncode == 130, stderr
        assert "interrupted; the target was only read and is as it was" in stderr
        assert "Run `invoke migration.prove` again." in stderr
        assert copy not in copies(scratch_db)
        return
    assert copy in copies(scratch_db)
    # The next run sweeps the copy the killed one left.
    (project / "sql" / "migrations" / "0002_second.sql").write_text(
        SLEEPING.replace("pg_sleep(60)", "pg_sleep(0)"), encoding="utf-8"
    )
    code, report, _ = prove(scratch_db, project)
    assert copy not in copies(scratch_db)
    assert report["copy"]["database"] not in copies(scratch_db)
    assert code == 0, report
    assert fingerprint(scratch_db) == before
