"""A database built from the schema file knows where it stands in the migration history."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from norberts_db import apply
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import SqlScriptError
from norberts_db.migrations.files import checksum, discover
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.proofs import ResetHistory
from norberts_db.migrations.runner import migrate
from norberts_db.sqlfile import SqlScript, load_script

from .conftest import PROJECT_ROOT, reachable_tmpdir
from .migration_helpers import run_sql
from .test_migrate import history, table_exists, write
from .test_tasks_cli import Cli

MIGRATIONS = PROJECT_ROOT / "sql" / "migrations"
BASELINE = MIGRATIONS / "0001_baseline.sql"


def test_migrate_on_a_database_built_from_the_schema_file_records_the_baseline_without_running_it(
    schema_db: ConnInfo,
) -> None:
    notes: list[str] = []
    result = migrate(schema_db, MIGRATIONS, note=notes.append)
    assert result.adopted == ("0001_baseline.sql",)
    assert result.applied == ()
    assert history(schema_db) == [(1, "0001_baseline.sql", checksum(BASELINE.read_bytes()))]
    assert any("without running" in line for line in notes)
    assert migrate(schema_db, MIGRATIONS).adopted == ()


def test_the_migrations_the_database_holds_are_recorded_and_only_the_rest_applied(
    schema_db: ConnInfo, tmp_path: Path
) -> None:
    shutil.copy(BASELINE, tmp_path / BASELINE.name)
    write(tmp_path, "0002_extra.sql", "CREATE TABLE public.extra (id bigint);\n")
    dry = migrate(schema_db, tmp_path, dry_run=True)
    assert dry.adopted == ("0001_baseline.sql",) and dry.pending == ("0002_extra.sql",)
    assert not table_exists(schema_db, "norberts_db.migration_history")
    result = migrate(schema_db, tmp_path)
    assert (result.adopted, result.applied) == (("0001_baseline.sql",), ("0002_extra.sql",))
    assert table_exists(schema_db, "public.extra")
    assert [row[0] for row in history(schema_db)] == [1, 2]


def test_a_database_no_run_of_migrations_builds_fails_naming_the_real_situation(
    schema_db: ConnInfo,
) -> None:
    run_sql(schema_db, "CREATE TABLE public.handmade (id bigint);")
    with pytest.raises(MigrationError) as refused:
        migrate(schema_db, MIGRATIONS)
    message = str(refused.value)
    assert "no migration history" in message
    assert "public.handmade" in message
    assert "Fix the migration" not in message
    assert "db.reset" in message
    assert history(schema_db) == []


def _project_history() -> ResetHistory:
    return ResetHistory(tuple(discover(MIGRATIONS)), "recorded")


def test_a_reset_records_the_history_in_its_own_transaction(
    scratch_db: ConnInfo, project_drop_script: SqlScript, project_schema: SqlScript
) -> None:
    apply.reset(scratch_db, project_drop_script, project_schema, after=_project_history().write)
    assert [row[1] for row in history(scratch_db)] == ["0001_baseline.sql"]
    assert migrate(scratch_db, MIGRATIONS).adopted == ()


def test_a_failed_reset_leaves_the_history_as_it_was(
    schema_db: ConnInfo, project_drop_script: SqlScript, tmp_path: Path
) -> None:
    migrate(schema_db, MIGRATIONS)
    before = history(schema_db)
    broken = load_script(
        write(tmp_path, "schema.sql", "CREATE TABLE public.t (id nosuchtype);\n"),
        what="schema file",
    )
    with pytest.raises(SqlScriptError):
        apply.reset(schema_db, project_drop_script, broken, after=ResetHistory((), "").write)
    assert history(schema_db) == before


def test_a_reset_without_a_proof_clears_a_history_that_no_longer_holds(
    scratch_db: ConnInfo, project_drop_script: SqlScript, project_schema: SqlScript
) -> None:
    apply.reset(scratch_db, project_drop_script, project_schema, after=_project_history().write)
    apply.reset(scratch_db, project_drop_script, project_schema, after=ResetHistory((), "").write)
    assert history(scratch_db) == []
    assert migrate(scratch_db, MIGRATIONS).adopted == ("0001_baseline.sql",)


@pytest.fixture
def cli_env(scratch_db: ConnInfo) -> Iterator[dict[str, str]]:
    """``invoke`` on a scratch database of the test server, with a state folder of its own."""
    state = reachable_tmpdir("norberts-db-reset-migrate-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORBERTS_DB_")}
    env.pop("DATABASE_URL", None)
    env.update(
        NORBERTS_DB_URL=scratch_db.url(with_password=False),
        NORBERTS_DB_STATE_DIR=str(state),
        PYTHONPATH=str(PROJECT_ROOT / "src"),
    )
    if scratch_db.password:
        env["PGPASSWORD"] = scratch_db.password
    try:
        yield env
    finally:
        shutil.rmtree(state, ignore_errors=True)


def test_the_readme_workflow_reset_then_migrate_works(cli_env: dict[str, str]) -> None:
    invoke = Cli(cli_env).run
    first = invoke("db.reset")
    assert "migration history: not recorded" in first.stdout
    migrated = invoke("db.migrate")
    assert "recorded 1 migration(s) as applied without running them" in migrated.stdout
    assert "is up to date" in migrated.stdout
    # db.migrate proved that the migrations build the schema file: resets now record them.
    again = invoke("db.reset")
    assert "1 migration(s) recorded as applied, up to 0001_baseline.sql" in again.stdout
    assert "is up to date" in invoke("db.migrate").stdout


def test_a_schema_file_ahead_of_the_migrations_gets_told_to_write_the_migration(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    invoke = Cli(cli_env).run
    ahead = write(
        tmp_path,
        "schema.sql",
        (PROJECT_ROOT / "sql" / "norberts_schema.sql").read_text(encoding="utf-8")
        + "\nCREATE TABLE public.extra (id bigint);\n",
    )
    invoke("db.reset", "--schema", str(ahead))
    failed = invoke("db.migrate", check=False)
    assert failed.code == 1
    assert "no migration history" in failed.stderr
    assert "table public.extra: in the database, not built by the migrations" in failed.stderr
    assert "invoke migration.new NAME" in failed.stderr
    assert "Fix the migration" not in failed.stderr


def test_verify_migrations_proves_ahead_so_that_the_reset_itself_records_the_history(
    cli_env: dict[str, str], scratch_db: ConnInfo
) -> None:
    invoke = Cli(cli_env).run
    invoke("db.verify", "--migrations")
    reset = invoke("db.reset")
    assert "1 migration(s) recorded as applied, up to 0001_baseline.sql" in reset.stdout
    assert [row[1] for row in history(scratch_db)] == ["0001_baseline.sql"]
    assert "is up to date" in invoke("db.migrate").stdout
