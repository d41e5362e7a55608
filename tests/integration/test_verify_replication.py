"""Subscriptions and user mappings in verify: what a user may not read, and scratch databases.

A user who is not a superuser cannot read subscriptions' connection strings,
nor the options of user mappings of servers it does not own: the snapshot
leaves them out and says so, on each side, and never reports a match for
them. Migrations that create a subscription can be verified: the scratch
database they are built in lets go of it, so it can be dropped.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from norberts_db.conninfo import ConnInfo
from norberts_db.migrations.commands import migrations_result
from norberts_db.sqlfile import load_script
from norberts_db.verify import compare_databases, render_text

from .migration_helpers import database_pair, run_sql

SCHEMA = """
CREATE SUBSCRIPTION copy_orders CONNECTION 'host=publisher.invalid dbname=shop'
    PUBLICATION orders WITH (connect = false, enabled = false, slot_name = NONE);
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER s FOREIGN DATA WRAPPER w;
CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'app', password 'not-for-readers');
"""
READER = "norberts_kinds_reader"


@pytest.fixture
def as_reader(pg_server: ConnInfo) -> Iterator[ConnInfo]:
    """A database holding SCHEMA, as seen by a role that is not a superuser."""
    password = secrets.token_urlsafe(16)
    with database_pair(pg_server) as (database, _):
        run_sql(database, SCHEMA)
        run_sql(pg_server, f"CREATE ROLE {READER} LOGIN PASSWORD '{password}'")
        try:
            yield replace(database, user=READER, password=password)
        finally:
            run_sql(pg_server, f"DROP ROLE {READER}")


def test_what_a_user_may_not_read_is_not_compared_on_either_side(
    as_reader: ConnInfo,
) -> None:
    result = compare_databases(as_reader, as_reader)

    assert result.error is None
    assert result.differences == ()
    assert set(result.not_compared) == {
        f"{side}: {what}"
        for side in ("schema", "database")
        for what in (
            "1 subscription(s): reading them (pg_subscription.subconninfo) needs a superuser",
            "options of 1 user mapping(s): this user may not read them",
        )
    }
    text = render_text(result)
    assert not text.startswith("matches: ")
    assert "not-for-readers" not in text


def test_migrations_that_create_a_subscription_are_verified_and_their_database_dropped(
    pg_server: ConnInfo, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.sql"
    schema.write_text(SCHEMA, encoding="utf-8")
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_replication.sql").write_text(SCHEMA, encoding="utf-8")

    result = migrations_result(pg_server, load_script(schema), migrations)

    assert result.error is None, result.error
    assert result.differences == ()
