"""No SQL file can lift the toolkit's bounds on waiting: lock_timeout and statement_timeout.

Each test holds a lock from a second connection on a table outside the
schema, then runs a file that first tries to lift the bound and then needs
that lock. The run must end with the timeout message, not wait. A hung run
would hang the suite, so every run has a generous guard: a subprocess
timeout, or a worker thread whose wait is ended by releasing the lock.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from norberts_db import apply
from norberts_db.bounds import Limits
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.runner import migrate
from norberts_db.sqlfile import load_script

from .conftest import SCHEMA_FILE, reachable_tmpdir
from .safety_helpers import execute, fingerprint, run_process, url_environment

GUARD_SECONDS = 90
NEEDS_THE_LOCK = "ALTER TABLE elsewhere.kept ADD COLUMN note text;\n"
PG_DUMP_HEADER = (
    "SET statement_timeout = 0;\nSET lock_timeout = 0;\n"
    "SET idle_in_transaction_session_timeout = 0;\nSET client_encoding = 'UTF8';\n"
    "SET standard_conforming_strings = on;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n"
    "SET check_function_bodies = false;\nSET client_min_messages = warning;\n"
)


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-bounds-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def held_lock(schema_db: ConnInfo) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A session that holds a lock on ``elsewhere.kept``, a table the drop script leaves alone."""
    execute(schema_db, "CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.kept (id int)")
    kwargs = {**schema_db.connect_kwargs(), "application_name": "report_job"}
    with psycopg.connect(**kwargs) as holder:
        holder.execute("LOCK TABLE elsewhere.kept IN ACCESS SHARE MODE")
        yield holder


def test_a_pg_dump_header_in_the_schema_file_does_not_lift_the_lock_timeout_of_a_reset(
    schema_db: ConnInfo, state_dir: Path, held_lock: psycopg.Connection[tuple[object, ...]]
) -> None:
    schema = state_dir / "dumped.sql"
    schema.write_text(PG_DUMP_HEADER + SCHEMA_FILE.read_text() + NEEDS_THE_LOCK)
    env = url_environment(schema_db, state_dir, NORBERTS_DB_LOCK_TIMEOUT="2")
    before = fingerprint(schema_db)

    outcome = run_process("db.reset", "--schema", str(schema), env=env, timeout=GUARD_SECONDS)

    assert outcome.code == 1, outcome.output
    assert "Gave up waiting for a lock on table elsewhere.kept after 2 s (lock_timeout)" in (
        outcome.stderr
    )
    assert f"pid {held_lock.info.backend_pid}, application 'report_job'" in outcome.stderr
    assert "Traceback" not in outcome.output
    assert fingerprint(schema_db) == before


def test_a_lock_wait_in_a_do_block_that_lifted_lock_timeout_for_itself_is_still_ended(
    schema_db: ConnInfo, state_dir: Path, held_lock: psycopg.Connection[tuple[object, ...]]
) -> None:
    """No static reading can see this one: the watch cancels the wait from outside."""
    schema = state_dir / "sneaky.sql"
    schema.write_text(
        "DO $$ BEGIN\n  PERFORM set_config('lock_' || 'timeout', '0', true);\n"
        "  EXECUTE 'ALTER TABLE elsewhere.kept ADD COLUMN note text';\nEND $$;\n"
    )
    env = url_environment(schema_db, state_dir, NORBERTS_DB_LOCK_TIMEOUT="1")
    before = fingerprint(schema_db)

    outcome = run_process("db.create", "--schema", str(schema), env=env, timeout=GUARD_SECONDS)

    assert outcome.code == 1, outcome.output
    assert "Gave up waiting for a lock on table elsewhere.kept after 1 s (lock_timeout)" in (
        outcome.stderr
    )
    assert "Traceback" not in outcome.output
    assert fingerprint(schema_db) == before


def _guarded(run: Callable[[], object], holder: psycopg.Connection[tuple[object, ...]]) -> object:
    """``run()``'s result or exception; if it still waits after the guard, end the lock and fail."""
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(run())
        except (NorbertsDbError, psycopg.Error) as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(GUARD_SECONDS)
    if thread.is_alive():
        holder.rollback()  # releases the lock, so the run can end
        thread.join(GUARD_SECONDS)
        pytest.fail("the run waited for the lock past every bound")
    return outcome[0]


