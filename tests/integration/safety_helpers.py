"""Helpers of the safety tests: run the tasks as the command line does, and fingerprint a database.

``run_tasks`` drives the real ``tasks.py`` through invoke's own ``Program``
in this process: the same flag parsing, the same error reporting, the same
exit codes as ``invoke`` on a shell, at a fraction of the cost of a new
interpreter. An exception that escapes it is one the command line would have
shown as a traceback, so it fails the test. ``run_process`` starts a real
``invoke`` process, for what only a process can show (signals, concurrency,
process listings).
"""

from __future__ import annotations

import importlib.util
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from invoke.program import Program
from psycopg import sql

from norberts_db.conninfo import ConnInfo
from norberts_db.settings import Settings, load_settings
from tests.integration.schema_helpers import USER_TABLES
from tests.port_holders import free_port

from .conftest import PROJECT_ROOT, project_bin_dir


@dataclass(frozen=True)
class Outcome:
    """What a task run printed, and how it exited."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def errors(self) -> list[str]:
        """The lines of stderr that start a message ("error: ...")."""
        return [line for line in self.stderr.splitlines() if line.startswith("error: ")]


def clean_environment(**values: str) -> dict[str, str]:
    """This process's environment without any toolkit setting, plus ``values``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NORBERTS_DB_", "PG")) and key != "DATABASE_URL"
    }
    # The session's major and image decide which server a managed backend runs.
    for key in ("NORBERTS_DB_PG_VERSION", "NORBERTS_DB_IMAGE", "NORBERTS_DB_NETWORK"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(values)
    return env


def url_environment(target: ConnInfo, state_dir: Path, **values: str) -> dict[str, str]:
    """An environment in which every task acts on ``target``, and only on it."""
    return clean_environment(
        NORBERTS_DB_BACKEND="external",
        NORBERTS_DB_URL=target.url(with_password=True),
        NORBERTS_DB_STATE_DIR=str(state_dir),
        **values,
    )


def url_settings(target: ConnInfo, **overrides: object) -> Settings:
    """Settings in which the library acts on ``target``, and nothing of the environment counts."""
    return load_settings(
        project_root=PROJECT_ROOT,
        environ={},
        backend="external",
        url=target.url(with_password=True),
        **overrides,
    )


@cache
def _tasks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("norberts_tasks", PROJECT_ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tasks(*args: str, env: Mapping[str, str], cwd: Path = PROJECT_ROOT) -> Outcome:
    """Run ``invoke ARGS`` in this process with exactly ``env`` as its environment."""
    program = Program(namespace=_tasks().ns, name="invoke", binary="invoke")
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with _environment(env), _working_directory(cwd), redirect_stdout(out), redirect_stderr(err):
        try:
            program.run(["invoke", *args], exit=True)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Outcome(code, out.getvalue(), err.getvalue())


def run_process(
    *args: str, env: Mapping[str, str], cwd: Path = PROJECT_ROOT, timeout: float = 120
) -> Outcome:
    """Run ``invoke ARGS`` as a new process; its stdin is not a terminal."""
    result = subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Outcome(result.returncode, result.stdout, result.stderr)


_STARTED: list[subprocess.Popen[str]] = []


def start_process(
    *args: str, env: Mapping[str, str], sigint_ignored: bool = False
) -> subprocess.Popen[str]:
    """Start ``invoke ARGS``; :func:`reap_processes` ends it after the test, however it went.

    ``sigint_ignored`` starts it the way a non-interactive shell starts a
    background job (``invoke db.reset &`` in a script): with SIGINT ignored.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", *args],
        cwd=PROJECT_ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ignore_sigint if sigint_ignored else None,
    )
    _STARTED.append(process)
    return process


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def reap_processes() -> None:
    """Kill what :func:`start_process` started and is still running, and close its pipes.

    A test that fails half-way (a timeout, an assertion) would otherwise leave
    the process running and its pipes open, which Python reports, long after,
    as unraisable ResourceWarnings.
    """
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
        process.communicate()


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


# Everything a reset, a drop or a stray statement could change: the objects of the
# user's schemas by OID (a drop and an identical re-create still differ), their
# storage (a rewrite or TRUNCATE changes relfilenode), and the database's settings.
_CATALOG_FINGERPRINT = """
WITH user_namespaces AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
)
SELECT md5(coalesce(string_agg(item, E'\\n' ORDER BY item), '')) FROM (
    SELECT format('namespace %s %s %s', n.oid, n.nspname, n.nspowner)
    FROM pg_namespace AS n WHERE n.oid IN (SELECT oid FROM user_namespaces)
    UNION ALL
    SELECT format('class %s %s %s %s %s', c.oid, c.relnamespace, c.relname, c.relkind,
                  c.relfilenode)
    FROM pg_class AS c WHERE c.relnamespace IN (SELECT oid FROM user_namespaces)
    UNION ALL
    SELECT format('column %s %s %s %s %s', a.attrelid, a.attnum, a.attname, a.atttypid,
                  a.attnotnull)
    FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
    WHERE c.relnamespace IN (SELECT oid FROM user_namespaces) AND a.attnum > 0
      AND NOT a.attisdropped
    UNION ALL
    SELECT format('function %s %s %s', p.oid, p.proname, md5(p.prosrc))
    FROM pg_proc AS p WHERE p.pronamespace IN (SELECT oid FROM user_namespaces)
    UNION ALL
    SELECT format('type %s %s', t.oid, t.typname)
    FROM pg_type AS t WHERE t.typnamespace IN (SELECT oid FROM user_namespaces)
    UNION ALL
    SELECT format('constraint %s %s', k.oid, k.conname)
    FROM pg_constraint AS k WHERE k.connamespace IN (SELECT oid FROM user_namespaces)
    UNION ALL
    SELECT format('trigger %s %s %s', g.oid, g.tgname, g.tgenabled)
    FROM pg_trigger AS g JOIN pg_class AS c ON c.oid = g.tgrelid
    WHERE c.relnamespace IN (SELECT oid FROM user_namespaces)
    UNION ALL
    SELECT format('settings %s', s.setconfig)
    FROM pg_db_role_setting AS s JOIN pg_database AS d ON d.oid = s.setdatabase
    WHERE d.datname = current_database()
) AS t (item)
"""


def fingerprint(info: ConnInfo) -> dict[str, str]:
    """The catalog of the user's schemas, and the rows of every table, as digests."""
    with psycopg.connect(**info.connect_kwargs(), autocommit=True) as conn:
        row = conn.execute(_CATALOG_FINGERPRINT).fetchone()
        assert row is not None
        found = {"catalog": str(row[0])}
        for schema, table in conn.execute(USER_TABLES).fetchall():
            rows = conn.execute(
                sql.SQL(
                    "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                    "FROM {} AS t"
                ).format(sql.Identifier(str(schema), str(table)))
            ).fetchone()
            assert rows is not None
            found[f"{schema}.{table}"] = str(rows[0])
    return found


def execute(info: ConnInfo, statement: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(**info.connect_kwargs(), autocommit=True) as conn:
        cursor = conn.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


def database_names(server: ConnInfo) -> set[str]:
    rows = execute(server, "SELECT datname FROM pg_database")
    return {str(row[0]) for row in rows}


def require_backend(backend: str, env: Mapping[str, str]) -> None:
    """Skip when the machine has no Docker engine; fail when a backend that should run cannot.

    The Docker tests run wherever an engine answers: an engine that answers but
    cannot run the dev server (no image, no network) is a failure to fix, not a
    reason to leave the Docker path untested. The embedded backend is always
    expected (nox runs ``invoke pg.fetch`` before the suite).
    """
    settings = load_settings(project_root=PROJECT_ROOT, environ=dict(env))
    if backend == "docker":
        from norberts_db.servers.docker import DockerServer
        from norberts_db.servers.docker_engine import Unusable, connect_engine

        try:
            connect_engine(timeout=30).close()
        except Unusable as exc:
            pytest.skip(f"no Docker engine answers ({exc.reason}): the Docker path is not tested")
        reason = DockerServer.unavailable_reason(settings)
        advice = f"`invoke db.up --backend docker --pg {settings.pg_version}` says what to do"
    else:
        from norberts_db.servers.embedded import EmbeddedServer

        reason = EmbeddedServer.unavailable_reason(settings)
        advice = f"`invoke pg.fetch --pg {settings.pg_version}` provides server binaries"
    if reason is not None:
        pytest.fail(f"the {backend} backend cannot be used: {reason}. {advice}", pytrace=False)


def project_environment(
    base: Mapping[str, str], state_dir: Path, tag: str, database: str, **values: str
) -> dict[str, str]:
    """``base`` as the environment of a dev project of its own.

    A free port, its own state folder, container and volume, and the server
    binaries the project already has (nox fetched them into its own cache).
    """
    env = dict(base)
    env.update(
        NORBERTS_DB_PORT=str(free_port()),
        NORBERTS_DB_STATE_DIR=str(state_dir),
        NORBERTS_DB_CONTAINER_NAME=f"norberts-db-{tag}-pg{{major}}",
        NORBERTS_DB_VOLUME_NAME=f"norberts-db-{tag}-pg{{major}}-data",
        NORBERTS_DB_DATABASE=database,
        **values,
    )
    bin_dir = project_bin_dir(env)
    if bin_dir:
        env["NORBERTS_DB_PG_BIN_DIR"] = bin_dir
    return env


def command_lines() -> list[list[bytes]]:
    """The argv of every process on the machine, as ``ps`` would list them.

    Not ``Path.glob``: it stats each match, and a process that ends meanwhile
    makes that stat raise (ESRCH) outside any handler of the caller's.
    """
    found = []
    for entry in Path("/proc").iterdir():  # lists names only: no stat of each
        if not entry.name.isdigit():
            continue
        try:
            found.append((entry / "cmdline").read_bytes().split(b"\0"))
        except OSError:  # the process ended meanwhile
            continue
    return found
