"""The snapshot skips the queries of kinds a database cannot hold, and sees the same.

``catalog/queries/present.sql`` says which of the rarer kinds' queries can
return rows. Each case below makes one object of one such kind in an empty
database: the kind's column must be true there, and the snapshot must be the
one every query gives, which differs from the one none of those queries give.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from norberts_db.catalog import queries
from norberts_db.catalog.snapshot import Connection, kinds_present, read_snapshot
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo

# kind's query -> (what makes one object of it, whether it is a grant)
ONE_OF_EACH: dict[str, tuple[str, bool]] = {
    "collations": ("CREATE COLLATION c_ascii (provider = libc, locale = 'C')", False),
    "domains": ("CREATE DOMAIN positive AS integer CHECK (VALUE > 0)", False),
    "policies": (
        "CREATE TABLE t (a integer); ALTER TABLE t ENABLE ROW LEVEL SECURITY;"
        " CREATE POLICY only_some ON t USING (a > 0)",
        False,
    ),
    "statistics": (
        "CREATE TABLE t (a integer, b integer); CREATE STATISTICS t_ab ON a, b FROM t",
        False,
    ),
    "rules": (
        "CREATE TABLE t (a integer); CREATE RULE no_insert AS ON INSERT TO t DO INSTEAD NOTHING",
        False,
    ),
    "operators": (
        "CREATE FUNCTION same(integer, integer) RETURNS boolean LANGUAGE sql"
        " AS 'SELECT $1 = $2'; CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer,"
        " FUNCTION = same)",
        False,
    ),
    "operator_classes": ("CREATE OPERATOR FAMILY fam USING btree", False),
    "casts": (
        "CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE CAST (mood AS integer) WITH INOUT",
        False,
    ),
    "text_search": (
        "CREATE TEXT SEARCH TEMPLATE tmpl (INIT = dsimple_init, LEXIZE = dsimple_lexize)",
        False,
    ),
    "conversions_and_languages": (
        "CREATE CONVERSION latin_to_utf8 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8",
        False,
    ),
    "foreign_data": ("CREATE FOREIGN DATA WRAPPER nowhere", False),
    "foreign_table_parts": (
        "CREATE FOREIGN DATA WRAPPER nowhere; CREATE SERVER far FOREIGN DATA WRAPPER nowhere;"
        " CREATE FOREIGN TABLE remote (a integer CHECK (a > 0)) SERVER far",
        False,
    ),
    "user_mappings": (
        "CREATE FOREIGN DATA WRAPPER nowhere; CREATE SERVER far FOREIGN DATA WRAPPER nowhere;"
        " CREATE USER MAPPING FOR PUBLIC SERVER far OPTIONS (user 'app')",
        False,
    ),
    "publications": ("CREATE PUBLICATION everything FOR ALL TABLES", False),
    "event_triggers": (
        "CREATE FUNCTION noted() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';"
        " CREATE EVENT TRIGGER note_ddl ON ddl_command_start EXECUTE FUNCTION noted()",
        False,
    ),
    "aggregates": ("CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer)", False),
    "default_privileges": ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC", True),
}
NONE_OF_THEM: frozenset[str] = frozenset()


def present_kinds(conn: Connection) -> frozenset[str]:
    with conn.transaction():
        cursor = conn.execute(queries.presence_batch())
        cursor.nextset()
        return kinds_present(cursor)


@pytest.fixture
def scratch_conn(scratch_db: ConnInfo) -> Iterator[Connection]:
    with connect(scratch_db) as conn:
        yield conn


def test_every_rarer_kind_has_a_case_here_and_a_column_in_present_sql(
    scratch_conn: Connection,
) -> None:
    assert set(ONE_OF_EACH) == queries.GATED_KINDS
    assert set(queries.KINDS) >= queries.GATED_KINDS
    cursor = scratch_conn.execute(queries.load("present"))
    assert {column.name for column in cursor.description or ()} == queries.GATED_KINDS


def test_the_project_schema_runs_none_of_the_rarer_kinds_queries(schema_db: ConnInfo) -> None:
    with connect(schema_db) as conn:
        assert present_kinds(conn) == NONE_OF_THEM
        assert read_snapshot(conn, privileges=True) == read_snapshot(
            conn, privileges=True, gated=queries.GATED_KINDS
        )


@pytest.mark.parametrize("kind", sorted(ONE_OF_EACH))
def test_one_object_of_a_rarer_kind_is_seen_as_if_every_query_ran(
    scratch_conn: Connection, kind: str
) -> None:
    statements, privileges = ONE_OF_EACH[kind]
    scratch_conn.execute("SET client_min_messages = warning")
    for statement in statements.split("; "):
        scratch_conn.execute(statement)
    scratch_conn.commit()

    assert kind in present_kinds(scratch_conn)
    seen = read_snapshot(scratch_conn, privileges=privileges)
    assert seen == read_snapshot(scratch_conn, privileges=privileges, gated=queries.GATED_KINDS)
    without = read_snapshot(scratch_conn, privileges=privileges, gated=queries.GATED_KINDS - {kind})
    assert seen != without, f"the {kind} query adds nothing: the case makes no object of it"
