"""db.verify against a real server: one drift at a time, reported exactly, and undone by a reset.

Drifts of the project schema run on a clone of its template
(``project_clone``). Object kinds the project schema does not use (domains,
composite types, sequences, views, extensions, collations, extended
statistics, rules, column storage settings, table access methods...) run on a
small schema of their own, written to tmp_path, in a clone of its template
(``app``). A drift test ends by resetting its database and verifying that it
matches again; one that got there leaves that database to the next drift test
of its schema (``SchemaTemplates.reused``). Drift tests build the expected
side of verify once per schema (``shadow_built_once``); the tests of the
shadow itself build it every time.
"""

from __future__ import annotations

import json
import secrets
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from norberts_db import apply, script_run, shadow, verify
from norberts_db.catalog.model import Change, Difference, ObjectKey, Snapshot, Status
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript, load_script
from norberts_db.verify import compare_databases, render_text, verify_database

from .template_helpers import (
    Clone,
    SchemaTemplates,
    schema_templates,  # noqa: F401 (a fixture)
    script_key,
)
from .verify_helpers import shadow_built_once  # noqa: F401 (a fixture)

# -- helpers ------------------------------------------------------------------------------------


def run_sql(info: ConnInfo, *statements: str) -> None:
    with connect(info, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


# The snapshot of a clean database of each schema, read from the first one a test
# gets: every clone of a schema's template is that same database.
_CLEAN: dict[str, Snapshot] = {}


def attribute(info: ConnInfo, schema: SqlScript, kind: str, name: str, attr: str) -> str | None:
    """``attr`` of the object as ``info``, a clean clone of ``schema``, has it."""
    key = script_key(schema)
    if key not in _CLEAN:
        _CLEAN[key] = snapshot_database(info)
    return _CLEAN[key].objects[ObjectKey(kind, name)].get(attr)


def only_difference(result: verify.VerifyResult) -> Difference:
    assert result.exit_code == 1, render_text(result)
    assert len(result.differences) == 1, render_text(result)
    return result.differences[0]


def assert_reset_matches_again(info: ConnInfo, drop: SqlScript, schema: SqlScript) -> None:
    apply.reset(info, drop, schema)
    result = verify_database(info, schema)
    assert result.exit_code == 0, render_text(result)


def write_script(tmp_path: Path, name: str, text: str) -> SqlScript:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_script(path)


def shadow_databases(server: ConnInfo, prefix: str) -> list[str]:
    with connect(server, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
        ).fetchall()
    return [str(row[0]) for row in rows]


def requires(schema: SqlScript, *needles: str) -> None:
    """Fail when the project schema no longer has what a drift test changes.

    A skip would let a schema change silently retire the test; a failure says
    to update the drift to the new schema.
    """
    text = "\n".join(statement.text for statement in schema.statements)
    missing = [needle for needle in needles if needle not in text]
    if missing:
        pytest.fail(f"update this test: the project schema no longer contains {missing}")


# -- the project schema, unchanged --------------------------------------------------------------


def test_a_fresh_project_database_matches_the_schema_file(
    schema_db: ConnInfo, project_schema: SqlScript
) -> None:
    result = verify_database(schema_db, project_schema)
    assert result.exit_code == 0, render_text(result)
    assert result.objects_compared > 100
    assert render_text(result) == (
        f"matches: {schema_db.redacted()} matches {project_schema.name} "
        f"({result.objects_compared} objects compared)"
    )


def test_owners_and_grants_of_a_fresh_project_database_match_too(
    schema_db: ConnInfo, project_schema: SqlScript
) -> None:
    result = verify_database(schema_db, project_schema, privileges=True)
    assert result.exit_code == 0, render_text(result)


def test_a_schema_file_wrapped_in_begin_and_commit_resets_and_verifies(
    scratch_db: ConnInfo, project_schema: SqlScript, tmp_path: Path
) -> None:
    text = Path(project_schema.name).read_text(encoding="utf-8")
    wrapped = write_script(tmp_path, "wrapped.sql", f"BEGIN;\n{text}\nCOMMIT;\n")
    drop = write_script(tmp_path, "drop.sql", "DROP TABLE IF EXISTS public.users CASCADE;\n")

    apply.reset(scratch_db, drop, wrapped)
    result = verify_database(scratch_db, wrapped)

    assert result.exit_code == 0, render_text(result)
    assert result.objects_compared > 100


def test_an_empty_database_reports_every_object_of_the_schema_as_missing(
    scratch_db: ConnInfo, schema_db: ConnInfo, project_schema: SqlScript
) -> None:
    result = verify_database(scratch_db, project_schema)
    empty = snapshot_database(scratch_db).objects.keys()
    full = snapshot_database(schema_db).objects.keys()
    assert {d.key for d in result.differences} == full - empty
    assert {d.status for d in result.differences} == {"missing"}


# -- one drift of the project schema at a time --------------------------------------------------


@dataclass(frozen=True)
class Drift:
    sql: tuple[str, ...]
    kind: str
    name: str
    status: Status
    attribute: str = ""
    expected: str | None = None
    # A string, or a function of the expected value for values built from it.
    found: str | Callable[[str | None], str] | None = None
    needs: tuple[str, ...] = ()
    # Makes an ICU collation, which a server built without ICU refuses.
    icu: bool = False


PROJECT_DRIFTS = {
    "added column is unexpected": Drift(
        ("ALTER TABLE public.customers ADD COLUMN fax text",),
        "column",
        "public.customers.fax",
        "unexpected",
    ),
    "dropped index is missing": Drift(
        ("DROP INDEX public.customers_owner_user_id_idx",),
        "index",
        "public.customers.customers_owner_user_id_idx",
        "missing",
    ),
    "new enum label changes the labels in order": Drift(
        ("ALTER TYPE public.user_role ADD VALUE 'guest' BEFORE 'viewer'",),
        "enum",
        "public.user_role",
        "changed",
        "labels",
        "'admin', 'manager', 'member', 'viewer'",
        "'admin', 'manager', 'member', 'guest', 'viewer'",
    ),
    "changed function body": Drift(
        (
            "CREATE OR REPLACE FUNCTION public.set_updated_at() RETURNS trigger "
            "LANGUAGE plpgsql SET search_path = pg_catalog, public "
            "AS $$BEGIN RETURN NEW; END$$",
        ),
        "function",
        "public.set_updated_at()",
        "changed",
        "body",
        "\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n",
        "BEGIN RETURN NEW; END",
    ),
    "reset search_path of a function": Drift(
        ("ALTER FUNCTION public.set_updated_at() RESET search_path",),
        "function",
        "public.set_updated_at()",
        "changed",
        "config",
        "search_path=pg_catalog, public",
        None,
    ),
    "security definer function": Drift(
        ("ALTER FUNCTION public.audit_row_change() SECURITY DEFINER",),
        "function",
        "public.audit_row_change()",
        "changed",
        "security",
        "SECURITY INVOKER",
        "SECURITY DEFINER",
    ),
    "disabled trigger": Drift(
        ("ALTER TABLE public.users DISABLE TRIGGER users_audit_trg",),
        "trigger",
        "public.users.users_audit_trg",
        "changed",
        "enabled",
        "enabled",
        "disabled",
    ),
    "trigger firing on other events": Drift(
        (
            "DROP TRIGGER chats_set_updated_at_trg ON public.chats",
            "CREATE TRIGGER chats_set_updated_at_trg BEFORE INSERT OR UPDATE ON public.chats "
            "FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()",
        ),
        "trigger",
        "public.chats.chats_set_updated_at_trg",
        "changed",
        "definition",
        "CREATE TRIGGER chats_set_updated_at_trg BEFORE UPDATE ON public.chats "
        "FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()",
        "CREATE TRIGGER chats_set_updated_at_trg BEFORE INSERT OR UPDATE ON public.chats "
        "FOR EACH ROW EXECUTE FUNCTION public.set_updated_at()",
    ),
    "relaxed NOT NULL": Drift(
        ("ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL",),
        "column",
        "public.users.email",
        "changed",
        "definition",
        "text NOT NULL",
        "text NULL",
    ),
    "changed column type": Drift(
        ("ALTER TABLE public.customers ALTER COLUMN notes TYPE varchar(2000)",),
        "column",
        "public.customers.notes",
        "changed",
        "definition",
        "text NULL",
        "character varying(2000) NULL",
    ),
    "changed column default": Drift(
        ("ALTER TABLE public.users ALTER COLUMN is_active SET DEFAULT false",),
        "column",
        "public.users.is_active",
        "changed",
        "definition",
        "boolean NOT NULL DEFAULT true",
        "boolean NOT NULL DEFAULT false",
    ),
    "changed foreign key action": Drift(
        (
            "ALTER TABLE public.customers DROP CONSTRAINT customers_owner_user_id_fk, "
            "ADD CONSTRAINT customers_owner_user_id_fk FOREIGN KEY (owner_user_id) "
            "REFERENCES public.users (id) ON DELETE CASCADE",
        ),
        "constraint",
        "public.customers.customers_owner_user_id_fk",
        "changed",
        "definition",
        "FOREIGN KEY (owner_user_id) REFERENCES public.users(id) ON DELETE SET NULL",
        "FOREIGN KEY (owner_user_id) REFERENCES public.users(id) ON DELETE CASCADE",
    ),
    "deferred foreign key": Drift(
        (
            "ALTER TABLE public.chats ALTER CONSTRAINT chats_user_id_fk "
            "DEFERRABLE INITIALLY DEFERRED",
        ),
        "constraint",
        "public.chats.chats_user_id_fk",
        "changed",
        "deferrable",
        "not deferrable",
        "deferrable initially deferred",
    ),
    "check re-added NOT VALID": Drift(
        (
            "ALTER TABLE public.people DROP CONSTRAINT people_job_title_not_blank_ck, "
            "ADD CONSTRAINT people_job_title_not_blank_ck "
            "CHECK (job_title ~ '[^[:space:]\\u00a0]') NOT VALID",
        ),
        "constraint",
        "public.people.people_job_title_not_blank_ck",
        "changed",
        "validated",
        "validated",
        "not validated",
        needs=("CHECK (job_title ~ '[^[:space:]\\u00a0]')",),
    ),
    "dropped check is missing": Drift(
        ("ALTER TABLE public.people DROP CONSTRAINT people_job_title_not_blank_ck",),
        "constraint",
        "public.people.people_job_title_not_blank_ck",
        "missing",
    ),
    "added check is unexpected": Drift(
        (
            "ALTER TABLE public.customers ADD CONSTRAINT customers_notes_length_ck "
            "CHECK (char_length(notes) <= 10000)",
        ),
        "constraint",
        "public.customers.customers_notes_length_ck",
        "unexpected",
    ),
    "dropped unique constraint is reported as the constraint, not its index": Drift(
        ("ALTER TABLE public.ai_options DROP CONSTRAINT ai_options_message_id_uq",),
        "constraint",
        "public.ai_options.ai_options_message_id_uq",
        "missing",
    ),
    "index without its partial predicate": Drift(
        (
            "DROP INDEX public.parts_tool_call_id_idx",
            "CREATE INDEX parts_tool_call_id_idx ON public.parts (tool_call_id)",
        ),
        "index",
        "public.parts.parts_tool_call_id_idx",
        "changed",
        "definition",
        "CREATE INDEX parts_tool_call_id_idx ON public.parts USING btree (tool_call_id) "
        "WHERE (tool_call_id IS NOT NULL)",
        "CREATE INDEX parts_tool_call_id_idx ON public.parts USING btree (tool_call_id)",
    ),
    "changed table comment": Drift(
        ("COMMENT ON TABLE public.users IS 'Changed.'",),
        "table",
        "public.users",
        "changed",
        "comment",
        None,  # taken from the database before the drift
        "Changed.",
    ),
    "removed column comment": Drift(
        ("COMMENT ON COLUMN public.users.email IS NULL",),
        "column",
        "public.users.email",
        "changed",
        "comment",
        None,
        None,
    ),
    "added view is unexpected": Drift(
        ("CREATE VIEW public.active_users AS SELECT id, email FROM public.users WHERE is_active",),
        "view",
        "public.active_users",
        "unexpected",
    ),
    "row level security enabled": Drift(
        ("ALTER TABLE public.chats ENABLE ROW LEVEL SECURITY",),
        "table",
        "public.chats",
        "changed",
        "row_level_security",
        "disabled",
        "enabled",
    ),
    "row level security forced": Drift(
        ("ALTER TABLE public.chats FORCE ROW LEVEL SECURITY",),
        "table",
        "public.chats",
        "changed",
        "force_row_level_security",
        "not forced",
        "forced",
    ),
    "added policy is unexpected": Drift(
        ("CREATE POLICY chats_owner_pol ON public.chats USING (user_id = 1)",),
        "policy",
        "public.chats.chats_owner_pol",
        "unexpected",
    ),
}


@pytest.fixture
def project_clone(
    schema_templates: SchemaTemplates,  # noqa: F811 (the fixture imported above)
    project_schema: SqlScript,
) -> Iterator[Clone]:
    """A database holding the project schema: the last drift test's, proven clean, or a clone."""
    with schema_templates.reused(project_schema) as clone:
        yield clone


@pytest.mark.usefixtures("shadow_built_once")
@pytest.mark.parametrize("drift", PROJECT_DRIFTS.values(), ids=PROJECT_DRIFTS.keys())
def test_a_drift_of_the_project_schema_is_reported_exactly_and_undone_by_a_reset(
    drift: Drift,
    project_clone: Clone,
    project_schema: SqlScript,
    project_drop_script: SqlScript,
) -> None:
    schema_db = project_clone.info
    # An unexpected object is not in the file, but its table must be.
    parts = drift.name.split(".")[1:]
    names = parts[:-1] if drift.status == "unexpected" else parts
    requires(project_schema, *(name.split("(")[0] for name in names), *drift.needs)
    expected = drift.expected
    if drift.status == "changed" and expected is None:
        expected = attribute(schema_db, project_schema, drift.kind, drift.name, drift.attribute)
    run_sql(schema_db, *drift.sql)

    result = verify_database(schema_db, project_schema)

    changes: tuple[Change, ...] = ()
    if drift.status == "changed":
        found = drift.found(expected) if callable(drift.found) else drift.found
        changes = (Change(drift.attribute, expected, found),)
    assert only_difference(result) == Difference(drift.kind, drift.name, drift.status, changes)
    assert_reset_matches_again(schema_db, project_drop_script, project_schema)
    project_clone.clean_at_end = True


@pytest.mark.usefixtures("shadow_built_once")
def test_a_renamed_constraint_is_the_old_name_missing_and_the_new_name_unexpected(
    schema_db: ConnInfo, project_schema: SqlScript, project_drop_script: SqlScript
) -> None:
    requires(project_schema, "people_first_name_not_blank_ck")
    run_sql(
        schema_db,
        "ALTER TABLE public.people "
        "RENAME CONSTRAINT people_first_name_not_blank_ck TO people_first_name_ck",
    )
    result = verify_database(schema_db, project_schema)
    assert result.differences == (
        Difference("constraint", "public.people.people_first_name_not_blank_ck", "missing"),
        Difference("constraint", "public.people.people_first_name_ck", "unexpected"),
    )
    assert_reset_matches_again(schema_db, project_drop_script, project_schema)


@pytest.mark.usefixtures("shadow_built_once")
def test_a_dropped_table_is_missing_with_its_columns_constraints_indexes_and_triggers(
    schema_db: ConnInfo, project_schema: SqlScript, project_drop_script: SqlScript
) -> None:
    requires(project_schema, "public.audit_log")
    before = snapshot_database(schema_db).objects.keys()
    run_sql(schema_db, "DROP TABLE public.audit_log")
    result = verify_database(schema_db, project_schema)
    gone = {
        k for k in before if k.name == "public.audit_log" or k.name.startswith("public.audit_log.")
    }
    assert {d.key for d in result.differences} == gone
    assert {d.status for d in result.differences} == {"missing"}
    assert ObjectKey("table", "public.audit_log") in gone
    assert_reset_matches_again(schema_db, project_drop_script, project_schema)


# -- object kinds the project schema does not use, on a schema of their own ---------------------

APP_SCHEMA = """\
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'Objects for drift tests.';
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.email AS text NOT NULL
    CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');
CREATE TYPE app.amount AS (currency char(3), cents bigint);
CREATE SEQUENCE app.ticket_seq START 100 INCREMENT 5;
CREATE TABLE app.account (
    id bigint GENERATED ALWAYS AS IDENTITY,
    email app.email,
    nick text COLLATE "C",
    mood app.mood NOT NULL DEFAULT 'ok',
    balance app.amount,
    ticket bigint NOT NULL DEFAULT nextval('app.ticket_seq'),
    cents_x2 bigint GENERATED ALWAYS AS ((balance).cents * 2) STORED,
    CONSTRAINT account_pk PRIMARY KEY (id)
);
CREATE SEQUENCE app.serial_like OWNED BY app.account.ticket;
CREATE VIEW app.happy_accounts AS
SELECT id, email FROM app.account WHERE mood = 'happy';
CREATE FUNCTION app.add(a integer, b integer) RETURNS integer
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
    SELECT a + b;
END;
CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
CREATE COLLATION app.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE COLLATION app.und (provider = icu, locale = 'und');
CREATE COLLATION app.bytes (provider = libc, lc_collate = 'C', lc_ctype = 'C');
COMMENT ON COLLATION app.bytes IS 'Byte order.';
CREATE TABLE app.note (
    id bigint PRIMARY KEY,
    title text COLLATE app.nocase,
    tag text,
    score integer,
    body text
);
ALTER TABLE app.note
    ALTER COLUMN body SET STORAGE EXTERNAL,
    ALTER COLUMN body SET COMPRESSION pglz,
    ALTER COLUMN score SET STATISTICS 500,
    ALTER COLUMN tag SET (n_distinct = 100);
CREATE STATISTICS app.note_stats (ndistinct, dependencies) ON tag, score FROM app.note;
ALTER STATISTICS app.note_stats SET STATISTICS 300;
COMMENT ON STATISTICS app.note_stats IS 'Tags go with scores.';
CREATE STATISTICS app.note_lower_tag ON lower(tag), score FROM app.note;
CREATE RULE note_keep AS ON DELETE TO app.note DO INSTEAD NOTHING;
COMMENT ON RULE note_keep ON app.note IS 'Notes are never deleted.';
CREATE ACCESS METHOD app_heap TYPE TABLE HANDLER heap_tableam_handler;
CREATE TABLE app.archive (id bigint, note_id bigint) USING app_heap;
CREATE RULE archive_note AS ON INSERT TO app.archive
    DO ALSO UPDATE app.note SET score = 0 WHERE id = new.note_id;
ALTER TABLE app.archive DISABLE RULE archive_note;
"""
APP_DROP = """\
DROP SCHEMA IF EXISTS app CASCADE;
DROP SCHEMA IF EXISTS extra CASCADE;
DROP ACCESS METHOD IF EXISTS app_heap;
"""


@dataclass(frozen=True)
class App:
    info: ConnInfo
    schema: SqlScript
    drop: SqlScript
    clone: Clone


# What a server built without ICU gets instead of APP_SCHEMA's ICU collations.
APP_COLLATIONS_WITHOUT_ICU = {
    "(provider = icu, locale = 'und-u-ks-level2', deterministic = false)": "(locale = 'C')",
    "(provider = icu, locale = 'und')": "(locale = 'C')",
}


def app_schema(server_has_icu: bool) -> str:
    """APP_SCHEMA as this server can build it."""
    text = APP_SCHEMA
    if not server_has_icu:
        for icu, libc in APP_COLLATIONS_WITHOUT_ICU.items():
            text = text.replace(icu, libc)
    return text


@pytest.fixture
def app(
    schema_templates: SchemaTemplates,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
    server_has_icu: bool,
    shadow_built_once: None,  # noqa: F811 (the fixture imported above)
) -> Iterator[App]:
    """A database holding APP_SCHEMA (see ``project_clone``), with the schema and drop script."""
    schema = write_script(tmp_path, "app_schema.sql", app_schema(server_has_icu))
    drop = write_script(tmp_path, "app_drop.sql", APP_DROP)
    with schema_templates.reused(schema) as clone:
        yield App(clone.info, schema, drop, clone)


APP_DRIFTS = {
    "domain no longer NOT NULL": Drift(
        ("ALTER DOMAIN app.email DROP NOT NULL",),
        "domain",
        "app.email",
        "changed",
        "nullable",
        "NOT NULL",
        "NULL",
    ),
    "domain with a default": Drift(
        ("ALTER DOMAIN app.email SET DEFAULT 'nobody@example.com'",),
        "domain",
        "app.email",
        "changed",
        "default",
        None,
        "'nobody@example.com'::text",
    ),
    "dropped domain constraint is missing": Drift(
        ("ALTER DOMAIN app.email DROP CONSTRAINT email_has_at",),
        "constraint",
        "app.email.email_has_at",
        "missing",
    ),
    "composite type with an added attribute": Drift(
        ("ALTER TYPE app.amount ADD ATTRIBUTE note text",),
        "composite type",
        "app.amount",
        "changed",
        "attributes",
        "currency character(3), cents bigint",
        "currency character(3), cents bigint, note text",
    ),
    "added sequence is unexpected": Drift(
        ("CREATE SEQUENCE app.extra_seq",), "sequence", "app.extra_seq", "unexpected"
    ),
    "changed sequence increment": Drift(
        ("ALTER SEQUENCE app.ticket_seq INCREMENT BY 10",),
        "sequence",
        "app.ticket_seq",
        "changed",
        "increment",
        "5",
        "10",
    ),
    "sequence no longer owned by its column": Drift(
        ("ALTER SEQUENCE app.serial_like OWNED BY NONE",),
        "sequence",
        "app.serial_like",
        "changed",
        "owned_by",
        "app.account.ticket",
        None,
    ),
    "identity column restarting elsewhere": Drift(
        ("ALTER TABLE app.account ALTER COLUMN id SET START WITH 1000",),
        "column",
        "app.account.id",
        "changed",
        "identity_sequence",
        "AS bigint START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE",
        "AS bigint START 1000 INCREMENT 1 MINVALUE 1 MAXVALUE 9223372036854775807 CACHE 1 NO CYCLE",
    ),
    "identity generated by default": Drift(
        ("ALTER TABLE app.account ALTER COLUMN id SET GENERATED BY DEFAULT",),
        "column",
        "app.account.id",
        "changed",
        "definition",
        "bigint NOT NULL GENERATED ALWAYS AS IDENTITY",
        "bigint NOT NULL GENERATED BY DEFAULT AS IDENTITY",
    ),
    "generated column turned plain": Drift(
        ("ALTER TABLE app.account ALTER COLUMN cents_x2 DROP EXPRESSION",),
        "column",
        "app.account.cents_x2",
        "changed",
        "definition",
        "bigint NULL GENERATED ALWAYS AS (((balance).cents * 2)) STORED",
        "bigint NULL",
    ),
    "column collation changed": Drift(
        ('ALTER TABLE app.account ALTER COLUMN nick TYPE text COLLATE "POSIX"',),
        "column",
        "app.account.nick",
        "changed",
        "definition",
        'text COLLATE "C" NULL',
        'text COLLATE "POSIX" NULL',
    ),
    "changed view definition": Drift(
        (
            "CREATE OR REPLACE VIEW app.happy_accounts AS "
            "SELECT id, email FROM app.account WHERE mood = 'ok'",
        ),
        "view",
        "app.happy_accounts",
        "changed",
        "definition",
        None,
        lambda before: (before or "").replace("'happy'", "'ok'"),
    ),
    "added materialized view is unexpected": Drift(
        ("CREATE MATERIALIZED VIEW app.moods AS SELECT DISTINCT mood FROM app.account",),
        "materialized view",
        "app.moods",
        "unexpected",
    ),
    "changed BEGIN ATOMIC body": Drift(
        (
            "CREATE OR REPLACE FUNCTION app.add(a integer, b integer) RETURNS integer "
            "LANGUAGE sql IMMUTABLE BEGIN ATOMIC SELECT a - b; END",
        ),
        "function",
        "app.add(integer,integer)",
        "changed",
        "body",
        None,
        lambda before: (before or "").replace("a + b", "a - b"),
    ),
    "changed procedure body": Drift(
        ("CREATE OR REPLACE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 2'",),
        "procedure",
        "app.noop()",
        "changed",
        "body",
        "SELECT 1",
        "SELECT 2",
    ),
    "removed schema comment": Drift(
        ("COMMENT ON SCHEMA app IS NULL",),
        "schema",
        "app",
        "changed",
        "comment",
        "Objects for drift tests.",
        None,
    ),
    "added schema is unexpected": Drift(("CREATE SCHEMA extra",), "schema", "extra", "unexpected"),
    # collations
    "added collation is unexpected": Drift(
        ("CREATE COLLATION app.german (provider = icu, locale = 'de')",),
        "collation",
        "app.german",
        "unexpected",
        icu=True,
    ),
    "dropped collation is missing": Drift(
        ("DROP COLLATION app.und",), "collation", "app.und", "missing"
    ),
    "collation made again with another lc_ctype": Drift(
        (
            "DROP COLLATION app.bytes",
            "CREATE COLLATION app.bytes (provider = libc, lc_collate = 'C', lc_ctype = 'POSIX')",
            "COMMENT ON COLLATION app.bytes IS 'Byte order.'",
        ),
        "collation",
        "app.bytes",
        "changed",
        "lc_ctype",
        "C",
        "POSIX",
    ),
    "collation made again with another locale": Drift(
        (
            "DROP COLLATION app.und",
            "CREATE COLLATION app.und (provider = icu, locale = 'fr')",
        ),
        "collation",
        "app.und",
        "changed",
        "locale",
        "und",
        "fr",
        icu=True,
    ),
    "collation made again not deterministic": Drift(
        (
            "DROP COLLATION app.und",
            "CREATE COLLATION app.und (provider = icu, locale = 'und', deterministic = false)",
        ),
        "collation",
        "app.und",
        "changed",
        "deterministic",
        "deterministic",
        "not deterministic",
        icu=True,
    ),
    "removed collation comment": Drift(
        ("COMMENT ON COLLATION app.bytes IS NULL",),
        "collation",
        "app.bytes",
        "changed",
        "comment",
        "Byte order.",
        None,
    ),
    # extended statistics
    "added statistics is unexpected": Drift(
        ("CREATE STATISTICS app.note_mcv (mcv) ON tag, score FROM app.note",),
        "statistics",
        "app.note_mcv",
        "unexpected",
    ),
    "dropped statistics is missing": Drift(
        ("DROP STATISTICS app.note_stats",), "statistics", "app.note_stats", "missing"
    ),
    "statistics of other kinds": Drift(
        (
            "DROP STATISTICS app.note_stats",
            "CREATE STATISTICS app.note_stats (mcv) ON tag, score FROM app.note",
            "ALTER STATISTICS app.note_stats SET STATISTICS 300",
            "COMMENT ON STATISTICS app.note_stats IS 'Tags go with scores.'",
        ),
        "statistics",
        "app.note_stats",
        "changed",
        "definition",
        "CREATE STATISTICS app.note_stats (ndistinct, dependencies) ON tag, score FROM app.note",
        "CREATE STATISTICS app.note_stats (mcv) ON tag, score FROM app.note",
    ),
    "changed statistics target": Drift(
        ("ALTER STATISTICS app.note_stats SET STATISTICS 50",),
        "statistics",
        "app.note_stats",
        "changed",
        "statistics_target",
        "300",
        "50",
    ),
    "statistics target back to the default": Drift(
        ("ALTER STATISTICS app.note_stats SET STATISTICS -1",),
        "statistics",
        "app.note_stats",
        "changed",
        "statistics_target",
        "300",
        None,
    ),
    "statistics target set": Drift(
        ("ALTER STATISTICS app.note_lower_tag SET STATISTICS 10",),
        "statistics",
        "app.note_lower_tag",
        "changed",
        "statistics_target",
        None,
        "10",
    ),
    "removed statistics comment": Drift(
        ("COMMENT ON STATISTICS app.note_stats IS NULL",),
        "statistics",
        "app.note_stats",
        "changed",
        "comment",
        "Tags go with scores.",
        None,
    ),
    # rules
    "added rule is unexpected": Drift(
        ("CREATE RULE note_log AS ON UPDATE TO app.note DO ALSO NOTIFY note_changed",),
        "rule",
        "app.note.note_log",
        "unexpected",
    ),
    "dropped rule is missing": Drift(
        ("DROP RULE note_keep ON app.note",), "rule", "app.note.note_keep", "missing"
    ),
    "rule with a condition": Drift(
        (
            "CREATE OR REPLACE RULE note_keep AS ON DELETE TO app.note "
            "WHERE old.id > 0 DO INSTEAD NOTHING",
        ),
        "rule",
        "app.note.note_keep",
        "changed",
        "definition",
        "CREATE RULE note_keep AS\n    ON DELETE TO app.note DO INSTEAD NOTHING;",
        "CREATE RULE note_keep AS\n    ON DELETE TO app.note\n"
        "   WHERE (old.id > 0) DO INSTEAD NOTHING;",
    ),
    "disabled rule": Drift(
        ("ALTER TABLE app.note DISABLE RULE note_keep",),
        "rule",
        "app.note.note_keep",
        "changed",
        "enabled",
        "enabled",
        "disabled",
    ),
    "rule enabled always": Drift(
        ("ALTER TABLE app.archive ENABLE ALWAYS RULE archive_note",),
        "rule",
        "app.archive.archive_note",
        "changed",
        "enabled",
        "disabled",
        "enabled always",
    ),
    "removed rule comment": Drift(
        ("COMMENT ON RULE note_keep ON app.note IS NULL",),
        "rule",
        "app.note.note_keep",
        "changed",
        "comment",
        "Notes are never deleted.",
        None,
    ),
    # column storage, compression, statistics target and options
    "column storage changed": Drift(
        ("ALTER TABLE app.note ALTER COLUMN body SET STORAGE MAIN",),
        "column",
        "app.note.body",
        "changed",
        "storage",
        "EXTERNAL",
        "MAIN",
    ),
    "column storage back to its type's": Drift(
        ("ALTER TABLE app.note ALTER COLUMN body SET STORAGE EXTENDED",),
        "column",
        "app.note.body",
        "changed",
        "storage",
        "EXTERNAL",
        None,
    ),
    "column storage set": Drift(
        ("ALTER TABLE app.note ALTER COLUMN tag SET STORAGE MAIN",),
        "column",
        "app.note.tag",
        "changed",
        "storage",
        None,
        "MAIN",
    ),
    "column compression back to the default": Drift(
        ("ALTER TABLE app.note ALTER COLUMN body SET COMPRESSION default",),
        "column",
        "app.note.body",
        "changed",
        "compression",
        "pglz",
        None,
    ),
    "column compression set": Drift(
        ("ALTER TABLE app.note ALTER COLUMN tag SET COMPRESSION pglz",),
        "column",
        "app.note.tag",
        "changed",
        "compression",
        None,
        "pglz",
    ),
    "column statistics target changed": Drift(
        ("ALTER TABLE app.note ALTER COLUMN score SET STATISTICS 100",),
        "column",
        "app.note.score",
        "changed",
        "statistics_target",
        "500",
        "100",
    ),
    "column statistics target back to the default": Drift(
        ("ALTER TABLE app.note ALTER COLUMN score SET STATISTICS -1",),
        "column",
        "app.note.score",
        "changed",
        "statistics_target",
        "500",
        None,
    ),
    "column option changed": Drift(
        ("ALTER TABLE app.note ALTER COLUMN tag SET (n_distinct = 50)",),
        "column",
        "app.note.tag",
        "changed",
        "options",
        "n_distinct=100",
        "n_distinct=50",
    ),
    "column option reset": Drift(
        ("ALTER TABLE app.note ALTER COLUMN tag RESET (n_distinct)",),
        "column",
        "app.note.tag",
        "changed",
        "options",
        "n_distinct=100",
        None,
    ),
    # table access methods
    "table access method back to heap": Drift(
        ("ALTER TABLE app.archive SET ACCESS METHOD heap",),
        "table",
        "app.archive",
        "changed",
        "access_method",
        "app_heap",
        None,
    ),
    "table moved to another access method": Drift(
        ("ALTER TABLE app.note SET ACCESS METHOD app_heap",),
        "table",
        "app.note",
        "changed",
        "access_method",
        None,
        "app_heap",
    ),
}


@pytest.mark.parametrize("drift", APP_DRIFTS.values(), ids=APP_DRIFTS.keys())
def test_a_drift_of_another_object_kind_is_reported_exactly_and_undone_by_a_reset(
    drift: Drift, app: App, server_has_icu: bool
) -> None:
    if drift.icu and not server_has_icu:
        pytest.skip("the server was built without ICU")
    check_drift(drift, app)


def check_drift(drift: Drift, app: App) -> None:
    """Make ``drift`` in ``app``, expect exactly its difference, then reset and match again."""
    expected = drift.expected
    if drift.status == "changed" and expected is None:
        expected = attribute(app.info, app.schema, drift.kind, drift.name, drift.attribute)
    run_sql(app.info, *drift.sql)

    result = verify_database(app.info, app.schema)

    changes: tuple[Change, ...] = ()
    if drift.status == "changed":
        found = drift.found(expected) if callable(drift.found) else drift.found
        assert found != expected
        changes = (Change(drift.attribute, expected, found),)
    assert only_difference(result) == Difference(drift.kind, drift.name, drift.status, changes)
    assert_reset_matches_again(app.info, app.drop, app.schema)
    app.clone.clean_at_end = True


def test_collations_statistics_rules_and_column_settings_are_read_and_match_themselves(
    app: App, server_has_icu: bool
) -> None:
    if not server_has_icu:
        pytest.skip("the server was built without ICU")
    # A clean verify alone would also pass if nothing were read: check what is.
    objects = snapshot_database(app.info, privileges=True).objects
    owner = app.info.user
    assert objects[ObjectKey("collation", "app.nocase")] == {
        "provider": "icu",
        "locale": "und-u-ks-level2",
        "deterministic": "not deterministic",
        "owner": owner,
    }
    assert objects[ObjectKey("collation", "app.bytes")] == {
        "provider": "libc",
        "lc_collate": "C",
        "lc_ctype": "C",
        "deterministic": "deterministic",
        "comment": "Byte order.",
        "owner": owner,
    }
    assert objects[ObjectKey("statistics", "app.note_stats")] == {
        "definition": (
            "CREATE STATISTICS app.note_stats (ndistinct, dependencies) ON tag, score FROM app.note"
        ),
        "statistics_target": "300",
        "comment": "Tags go with scores.",
        "owner": owner,
    }
    assert objects[ObjectKey("rule", "app.archive.archive_note")] == {
        "definition": (
            "CREATE RULE archive_note AS\n    ON INSERT TO app.archive DO "
            " UPDATE app.note SET score = 0\n  WHERE (note.id = new.note_id);"
        ),
        "enabled": "disabled",
    }
    body = objects[ObjectKey("column", "app.note.body")]
    assert (body["storage"], body["compression"]) == ("EXTERNAL", "pglz")
    assert objects[ObjectKey("column", "app.note.score")]["statistics_target"] == "500"
    assert objects[ObjectKey("column", "app.note.tag")]["options"] == "n_distinct=100"
    plain = objects[ObjectKey("column", "app.note.id")].keys()
    assert not plain & {"storage", "compression", "statistics_target", "options"}
    assert objects[ObjectKey("table", "app.archive")]["access_method"] == "app_heap"
    assert "access_method" not in objects[ObjectKey("table", "app.note")]
    # _RETURN rules are the views' own.
    assert not [k for k in objects if k.kind == "rule" and k.name.startswith("app.happy")]

    result = verify_database(app.info, app.schema, privileges=True)
    assert result.exit_code == 0, render_text(result)


def test_icu_rules_of_a_collation_are_compared_where_the_server_has_them(
    app: App, server_version_num: int, server_has_icu: bool
) -> None:
    if not server_has_icu:
        pytest.skip("the server was built without ICU")
    if server_version_num < 160000:
        pytest.skip("ICU tailoring rules came with PostgreSQL 16")
    run_sql(
        app.info,
        "DROP COLLATION app.und",
        "CREATE COLLATION app.und (provider = icu, locale = 'und', rules = '&a < g')",
    )
    result = verify_database(app.info, app.schema)
    assert only_difference(result) == Difference(
        "collation", "app.und", "changed", (Change("rules", None, "&a < g"),)
    )
    assert_reset_matches_again(app.info, app.drop, app.schema)


def test_the_name_of_an_identity_sequence_is_not_drift(app: App) -> None:
    run_sql(app.info, "ALTER SEQUENCE app.account_id_seq RENAME TO account_identity")
    result = verify_database(app.info, app.schema)
    assert result.exit_code == 0, render_text(result)


def test_renaming_a_function_argument_changes_its_arguments_not_its_identity(app: App) -> None:
    run_sql(
        app.info,
        "DROP FUNCTION app.add(integer, integer)",
        "CREATE FUNCTION app.add(x integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE "
        "BEGIN ATOMIC SELECT x + b; END",
    )
    result = verify_database(app.info, app.schema)
    difference = result.differences[0]
    assert (difference.kind, difference.name, difference.status) == (
        "function",
        "app.add(integer,integer)",
        "changed",
    )
    assert Change("arguments", "a integer, b integer", "x integer, b integer") in (
        difference.changes
    )
    assert_reset_matches_again(app.info, app.drop, app.schema)


# -- extensions ---------------------------------------------------------------------------------


def available_extension(info: ConnInfo, name: str) -> bool:
    with connect(info) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = %s", [name]
        ).fetchone()
    return row is not None


