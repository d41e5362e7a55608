"""Which SQL files may run inside the one transaction of reset, create and drop (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from norberts_db.errors import SettingsError, SqlFileError
from norberts_db.settings import load_settings
from norberts_db.sqlfile import SqlScript, load_script, split_statements
from norberts_db.transactional import check_one_transaction

ROOT = Path(__file__).resolve().parents[2]


def script(text: str) -> SqlScript:
    return SqlScript(Path("f.sql"), tuple(split_statements(text)))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("CREATE TABLE a (id int);\n\nCOMMIT;\n", 3, "`COMMIT;`"),
        ("BEGIN;\nCREATE TABLE a (id int);\n", 1, "`BEGIN;`"),
        ("START TRANSACTION ISOLATION LEVEL SERIALIZABLE;", 1, "START TRANSACTION"),
        ("CREATE TABLE a (id int);\nROLLBACK;", 2, "`ROLLBACK;`"),
        ("end;", 1, "`end;`"),
        ("abort;", 1, "`abort;`"),
        ("SAVEPOINT s;", 1, "SAVEPOINT"),
        ("PREPARE TRANSACTION 'x';", 1, "PREPARE TRANSACTION"),
        ("CREATE TABLE a (id int);\nCREATE UNIQUE INDEX CONCURRENTLY i ON a (id);", 2, "CONC"),
        ("DROP INDEX CONCURRENTLY IF EXISTS i;", 1, "CONCURRENTLY"),
        ("REINDEX (VERBOSE) TABLE CONCURRENTLY a;", 1, "CONCURRENTLY"),
        ("ALTER TABLE p DETACH PARTITION c CONCURRENTLY;", 1, "CONCURRENTLY"),
        ("-- tidy up\nVACUUM ANALYZE;", 2, "VACUUM"),
        ("ALTER SYSTEM SET work_mem = '1GB';", 1, "ALTER SYSTEM"),
        ("CREATE DATABASE other;", 1, "CREATE DATABASE"),
        ("DROP TABLESPACE t;", 1, "DROP TABLESPACE"),
        ("COPY a (id) FROM stdin;\n1\n\\.\n", 1, "COPY"),
    ],
)
def test_statements_that_would_break_the_one_transaction_are_refused_with_file_and_line(
    text: str, line: int, words: str
) -> None:
    with pytest.raises(SqlFileError) as caught:
        check_one_transaction(script(text))

    message = str(caught.value)
    assert message.startswith(f"f.sql:{line}: ")
    assert words in message
    assert message.endswith("Nothing was changed.")


@pytest.mark.parametrize(
    ("text", "line", "command"),
    [
        ("CREATE TABLE a (id int);\n\\i other.sql\nCREATE TABLE b (id int);", 2, "\\i"),
        ("\\set ON_ERROR_STOP on\nCREATE TABLE b (id int);", 1, "\\set"),
        ("CREATE TABLE a (id int);\n  \\connect other\n", 2, "\\connect"),
    ],
)
def test_psql_meta_commands_are_named_with_their_line(text: str, line: int, command: str) -> None:
    with pytest.raises(SqlFileError) as caught:
        check_one_transaction(script(text))

    assert str(caught.value).startswith(f"f.sql:{line}: {command} is a psql meta-command")


def test_words_inside_strings_bodies_and_names_are_not_mistaken_for_statements() -> None:
    text = (
        "CREATE TABLE a (concurrently int, vacuum text);\n"
        "CREATE INDEX a_i ON a (concurrently);\n"
        "COMMENT ON TABLE a IS 'COMMIT; ROLLBACK;\n\\i not a meta command';\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN 1;\nEND\n$$;\n"
        "SELECT E'it\\'s\n\\\\still a string';\n"
        "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n"
    )

    check_one_transaction(script(text))


@pytest.mark.parametrize(
    "text",
    [
        "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n",
        "-- the schema\nSTART TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n"
        "CREATE TABLE a (id int);\nEND;",
        "begin work;\nCREATE TABLE a (id int);\ncommit transaction;",
    ],
)
def test_a_begin_and_commit_that_wrap_the_whole_file_are_left_out(
    text: str, tmp_path: Path
) -> None:
    path = tmp_path / "wrapped.sql"
    path.write_text(text, encoding="utf-8")

    loaded = load_script(path)

    assert [s.text for s in loaded.statements] == ["CREATE TABLE a (id int);"]
    assert loaded.statements[0].line == text.count("\n", 0, text.index("CREATE")) + 1
    check_one_transaction(loaded)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("BEGIN;\nCREATE TABLE a (id int);\nROLLBACK;\n", 1, "`BEGIN;`"),
        ("BEGIN;\nCREATE TABLE a (id int);\nCOMMIT AND CHAIN;\n", 1, "`BEGIN;`"),
        ("BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);\n", 1, "`BEGIN;`"),
        ("BEGIN;\nCOMMIT;\nCREATE TABLE a (id int);\nCOMMIT;\n", 2, "`COMMIT;`"),
    ],
)
def test_transaction_control_other_than_a_whole_file_wrapper_is_still_refused(
    text: str, line: int, words: str, tmp_path: Path
) -> None:
    path = tmp_path / "f.sql"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(SqlFileError) as caught:
        check_one_transaction(load_script(path))

    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)


def test_the_project_schema_and_drop_script_pass() -> None:
    for path in (ROOT / "sql" / "norberts_schema.sql", ROOT / "sql" / "drop_all_tables.sql"):
        check_one_transaction(load_script(path))


def test_timeouts_default_to_thirty_seconds_for_locks_and_five_minutes_per_statement() -> None:
    settings = load_settings(project_root=ROOT, environ={})

    assert (settings.lock_timeout, settings.statement_timeout) == (30.0, 300.0)


def test_timeouts_come_from_the_environment_and_zero_means_no_limit() -> None:
    env = {"NORBERTS_DB_LOCK_TIMEOUT": "2.5", "NORBERTS_DB_STATEMENT_TIMEOUT": "0"}
    settings = load_settings(project_root=ROOT, environ=env)

    assert (settings.lock_timeout, settings.statement_timeout) == (2.5, 0.0)


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "soon"])
def test_a_timeout_that_is_not_a_number_of_seconds_names_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(project_root=ROOT, environ={"NORBERTS_DB_LOCK_TIMEOUT": value})

    assert str(caught.value).startswith("NORBERTS_DB_LOCK_TIMEOUT: ")


def test_a_ready_timeout_that_is_not_finite_is_refused() -> None:
    with pytest.raises(SettingsError, match="NORBERTS_DB_READY_TIMEOUT: nan is not a positive"):
        load_settings(project_root=ROOT, environ={"NORBERTS_DB_READY_TIMEOUT": "nan"})
