"""Concurrent resets and creates run one after the other; lock waits and statements are bounded.

Serialization is shown, not inferred from exit codes: every run writes the
moment it starts and ends into a log table that no reset touches, from inside
its own transaction, and the intervals must not overlap.

What "each must succeed" means for creates: creating the same objects twice
fails with "already exists" by design, whatever the order. So each create
builds its own schema (extra_1, extra_2, ...), which no reset drops, while
the resets rebuild the project schema. Six runs at once, all exit 0.
"""

from __future__ import annotations

import itertools
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from norberts_db import apply
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript, Statement

from .conftest import DROP_FILE, SCHEMA_FILE, reachable_tmpdir
from .safety_helpers import (
    execute,
    fingerprint,
    run_tasks,
    start_process,
    url_environment,
)

RUNS = 3  # of each kind: 3 resets and 3 creates at once
SCHEMA_LOCK = "SELECT pg_advisory_lock(1312965698, 1396918349)"


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-serial-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def log_entry(run: str, phase: str) -> str:
    """An INSERT into the run log, stamped when it executes (clock_timestamp())."""
    entry = sql.SQL("INSERT INTO run_log.runs (run, phase) VALUES ({}, {});\n")
    return entry.format(sql.Literal(run), sql.Literal(phase)).as_string()


