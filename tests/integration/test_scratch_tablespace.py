"""Temporary databases use the scratch tablespace only when this user may, else the default.

The docker and embedded tests check that their servers provide the tablespace
and that it comes back after a restart empties its memory.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace

import pytest
from psycopg import sql

from norberts_db import scratch
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.sqlfile import SqlScript
from norberts_db.verify import verify_database
from tests.integration.scratch_helpers import scratch_location, tablespace_of_a_temporary_database


def run(info: ConnInfo, statement: sql.Composed) -> None:
    with connect(info, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture
def creator(pg_server: ConnInfo) -> Iterator[ConnInfo]:
    """A role that may create databases and nothing more."""
    name = f"norberts_creator_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    role = sql.Identifier(name)
    run(
        pg_server,
        sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(role, sql.Literal(password)),
    )
    try:
        yield replace(pg_server, user=name, password=password)
    finally:
        run(pg_server, sql.SQL("DROP ROLE IF EXISTS {}").format(role))


@pytest.fixture
def managed_scratch(pg_server: ConnInfo) -> str:
    location = scratch_location(pg_server)
    if location is None:
        pytest.skip("the test server is not one this toolkit runs, so it has no scratch tablespace")
    return location


def test_a_managed_server_puts_temporary_databases_in_its_scratch_tablespace(
    pg_server: ConnInfo, managed_scratch: str
) -> None:
    assert tablespace_of_a_temporary_database(pg_server) == scratch.TABLESPACE


def test_a_user_without_create_on_the_scratch_tablespace_gets_the_default_one(
    managed_scratch: str, creator: ConnInfo, project_schema: SqlScript, schema_db: ConnInfo
) -> None:
    assert tablespace_of_a_temporary_database(creator) == "pg_default"
    # Verify as that user still works end to end: the shadow simply lives on disk.
    as_creator = replace(schema_db, user=creator.user, password=creator.password)
    assert verify_database(as_creator, project_schema).exit_code == 0


def test_a_scratch_tablespace_that_cannot_be_repaired_is_passed_over(
    pg_server: ConnInfo, managed_scratch: str
) -> None:
    """A tablespace whose folder has gone, on a server where it cannot be re-created."""
    tablespace = sql.Identifier(scratch.TABLESPACE)
    run(pg_server, sql.SQL("DROP TABLESPACE {}").format(tablespace))
    try:
        # Gone altogether: the default tablespace.
        assert tablespace_of_a_temporary_database(pg_server) == "pg_default"
        assert scratch.provide(pg_server, "/nonexistent/norberts-scratch") is False
        assert scratch_location(pg_server) is None
    finally:
        assert scratch.provide(pg_server, managed_scratch) is True
    assert tablespace_of_a_temporary_database(pg_server) == scratch.TABLESPACE
