"""The db.* tasks end to end, as a user runs them, against the docker and embedded backends.

Each backend gets its own throwaway server (own port, container, volume and
state directory), driven only through the command line: invoke's own
``Program`` in this process (``run_tasks``), and real ``invoke`` processes
where processes are what is tested (concurrent resets). Results are checked
in the catalog, not only by exit codes.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from norberts_db.conninfo import ConnInfo
from tests.port_holders import free_port

from .conftest import reachable_tmpdir
from .safety_helpers import (
    Outcome,
    clean_environment,
    project_environment,
    require_backend,
    run_process,
    run_tasks,
)

EXPECTED_TABLES = {
    "users",
    "customers",
    "people",
    "customer_people",
    "chats",
    "messages",
    "ai_options",
    "parts",
    "audit_log",
}
EXPECTED_ENUMS = {
    "user_role",
    "customer_status",
    "contact_role",
    "message_role",
    "part_type",
    "audit_action",
}
EXPECTED_FUNCTIONS = {"set_updated_at", "audit_row_change"}


@dataclass
class Cli:
    """Runs ``invoke`` in the project with an isolated server configuration."""

    env: dict[str, str]

    def run(self, *args: str, check: bool = True) -> Outcome:
        """``invoke ARGS`` in this process: an exception that escapes it fails the test."""
        return self._checked(args, run_tasks(*args, env=self.env), check=check)

    def run_process(self, *args: str, check: bool = True) -> Outcome:
        """``invoke ARGS`` as a new process."""
        return self._checked(args, run_process(*args, env=self.env, timeout=300), check=check)

    @staticmethod
    def _checked(args: tuple[str, ...], result: Outcome, *, check: bool) -> Outcome:
        if check and result.code != 0:
            pytest.fail(f"invoke {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        assert "Traceback" not in result.stderr
        return result

    def conninfo(self) -> ConnInfo:
        url = self.run("db.url").stdout.strip()
        return ConnInfo.from_url(url)


@pytest.fixture(scope="module", params=["docker", "embedded"])
def cli(request: pytest.FixtureRequest) -> Iterator[Cli]:
    backend: str = request.param
    state_dir = reachable_tmpdir(f"norberts-db-cli-{backend}-")
    tag = f"cli-{os.getpid()}"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NORBERTS_DB_URL")}
    env = project_environment(base, state_dir, tag, "norberts_cli", NORBERTS_DB_BACKEND=backend)
    try:
        require_backend(backend, env)
    except BaseException:
        shutil.rmtree(state_dir, ignore_errors=True)
        raise
    runner = Cli(env)
    try:
        yield runner
    finally:
        runner.run("db.down", "--volumes", check=False)
        shutil.rmtree(state_dir, ignore_errors=True)


def test_in_process_runs_read_their_own_settings_and_leave_this_process_as_it_was(
    tmp_path: Path,
) -> None:
    """What lets these tests run invoke in process: nothing carries over from run to run."""
    environment, cwd = dict(os.environ), Path.cwd()
    urls = [f"postgresql://u:pw@127.0.0.1:{free_port()}/norberts_cli" for _ in range(2)]

    printed = [
        run_tasks(
            "db.url",
            env=clean_environment(
                NORBERTS_DB_BACKEND="external",
                NORBERTS_DB_URL=url,
                NORBERTS_DB_STATE_DIR=str(tmp_path),
            ),
        ).stdout.strip()
        for url in urls
    ]

    assert printed == urls
    assert dict(os.environ) == environment
    assert Path.cwd() == cwd


def catalog(info: ConnInfo) -> dict[str, set[str]]:
    queries = {
        "tables": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
        "enums": "SELECT DISTINCT t.typname FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid",
        "functions": "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
        "triggers": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    }
    with psycopg.connect(**info.connect_kwargs()) as conn:
        return {
            kind: {str(row[0]) for row in conn.execute(sql).fetchall()}
            for kind, sql in queries.items()
        }


def test_up_starts_the_server_and_reports_backend_version_and_address(cli: Cli) -> None:
    result = cli.run("db.up")
    port = cli.env["NORBERTS_DB_PORT"]
    assert f"127.0.0.1:{port}" in result.stdout
    assert "PostgreSQL" in result.stdout
    assert "norberts_cli" in result.stdout
    assert f"backend: {cli.env['NORBERTS_DB_BACKEND']}" in result.stderr


def test_up_twice_is_idempotent(cli: Cli) -> None:
    first = cli.run("db.up").stdout
    second = cli.run("db.up").stdout
    assert first == second


def test_reset_creates_exactly_the_nine_tables_enums_functions_and_triggers(cli: Cli) -> None:
    result = cli.run("db.reset")
    assert "9 tables" in result.stdout
    found = catalog(cli.conninfo())
    assert found["tables"] == EXPECTED_TABLES
    assert found["enums"] == EXPECTED_ENUMS
    assert found["functions"] == EXPECTED_FUNCTIONS
    assert "users_audit_trg" in found["triggers"]
    assert "customers_set_updated_at_trg" in found["triggers"]


def test_drop_removes_every_schema_object_and_create_brings_them_back(cli: Cli) -> None:
    cli.run("db.reset")
    cli.run("db.drop")
    info = cli.conninfo()
    assert catalog(info) == {"tables": set(), "enums": set(), "functions": set(), "triggers": set()}
    cli.run("db.create")
    assert catalog(info)["tables"] == EXPECTED_TABLES


def test_failed_reset_leaves_previous_schema_and_data_untouched(cli: Cli, tmp_path: Path) -> None:
    cli.run("db.reset")
    info = cli.conninfo()
    with psycopg.connect(**info.connect_kwargs()) as conn:
        conn.execute("INSERT INTO users (email, display_name) VALUES ('keep@example.com', 'Keep')")
    broken = tmp_path / "broken.sql"
    broken.write_text("CREATE TABLE fine (id int);\n\nCREATE TABLE broken (id nosuchtype);\n")
    result = cli.run("db.reset", "--schema", str(broken), check=False)
    assert result.code == 1
    assert f"{broken}:3:" in result.stderr
    assert 'type "nosuchtype" does not exist' in result.stderr
    assert catalog(info)["tables"] == EXPECTED_TABLES
    with psycopg.connect(**info.connect_kwargs()) as conn:
        row = conn.execute("SELECT count(*) FROM users WHERE email = 'keep@example.com'").fetchone()
    assert row == (1,)


def test_concurrent_resets_run_one_after_the_other_and_all_succeed(cli: Cli) -> None:
    cli.run("db.up")
    results: list[Outcome] = []
    threads = [
        threading.Thread(target=lambda: results.append(cli.run_process("db.reset", check=False)))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.code for r in results] == [0, 0, 0], [r.stderr for r in results]
    assert catalog(cli.conninfo())["tables"] == EXPECTED_TABLES


def test_status_logs_and_url_describe_the_running_server(cli: Cli) -> None:
    cli.run("db.up")
    assert ": running" in cli.run("db.status").stdout
    assert cli.run("db.logs", "--tail", "5").stdout.strip() != ""
    info = cli.conninfo()
    assert info.password
    with psycopg.connect(**info.connect_kwargs()) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("norberts_cli",)


def test_down_keeps_data_and_down_volumes_deletes_it(cli: Cli) -> None:
    cli.run("db.reset")
    cli.run("db.down")
    assert "not running" in cli.run("db.status").stdout
    cli.run("db.up")
    assert catalog(cli.conninfo())["tables"] == EXPECTED_TABLES
    cli.run("db.down", "--volumes")
    cli.run("db.up")
    assert catalog(cli.conninfo())["tables"] == set()


def test_password_never_appears_in_task_output_except_db_url(cli: Cli) -> None:
    outputs = [cli.run(task) for task in ("db.up", "db.status", "db.reset", "db.logs")]
    password = cli.conninfo().password
    assert password
    for result in outputs:
        assert password not in result.stdout + result.stderr
