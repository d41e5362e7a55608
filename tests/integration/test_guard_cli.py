"""The guard of db.reset, db.drop and db.down --volumes, through the command line.

Remote hosts are named ``db.example.com`` with ``hostaddr=127.0.0.1``: the
guard must treat them as remote (the host name is not loopback), and if it
ever let a connection through, libpq would go to a loopback port this test
listens on, never to another machine. So "nothing was sent" is observed, not
assumed. The database marks are real ``ALTER DATABASE ... SET`` settings on
the test server.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from norberts_db import databases
from norberts_db.conninfo import ConnInfo
from norberts_db.guard import CONFIRM_ENV

from .conftest import PROJECT_ROOT, reachable_tmpdir
from .safety_helpers import execute, fingerprint, run_process, run_tasks, url_environment

TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"


class Listener:
    """A loopback port that counts the connections made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.1)
        self.port = int(self.socket.getsockname()[1])
        self.connections = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._done.is_set():
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._done.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    made = Listener()
    yield made
    made.close()


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-guard-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def remote_url(port: int, dbname: str, password: str | None = None) -> str:
    """A URL whose host is not local; libpq would connect to 127.0.0.1:port all the same."""
    auth = f"postgres:{password}" if password else "postgres"
    return f"postgresql://{auth}@db.example.com:{port}/{dbname}?hostaddr=127.0.0.1"


def remote_environment(url: str, state_dir: Path, **values: str) -> dict[str, str]:
    env = url_environment(ConnInfo.from_url(url), state_dir, **values)
    env["NORBERTS_DB_URL"] = url
    return env


@pytest.mark.parametrize(
    ("args", "action"),
    [
        (("db.reset",), "reset"),
        (("db.drop",), "drop every schema object in"),
        (("db.down", "--volumes"), "delete the data of"),
    ],
)
def test_destructive_tasks_refuse_a_remote_host_before_connecting(
    listener: Listener, state_dir: Path, args: tuple[str, ...], action: str
) -> None:
    env = remote_environment(remote_url(listener.port, "prod"), state_dir)

    outcome = run_tasks(*args, env=env)

    assert outcome.code == 1
    assert outcome.errors() == [
        f"error: Refusing to {action} database 'prod' on host db.example.com (address "
        f"127.0.0.1, port {listener.port}): it is not a local development server, and nothing "
        "was sent to it. If you really mean it, run the task again with --allow-remote and "
        f"type the database name when asked; where no one can type (CI), also set "
        f"{CONFIRM_ENV}=prod."
    ]
    assert listener.connections == 0


def test_allow_remote_without_a_terminal_or_the_confirm_variable_refuses_before_connecting(
    listener: Listener, state_dir: Path
) -> None:
    env = remote_environment(remote_url(listener.port, "prod"), state_dir)

    outcome = run_process("db.reset", "--allow-remote", env=env)

    assert outcome.code == 1
    assert "Traceback" not in outcome.output
    assert "this run is not interactive" in outcome.stderr
    assert f"Set {CONFIRM_ENV}=prod to confirm" in outcome.stderr
    assert listener.connections == 0


def test_a_confirm_variable_naming_another_database_refuses_before_connecting(
    listener: Listener, state_dir: Path
) -> None:
    env = remote_environment(
        remote_url(listener.port, "prod"), state_dir, **{CONFIRM_ENV: "norberts_spark"}
    )

    outcome = run_tasks("db.drop", "--allow-remote", env=env)

    assert outcome.code == 1
    assert f"{CONFIRM_ENV} is 'norberts_spark', not the database" in outcome.stderr
    assert listener.connections == 0


def test_allow_remote_with_the_confirm_variable_resets_the_named_database(
    scratch_db: ConnInfo, state_dir: Path
) -> None:
    url = remote_url(scratch_db.port, scratch_db.dbname, scratch_db.password)
    env = remote_environment(url, state_dir, **{CONFIRM_ENV: scratch_db.dbname})

    outcome = run_tasks("db.reset", "--allow-remote", env=env)

    assert outcome.code == 0, outcome.output
    assert execute(scratch_db, TABLES) == [(9,)]


