"""Statements that hold semicolons run whole, and errors after them point at their own line."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from norberts_db.conninfo import ConnInfo

from .conftest import reachable_tmpdir
from .safety_helpers import execute, fingerprint, run_tasks, url_environment

HOLDERS = """\
CREATE TABLE public.events (id int, kind text);
CREATE TABLE public.event_log (id int);
CREATE TABLE public.event_count (n int);
CREATE RULE log_events AS ON INSERT TO public.events DO ALSO (
    INSERT INTO public.event_log VALUES (new.id);
    UPDATE public.event_count SET n = n + 1 WHERE new.kind <> ');'
);
CREATE FUNCTION public.event_total() RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN count(*) > 0 THEN count(*)::int ELSE 0 END FROM public.event_log;
END;
"""
FIRST_EVENT = "INSERT INTO public.events VALUES (1, 'a');\n"


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-locations-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_rule_action_list_and_an_atomic_body_run_whole(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    schema = state_dir / "holders.sql"
    schema.write_text(HOLDERS + FIRST_EVENT)

    outcome = run_tasks(
        "db.create", "--schema", str(schema), env=url_environment(schema_db, state_dir)
    )

    assert outcome.code == 0, outcome.stderr
    assert execute(schema_db, "SELECT count(*) FROM pg_rules WHERE rulename = 'log_events'") == [
        (1,)
    ]
    assert execute(schema_db, "SELECT public.event_total()") == [(1,)]


@pytest.mark.parametrize(
    "bad", ["CREATE TABLE public.broken (id int,);\n", "SELECT * FROM public.no_such_table;\n"]
)
def test_an_error_after_a_rule_and_an_atomic_body_is_put_on_its_own_line(
    schema_db: ConnInfo, state_dir: Path, bad: str
) -> None:
    schema = state_dir / "holders.sql"
    schema.write_text(HOLDERS + "\n" + bad)
    line = HOLDERS.count("\n") + 2
    before = fingerprint(schema_db)

    outcome = run_tasks(
        "db.create", "--schema", str(schema), env=url_environment(schema_db, state_dir)
    )

    assert outcome.code == 1
    assert f"error: {schema}:{line}:" in outcome.stderr
    assert f"in the statement starting at line {line}: {bad.strip()}" in outcome.stderr
    assert fingerprint(schema_db) == before


def test_a_rule_whose_action_list_is_never_closed_is_refused_before_anything_runs(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    schema = state_dir / "unclosed.sql"
    schema.write_text(
        "CREATE TABLE public.events (id int);\n"
        "CREATE RULE r AS ON INSERT TO public.events DO ALSO (\n"
        "    NOTIFY events;\n"
        "CREATE TABLE public.after (id int);\n"
    )
    before = fingerprint(schema_db)

    outcome = run_tasks(
        "db.create", "--schema", str(schema), env=url_environment(schema_db, state_dir)
    )

    assert outcome.code == 1
    assert f"error: {schema}:2: the `(` that opens the action list of this CREATE RULE" in (
        outcome.stderr
    )
    assert fingerprint(schema_db) == before
