"""What ``migration.prove`` counts as a problem, from what it measured; no server needed."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from norberts_db.catalog.model import ObjectKey
from norberts_db.migrations import progress
from norberts_db.migrations.plan import render_plan
from norberts_db.migrations.prove_report import (
    ProveResult,
    Thresholds,
    find_problems,
    render_github,
    render_json,
)
from norberts_db.migrations.prove_watch import Hold, StatementRecord, marked_destructive
from norberts_db.migrations.steps import Plan, Step
from norberts_db.sqlfile import load_script

MIGRATION = """\
-- 0002: tidy up
DELETE FROM a;

-- DESTRUCTIVE: drops column b.c
-- and a second comment line
ALTER TABLE b DROP COLUMN c;

-- DESTRUCTIVE: this mark is not right above the statement

UPDATE d SET e = 1;
"""


def test_the_destructive_mark_counts_only_in_the_comment_lines_right_above(
    tmp_path: Path,
) -> None:
    path = tmp_path / "0002.sql"
    path.write_text(MIGRATION, encoding="utf-8")
    script = load_script(path)
    marked = [marked_destructive(script, s) for s in script.statements]
    assert marked == [False, True, False]


def test_the_mark_migration_new_writes_is_the_mark_prove_reads(tmp_path: Path) -> None:
    plan = Plan(
        steps=(
            Step(ObjectKey("table", "public.t"), "drop", "DROP TABLE public.t", "drops public.t"),
            Step(ObjectKey("table", "public.u"), "create", "CREATE TABLE public.u (id bigint)"),
        )
    )
    path = tmp_path / "0002.sql"
    path.write_text(render_plan(plan, header="-- 0002: generated"), encoding="utf-8")
    script = load_script(path)
    assert [marked_destructive(script, s) for s in script.statements] == [True, False]


def record(**fields: object) -> StatementRecord:
    base = StatementRecord("m.sql", 3, "ALTER TABLE t ...;", destructive=False)
    for name, value in fields.items():
        setattr(base, name, value)
    return base


def result(*statements: StatementRecord, lock: float = 1.0, rows: int = 100) -> ProveResult:
    outcome = ProveResult(target="db", thresholds=Thresholds(lock, rows))
    outcome.statements = list(statements)
    return outcome


@pytest.mark.parametrize(
    ("statement", "kinds"),
    [
        (record(rows={"t": (10, 7)}), ["rows-lost"]),
        (record(rows={"t": (10, None)}), ["rows-lost"]),
        (record(rows={"t": (10, 7)}, destructive=True), []),
        (record(rows={"t": (0, None), "u": (5, 9)}), []),
        (record(holds=[Hold("t", 2.5, 10)]), ["long-exclusive-lock"]),
        (record(holds=[Hold("t", 2.5, 0)]), []),
        (record(holds=[Hold("t", 0.5, 10)]), []),
        (record(rewritten=["t"], rows={"t": (101, 101)}), ["table-rewrite"]),
        (record(rewritten=["t"], rows={"t": (100, 100)}), []),
        (record(error="boom"), ["statement-failed"]),
    ],
    ids=[
        "fewer-rows",
        "dropped-with-rows",
        "fewer-rows-marked",
        "empty-dropped-or-more-rows",
        "long-lock",
        "long-lock-empty-table",
        "short-lock",
        "big-rewrite",
        "rewrite-at-threshold",
        "failed",
    ],
)
def test_each_measurement_is_a_problem_only_past_its_rule(
    statement: StatementRecord, kinds: list[str]
) -> None:
    assert [p.kind for p in find_problems(result(statement))] == kinds


def test_problems_are_reported_at_their_file_and_line_in_json_and_github() -> None:
    outcome = result(record(rows={"t": (10, 7)}))
    document = json.loads(render_json(outcome))
    assert document["status"] == "problems"
    assert document["problems"][0]["file"] == "m.sql"
    assert document["problems"][0]["line"] == 3
    assert render_github(outcome).startswith("::error file=m.sql,line=3,title=Migration loses rows")
    assert outcome.exit_code == 1


def test_progress_prints_plain_lines_off_a_terminal_and_nothing_for_a_moment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quick, slow = io.StringIO(), io.StringIO()
    with progress.Progress("copying", stream=quick):
        pass
    monkeypatch.setattr(progress, "MOMENT", 0.0)
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.01)
    with progress.Progress("copying", stream=slow) as shown:
        shown.update("3 MB copied")
        while not slow.getvalue():
            time.sleep(0.001)
    assert quick.getvalue() == ""
    assert "\r" not in slow.getvalue()
    assert slow.getvalue().startswith("copying: 0 s")
