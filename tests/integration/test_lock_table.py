"""Large schemas in one transaction: the toolkit's servers have room, and a full lock table is
named as such.

A reset drops and creates a whole schema in one transaction, holding a lock on
every object on the way; the shared lock table has max_locks_per_transaction
times the server's connection slots entries. Transaction-scoped advisory locks
live in the same table, so a schema file that takes many of them fills it as a
schema of thousands of tables would, in a fraction of the time.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from norberts_db import apply
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import SqlScriptError
from norberts_db.sqlfile import load_script

from .conftest import SESSION_SERVER


def lock_table_entries(info: ConnInfo) -> int:
    """How many locks the shared lock table of the server holds at most (about)."""
    with psycopg.connect(**info.connect_kwargs()) as conn:
        row = conn.execute(
            "SELECT current_setting('max_locks_per_transaction')::int "
            "* (current_setting('max_connections')::int "
            "+ current_setting('max_prepared_transactions')::int)"
        ).fetchone()
    assert row is not None
    return int(str(row[0]))


def locking_schema(tmp_path: Path, locks: int) -> Path:
    path = tmp_path / "many_locks.sql"
    path.write_text(
        "CREATE TABLE public.kept (id int);\n"
        f"SELECT count(pg_advisory_xact_lock(n)) FROM generate_series(1, {locks}) AS n;\n",
        encoding="utf-8",
    )
    return path


def test_the_toolkits_servers_hold_the_locks_of_a_schema_of_thousands_of_tables(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    if not SESSION_SERVER.started_here:
        pytest.skip("the test server is not one this toolkit runs; its lock table is its own")
    # About 45 lock entries per table for a reset: 5,000 tables is some 225,000.
    assert lock_table_entries(scratch_db) >= 200_000
    schema = load_script(locking_schema(tmp_path, 150_000), what="schema file")

    apply.create(scratch_db, schema)

    with psycopg.connect(**scratch_db.connect_kwargs()) as conn:
        assert conn.execute("SELECT to_regclass('public.kept')").fetchone() == ("kept",)


def test_a_full_lock_table_is_named_with_the_setting_and_nothing_changes(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    # The table may grow into spare shared memory beyond its nominal size.
    too_many = lock_table_entries(scratch_db) * 5
    path = locking_schema(tmp_path, too_many)

    with pytest.raises(SqlScriptError) as caught:
        apply.create(scratch_db, load_script(path, what="schema file"))

    message = str(caught.value)
    assert f"{path}:2:" in message
    assert "The SQL is not at fault: the server's lock table is full" in message
    assert "max_locks_per_transaction" in message
    assert "Fix the SQL" not in message
    with psycopg.connect(**scratch_db.connect_kwargs()) as conn:
        assert conn.execute("SELECT to_regclass('public.kept')").fetchone() == (None,)
