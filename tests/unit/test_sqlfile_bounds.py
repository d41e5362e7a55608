"""Where the toolkit brings its bounds back while it runs a file (no server)."""

from __future__ import annotations

import pytest

from norberts_db.bounds import Limits, bounded_batch, reasserted_after
from norberts_db.sqlfile import split_statements


def flags(text: str) -> list[bool]:
    return reasserted_after(split_statements(text))


@pytest.mark.parametrize(
    "statement",
    [
        "SET statement_timeout = 0;",
        "set session lock_timeout to default;",
        'SET LOCAL "lock_timeout" = 0;',
        "RESET lock_timeout;",
        "RESET ALL;",
        "SET search_path = app;",  # a SET of any setting costs one check, and is rare
        "SELECT pg_catalog.set_config('statement_timeout', '0', false);",
        "DO $$ BEGIN PERFORM 1; END $$;",
        "CALL public.p();",
        "WITH x AS (SELECT 1) SELECT set_config('lock_timeout', '0', true) FROM x;",
    ],
)
def test_a_statement_that_may_change_a_bound_is_followed_by_a_check(statement: str) -> None:
    assert flags(f"CREATE TABLE t (id int);\n{statement}\nINSERT INTO t VALUES (1);") == [
        False,
        True,
        False,
    ]


def test_once_a_file_defines_code_that_names_a_bound_every_later_statement_is_checked() -> None:
    text = (
        "INSERT INTO t VALUES (1);\n"
        "CREATE FUNCTION lift() RETURNS void LANGUAGE plpgsql AS $$\n"
        "BEGIN EXECUTE 'RESET ALL'; END $$;\n"
        "INSERT INTO t VALUES (2);\nSELECT lift();\n"
    )

    assert flags(text) == [False, True, True, True]


def test_a_body_that_runs_dynamic_sql_counts_as_naming_a_bound_and_a_trigger_does_not() -> None:
    dynamic = (
        "CREATE FUNCTION lift() RETURNS void LANGUAGE plpgsql AS $$\n"
        "BEGIN EXECUTE format('SET %s = 0', 'statement' || '_timeout'); END $$;\n"
        "SELECT lift();\n"
    )
    trigger = (
        "CREATE TRIGGER t BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"
        "INSERT INTO t VALUES (1);"
    )

    assert flags(dynamic) == [True, True]
    assert flags(trigger) == [False, False]


def test_ordinary_statements_cost_nothing() -> None:
    statements = split_statements("CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);")

    assert bounded_batch(statements, Limits()) == bounded_batch(statements, None)
    assert (
        bounded_batch(statements, None) == "CREATE TABLE t (id int);\n;\nINSERT INTO t VALUES (1);"
    )


def test_the_check_names_both_bounds_in_milliseconds_and_none_is_needed_without_limits() -> None:
    statements = split_statements("SET lock_timeout = 0;\nSELECT 1;")

    batch = bounded_batch(statements, Limits(lock_timeout=2, statement_timeout=0.25))

    assert batch.count("set_config(") == 2
    assert "'2000ms'" in batch and "'250ms'" in batch
    assert Limits(0, 0).reassert() is None
    assert bounded_batch(statements, Limits(0, 0)) == "SET lock_timeout = 0;\n;\nSELECT 1;"


def test_a_migration_statement_run_alone_keeps_the_lock_bound_but_not_the_run_time_bound() -> None:
    assert Limits(2, 300).outside_transaction() == Limits(2, 0)
