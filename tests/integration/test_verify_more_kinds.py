"""db.verify on the kinds of object beyond tables, types and routines.

Operators, operator classes and families, casts, text search objects,
conversions, procedural languages, foreign-data wrappers, servers and foreign
tables, publications, default privileges, base and shell types, unlogged
sequences, the index a table's replica identity or CLUSTER uses, a typed
table's type and the comments on a view's columns: each drift is made with
plain SQL, must be reported exactly, and a reset must bring verify back to 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from norberts_db import apply
from norberts_db.catalog.model import ObjectKey
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.migrations.catalog import read_catalog
from norberts_db.migrations.plan import plan_migration, render_plan
from norberts_db.verify import render_json, render_text, verify_database

from .template_helpers import SchemaTemplates, schema_templates  # noqa: F401 (a fixture)
from .test_verify import App, Drift, check_drift, only_difference, run_sql
from .test_verify import write_script as write
from .verify_helpers import shadow_built_once  # noqa: F401 (a fixture)

SECRET = "hunter2-not-for-logs"
SCHEMA = """\
CREATE SCHEMA other;
CREATE TABLE other.item (id integer PRIMARY KEY, label text);
CREATE FUNCTION other.same(integer, integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR other.=== (
    LEFTARG = integer, RIGHTARG = integer, FUNCTION = other.same,
    COMMUTATOR = OPERATOR(other.===), RESTRICT = eqsel, JOIN = eqjoinsel
);
COMMENT ON OPERATOR other.=== (integer, integer) IS 'Same number.';
CREATE OPERATOR CLASS other.int_order FOR TYPE integer USING btree AS
    OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(integer, integer);
CREATE TYPE other.level AS ENUM ('low', 'high');
CREATE FUNCTION other.level_rank(other.level) RETURNS integer
LANGUAGE sql IMMUTABLE AS 'SELECT CASE WHEN $1 = ''high'' THEN 2 ELSE 1 END';
CREATE CAST (other.level AS integer) WITH FUNCTION other.level_rank(other.level) AS ASSIGNMENT;
CREATE TEXT SEARCH DICTIONARY other.plain (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION other.notes (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION other.notes
    ALTER MAPPING FOR asciiword WITH other.plain, english_stem;
CREATE CONVERSION other.latin_to_utf8 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE TRUSTED LANGUAGE other_pl HANDLER plpgsql_call_handler VALIDATOR plpgsql_validator;
CREATE FOREIGN DATA WRAPPER other_fdw OPTIONS (mode 'test');
CREATE SERVER other_server FOREIGN DATA WRAPPER other_fdw
    OPTIONS (host 'archive.invalid', password 'hunter2-not-for-logs');
CREATE USER MAPPING FOR PUBLIC SERVER other_server
    OPTIONS (user 'reader', password 'hunter2-not-for-logs');
CREATE FOREIGN TABLE other.remote_item (
    id integer OPTIONS (column_name 'ID') NOT NULL,
    label text
) SERVER other_server OPTIONS (table_name 'items');
CREATE PUBLICATION other_pub FOR TABLE other.item (id, label) WHERE (id > 0)
    WITH (publish = 'insert, update');
ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO PUBLIC;
CREATE TABLE other.ledger (id integer NOT NULL, code text NOT NULL);
CREATE UNIQUE INDEX ledger_id ON other.ledger (id);
ALTER TABLE other.ledger ADD CONSTRAINT ledger_code_key UNIQUE (code);
ALTER TABLE other.ledger REPLICA IDENTITY USING INDEX ledger_code_key;
CREATE TYPE other.pair AS (a integer, b text);
CREATE TABLE other.typed OF other.pair;
CREATE VIEW other.item_labels AS SELECT id, label FROM other.item;
COMMENT ON COLUMN other.item_labels.label IS 'Shown to users.';
CREATE TYPE other.later;
CREATE UNLOGGED SEQUENCE other.scratch_seq;
CREATE TYPE other.int_like;
CREATE FUNCTION other.int_like_in(cstring) RETURNS other.int_like
LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION other.int_like_out(other.int_like) RETURNS cstring
LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
CREATE TYPE other.int_like (
    INPUT = other.int_like_in, OUTPUT = other.int_like_out, LIKE = integer
);
"""
DROP = """\
DROP PUBLICATION IF EXISTS other_pub;
DROP SCHEMA IF EXISTS other CASCADE;
DROP SERVER IF EXISTS other_server CASCADE;
DROP FOREIGN DATA WRAPPER IF EXISTS other_fdw CASCADE;
DROP LANGUAGE IF EXISTS other_pl CASCADE;
"""


@pytest.fixture
def other(
    schema_templates: SchemaTemplates,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
    shadow_built_once: None,  # noqa: F811 (the fixture imported above)
) -> Iterator[App]:
    """A database holding SCHEMA (see ``project_clone`` in test_verify), with its drop script.

    A test that does not leave it proven clean has its drop script run after it.
    """
    schema = write(tmp_path, "other_schema.sql", SCHEMA)
    drop = write(tmp_path, "other_drop.sql", DROP)
    with schema_templates.reused(schema) as clone:
        yield App(clone.info, schema, drop, clone)
        if not clone.clean_at_end:
            apply.drop(clone.info, drop)


DRIFTS = {
    "operator loses its join estimator": Drift(
        ("ALTER OPERATOR other.=== (integer, integer) SET (JOIN = NONE)",),
        "operator",
        "other.===(integer,integer)",
        "changed",
        "join",
        "eqjoinsel(internal,oid,internal,smallint,internal)",
        None,
    ),
    "dropped operator is missing": Drift(
        ("DROP OPERATOR other.=== (integer, integer)",),
        "operator",
        "other.===(integer,integer)",
        "missing",
    ),
    "operator family with an added member": Drift(
        ("ALTER OPERATOR FAMILY other.int_order USING btree ADD OPERATOR 2 <= (integer, integer)",),
        "operator family",
        "other.int_order USING btree",
        "changed",
        "members",
        None,
        lambda before: str(before).replace(
            "OPERATOR 1 <(integer,integer), ",
            "OPERATOR 1 <(integer,integer), OPERATOR 2 <=(integer,integer), ",
        ),
    ),
    "cast made explicit": Drift(
        (
            "DROP CAST (other.level AS integer)",
            "CREATE CAST (other.level AS integer) WITH FUNCTION other.level_rank(other.level)",
        ),
        "cast",
        "(other.level AS integer)",
        "changed",
        "context",
        "AS ASSIGNMENT",
        "explicit",
    ),
    "added cast is unexpected": Drift(
        ("CREATE CAST (other.level AS text) WITH INOUT",),
        "cast",
        "(other.level AS text)",
        "unexpected",
    ),
    "text search mapping changed": Drift(
        ("ALTER TEXT SEARCH CONFIGURATION other.notes ALTER MAPPING FOR asciiword WITH simple",),
        "text search mapping",
        "other.notes.asciiword",
        "changed",
        "dictionaries",
        "other.plain, pg_catalog.english_stem",
        "pg_catalog.simple",
    ),
    "text search dictionary option added": Drift(
        ("ALTER TEXT SEARCH DICTIONARY other.plain (ACCEPT = false)",),
        "text search dictionary",
        "other.plain",
        "changed",
        "definition",
        "TEMPLATE = pg_catalog.simple, stopwords = 'english'",
        "TEMPLATE = pg_catalog.simple, stopwords = 'english', accept = 'false'",
    ),
    "conversion commented": Drift(
        ("COMMENT ON CONVERSION other.latin_to_utf8 IS 'For old exports.'",),
        "conversion",
        "other.latin_to_utf8",
        "changed",
        "comment",
        None,
        "For old exports.",
    ),
    "language no longer trusted": Drift(
        ("UPDATE pg_catalog.pg_language SET lanpltrusted = false WHERE lanname = 'other_pl'",),
        "language",
        "other_pl",
        "changed",
        "definition",
        "trusted",
        "untrusted",
    ),
    "foreign-data wrapper option changed": Drift(
        ("ALTER FOREIGN DATA WRAPPER other_fdw OPTIONS (SET mode 'live')",),
        "foreign data wrapper",
        "other_fdw",
        "changed",
        "options",
        "mode=test",
        "mode=live",
    ),
    "server version set": Drift(
        ("ALTER SERVER other_server VERSION '2'",),
        "server",
        "other_server",
        "changed",
        "version",
        None,
        "2",
    ),
    "foreign table column with a default": Drift(
        ("ALTER FOREIGN TABLE other.remote_item ALTER COLUMN label SET DEFAULT 'none'",),
        "foreign table",
        "other.remote_item",
        "changed",
        "columns",
        "id integer NOT NULL OPTIONS (column_name=ID), label text",
        "id integer NOT NULL OPTIONS (column_name=ID), label text DEFAULT 'none'::text",
    ),
    "publication row filter changed": Drift(
        ("ALTER PUBLICATION other_pub SET TABLE other.item (id, label) WHERE (id > 10)",),
        "publication",
        "other_pub",
        "changed",
        "tables",
        "other.item (id, label) WHERE ((id > 0))",
        "other.item (id, label) WHERE ((id > 10))",
    ),
    "publication publishes deletes too": Drift(
        ("ALTER PUBLICATION other_pub SET (publish = 'insert, update, delete')",),
        "publication",
        "other_pub",
        "changed",
        "publish",
        "insert, update",
        "insert, update, delete",
    ),
    "replica identity moved to another index": Drift(
        ("ALTER TABLE other.ledger REPLICA IDENTITY USING INDEX ledger_id",),
        "table",
        "other.ledger",
        "changed",
        "replica_identity",
        "using index ledger_code_key",
        "using index ledger_id",
    ),
    "table clustered on an index": Drift(
        ("ALTER TABLE other.ledger CLUSTER ON ledger_id",),
        "table",
        "other.ledger",
        "changed",
        "clustered_on",
        None,
        "ledger_id",
    ),
    "sequence made logged": Drift(
        ("ALTER SEQUENCE other.scratch_seq SET LOGGED",),
        "sequence",
        "other.scratch_seq",
        "changed",
        "persistence",
        "unlogged",
        None,
    ),
    "typed table no longer typed": Drift(
        ("ALTER TABLE other.typed NOT OF",),
        "table",
        "other.typed",
        "changed",
        "of_type",
        "other.pair",
        None,
    ),
    "view column comment changed": Drift(
        ("COMMENT ON COLUMN other.item_labels.label IS 'Hidden.'",),
        "view",
        "other.item_labels",
        "changed",
        "column_comments",
        '{"label": "Shown to users."}',
        '{"label": "Hidden."}',
    ),
    "dropped shell type is missing": Drift(
        ("DROP TYPE other.later",), "shell type", "other.later", "missing"
    ),
    "base type commented": Drift(
        ("COMMENT ON TYPE other.int_like IS 'Like an integer.'",),
        "base type",
        "other.int_like",
        "changed",
        "comment",
        None,
        "Like an integer.",
    ),
    "dropped publication is missing": Drift(
        ("DROP PUBLICATION other_pub",), "publication", "other_pub", "missing"
    ),
}


@pytest.mark.parametrize("drift", DRIFTS.values(), ids=DRIFTS.keys())
def test_a_drift_of_one_more_kind_is_reported_exactly_and_undone_by_a_reset(
    drift: Drift, other: App
) -> None:
    check_drift(drift, other)


def test_every_kind_is_read_and_the_schema_matches_itself(other: App) -> None:
    # A clean verify alone would also pass if nothing were read: check what is.
    objects = snapshot_database(other.info, privileges=True).objects
    kinds = {key.kind for key in objects}
    assert kinds >= {
        "operator",
        "operator family",
        "operator class",
        "cast",
        "text search dictionary",
        "text search configuration",
        "text search mapping",
        "conversion",
        "language",
        "foreign data wrapper",
        "server",
        "foreign table",
        "publication",
        "default privileges",
        "shell type",
        "base type",
    }
    assert objects[ObjectKey("operator", "other.===(integer,integer)")] == {
        "function": "other.same(integer,integer)",
        "result": "boolean",
        "commutator": "other.===(integer,integer)",
        "restrict": "eqsel(internal,oid,internal,integer)",
        "join": "eqjoinsel(internal,oid,internal,smallint,internal)",
        "comment": "Same number.",
        "owner": other.info.user,
    }
    assert objects[ObjectKey("operator class", "other.int_order USING btree")]["definition"] == (
        "FOR TYPE integer FAMILY other.int_order"
    )
    assert objects[ObjectKey("cast", "(other.level AS integer)")] == {
        "method": "WITH FUNCTION other.level_rank(other.level)",
        "context": "AS ASSIGNMENT",
    }
    assert objects[ObjectKey("text search configuration", "other.notes")]["definition"] == (
        'PARSER = pg_catalog."default"'
    )
    assert objects[ObjectKey("publication", "other_pub")]["publish"] == "insert, update"
    assert objects[ObjectKey("base type", "other.int_like")]["definition"] == (
        "INPUT = other.int_like_in(cstring), OUTPUT = other.int_like_out(other.int_like), "
        "INTERNALLENGTH = 4, PASSEDBYVALUE, ALIGNMENT = int4, STORAGE = plain, "
        "CATEGORY = 'U', DELIMITER = ','"
    )
    assert objects[ObjectKey("shell type", "other.later")] == {"owner": other.info.user}

    for privileges in (False, True):
        result = verify_database(other.info, other.schema, privileges=privileges)
        assert result.exit_code == 0, render_text(result)


def test_a_secret_option_is_compared_but_never_printed(other: App) -> None:
    run_sql(other.info, "ALTER SERVER other_server OPTIONS (SET password 'changed-secret')")

    result = verify_database(other.info, other.schema)

    difference = only_difference(result)
    assert (difference.kind, difference.name) == ("server", "other_server")
    assert [change.attribute for change in difference.changes] == ["options"]
    report = render_text(result)
    assert "password=(hidden, md5 " in report
    assert SECRET not in report
    assert "changed-secret" not in report


def test_default_privileges_are_compared_only_with_privileges(other: App) -> None:
    run_sql(
        other.info, "ALTER DEFAULT PRIVILEGES IN SCHEMA other REVOKE SELECT ON TABLES FROM PUBLIC"
    )

    assert verify_database(other.info, other.schema).exit_code == 0
    result = verify_database(other.info, other.schema, privileges=True)

    difference = only_difference(result)
    assert (difference.kind, difference.status) == ("default privileges", "missing")
    assert difference.name == f"FOR ROLE {other.info.user} IN SCHEMA other ON TABLES"


def test_a_dropped_publication_is_generated_again_with_its_tables_and_options(
    other: App,
) -> None:
    wanted = read_catalog(other.info)
    run_sql(other.info, "DROP PUBLICATION other_pub")
    found = read_catalog(other.info)

    text = render_plan(plan_migration(found, wanted))

    assert text == (
        "CREATE PUBLICATION other_pub FOR TABLE other.item (id, label) WHERE ((id > 0)) "
        "WITH (publish = 'insert, update');\n"
    )


def test_a_user_mapping_is_compared_and_its_secret_never_printed(other: App) -> None:
    run_sql(
        other.info,
        "ALTER USER MAPPING FOR PUBLIC SERVER other_server "
        "OPTIONS (SET password 'changed-secret', SET user 'writer')",
    )

    result = verify_database(other.info, other.schema)

    difference = only_difference(result)
    assert (difference.kind, difference.name) == ("user mapping", "FOR PUBLIC SERVER other_server")
    assert [change.attribute for change in difference.changes] == ["options"]
    report = render_text(result) + render_json(result)
    assert "user=reader, password=(hidden, md5 " in report
    assert SECRET not in report
    assert "changed-secret" not in report


def test_what_verify_cannot_read_is_reported_as_not_compared_in_text_and_json(
    other: App,
) -> None:
    run_sql(other.info, "SELECT lo_create(0)")

    result = verify_database(other.info, other.schema)

    assert result.differences == ()
    assert result.not_compared == ("database: 1 large object(s): not read",)
    assert "Not compared (1):" in render_text(result)
    assert json.loads(render_json(result))["not_compared"] == list(result.not_compared)
