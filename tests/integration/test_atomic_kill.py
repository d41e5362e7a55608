"""A reset killed at any moment leaves the database exactly as it was, or exactly reset.

The database starts in a deliberately different state: an older variant of
the schema (with a table the new one does not have) and rows in it. Then
``invoke db.reset`` runs as a real process and is killed with SIGINT,
SIGTERM or SIGKILL after a random delay, many times. Half of the delays are
spread over the whole run (start-up included), half fall inside the reset's
transaction (after it took the schema lock), so the kills are known to hit
the database work: those delays are shorter than the pauses the new schema
makes, which no load can shorten, so they land before the commit however
slow the machine is. After each kill the database must be one of two things:
the old schema, verified object by object, with every old row; or, if the
kill came after the commit, the new schema, verified, with no old row.
Nothing in between. The new schema pauses between its parts, so that a kill
mid-way would show if anything of it leaked. Runs go on until 15 were killed
(a run may finish before its delay is up), and at least 5 kills must have
hit the transaction and left the old state.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from norberts_db import apply
from norberts_db.catalog.compare import compare
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript, load_script
from norberts_db.temporary import OWNER_MARK
from norberts_db.verify import DROP_CHECK_PREFIX, SHADOW_PREFIX, schema_snapshot

from .conftest import DROP_FILE, PROJECT_ROOT, SCHEMA_FILE, reachable_tmpdir
from .safety_helpers import (
    database_names,
    execute,
    run_process,
    start_process,
    url_environment,
)

KILLS = 15
# Of those, at least this many must land inside the transaction and roll it back;
# under load a kill meant for the transaction can arrive after COMMIT, so runs go on.
ROLLED_BACK = 5
PROJECT_TASKS = PROJECT_ROOT / "tasks.py"
MAX_ATTEMPTS = 40  # a run may finish before its delay is up, or commit before its kill
# The new schema sleeps this long at its start, its middle and its end: the transaction
# lasts at least three pauses after the lock is taken.
PAUSE = 0.1
# A kill meant for the transaction comes at most this long after the lock was seen
# taken, which leaves the watcher's lag and the signal's handling a margin of 60 ms
# plus the schema's own work.
INSIDE = 2.4 * PAUSE
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
OLD_TABLE = "CREATE TABLE public.legacy_notes (id bigint PRIMARY KEY, body text NOT NULL);\n"
OLD_ROWS = (
    "INSERT INTO public.users (email, display_name) VALUES "
    "('ada@example.com', 'Ada'), ('grace@example.com', 'Grace');\n"
    "INSERT INTO public.legacy_notes VALUES (1, 'kept'), (2, 'also kept');\n"
)
USERS = "SELECT string_agg(email, ',' ORDER BY email) FROM public.users"
NOTES = "SELECT string_agg(body, ',' ORDER BY id) FROM public.legacy_notes"
HOLDS_SCHEMA_LOCK = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND classid = 1312965698 AND objid = 1396918349 AND database = "
    "(SELECT oid FROM pg_database WHERE datname = current_database())"
)


class Files:
    """The old schema, the new one (with pauses), and a drop script that removes both."""

    def __init__(self, folder: Path) -> None:
        schema = SCHEMA_FILE.read_text(encoding="utf-8")
        middle = schema.index("CREATE TABLE public.chats")
        self.old = folder / "old_schema.sql"
        self.old.write_text(schema + OLD_TABLE, encoding="utf-8")
        self.new = folder / "new_schema.sql"
        pause = f"SELECT pg_sleep({PAUSE});\n"
        self.new.write_text(
            pause + schema[:middle] + pause + schema[middle:] + pause, encoding="utf-8"
        )
        self.drop = folder / "drop.sql"
        self.drop.write_text(
            DROP_FILE.read_text(encoding="utf-8") + "DROP TABLE IF EXISTS public.legacy_notes;\n",
            encoding="utf-8",
        )

    def script(self, path: Path) -> SqlScript:
        return load_script(path)


@pytest.fixture
def folder() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-kill-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def rows(db: ConnInfo) -> tuple[object, object]:
    """The users' e-mails and the legacy notes (None where the table is empty or missing)."""
    has_notes = execute(db, "SELECT to_regclass('public.legacy_notes') IS NOT NULL") == [(True,)]
    notes = execute(db, NOTES)[0][0] if has_notes else None
    return execute(db, USERS)[0][0], notes


def restore_old_state(db: ConnInfo, files: Files) -> None:
    apply.reset(db, files.script(files.drop), files.script(files.old))
    execute(db, OLD_ROWS)


