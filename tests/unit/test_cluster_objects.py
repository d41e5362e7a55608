"""Recognising the statements that create or drop roles, which belong to the whole server."""

from __future__ import annotations

import json

import pytest

from norberts_db.catalog.report import render_github, render_json, render_text
from norberts_db.catalog.results import DropCheckResult
from norberts_db.cluster_objects import RoleStatement, role_exists_advice, role_statement


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CREATE ROLE app;", RoleStatement("create", ("app",))),
        (
            "create user App_Reader WITH LOGIN PASSWORD 'x';",
            RoleStatement("create", ("app_reader",)),
        ),
        ('CREATE GROUP "Mixed ""Case""" ;', RoleStatement("create", ('Mixed "Case"',))),
        (
            "CREATE ROLE -- the owner\n  owner_role\n  NOLOGIN;",
            RoleStatement("create", ("owner_role",)),
        ),
        ("CREATE ROLE /* c */ émile;", RoleStatement("create", ("émile",))),
        ("DROP ROLE app;", RoleStatement("drop", ("app",))),
        ('DROP USER IF EXISTS a, "B" ,c;', RoleStatement("drop", ("a", "B", "c"))),
        ("drop group if exists readers", RoleStatement("drop", ("readers",))),
    ],
)
def test_role_statements_name_their_roles_as_the_server_stores_them(
    text: str, expected: RoleStatement
) -> None:
    assert role_statement(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "CREATE USER MAPPING FOR app SERVER files;",
        "CREATE USER MAPPING IF NOT EXISTS FOR app SERVER files;",
        "DROP USER MAPPING FOR app SERVER files;",
        "ALTER ROLE app SET work_mem = '8MB';",
        "GRANT app TO other;",
        "CREATE TABLE role (id int);",
        "COMMENT ON ROLE app IS 'DROP ROLE app;';",
        "DROP ROLE app CASCADE;",
        "DO $$ BEGIN CREATE ROLE app; END $$;",
    ],
)
def test_other_statements_are_not_role_statements(text: str) -> None:
    assert role_statement(text) is None


def test_advice_for_an_existing_role_shows_a_guarded_create() -> None:
    advice = role_exists_advice('file.sql:1:1: ERROR: role "it\'s" already exists')
    assert advice is not None
    assert "WHERE rolname = 'it''s') THEN CREATE ROLE \"it's\";" in advice
    assert role_exists_advice('ERROR: relation "app" already exists') is None


def test_reports_show_the_notes_and_a_schema_that_fails_after_the_drop_script() -> None:
    result = DropCheckResult(
        "schema.sql",
        "drop.sql",
        "server",
        rerun_error='schema.sql:1:1: ERROR: role "app" already exists',
        notes=("drop.sql:2: `DROP ROLE app` not run.",),
    )
    text = render_text(result)
    assert text.startswith("dirty: drop.sql does not undo schema.sql")
    assert "The schema fails when run again after the drop script:" in text
    assert text.endswith("\n\nnote: drop.sql:2: `DROP ROLE app` not run.")
    document = json.loads(render_json(result))
    assert document["schema_again"] == {"ok": False, "error": result.rerun_error}
    assert document["notes"] == list(result.notes)
    assert "file=schema.sql,line=1" in render_github(result)