def test_an_added_extension_is_unexpected_and_its_objects_are_not_reported(app: App) -> None:
    if not available_extension(app.info, "citext"):
        pytest.skip("the contrib extension citext is not installed on this server")
    run_sql(app.info, "CREATE EXTENSION citext SCHEMA app")
    result = verify_database(app.info, app.schema)
    assert only_difference(result) == Difference("extension", "citext", "unexpected")
    assert_reset_matches_again(app.info, app.drop, app.schema)


def test_a_dropped_extension_is_missing(
    scratch_db: ConnInfo, tmp_path: Path, server_has_icu: bool
) -> None:
    if not available_extension(scratch_db, "citext"):
        pytest.skip("the contrib extension citext is not installed on this server")
    schema = write_script(
        tmp_path, "schema.sql", app_schema(server_has_icu) + "CREATE EXTENSION citext SCHEMA app;\n"
    )
    drop = write_script(tmp_path, "drop.sql", APP_DROP)
    apply.create(scratch_db, schema)
    run_sql(scratch_db, "DROP EXTENSION citext")
    result = verify_database(scratch_db, schema)
    assert only_difference(result) == Difference("extension", "citext", "missing")
    assert_reset_matches_again(scratch_db, drop, schema)


def test_plpgsql_is_compared_as_an_extension_with_its_version(schema_db: ConnInfo) -> None:
    plpgsql = snapshot_database(schema_db).objects[ObjectKey("extension", "plpgsql")]
    assert plpgsql["version"] == "1.0"