class SchemaLock:
    """Watches, over one open connection, whether some session holds the schema lock."""

    def __init__(self, db: ConnInfo) -> None:
        self._conn = psycopg.connect(**db.connect_kwargs(), autocommit=True)

    def close(self) -> None:
        self._conn.close()

    def held(self) -> bool:
        row = self._conn.execute(HOLDS_SCHEMA_LOCK).fetchone()
        return row is not None and row[0] == 1

    def wait_held(self, process: subprocess.Popen[str]) -> bool:
        """Wait until the reset holds the lock; False if it ended first."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if self.held():
                return True
            time.sleep(0.002)
        return False

    def wait_free(self) -> None:
        """After a SIGKILL the server ends the orphaned session only when it next writes to it."""
        deadline = time.monotonic() + 60
        while self.held():
            assert time.monotonic() < deadline, "the killed reset's session never ended"
            time.sleep(0.005)


@pytest.fixture
def schema_lock(scratch_db: ConnInfo) -> Iterator[SchemaLock]:
    watcher = SchemaLock(scratch_db)
    yield watcher
    watcher.close()


def test_a_reset_killed_at_random_moments_never_leaves_a_mix_of_old_and_new(
    pg_server: ConnInfo, scratch_db: ConnInfo, folder: Path, schema_lock: SchemaLock
) -> None:
    seed = int(os.environ.get("NORBERTS_DB_KILL_SEED", time.time_ns() % 1_000_000))
    chance = random.Random(seed)  # noqa: S311 - delays, not secrets; the seed reproduces a run
    files = Files(folder)
    old_expected = schema_snapshot(pg_server, files.script(files.old))
    new_expected = schema_snapshot(pg_server, files.script(files.new))
    temporary_before = {n for n in database_names(pg_server) if n.startswith(SHADOW_PREFIX)}
    restore_old_state(scratch_db, files)
    old_rows = rows(scratch_db)
    env = url_environment(scratch_db, folder)
    reset = ("db.reset", "--schema", str(files.new), "--drop-script", str(files.drop))

    # One undisturbed run gives the duration the kills "anywhere" are spread over.
    started = time.monotonic()
    process = start_process(*reset, env=env)
    _, err = process.communicate(timeout=120)
    whole_run = time.monotonic() - started
    assert process.returncode == 0, err
    restore_old_state(scratch_db, files)

    outcomes: list[str] = []
    attempt = 0
    while (
        sum(o != "finished" for o in outcomes) < KILLS
        or sum(o == "in transaction: old" for o in outcomes) < ROLLED_BACK
    ):
        assert attempt < MAX_ATTEMPTS, (
            f"after {attempt} runs, too few kills landed (seed {seed}): {outcomes}"
        )
        sent = SIGNALS[attempt % len(SIGNALS)]
        process = start_process(*reset, env=env)
        if attempt % 2:
            inside = schema_lock.wait_held(process)
            time.sleep(chance.uniform(0, INSIDE))
        else:
            inside = False
            time.sleep(chance.uniform(0, 0.9 * whole_run))
        finished_first = process.poll() is not None
        if not finished_first:
            process.send_signal(sent)
        _, err = process.communicate(timeout=120)
        schema_lock.wait_free()

        actual = snapshot_database(scratch_db)
        is_old = not compare(old_expected, actual) and rows(scratch_db) == old_rows
        is_new = not compare(new_expected, actual) and rows(scratch_db) == (None, None)
        where = f"attempt {attempt} ({sent.name}, seed {seed}): exit {process.returncode}\n{err}"
        assert is_old or is_new, f"{where}: neither the old nor the new state"
        # A Ctrl-C while the interpreter itself still starts gets Python's own traceback;
        # once the task runs, an interrupt is one message and the exit code 130.
        assert "/norberts_db/" not in err and str(PROJECT_TASKS) not in err, where
        if inside and sent != signal.SIGKILL and is_old:
            assert process.returncode == 130 and "error: interrupted" in err, where
            assert "Traceback" not in err, where
        if finished_first:
            assert process.returncode == 0 and is_new, where
            outcomes.append("finished")
        else:
            when = "in transaction" if inside else "anywhere"
            outcomes.append(f"{when}: {'old' if is_old else 'new'}")
        if is_new:
            restore_old_state(scratch_db, files)
        attempt += 1

    verified = run_process("db.verify", "--schema", str(files.old), env=env)
    assert verified.code == 0, verified.output
    assert rows(scratch_db) == old_rows
    leftovers = {n for n in database_names(pg_server) if n.startswith(SHADOW_PREFIX)}
    assert leftovers <= temporary_before
    assert not {n for n in database_names(pg_server) if n.startswith(DROP_CHECK_PREFIX)}


def shadows(server: ConnInfo) -> set[str]:
    return {name for name in database_names(server) if name.startswith(SHADOW_PREFIX)}


def marked_shadows(server: ConnInfo) -> set[str]:
    rows = execute(
        server,
        "SELECT datname FROM pg_database "
        "WHERE shobj_description(oid, 'pg_database') = %s || ' ' || oid",
        OWNER_MARK,
    )
    return {str(row[0]) for row in rows} & shadows(server)


def start_slow_verify(db: ConnInfo, folder: Path) -> tuple[subprocess.Popen[str], set[str]]:
    """A db.verify whose shadow database takes seconds to build; returns it and its shadow."""
    slow = folder / "slow_schema.sql"
    slow.write_text("SELECT pg_sleep(20);\n" + SCHEMA_FILE.read_text(encoding="utf-8"))
    before = shadows(db)
    process = start_process("db.verify", "--schema", str(slow), env=url_environment(db, folder))
    deadline = time.monotonic() + 60
    # Waiting for the mark, not the name: a kill between CREATE DATABASE and the
    # mark leaves a database the next run must not sweep, as nothing proves it ours.
    while not marked_shadows(db) - before:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "verify never created its shadow database"
        time.sleep(0.02)
    return process, shadows(db) - before


def test_a_verify_stopped_by_sigterm_drops_its_shadow_database(
    scratch_db: ConnInfo, folder: Path
) -> None:
    process, shadow = start_slow_verify(scratch_db, folder)

    process.terminate()
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("db.verify did not stop within 30 s of SIGTERM")

    assert process.returncode == 130, err
    assert "error: interrupted (SIGTERM); nothing half-done was kept" in err
    assert not shadow & shadows(scratch_db)


def test_a_shadow_database_left_by_a_sigkill_is_swept_by_the_next_verify(
    scratch_db: ConnInfo, folder: Path
) -> None:
    process, shadow = start_slow_verify(scratch_db, folder)

    process.kill()
    process.communicate(timeout=60)
    left_behind = shadow & shadows(scratch_db)
    verified = run_process("db.verify", env=url_environment(scratch_db, folder))

    assert left_behind == shadow
    assert verified.code == 1  # an empty database differs from the schema: it ran
    assert not shadow & shadows(scratch_db)
