"""db.migrate and db.verify --migrations against a real server."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.migrations.commands import migrations_result
from norberts_db.migrations.files import checksum
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.runner import migrate
from norberts_db.sqlfile import SqlScript

from .conftest import PROJECT_ROOT


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def query(info: ConnInfo, text: str) -> list[tuple[object, ...]]:
    with connect(info, autocommit=True) as conn:
        return conn.execute(text).fetchall()


def history(info: ConnInfo) -> list[tuple[object, ...]]:
    return query(
        info, "SELECT version, name, checksum FROM norberts_db.migration_history ORDER BY 1"
    )


def table_exists(info: ConnInfo, name: str) -> bool:
    return query(info, f"SELECT to_regclass('{name}') IS NOT NULL")[0][0] is True


def test_pending_migrations_are_applied_in_order_and_recorded_with_checksums(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    first = write(tmp_path, "0001_a.sql", "CREATE TABLE public.a (id bigint PRIMARY KEY);")
    second = write(
        tmp_path, "0002_b.sql", "CREATE TABLE public.b (a_id bigint REFERENCES public.a);"
    )
    result = migrate(scratch_db, tmp_path)
    assert result.applied == ("0001_a.sql", "0002_b.sql")
    assert history(scratch_db) == [
        (1, "0001_a.sql", checksum(first.read_bytes())),
        (2, "0002_b.sql", checksum(second.read_bytes())),
    ]
    assert migrate(scratch_db, tmp_path).applied == ()


def test_a_changed_applied_migration_is_refused_naming_the_file(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    path = write(tmp_path, "0001_a.sql", "CREATE TABLE public.a (id bigint);")
    migrate(scratch_db, tmp_path)
    path.write_text("CREATE TABLE public.a (id integer);", encoding="utf-8")
    write(tmp_path, "0002_b.sql", "CREATE TABLE public.b (id bigint);")
    with pytest.raises(MigrationError, match=r"0001_a\.sql: changed since it was applied"):
        migrate(scratch_db, tmp_path)
    assert not table_exists(scratch_db, "public.b")


def test_a_failing_migration_is_rolled_back_and_not_recorded(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(tmp_path, "0001_a.sql", "CREATE TABLE public.a (id bigint);")
    write(
        tmp_path,
        "0002_b.sql",
        "CREATE TABLE public.b (id bigint);\n\nINSERT INTO public.b VALUES ('not a number');\n",
    )
    with pytest.raises(MigrationError) as failure:
        migrate(scratch_db, tmp_path)
    message = str(failure.value)
    assert "0002_b.sql:3:" in message and "rolled back and not recorded" in message
    assert table_exists(scratch_db, "public.a")
    assert not table_exists(scratch_db, "public.b")
    assert [row[0] for row in history(scratch_db)] == [1]


def test_a_dry_run_changes_nothing(scratch_db: ConnInfo, tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "CREATE TABLE public.a (id bigint);")
    write(tmp_path, "0002_b.sql", "CREATE INDEX CONCURRENTLY a_idx ON public.a (id);")
    result = migrate(scratch_db, tmp_path, dry_run=True)
    assert result.pending == ("0001_a.sql", "0002_b.sql")
    assert "1 outside a transaction" in result.text
    assert not table_exists(scratch_db, "public.a")
    assert not table_exists(scratch_db, "norberts_db.migration_history")


def test_a_concurrent_index_is_built_outside_a_transaction(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(
        tmp_path,
        "0001_a.sql",
        "CREATE TABLE public.a (id bigint);\n"
        "CREATE INDEX CONCURRENTLY a_idx ON public.a (id);\n"
        "COMMENT ON INDEX public.a_idx IS 'built without blocking writes';\n",
    )
    migrate(scratch_db, tmp_path)
    rows = query(
        scratch_db, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.a_idx'::regclass"
    )
    assert rows == [(True,)]
    assert [row[0] for row in history(scratch_db)] == [1]


def test_a_new_enum_value_can_be_used_in_the_same_migration(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(tmp_path, "0001_a.sql", "CREATE TYPE public.e AS ENUM ('a');")
    write(
        tmp_path,
        "0002_b.sql",
        "ALTER TYPE public.e ADD VALUE IF NOT EXISTS 'b' AFTER 'a';\n"
        "CREATE TABLE public.t (v public.e NOT NULL DEFAULT 'b');\n",
    )
    assert migrate(scratch_db, tmp_path).applied == ("0001_a.sql", "0002_b.sql")


def test_concurrent_runs_are_serialized_by_the_schema_lock(
    scratch_db: ConnInfo, tmp_path: Path
) -> None:
    write(tmp_path, "0001_a.sql", "SELECT pg_sleep(0.5);\nCREATE TABLE public.a (id bigint);")
    write(tmp_path, "0002_b.sql", "CREATE TABLE public.b (id bigint);")
    outcomes: list[tuple[str, ...] | Exception] = []

    def run() -> None:
        try:
            outcomes.append(migrate(scratch_db, tmp_path).applied)
        except Exception as exc:  # reported below, with the other run's result
            outcomes.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # One run applied both; the other waited for it, then found nothing to do.
    assert len(outcomes) == 2
    assert () in outcomes
    assert ("0001_a.sql", "0002_b.sql") in outcomes
    assert [row[0] for row in history(scratch_db)] == [1, 2]


def test_the_shipped_migrations_build_exactly_the_schema_file(
    pg_server: ConnInfo, project_schema: SqlScript
) -> None:
    result = migrations_result(pg_server, project_schema, PROJECT_ROOT / "sql" / "migrations")
    assert result.error is None, result.error
    assert result.differences == ()


def test_a_schema_change_without_a_migration_is_drift(
    pg_server: ConnInfo, project_schema: SqlScript, tmp_path: Path
) -> None:
    baseline = (PROJECT_ROOT / "sql" / "migrations" / "0001_baseline.sql").read_text()
    write(
        tmp_path,
        "0001_baseline.sql",
        baseline.replace("CREATE INDEX audit_log_user_id_idx", "CREATE INDEX audit_log_user_idx"),
    )
    result = migrations_result(pg_server, project_schema, tmp_path)
    assert result.exit_code == 1
    assert {d.name for d in result.differences} == {
        "public.audit_log.audit_log_user_id_idx",
        "public.audit_log.audit_log_user_idx",
    }
