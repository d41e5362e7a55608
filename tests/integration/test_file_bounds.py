"""How the toolkit reads and runs SQL files, on a real server.

No SQL file can lift the toolkit's bounds on waiting (lock_timeout and
statement_timeout). Those tests hold a lock from a second connection on a
table outside the schema, then run a file that first tries to lift the bound
and then needs that lock. The run must end with the timeout message, not
wait. A hung run would hang the suite, so every run has a generous guard: a
subprocess timeout, or a worker thread whose wait is ended by releasing the
lock.

Statements that hold semicolons (rule action lists, BEGIN ATOMIC bodies) run
whole, and an error after them points at its own line.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from norberts_db import apply, blocking, db_commands
from norberts_db.bounds import Limits
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.runner import migrate
from norberts_db.sqlfile import SqlScript, load_script

from .conftest import SCHEMA_FILE, reachable_tmpdir
from .safety_helpers import Outcome, execute, fingerprint, run_process, run_tasks, url_environment

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

    assert_ended_on_the_lock_timeout(outcome, seconds=2)
    assert f"pid {held_lock.info.backend_pid}, application 'report_job'" in outcome.stderr
    assert fingerprint(schema_db) == before


def assert_ended_on_the_lock_timeout(outcome: Outcome, *, seconds: int) -> None:
    assert outcome.code == 1, outcome.output
    expected = (
        f"Gave up waiting for a lock on table elsewhere.kept after {seconds} s (lock_timeout)"
    )
    assert expected in outcome.stderr
    assert "Traceback" not in outcome.output


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

    assert_ended_on_the_lock_timeout(outcome, seconds=1)
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
    limits = Limits(lock_timeout=1, statement_timeout=300)

    ended = _guarded(lambda: apply.create(schema_db, load_script(path), limits=limits), held_lock)

    assert isinstance(ended, NorbertsDbError), ended
    assert "Gave up waiting for a lock on table elsewhere.kept after 1 s" in str(ended)
    assert execute(schema_db, "SELECT to_regclass('public.before_the_wait') IS NULL") == [(True,)]


def test_a_slow_login_of_the_watch_does_not_cost_the_message_its_holder(
    schema_db: ConnInfo,
    state_dir: Path,
    held_lock: psycopg.Connection[tuple[object, ...]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a busy machine a login can take a good part of a short lock_timeout.

    Logged in only at its first look (half the bound), the watch would ask
    after the wait had ended, and the message could not name the holder.
    """

    def slow_login(info: ConnInfo, **kwargs: Any) -> psycopg.Connection[tuple[object, ...]]:
        time.sleep(1.0)  # two thirds of the bound below, as a loaded machine can take
        return connect(info, **kwargs)

    monkeypatch.setattr(blocking, "connect", slow_login)
    path = state_dir / "waits.sql"
    path.write_text(NEEDS_THE_LOCK)
    limits = Limits(lock_timeout=1.5, statement_timeout=300)

    ended = _guarded(lambda: apply.create(schema_db, load_script(path), limits=limits), held_lock)

    assert isinstance(ended, NorbertsDbError), ended
    assert "Gave up waiting for a lock on table elsewhere.kept after 1.5 s" in str(ended)
    assert f"pid {held_lock.info.backend_pid}, application 'report_job'" in str(ended)


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


# -- statements that hold semicolons ---------------------------------------------------------

HOLDERS = """\
CREATE TABLE public.events (id int, kind text);
CREATE TABLE public.event_log (id int);
CREATE TABLE public.event_count (n int);
CREATE RULE log_events AS ON INSERT TO public.events DO ALSO (
    INSERT INTO public.event_log VALUES (new.id);
    UPDATE public.event_count SET n = n + 1 WHERE new.kind <> ');'
);
CREATE FUNCTION public.event_total() RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN count(*) > 0 THEN count(*)::int ELSE 0 END FROM public.event_log;
END;
"""
FIRST_EVENT = "INSERT INTO public.events VALUES (1, 'a');\n"