def test_six_concurrent_resets_and_creates_all_succeed_one_after_the_other(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    execute(
        schema_db,
        "CREATE SCHEMA run_log; CREATE TABLE run_log.runs "
        "(run text, phase text, at timestamptz NOT NULL DEFAULT clock_timestamp())",
    )
    schema, drop = SCHEMA_FILE.read_text(), DROP_FILE.read_text()
    commands: list[tuple[str, ...]] = []
    for n in range(1, RUNS + 1):
        # A reset logs its start first in the drop script, its end last in the schema;
        # the pause before the end widens the window in which runs could overlap.
        reset_drop = state_dir / f"reset_{n}_drop.sql"
        reset_drop.write_text(log_entry(f"reset {n}", "start") + drop)
        reset_schema = state_dir / f"reset_{n}_schema.sql"
        reset_schema.write_text(
            f"{schema}\nSELECT pg_sleep(0.1);\n" + log_entry(f"reset {n}", "end")
        )
        create = state_dir / f"create_{n}.sql"
        create.write_text(
            log_entry(f"create {n}", "start")
            + f"CREATE SCHEMA extra_{n};\nCREATE TABLE extra_{n}.t (id int);\n"
            + "SELECT pg_sleep(0.1);\n"
            + log_entry(f"create {n}", "end")
        )
        commands.append(("db.reset", "--schema", str(reset_schema)))
        commands[-1] += ("--drop-script", str(reset_drop))
        commands.append(("db.create", "--schema", str(create)))
    env = url_environment(schema_db, state_dir)

    processes = [start_process(*command, env=env) for command in commands]
    # communicate, not wait: a process whose pipe fills while nobody reads it never ends.
    outputs = [p.communicate(timeout=300) for p in processes]

    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "already exists" not in err and "deadlock" not in err
    rows = execute(
        schema_db,
        "SELECT run, min(at) FILTER (WHERE phase = 'start'), max(at) FILTER (WHERE phase = 'end') "
        "FROM run_log.runs GROUP BY run ORDER BY 2",
    )
    assert len(rows) == 2 * RUNS, rows
    for (first, _, first_end), (second, second_start, _) in itertools.pairwise(rows):
        assert isinstance(first_end, datetime) and isinstance(second_start, datetime), rows
        assert first_end < second_start, f"{first} and {second} overlapped: {rows}"
    schemas = execute(schema_db, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'extra_%'")
    assert sorted(str(row[0]) for row in schemas) == [f"extra_{n}" for n in range(1, RUNS + 1)]
    assert execute(schema_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [
        (9,)
    ]


def test_a_table_lock_held_elsewhere_ends_the_reset_after_lock_timeout_naming_the_holder(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    before = fingerprint(schema_db)
    env = url_environment(schema_db, state_dir, NORBERTS_DB_LOCK_TIMEOUT="1")
    kwargs = {**schema_db.connect_kwargs(), "application_name": "report_job"}
    with psycopg.connect(**kwargs) as holder:
        holder.execute("LOCK TABLE public.users IN ACCESS SHARE MODE")
        pid = holder.info.backend_pid
        started = time.monotonic()
        outcome = run_tasks("db.reset", env=env)
        waited = time.monotonic() - started

    # Without the limit the reset would wait for the holder, which waits for the
    # reset: it would never return. Load can only make the wait longer.
    assert outcome.code == 1
    assert waited >= 1
    message = outcome.stderr
    assert "Gave up waiting for a lock on table users after 1 s (lock_timeout)" in message
    assert f"pid {pid}, application 'report_job', user '{schema_db.user}'" in message
    assert "state 'idle in transaction'" in message
    assert "last query started" in message
    assert ": LOCK TABLE public.users IN ACCESS SHARE MODE" in message
    assert f"SELECT pg_terminate_backend({pid});" in message
    assert "NORBERTS_DB_LOCK_TIMEOUT" in message
    assert fingerprint(schema_db) == before


def test_waiting_for_the_schema_lock_of_another_reset_times_out_naming_that_reset(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    slow = state_dir / "slow_schema.sql"
    # Long enough that no load lets it end before the second reset asks; SIGTERM ends it.
    slow.write_text("SELECT pg_sleep(300);\n" + SCHEMA_FILE.read_text())
    env = url_environment(schema_db, state_dir)
    first = start_process("db.reset", "--schema", str(slow), env=env)
    try:
        _wait_for_schema_lock_holder(schema_db)
        env_short = url_environment(schema_db, state_dir, NORBERTS_DB_LOCK_TIMEOUT="0.5")
        outcome = run_tasks("db.reset", env=env_short)
    finally:
        first.terminate()
        first.communicate(timeout=30)

    assert outcome.code == 1
    message = outcome.stderr
    assert "Gave up waiting for the schema lock of database" in message
    assert "another reset, create, drop or migrate holds it" in message
    assert "application 'norberts_db'" in message
    assert "state 'active'" in message
    assert "SELECT pg_sleep(300)" in message
    # The first reset, stopped by SIGTERM, was rolled back as a whole.
    assert first.returncode == 130
    assert execute(schema_db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [
        (9,)
    ]


def _wait_for_schema_lock_holder(info: ConnInfo) -> None:
    """Until a session holds the schema lock of this database (other tests on the same
    server, xdist workers included, take the lock of theirs)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = execute(
            info,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = 1312965698 AND objid = 1396918349 AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        if rows == [(1,)]:
            return
        time.sleep(0.05)
    pytest.fail("the first reset never took the schema lock")


@pytest.mark.parametrize("task", ["db.drop", "db.migrate"])
def test_a_session_holding_the_schema_lock_is_named_when_the_wait_times_out(
    schema_db: ConnInfo, state_dir: Path, task: str
) -> None:
    env = url_environment(schema_db, state_dir, NORBERTS_DB_LOCK_TIMEOUT="0.3")
    with psycopg.connect(**schema_db.connect_kwargs(), autocommit=True) as holder:
        holder.execute("SET application_name = 'migration_by_hand'")
        holder.execute(SCHEMA_LOCK)
        pid = holder.info.backend_pid
        outcome = run_tasks(task, env=env)

    assert outcome.code == 1
    assert "Gave up waiting for the schema lock" in outcome.stderr
    assert "after 0.3 s (lock_timeout)" in outcome.stderr
    assert f"pid {pid}, application 'migration_by_hand'" in outcome.stderr
    assert SCHEMA_LOCK in outcome.stderr


def test_a_statement_running_past_statement_timeout_is_cancelled_and_rolled_back(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    slow = state_dir / "slow.sql"
    slow.write_text("CREATE TABLE public.half_done (id int);\nSELECT pg_sleep(30);\n")
    env = url_environment(schema_db, state_dir, NORBERTS_DB_STATEMENT_TIMEOUT="0.5")
    before = fingerprint(schema_db)

    # Uncancelled, the sleep would end and the create succeed: the exit code and the
    # product's own figure (0.5 s) show the cancel, not a wall clock.
    outcome = run_tasks("db.create", "--schema", str(slow), env=env)

    assert outcome.code == 1
    assert (
        f"A statement of {slow} ran longer than 0.5 s (statement_timeout) on database "
        f"{schema_db.dbname!r}" in outcome.stderr
    )
    assert "NORBERTS_DB_STATEMENT_TIMEOUT" in outcome.stderr
    assert "Nothing was changed" in outcome.stderr
    assert fingerprint(schema_db) == before


def test_limits_are_local_to_the_apply_transaction(schema_db: ConnInfo) -> None:
    """SET LOCAL: what the session had before the reset is what it has after it."""
    limits = apply.Limits(lock_timeout=2, statement_timeout=3)
    probe = SqlScript(
        SCHEMA_FILE,
        (
            Statement(
                "CREATE TABLE public.seen AS SELECT current_setting('lock_timeout') AS lock, "
                "current_setting('statement_timeout') AS statement",
                line=1,
                offset=0,
            ),
        ),
    )
    apply.create(schema_db, probe, limits=limits)

    assert execute(schema_db, "SELECT lock, statement FROM public.seen") == [("2s", "3s")]
    with psycopg.connect(**schema_db.connect_kwargs()) as conn:
        assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)


def _start_reset_that_holds_the_lock(
    schema_db: ConnInfo, state_dir: Path, *, sigint_ignored: bool = False
) -> subprocess.Popen[str]:
    """A db.reset process whose schema file ends in a 30 s sleep, once it holds the schema lock."""
    slow = state_dir / "slow_schema.sql"
    slow.write_text(SCHEMA_FILE.read_text() + "\nSELECT pg_sleep(30);\n")
    env = url_environment(schema_db, state_dir)
    process = start_process(
        "db.reset", "--schema", str(slow), env=env, sigint_ignored=sigint_ignored
    )
    _wait_for_schema_lock_holder(schema_db)
    return process


@pytest.mark.parametrize(
    "sigint_ignored", [False, True], ids=["at a terminal", "as a background job"]
)
def test_an_interrupted_reset_process_exits_130_with_one_message(
    schema_db: ConnInfo, state_dir: Path, sigint_ignored: bool
) -> None:
    """A background job of a non-interactive shell inherits SIGINT ignored: so does the
    suite when a script starts it that way, and with it every task the tests start."""
    before = fingerprint(schema_db)
    process = _start_reset_that_holds_the_lock(schema_db, state_dir, sigint_ignored=sigint_ignored)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)

    assert process.returncode == 130
    assert "Traceback" not in err
    assert "error: interrupted" in err
    assert fingerprint(schema_db) == before


def test_two_sigterms_in_a_row_still_leave_the_database_unchanged(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    """The second signal ends the process at once unless the first one's cleanup was done;
    either way the transaction never committed."""
    before = fingerprint(schema_db)
    process = _start_reset_that_holds_the_lock(schema_db, state_dir)
    process.send_signal(signal.SIGTERM)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)

    assert process.returncode in (130, -signal.SIGTERM)
    assert fingerprint(schema_db) == before
