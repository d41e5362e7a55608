"""The drop-script check on a real server: it must run when empty and undo the schema fully."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import pytest

from norberts_db import verify
from norberts_db.catalog.model import ObjectKey
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript, load_script
from norberts_db.verify import check_drop_script, render_json, render_text


def edited_copy(script: SqlScript, tmp_path: Path, pattern: str, replacement: str) -> SqlScript:
    """A copy of ``script`` in tmp_path with one statement changed; fails if none matched."""
    text = script.path.read_text(encoding="utf-8")
    edited, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} not found in {script.name}"
    path = tmp_path / script.path.name
    path.write_text(edited, encoding="utf-8")
    return load_script(path)


def scratch_databases(server: ConnInfo, prefix: str) -> list[str]:
    with connect(server, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
        ).fetchall()
    return [str(row[0]) for row in rows]


def test_the_project_drop_script_runs_when_empty_and_leaves_nothing_behind(
    pg_server: ConnInfo, project_schema: SqlScript, project_drop_script: SqlScript
) -> None:
    result = check_drop_script(pg_server, project_schema, project_drop_script)
    assert result.exit_code == 0, render_text(result)
    assert result.objects_created > 100
    assert render_text(result).startswith(f"clean: {project_drop_script.name} runs on an empty")
    assert json.loads(render_json(result))["status"] == "clean"


def test_a_drop_script_that_forgets_a_table_reports_that_table_and_its_parts(
    pg_server: ConnInfo,
    schema_db: ConnInfo,
    project_schema: SqlScript,
    project_drop_script: SqlScript,
    tmp_path: Path,
) -> None:
    drop = edited_copy(
        project_drop_script, tmp_path, r"^DROP TABLE IF EXISTS public\.people CASCADE;$", ""
    )
    result = check_drop_script(pg_server, project_schema, drop)

    # Everything of public.people stays except its triggers: dropping the trigger
    # functions with CASCADE takes those along.
    everything = snapshot_database(schema_db).objects.keys()
    people = {
        key
        for key in everything
        if (key.name == "public.people" or key.name.startswith("public.people."))
        and key.kind != "trigger"
    }
    assert ObjectKey("table", "public.people") in people
    assert {d.key for d in result.leftovers} == people
    assert {d.status for d in result.leftovers} == {"unexpected"}
    assert (result.empty_run_error, result.drop_error) == (None, None)
    assert result.exit_code == 1
    assert "Left behind by the drop script" in render_text(result)
    statuses = {d["status"] for d in json.loads(render_json(result))["differences"]}
    assert statuses == {"left_behind"}


def test_a_drop_script_that_fails_on_an_empty_database_is_reported_with_file_and_line(
    pg_server: ConnInfo,
    project_schema: SqlScript,
    project_drop_script: SqlScript,
    tmp_path: Path,
) -> None:
    # Without IF EXISTS the statement fails when there is nothing to drop, and only then.
    drop = edited_copy(
        project_drop_script,
        tmp_path,
        r"^DROP FUNCTION IF EXISTS public\.set_updated_at\(\)",
        "DROP FUNCTION public.set_updated_at()",
    )
    line = next(s.line for s in drop.statements if "DROP FUNCTION public.set_updated_at" in s.text)
    result = check_drop_script(pg_server, project_schema, drop)
    assert result.exit_code == 1
    assert result.empty_run_error is not None
    assert result.empty_run_error.startswith(f"{drop.name}:{line}:")
    assert "does not exist" in result.empty_run_error
    assert (result.drop_error, result.leftovers) == (None, ())
    assert "The drop script fails on an empty database:" in render_text(result)
    document = json.loads(render_json(result))
    assert document["empty_database"]["ok"] is False
    assert document["after_schema"] == {"ok": True, "error": None}


def test_a_drop_script_that_fails_after_the_schema_leaves_everything_behind(
    pg_server: ConnInfo, project_schema: SqlScript, tmp_path: Path
) -> None:
    # No CASCADE: the functions are still used by the triggers of the tables.
    drop = tmp_path / "drop.sql"
    drop.write_text("DROP FUNCTION IF EXISTS public.set_updated_at();\n", encoding="utf-8")
    result = check_drop_script(pg_server, project_schema, load_script(drop))
    assert result.exit_code == 1
    assert result.empty_run_error is None
    assert result.drop_error is not None
    assert result.drop_error.startswith(f"{drop}:1:")
    assert len(result.leftovers) == result.objects_created


def test_a_drop_script_that_removes_schema_public_is_reported_as_removing_it(
    pg_server: ConnInfo,
    project_schema: SqlScript,
    project_drop_script: SqlScript,
    tmp_path: Path,
) -> None:
    drop = edited_copy(
        project_drop_script,
        tmp_path,
        r"^DROP TABLE IF EXISTS public\.audit_log CASCADE;$",
        "DROP SCHEMA public CASCADE;",
    )
    result = check_drop_script(pg_server, project_schema, drop)
    assert [(d.kind, d.name, d.status) for d in result.leftovers] == [
        ("schema", "public", "missing")
    ]
    assert "Removed, although an empty database has them (1):\n  schema public" in render_text(
        result
    )


def test_a_schema_file_that_fails_exits_2_and_leaves_no_scratch_database(
    pg_server: ConnInfo,
    project_drop_script: SqlScript,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = f"norberts_dropcheck_{secrets.token_hex(4)}_"
    monkeypatch.setattr(verify, "DROP_CHECK_PREFIX", prefix)
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE public.a (id int);\nCREATE TABLE public.a (id int);\n")
    result = check_drop_script(pg_server, load_script(schema), project_drop_script)
    assert result.exit_code == 2
    assert (result.error or "").startswith(f"{schema}:2:")
    assert scratch_databases(pg_server, prefix) == []
    assert json.loads(render_json(result))["status"] == "error"