# -- ownership and grants -----------------------------------------------------------------------


def test_grants_are_ignored_by_default_and_reported_with_privileges(app: App) -> None:
    owner = app.info.user
    # The owner's letters depend on the major (17 added MAINTAIN, "m").
    before = snapshot_database(app.info, privileges=True)
    owner_acl = before.objects[ObjectKey("table", "app.account")]["acl"]
    assert owner_acl.startswith(f"{owner}=arwdDxt")
    run_sql(app.info, "GRANT SELECT ON app.account TO PUBLIC")
    assert verify_database(app.info, app.schema).exit_code == 0
    result = verify_database(app.info, app.schema, privileges=True)
    assert only_difference(result) == Difference(
        "table",
        "app.account",
        "changed",
        (Change("acl", owner_acl, f"=r/{owner}, {owner_acl}"),),
    )
    assert_reset_matches_again(app.info, app.drop, app.schema)


@pytest.fixture
def other_role(pg_server: ConnInfo) -> Iterator[str]:
    name = f"norberts_verify_{secrets.token_hex(4)}"
    run_sql(pg_server, f'CREATE ROLE "{name}"')
    try:
        yield name
    finally:
        run_sql(pg_server, f'DROP ROLE IF EXISTS "{name}"')


def test_a_changed_owner_is_reported_only_with_privileges(app: App, other_role: str) -> None:
    owner = app.info.user
    run_sql(app.info, f'ALTER PROCEDURE app.noop() OWNER TO "{other_role}"')
    try:
        assert verify_database(app.info, app.schema).exit_code == 0
        result = verify_database(app.info, app.schema, privileges=True)
        assert only_difference(result) == Difference(
            "procedure",
            "app.noop()",
            "changed",
            (
                Change(
                    "acl",
                    f"={'X'}/{owner}, {owner}=X/{owner}",
                    f"={'X'}/{other_role}, {other_role}=X/{other_role}",
                ),
                Change("owner", owner, other_role),
            ),
        )
        assert_reset_matches_again(app.info, app.drop, app.schema)
    finally:
        run_sql(app.info, f'DROP OWNED BY "{other_role}"')


