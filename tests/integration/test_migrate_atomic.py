"""db.migrate applies a file whole or not at all: transaction control is refused up front,
and a failure reports exactly what was committed and what was recorded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from norberts_db.conninfo import ConnInfo
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.outcome import MigrationInterrupted
from norberts_db.migrations.runner import migrate

from .error_helpers import interrupt_nested_transactions
from .migration_helpers import child_path, run_sql
from .test_migrate import history, query, table_exists, write

FIRST = "CREATE TABLE public.a (id bigint);\n"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "CREATE TABLE public.b (id bigint);\nCOMMIT;\nCREATE TABLE public.c (id int);\n",
            2,
            "COMMIT",
        ),
        (
            "BEGIN;\nCREATE TABLE public.b (id bigint);\nCOMMIT;\n"
            "BEGIN;\nCREATE TABLE public.c (id bigint);\nCOMMIT;\n",
            3,
            "COMMIT",
        ),
        (
            "CREATE TABLE public.b (id bigint);\nCOMMIT AND CHAIN;\nSELECT 1;\n",
            2,
            "COMMIT AND CHAIN",
        ),
        ("CREATE TABLE public.b (id bigint);\n\nend;\n", 3, "end"),
        ("BEGIN;\nCREATE TABLE public.b (id bigint);\nROLLBACK;\n", 1, "BEGIN"),
        ("CREATE TABLE public.b (id bigint);\nSAVEPOINT s;\nROLLBACK TO s;\n", 2, "SAVEPOINT"),
        ("CREATE TABLE public.b (id bigint);\nRELEASE SAVEPOINT s;\n", 2, "RELEASE"),
        ("START TRANSACTION;\nCREATE TABLE public.b (id bigint);\n", 1, "START TRANSACTION"),
        (
            "CREATE TABLE public.b (id bigint);\nDO $$\nBEGIN\n  INSERT INTO public.b VALUES (1);"
            "\n  COMMIT;\nEND\n$$;\n",
            5,
            "COMMIT",
        ),
        ("CREATE TABLE public.b (id bigint);\nCOPY public.b FROM stdin;\n1\n\\.\n", 2, "COPY"),
        ("CREATE TABLE public.b (id bigint);\n\\i other.sql\n", 2, "\\i"),
        ("CREATE DATABASE other;\n", 1, "CREATE DATABASE"),
    ],
)
def test_transaction_control_in_any_pending_file_is_refused_before_anything_runs(
    scratch_db: ConnInfo, tmp_path: Path, text: str, line: int, words: str
) -> None:
    write(tmp_path, "0001_a.sql", FIRST)
    write(tmp_path, "0002_b.sql", text)
    with pytest.raises(MigrationError) as refused:
        migrate(scratch_db, tmp_path)
    message = str(refused.value)
    assert f"0002_b.sql:{line}:" in message, message
    assert words in message
    assert "Nothing was applied" in message
    # Not even the first, innocent file ran: every pending file is checked first.
    assert not table_exists(scratch_db, "public.a")
    assert not table_exists(scratch_db, "public.b")
    assert not table_exists(scratch_db, "norberts_db.migration_history")


def test_a_dry_run_refuses_transaction_control_too(scratch_db: ConnInfo, tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "CREATE TABLE public.a (id bigint);\nCOMMIT;\n")
    with pytest.raises(MigrationError, match=r"0001_a\.sql:2:"):
        migrate(scratch_db, tmp_path, dry_run=True)


def test_a_file_wrapped_as_a_whole_in_begin_commit_is_applied_and_recorded(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(tmp_path, "0001_a.sql", "BEGIN;\nCREATE TABLE public.a (id bigint);\nCOMMIT;\n")
    assert migrate(scratch_db, tmp_path).applied == ("0001_a.sql",)
    assert table_exists(scratch_db, "public.a")
    assert [row[0] for row in history(scratch_db)] == [1]


def test_a_procedure_that_commits_is_rolled_back_whole_and_said_so(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    run_sql(scratch_db, "CREATE PROCEDURE public.p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$")
    write(tmp_path, "0001_a.sql", "CREATE TABLE public.a (id bigint);\nCALL public.p();\n")
    with pytest.raises(MigrationError) as failure:
        migrate(scratch_db, tmp_path)
    message = str(failure.value)
    assert "0001_a.sql:2:" in message
    assert "0001_a.sql was rolled back and not recorded" in message
    assert "move it to a migration" not in message  # the advice for schema files
    assert "commits" in message
    assert not table_exists(scratch_db, "public.a")


def test_a_lost_connection_is_one_message_that_says_what_was_committed(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(tmp_path, "0001_a.sql", FIRST)
    write(
        tmp_path,
        "0002_b.sql",
        "CREATE TABLE public.b (id bigint);\nSELECT pg_terminate_backend(pg_backend_pid());\n",
    )
    with pytest.raises(MigrationError) as failure:
        migrate(scratch_db, tmp_path)
    message = str(failure.value)
    assert "0002_b.sql" in message and "connection" in message
    assert "0001_a.sql" in message  # applied before it in this run, and said so
    assert "not recorded" in message
    assert table_exists(scratch_db, "public.a")
    assert not table_exists(scratch_db, "public.b")
    assert [row[0] for row in history(scratch_db)] == [1]


CHILD = """
import sys
from pathlib import Path
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations.runner import migrate
try:
    migrate(ConnInfo.from_url(sys.argv[1], source="test"), Path(sys.argv[2]))
except NorbertsDbError as exc:
    print(exc)
    sys.exit(exc.exit_code)
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_exits_130_saying_what_it_kept(
    scratch_db: ConnInfo, tmp_path: Path, signum: signal.Signals
) -> None:
    write(tmp_path, "0001_a.sql", FIRST)
    write(tmp_path, "0002_b.sql", "CREATE TABLE public.b (id bigint);\nSELECT pg_sleep(60);\n")
    env = {**os.environ, "PYTHONPATH": child_path()}
    if scratch_db.password:
        env["PGPASSWORD"] = scratch_db.password
    program = "from norberts_db.interrupts import terminate_as_interrupt\n"
    program += "with terminate_as_interrupt():\n" + "".join(
        f"    {line}\n" for line in CHILD.strip().splitlines()
    )
    child = subprocess.Popen(
        [sys.executable, "-c", program, scratch_db.url(), str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not query(
        scratch_db,
        "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%'"
        " AND pid <> pg_backend_pid() AND datname = current_database()",
    ):
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    child.send_signal(signum)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 130, out + err
    assert "Traceback" not in err
    assert "0002_b.sql was rolled back and not recorded" in out
    assert "0001_a.sql" in out and "interrupted" in out
    assert [row[0] for row in history(scratch_db)] == [1]
    assert not table_exists(scratch_db, "public.b")


def test_an_interrupt_inside_psycopgs_transaction_bookkeeping_ends_the_run_as_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, scratch_db: ConnInfo, tmp_path: Path
) -> None:
    """psycopg's "rollback at the wrong nesting level", raised because a Ctrl-C landed just
    after it counted a savepoint, is the interrupt: the run says what it kept, exit 130."""
    write(tmp_path, "0001_a.sql", FIRST)
    interrupt_nested_transactions(monkeypatch)
    with pytest.raises(MigrationInterrupted) as stopped:
        migrate(scratch_db, tmp_path)
    monkeypatch.undo()

    assert "interrupted (SIGINT)" in str(stopped.value), str(stopped.value)
    assert not table_exists(scratch_db, "public.a")
