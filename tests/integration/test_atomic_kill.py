"""A reset killed at any moment leaves the database exactly as it was, or exactly reset.

The database starts in a deliberately different state: an older variant of
the schema (with a table the new one does not have) and rows in it. Then
``invoke db.reset`` runs as a real process and is killed with SIGINT,
SIGTERM or SIGKILL after a random delay, many times. Half of the delays are
spread over the whole run (start-up included), half fall inside the reset's
transaction (after it took the schema lock), so the kills are known to hit
the database work. After each kill the database must be one of two things:
the old schema, verified object by object, with every old row; or, if the
kill came after the commit, the new schema, verified, with no old row.
Nothing in between. The new schema pauses between its parts, so that a kill
mid-way would show if anything of it leaked.
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

import pytest

from norberts_db import apply
from norberts_db.catalog.compare import compare
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript, load_script
from norberts_db.verify import DROP_CHECK_PREFIX, SHADOW_PREFIX, schema_snapshot

from .conftest import DROP_FILE, SCHEMA_FILE, reachable_tmpdir
from .safety_helpers import (
    database_names,
    execute,
    run_process,
    start_process,
    url_environment,
)

ATTEMPTS = 20
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
        self.new.write_text(
            "SELECT pg_sleep(0.1);\n"
            + schema[:middle]
            + "SELECT pg_sleep(0.1);\n"
            + schema[middle:]
            + "SELECT pg_sleep(0.1);\n",
            encoding="utf-8",
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


def wait_for_schema_lock(db: ConnInfo, process: subprocess.Popen[str]) -> bool:
    """Wait until the reset holds the schema lock; False if it ended first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if execute(db, HOLDS_SCHEMA_LOCK) == [(1,)]:
            return True
        time.sleep(0.005)
    return False


def wait_until_unlocked(db: ConnInfo) -> None:
    """After a SIGKILL the server ends the orphaned session only when it next writes to it."""
    deadline = time.monotonic() + 60
    while execute(db, HOLDS_SCHEMA_LOCK) != [(0,)]:
        assert time.monotonic() < deadline, "the killed reset's session never ended"
        time.sleep(0.01)


def test_a_reset_killed_at_random_moments_never_leaves_a_mix_of_old_and_new(
    pg_server: ConnInfo, scratch_db: ConnInfo, folder: Path
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

    # One undisturbed run gives the durations the kills are spread over.
    started = time.monotonic()
    process = start_process(*reset, env=env)
    wait_for_schema_lock(scratch_db, process)
    in_transaction_at = time.monotonic() - started
    _, err = process.communicate(timeout=120)
    whole_run = time.monotonic() - started
    assert process.returncode == 0, err
    transaction = max(whole_run - in_transaction_at, 0.2)
    restore_old_state(scratch_db, files)

    outcomes: list[str] = []
    for attempt in range(ATTEMPTS):
        sent = SIGNALS[attempt % len(SIGNALS)]
        process = start_process(*reset, env=env)
        if attempt % 2:
            inside = wait_for_schema_lock(scratch_db, process)
            time.sleep(chance.uniform(0, transaction))
        else:
            inside = False
            time.sleep(chance.uniform(0, whole_run))
        finished_first = process.poll() is not None
        if not finished_first:
            process.send_signal(sent)
        _, err = process.communicate(timeout=120)
        assert "Traceback" not in err, err
        wait_until_unlocked(scratch_db)

        actual = snapshot_database(scratch_db)
        is_old = not compare(old_expected, actual) and rows(scratch_db) == old_rows
        is_new = not compare(new_expected, actual) and rows(scratch_db) == (None, None)
        where = f"attempt {attempt} ({sent.name}, seed {seed}): exit {process.returncode}"
        assert is_old or is_new, f"{where}: neither the old nor the new state\n{err}"
        if finished_first:
            assert process.returncode == 0 and is_new, where
            outcomes.append("finished")
        else:
            when = "in transaction" if inside else "anywhere"
            outcomes.append(f"{when}: {'old' if is_old else 'new'}")
        if is_new:
            restore_old_state(scratch_db, files)

    kills = [o for o in outcomes if o != "finished"]
    assert len(kills) >= 15, outcomes
    assert sum(o == "in transaction: old" for o in outcomes) >= 5, outcomes
    verified = run_process("db.verify", "--schema", str(files.old), env=env)
    assert verified.code == 0, verified.output
    assert rows(scratch_db) == old_rows
    leftovers = {n for n in database_names(pg_server) if n.startswith(SHADOW_PREFIX)}
    assert leftovers <= temporary_before
    assert not {n for n in database_names(pg_server) if n.startswith(DROP_CHECK_PREFIX)}


def shadows(server: ConnInfo) -> set[str]:
    return {name for name in database_names(server) if name.startswith(SHADOW_PREFIX)}


def start_slow_verify(db: ConnInfo, folder: Path) -> tuple[subprocess.Popen[str], set[str]]:
    """A db.verify whose shadow database takes seconds to build; returns it and its shadow."""
    slow = folder / "slow_schema.sql"
    slow.write_text("SELECT pg_sleep(20);\n" + SCHEMA_FILE.read_text(encoding="utf-8"))
    before = shadows(db)
    process = start_process("db.verify", "--schema", str(slow), env=url_environment(db, folder))
    deadline = time.monotonic() + 60
    while not shadows(db) - before:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "verify never created its shadow database"
        time.sleep(0.02)
    return process, shadows(db) - before


def test_a_verify_stopped_by_sigterm_drops_its_shadow_database(
    scratch_db: ConnInfo, folder: Path
) -> None:
    process, shadow = start_slow_verify(scratch_db, folder)

    process.terminate()
    _, err = process.communicate(timeout=60)

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