# -- failures: exit code 2, and never a shadow database left behind -----------------------------


def test_an_error_in_the_schema_file_exits_2_with_file_and_line_and_leaves_no_shadow(
    scratch_db: ConnInfo, pg_server: ConnInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"norberts_shadow_{secrets.token_hex(4)}_"
    monkeypatch.setattr(verify, "SHADOW_PREFIX", prefix)
    schema = write_script(
        tmp_path,
        "broken.sql",
        "CREATE TABLE public.a (id int);\n\nCREATE TABEL public.b (id int);\n",
    )
    result = verify_database(scratch_db, schema)
    assert result.exit_code == 2
    assert result.error is not None
    assert result.error.startswith(f"{schema.name}:3:")
    assert "TABEL" in result.error
    assert shadow_databases(pg_server, prefix) == []
    assert json.loads(verify.render_json(result))["status"] == "error"


def test_the_shadow_database_is_removed_after_a_successful_verify(
    schema_db: ConnInfo,
    project_schema: SqlScript,
    pg_server: ConnInfo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = f"norberts_shadow_{secrets.token_hex(4)}_"
    monkeypatch.setattr(verify, "SHADOW_PREFIX", prefix)
    assert verify_database(schema_db, project_schema).exit_code == 0
    assert shadow_databases(pg_server, prefix) == []


def test_the_shadow_database_is_removed_when_interrupted_with_ctrl_c(
    schema_db: ConnInfo,
    project_schema: SqlScript,
    pg_server: ConnInfo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = f"norberts_shadow_{secrets.token_hex(4)}_"
    monkeypatch.setattr(verify, "SHADOW_PREFIX", prefix)
    seen: list[str] = []

    def apply_then_interrupt(conn: psycopg.Connection[Any], script: SqlScript) -> None:
        script_run.run_script(conn, script)
        seen.extend(shadow_databases(pg_server, prefix))
        raise KeyboardInterrupt

    monkeypatch.setattr(shadow, "run_script", apply_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        verify_database(schema_db, project_schema)
    assert len(seen) == 1  # the shadow existed while the schema was applied...
    assert shadow_databases(pg_server, prefix) == []  # ...and is gone after the interrupt


def test_an_unreachable_server_exits_2_naming_the_server(project_schema: SqlScript) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        target = ConnInfo("127.0.0.1", port, "postgres", "norberts_spark")
        result = verify_database(target, project_schema)
    assert result.exit_code == 2
    assert f"127.0.0.1:{port}" in (result.error or "")


def test_a_database_that_does_not_exist_exits_2(
    pg_server: ConnInfo, project_schema: SqlScript
) -> None:
    result = verify_database(pg_server.for_database("norberts_no_such_db"), project_schema)
    assert result.exit_code == 2
    assert "does not exist" in (result.error or "")


def test_reports_never_show_the_password(schema_db: ConnInfo, project_schema: SqlScript) -> None:
    secret = "hunter2-very-secret"
    target = ConnInfo(
        schema_db.host, schema_db.port, schema_db.user, schema_db.dbname, password=secret
    )
    # A server that checks passwords refuses this one (exit 2), a trusting one
    # accepts it: the reports must not show it either way.
    result = verify_database(target, project_schema)
    assert result.exit_code in (0, 2), result.error
    for fmt in verify.FORMATS:
        assert secret not in verify.render(result, fmt)
    assert json.loads(verify.render_json(result))["database"] == schema_db.redacted()


def test_no_snapshot_value_contains_the_name_of_its_database(
    schema_db: ConnInfo, project_schema: SqlScript
) -> None:
    actual = snapshot_database(schema_db, privileges=True)
    shadow = verify.schema_snapshot(schema_db, project_schema, privileges=True)
    for snapshot, dbname in ((actual, schema_db.dbname), (shadow, verify.SHADOW_PREFIX)):
        for key, attrs in snapshot.objects.items():
            assert dbname not in key.name
            assert not [v for v in attrs.values() if dbname in v], key


@pytest.mark.parametrize("which", ["project", "app"])
def test_a_shadow_is_the_same_snapshot_every_time(
    schema_db: ConnInfo,
    scratch_db: ConnInfo,
    project_schema: SqlScript,
    tmp_path: Path,
    server_has_icu: bool,
    which: str,
) -> None:
    """What lets drift tests build the expected side once (verify_helpers)."""
    schema = (
        project_schema
        if which == "project"
        else write_script(tmp_path, "app_schema.sql", app_schema(server_has_icu))
    )
    for privileges in (False, True):
        first = verify.schema_snapshot(schema_db, schema, privileges=privileges)
        second = verify.schema_snapshot(scratch_db, schema, privileges=privileges)
        assert first.objects == second.objects
        assert len(first.objects) > 20


@pytest.mark.usefixtures("shadow_built_once")
def test_with_the_shadow_built_once_a_second_verify_builds_no_shadow(
    schema_db: ConnInfo, project_schema: SqlScript, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``shadow_built_once`` must reach the shadow ``verify_database`` really builds."""
    assert verify_database(schema_db, project_schema).exit_code == 0
    made: list[str] = []
    real = verify.temporary_database

    def counted(server: ConnInfo, prefix: str) -> AbstractContextManager[ConnInfo]:
        made.append(prefix)
        return real(server, prefix)

    monkeypatch.setattr(verify, "temporary_database", counted)
    assert verify_database(schema_db, project_schema).exit_code == 0
    assert made == []


# -- comparing two live databases ---------------------------------------------------------------


def test_compare_databases_reports_what_one_database_has_and_the_other_lacks(
    schema_db: ConnInfo, scratch_db: ConnInfo, project_schema: SqlScript
) -> None:
    apply.create(scratch_db, project_schema)
    assert compare_databases(schema_db, scratch_db).exit_code == 0
    run_sql(scratch_db, "ALTER TABLE public.users ADD COLUMN nickname text")
    result = compare_databases(schema_db, scratch_db)
    assert only_difference(result) == Difference("column", "public.users.nickname", "unexpected")
    assert result.schema_file == schema_db.redacted()
