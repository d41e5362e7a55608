"""A CREATE INDEX CONCURRENTLY cut off mid-migration: the next run recovers, or names the index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from norberts_db.conninfo import ConnInfo
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.runner import migrate

from .migration_helpers import child_path, run_sql
from .test_migrate import history, query, write

TABLE = "CREATE TABLE public.a (id bigint, note text);\n"
DUPLICATES = "INSERT INTO public.a VALUES (1, 'x'), (1, 'y');"
INDEX = "CREATE UNIQUE INDEX CONCURRENTLY a_id_uq ON public.a USING btree (id);\n"


def index_state(info: ConnInfo) -> list[tuple[object, ...]]:
    return query(
        info,
        "SELECT indisvalid, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indexrelid = to_regclass('public.a_id_uq')",
    )


def progress(info: ConnInfo) -> list[tuple[object, ...]]:
    return query(info, "SELECT version, parts_done FROM norberts_db.migration_progress")


def test_an_index_a_failed_build_left_invalid_is_dropped_and_built_again(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    run_sql(scratch_db, TABLE + DUPLICATES)
    write(tmp_path, "0001_a.sql", INDEX)
    with pytest.raises(MigrationError) as failure:
        migrate(scratch_db, tmp_path)
    assert "invalid" in str(failure.value) and "not recorded" in str(failure.value)
    assert index_state(scratch_db)[0][0] is False  # what the server leaves behind
    run_sql(scratch_db, "DELETE FROM public.a WHERE note = 'y'")
    notes: list[str] = []
    assert migrate(scratch_db, tmp_path, note=notes.append).applied == ("0001_a.sql",)
    assert index_state(scratch_db)[0][0] is True
    assert any("left invalid" in line and "public.a_id_uq" in line for line in notes), notes
    assert [row[0] for row in history(scratch_db)] == [1]


def test_a_valid_index_exactly_as_the_statement_builds_it_is_kept_and_recorded(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    # As a killed run leaves it: the server finished the build, nothing was recorded.
    run_sql(scratch_db, TABLE + "CREATE UNIQUE INDEX a_id_uq ON public.a (id);")
    write(tmp_path, "0001_a.sql", INDEX + "COMMENT ON INDEX public.a_id_uq IS 'unique ids';\n")
    notes: list[str] = []
    assert migrate(scratch_db, tmp_path, note=notes.append).applied == ("0001_a.sql",)
    assert any("exists already" in line for line in notes)
    assert query(scratch_db, "SELECT obj_description('public.a_id_uq'::regclass)") == [
        ("unique ids",)
    ]


@pytest.mark.parametrize(
    "existing",
    [
        "CREATE INDEX a_id_uq ON public.a (id);",  # not unique
        "CREATE UNIQUE INDEX a_id_uq ON public.a (id) WHERE id > 0;",  # partial
        "CREATE UNIQUE INDEX a_id_uq ON public.a (id DESC);",
        "CREATE UNIQUE INDEX a_id_uq ON public.a USING btree (id) INCLUDE (note);",
        "CREATE TABLE public.b (id bigint); CREATE UNIQUE INDEX a_id_uq ON public.b (id);",
    ],
)
def test_an_index_of_that_name_defined_otherwise_is_never_taken_for_the_migrations_own(
    scratch_db: ConnInfo, tmp_path: Path, existing: str
) -> None:
    run_sql(scratch_db, TABLE + existing)
    write(tmp_path, "0001_a.sql", INDEX.replace("CONCURRENTLY", "CONCURRENTLY IF NOT EXISTS"))
    before = index_state(scratch_db)
    with pytest.raises(MigrationError) as refused:
        migrate(scratch_db, tmp_path)
    message = str(refused.value)
    assert "0001_a.sql:1:" in message
    assert "DROP INDEX CONCURRENTLY public.a_id_uq;" in message
    assert "not as this statement builds it" in message
    assert index_state(scratch_db) == before
    assert history(scratch_db) == []


def test_an_invalid_index_defined_otherwise_is_named_not_dropped(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    run_sql(scratch_db, TABLE + DUPLICATES)
    with (
        pytest.raises(psycopg.errors.UniqueViolation),
        psycopg.connect(**scratch_db.connect_kwargs(), autocommit=True) as conn,
    ):
        conn.execute("CREATE UNIQUE INDEX CONCURRENTLY a_id_uq ON public.a (id) WHERE id > 0")
    write(tmp_path, "0001_a.sql", INDEX)
    with pytest.raises(MigrationError, match=r"a_id_uq already exists \(invalid\)"):
        migrate(scratch_db, tmp_path)
    assert index_state(scratch_db)[0][0] is False


def _hold_a_snapshot(info: ConnInfo) -> psycopg.Connection[tuple[object, ...]]:
    """A session whose open transaction a concurrent build must wait for."""
    blocker = psycopg.connect(**info.connect_kwargs())
    blocker.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    blocker.execute("SELECT 1")
    return blocker


# The view is the whole server's: a build of another database (a killed run's session
# that goes on, say) must not be taken for this one's.
BUILDING_HERE = (
    "SELECT pid FROM pg_stat_progress_create_index "
    "WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND relid = to_regclass('public.a')"
)


def _building_pid(info: ConnInfo) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = query(info, BUILDING_HERE)
        if rows:
            return int(str(rows[0][0]))
        time.sleep(0.05)
    pytest.fail("the concurrent index build never started")


MULTI_PART = TABLE + INDEX + "COMMENT ON INDEX public.a_id_uq IS 'unique ids';\n"


def test_a_build_whose_backend_was_terminated_is_resumed_and_rebuilt(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(tmp_path, "0001_a.sql", MULTI_PART)
    blocker = _hold_a_snapshot(scratch_db)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            migrate(scratch_db, tmp_path)
        except BaseException as exc:  # checked below
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        pid = _building_pid(scratch_db)
        query(scratch_db, f"SELECT pg_terminate_backend({pid})")
        thread.join(timeout=60)
    finally:
        blocker.close()
    assert len(outcome) == 1 and isinstance(outcome[0], MigrationError)
    message = str(outcome[0])
    assert "part 2 of 3" in message and "resumes at part 2" in message, message
    assert index_state(scratch_db)[0][0] is False
    assert progress(scratch_db) == [(1, 1)]
    # The table of part 1 is not created twice: the run resumes after it.
    assert migrate(scratch_db, tmp_path).applied == ("0001_a.sql",)
    assert index_state(scratch_db)[0][0] is True
    assert progress(scratch_db) == []
    assert [row[0] for row in history(scratch_db)] == [1]


def test_a_run_killed_during_the_build_is_finished_by_the_next_run(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(tmp_path, "0001_a.sql", MULTI_PART)
    blocker = _hold_a_snapshot(scratch_db)
    # The password travels in the environment, never on a command line.
    env = {**os.environ, "PYTHONPATH": child_path()}
    if scratch_db.password:
        env["PGPASSWORD"] = scratch_db.password
    program = (
        "import sys; from pathlib import Path; from norberts_db.conninfo import ConnInfo; "
        "from norberts_db.migrations.runner import migrate; "
        "migrate(ConnInfo.from_url(sys.argv[1], source='test'), Path(sys.argv[2]))"
    )
    url = scratch_db.url(with_password=False)
    child = subprocess.Popen([sys.executable, "-c", program, url, str(tmp_path)], env=env)
    try:
        _building_pid(scratch_db)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        blocker.close()
    # The server finishes the build the dead client asked for, then ends its session,
    # which held the migration lock: the next run waits for it, then finds the index.
    notes: list[str] = []
    assert migrate(scratch_db, tmp_path, note=notes.append).applied == ("0001_a.sql",)
    assert any("exists already" in line for line in notes), notes
    assert index_state(scratch_db)[0][0] is True
    assert [row[0] for row in history(scratch_db)] == [1]