def test_a_rule_action_list_and_an_atomic_body_run_whole(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    schema = state_dir / "holders.sql"
    schema.write_text(HOLDERS + FIRST_EVENT)

    outcome = run_tasks(
        "db.create", "--schema", str(schema), env=url_environment(schema_db, state_dir)
    )

    assert outcome.code == 0, outcome.stderr
    assert execute(schema_db, "SELECT count(*) FROM pg_rules WHERE rulename = 'log_events'") == [
        (1,)
    ]
    assert execute(schema_db, "SELECT public.event_total()") == [(1,)]


@pytest.mark.parametrize(
    "bad", ["CREATE TABLE public.broken (id int,);\n", "SELECT * FROM public.no_such_table;\n"]
)
def test_an_error_after_a_rule_and_an_atomic_body_is_put_on_its_own_line(
    schema_db: ConnInfo, state_dir: Path, bad: str
) -> None:
    schema = state_dir / "holders.sql"
    schema.write_text(HOLDERS + "\n" + bad)
    line = HOLDERS.count("\n") + 2
    before = fingerprint(schema_db)

    outcome = run_tasks(
        "db.create", "--schema", str(schema), env=url_environment(schema_db, state_dir)
    )

    assert outcome.code == 1
    assert f"error: {schema}:{line}:" in outcome.stderr
    assert f"in the statement starting at line {line}: {bad.strip()}" in outcome.stderr
    assert fingerprint(schema_db) == before


def test_a_rule_whose_action_list_is_never_closed_is_refused_before_anything_runs(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    schema = state_dir / "unclosed.sql"
    schema.write_text(
        "CREATE TABLE public.events (id int);\n"
        "CREATE RULE r AS ON INSERT TO public.events DO ALSO (\n"
        "    NOTIFY events;\n"
        "CREATE TABLE public.after (id int);\n"
    )
    before = fingerprint(schema_db)

    outcome = run_tasks(
        "db.create", "--schema", str(schema), env=url_environment(schema_db, state_dir)
    )

    assert outcome.code == 1
    assert f"error: {schema}:2: the `(` that opens the action list of this CREATE RULE" in (
        outcome.stderr
    )
    assert fingerprint(schema_db) == before


# -- the success line ---------------------------------------------------------------------------


def test_the_success_line_counts_reading_the_files_too(
    schema_db: ConnInfo, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading and splitting a large file happens before the server sees anything."""

    def slow_read(path: Path, *, what: str = "SQL file") -> SqlScript:
        time.sleep(1.5)  # stands in for splitting a file of many megabytes
        return load_script(path, what=what)

    monkeypatch.setattr(db_commands, "load_script", slow_read)

    outcome = run_tasks("db.reset", env=url_environment(schema_db, state_dir))

    assert outcome.code == 0, outcome.stderr
    # The first line: what the database holds, then the time, then what was seeded.
    reported = re.search(r" in ([0-9.]+) s(;|$)", outcome.stdout.splitlines()[0])
    assert reported is not None, outcome.stdout
    assert float(reported.group(1)) >= 3.0  # two files read, 1.5 s each


def test_a_concurrent_index_build_of_a_migration_waits_no_longer_than_lock_timeout(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    """It waits for every older snapshot to end; that wait is a lock wait, and bounded."""
    execute(schema_db, "CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.kept (id int)")
    directory = state_dir / "migrations"
    directory.mkdir()
    (directory / "0001_index.sql").write_text(
        "SET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY kept_id ON elsewhere.kept (id);\n"
    )
    limits = Limits(lock_timeout=0.5, statement_timeout=300)
    with psycopg.connect(**schema_db.connect_kwargs()) as old_snapshot:
        old_snapshot.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        old_snapshot.execute("SELECT count(*) FROM elsewhere.kept")

        ended = _guarded(lambda: migrate(schema_db, directory, limits=limits), old_snapshot)

    assert isinstance(ended, MigrationError), ended
    assert "gave up waiting for a lock after 0.5 s (lock_timeout" in str(ended)
