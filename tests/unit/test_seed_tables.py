"""Which tables a schema file creates, as the seed loader reads them: no server needed."""

from __future__ import annotations

from pathlib import Path

from norberts_db.seed import created_tables
from norberts_db.sqlfile import SqlScript, load_script, split_statements

PROJECT_SCHEMA = Path(__file__).resolve().parents[2] / "sql" / "norberts_schema.sql"


def script(text: str) -> SqlScript:
    return SqlScript(path=Path("schema.sql"), statements=tuple(split_statements(text)))


def test_the_project_schema_creates_its_nine_tables() -> None:
    tables = created_tables(load_script(PROJECT_SCHEMA))

    assert {name for schema, name in tables if schema == "public"} == {
        "users",
        "customers",
        "people",
        "customer_people",
        "chats",
        "messages",
        "ai_options",
        "parts",
        "audit_log",
    }


def test_names_are_read_as_postgresql_folds_them() -> None:
    tables = created_tables(
        script(
            "CREATE TABLE Public.Plain (id int);\n"
            'CREATE TABLE "Odd Schema"."Mixed ""Case""" (id int);\n'
            "create unlogged table if not exists app.events (id int);\n"
            "-- a comment first\nCREATE TABLE unqualified (id int);\n"
            "CREATE TEMPORARY TABLE scratch (id int);\n"
            "CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES IN (1);\n"
            "CREATE VIEW app.not_a_table AS SELECT 1;\n"
            "CREATE INDEX ON app.events (id);\n"
        )
    )

    assert tables == {
        ("public", "plain"),
        ("Odd Schema", 'Mixed "Case"'),
        ("app", "events"),
        (None, "unqualified"),
        (None, "scratch"),
        ("app", "events_2026"),
    }