LIFTING_LOCK_TIMEOUT = [
    "SET lock_timeout = 0;",
    "SET SESSION lock_timeout TO 0;",
    "set local \"lock_timeout\" = '0';",
    "SET lock_timeout TO DEFAULT;",
    "RESET lock_timeout;",
    "RESET ALL;",
    "SELECT set_config('lock_timeout', '0', false);",
    "SELECT pg_catalog.set_config('LOCK_TIMEOUT', '0', true);",
    "SET lock_timeout = '1h';",
    "DO $$ BEGIN SET lock_timeout = 0; END $$;",
    "CREATE FUNCTION public.lift() RETURNS void LANGUAGE sql AS "
    "$$ SELECT set_config('lock_timeout', '0', false) $$;\nSELECT public.lift();",
    "CREATE PROCEDURE public.lift() LANGUAGE plpgsql AS "
    "$$ BEGIN EXECUTE 'RESET ALL'; END $$;\nCALL public.lift();",
]


@pytest.mark.parametrize("lifting", LIFTING_LOCK_TIMEOUT)
def test_no_way_of_lifting_lock_timeout_in_a_file_lifts_the_toolkits(
    schema_db: ConnInfo,
    state_dir: Path,
    held_lock: psycopg.Connection[tuple[object, ...]],
    lifting: str,
) -> None:
    path = state_dir / "lifting.sql"
    path.write_text(f"{lifting}\nCREATE TABLE public.before_the_wait (id int);\n{NEEDS_THE_LOCK}")
    limits = Limits(lock_timeout=0.5, statement_timeout=300)

    ended = _guarded(lambda: apply.create(schema_db, load_script(path), limits=limits), held_lock)

    assert isinstance(ended, NorbertsDbError), ended
    assert "Gave up waiting for a lock on table elsewhere.kept after 0.5 s" in str(ended)
    assert execute(schema_db, "SELECT to_regclass('public.before_the_wait') IS NULL") == [(True,)]


@pytest.mark.parametrize(
    "lifting",
    [
        "SET statement_timeout = 0;",
        "SELECT set_config('statement_timeout', '0', false);",
        "CREATE FUNCTION public.lift() RETURNS text LANGUAGE sql AS "
        "$$ SELECT set_config('statement' || '_timeout', '0', false) $$;\nSELECT public.lift();",
        "CREATE FUNCTION public.lift() RETURNS void LANGUAGE plpgsql AS "
        "$$ BEGIN EXECUTE 'SET statement' || '_timeout = 0'; END $$;\nSELECT public.lift();",
    ],
)
def test_no_way_of_lifting_statement_timeout_in_a_file_lifts_the_toolkits(
    schema_db: ConnInfo, state_dir: Path, lifting: str
) -> None:
    path = state_dir / "slow.sql"
    path.write_text(f"{lifting}\nSELECT pg_sleep(60);\n")
    before = fingerprint(schema_db)
    env = url_environment(schema_db, state_dir, NORBERTS_DB_STATEMENT_TIMEOUT="0.5")

    outcome = run_process("db.create", "--schema", str(path), env=env, timeout=GUARD_SECONDS)

    assert outcome.code == 1, outcome.output
    assert "ran longer than 0.5 s (statement_timeout)" in outcome.stderr
    assert fingerprint(schema_db) == before


@pytest.mark.parametrize(
    ("setting", "seen"), [("'1s'", "1s"), ("'1h'", "5s"), ("0", "5s"), ("DEFAULT", "5s")]
)
def test_a_tighter_lock_timeout_a_file_sets_is_kept_and_a_looser_one_is_not(
    schema_db: ConnInfo, state_dir: Path, setting: str, seen: str
) -> None:
    path = state_dir / "probe.sql"
    path.write_text(
        f"SET lock_timeout = {setting};\n"
        "CREATE TABLE public.seen AS SELECT current_setting('lock_timeout') AS lock;\n"
    )

    apply.create(schema_db, load_script(path), limits=Limits(lock_timeout=5))

    assert execute(schema_db, "SELECT lock FROM public.seen") == [(seen,)]


def test_a_migration_that_sets_lock_timeout_0_still_ends_on_the_toolkits_lock_timeout(
    schema_db: ConnInfo, state_dir: Path, held_lock: psycopg.Connection[tuple[object, ...]]
) -> None:
    directory = state_dir / "migrations"
    directory.mkdir()
    (directory / "0001_wait.sql").write_text(f"SET lock_timeout = 0;\n{NEEDS_THE_LOCK}")
    limits = Limits(lock_timeout=0.5, statement_timeout=300)

    ended = _guarded(lambda: migrate(schema_db, directory, limits=limits), held_lock)

    assert isinstance(ended, MigrationError), ended
    assert "gave up waiting for a lock after 0.5 s (lock_timeout" in str(ended)
    assert "0001_wait.sql was rolled back and not recorded" in str(ended)