def run_at_a_terminal(args: list[str], env: dict[str, str], answer: str) -> tuple[int, str]:
    """Run invoke with a pseudo-terminal as stdin/stdout and type ``answer`` at the prompt."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=child,
        stdout=child,
        stderr=child,
    )
    os.close(child)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(main, 4096)
                except OSError:  # the terminal closed: the process is done
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and b"Type the database name to confirm: " in seen:
                os.write(main, answer.encode() + b"\n")
                answered = True
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=60)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    return code, seen.decode("utf-8", "replace")


def test_at_a_terminal_a_wrong_name_refuses_and_the_right_one_resets(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    url = remote_url(schema_db.port, schema_db.dbname, schema_db.password)
    env = remote_environment(url, state_dir)
    execute(schema_db, "INSERT INTO users (email, display_name) VALUES ('a@example.com', 'A')")
    before = fingerprint(schema_db)

    wrong_code, wrong = run_at_a_terminal(["db.reset", "--allow-remote"], env, "prod")
    unchanged = fingerprint(schema_db)
    right_code, right = run_at_a_terminal(["db.reset", "--allow-remote"], env, schema_db.dbname)

    assert f"This will reset database {schema_db.dbname!r} on host db.example.com" in wrong
    assert wrong_code == 1
    assert f"the name typed did not match {schema_db.dbname!r}" in wrong
    assert unchanged == before
    assert right_code == 0, right
    # The reset dropped the row and loaded the seed, which has no such user.
    assert execute(schema_db, "SELECT count(*) FROM users WHERE email = 'a@example.com'") == [(0,)]


# -- the mark in the database --------------------------------------------------------


def mark(info: ConnInfo, value: str | None) -> None:
    quoted = '"' + info.dbname.replace('"', '""') + '"'
    if value is None:
        execute(info, f"ALTER DATABASE {quoted} RESET norberts.environment")
    else:
        execute(info, f"ALTER DATABASE {quoted} SET norberts.environment = '{value}'")


@pytest.mark.parametrize("task", ["db.reset", "db.drop"])
def test_a_database_marked_production_is_refused_on_loopback_and_left_unchanged(
    schema_db: ConnInfo, state_dir: Path, task: str
) -> None:
    mark(schema_db, "production")
    execute(schema_db, "INSERT INTO users (email, display_name) VALUES ('p@example.com', 'P')")
    before = fingerprint(schema_db)

    outcome = run_tasks(task, env=url_environment(schema_db, state_dir))

    assert outcome.code == 1
    assert len(outcome.errors()) == 1
    message = outcome.errors()[0]
    assert f"database {schema_db.dbname!r} at {schema_db.address}" in message
    assert "it is marked norberts.environment = 'production'" in message
    assert f'ALTER DATABASE "{schema_db.dbname}" RESET norberts.environment;' in message
    assert fingerprint(schema_db) == before


def test_the_mark_survives_reconnects_and_a_client_option_cannot_mask_it(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    mark(schema_db, "production")
    masked = ConnInfo(
        schema_db.host,
        schema_db.port,
        schema_db.user,
        schema_db.dbname,
        schema_db.password,
        options=(("options", "-c norberts.environment=development"),),
    )

    seen_by_a_new_session = execute(schema_db, "SELECT current_setting('norberts.environment')")
    outcome = run_tasks("db.reset", env=url_environment(masked, state_dir))

    assert seen_by_a_new_session == [("production",)]
    assert outcome.code == 1
    assert "marked norberts.environment = 'production'" in outcome.stderr


def test_removing_the_mark_as_the_message_says_lets_the_reset_run(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    mark(schema_db, "production")
    env = url_environment(schema_db, state_dir)
    assert run_tasks("db.reset", env=env).code == 1

    mark(schema_db, None)
    outcome = run_tasks("db.reset", env=env)

    assert outcome.code == 0, outcome.output


@pytest.mark.parametrize("value", [None, "development"])
def test_unmarked_and_development_databases_on_loopback_are_reset(
    scratch_db: ConnInfo, state_dir: Path, value: str | None
) -> None:
    mark(scratch_db, value)

    outcome = run_tasks("db.reset", env=url_environment(scratch_db, state_dir))

    assert outcome.code == 0, outcome.output
    assert execute(scratch_db, TABLES) == [(9,)]


def test_ensure_database_marks_what_it_creates_and_keeps_an_existing_mark(
    pg_server: ConnInfo,
) -> None:
    name = f"norberts_mark_{os.getpid()}_{time.monotonic_ns()}"
    try:
        created = databases.ensure_database(pg_server, name)
        info = pg_server.for_database(name)
        first = execute(info, "SELECT current_setting('norberts.environment', true)")
        mark(info, "production")
        again = databases.ensure_database(pg_server, name)
        kept = execute(info, "SELECT current_setting('norberts.environment', true)")
    finally:
        databases.drop_database(pg_server, name)

    assert (created, first) == (True, [("development",)])
    assert (again, kept) == (False, [("production",)])
