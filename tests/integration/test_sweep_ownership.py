"""The sweep of leftover temporary databases drops only what the toolkit made and can prove.

For every prefix the toolkit sweeps, the server holds a set of databases that
each lack one part of the proof (the exact name shape, the toolkit's mark
bound to the database's OID, no environment mark at any level), all holding
rows, next to one genuine leftover made the way the toolkit makes them. The
task that sweeps that prefix runs through the command line; afterwards only
the genuine leftover is gone, and every other database still has its rows.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from norberts_db import databases
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.temporary import (
    DROP_CHECK_PREFIX,
    MIGRATIONS_PREFIX,
    OWNER_MARK,
    SHADOW_PREFIX,
    create_temporary,
    temporary_database,
)

from .conftest import reachable_tmpdir
from .safety_helpers import database_names, execute, run_tasks, url_environment

# The task that sweeps each prefix.
SWEEPERS = {
    SHADOW_PREFIX: ("db.verify",),
    DROP_CHECK_PREFIX: ("db.check-drop",),
    MIGRATIONS_PREFIX: ("db.verify", "--migrations"),
}


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-sweep-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def suffix() -> str:
    return secrets.token_hex(8)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Databases:
    """Databases made for one test, dropped at the end whatever the sweep did."""

    server: ConnInfo
    made: list[str]

    def user_database(self, name: str) -> ConnInfo:
        """A database someone made by hand, with a table and rows."""
        databases.create_database(self.server, name)
        self.made.append(name)
        info = self.server.for_database(name)
        execute(info, "CREATE TABLE kept (v text)")
        execute(info, "INSERT INTO kept VALUES ('a'), ('b')")
        return info

    def with_owner_mark(self, name: str, value: str | None = None) -> ConnInfo:
        """A user database that also carries the toolkit's comment (its own OID unless given)."""
        info = self.user_database(name)
        oid = execute(self.server, "SELECT oid FROM pg_database WHERE datname = %s", name)[0][0]
        execute(self.server, f"COMMENT ON DATABASE {quoted(name)} IS '{OWNER_MARK} {value or oid}'")
        return info

    def genuine_leftover(self, prefix: str) -> str:
        """A temporary database made exactly as the toolkit makes one, then abandoned."""
        name = prefix + suffix()
        self.made.append(name)
        with connect(self.server, autocommit=True) as keeper:
            create_temporary(keeper, self.server, name)
        return name

    def rows(self, name: str) -> list[tuple[object, ...]]:
        return execute(self.server.for_database(name), "SELECT v FROM kept ORDER BY v")


@pytest.fixture
def made(pg_server: ConnInfo) -> Iterator[Databases]:
    found = Databases(pg_server, [])
    yield found
    for name in found.made:
        databases.drop_database(pg_server, name)


@pytest.mark.parametrize("prefix", list(SWEEPERS))
def test_the_sweep_drops_the_genuine_leftover_and_nothing_that_lacks_proof(
    prefix: str,
    made: Databases,
    scratch_db: ConnInfo,
    state_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kept = {
        # The name a person would keep: the prefix, but not the toolkit's suffix.
        prefix + "before_upgrade": made.user_database,
        # The toolkit's name shape, rows, but no mark: a look-alike, or a kill
        # between CREATE DATABASE and the mark.
        prefix + suffix(): made.user_database,
        # Near misses of the name shape, each with an otherwise valid mark.
        prefix + suffix()[:15]: made.with_owner_mark,
        prefix + "F" + suffix().upper()[:15]: made.with_owner_mark,
        prefix + suffix() + "_old": made.with_owner_mark,
        prefix.upper() + suffix(): made.with_owner_mark,
        "x" + prefix + suffix(): made.with_owner_mark,
    }
    for name, make in kept.items():
        make(name)
    # The right shape with a mark that names another database's OID.
    copied = prefix + suffix()
    made.with_owner_mark(copied, value="1")
    # A genuine leftover of the toolkit, then marked by someone: at any level,
    # with any value, even development, it is theirs now.
    marked = {}
    for statement in (
        "ALTER DATABASE {db} SET norberts.environment = 'production'",
        "ALTER DATABASE {db} SET \"Norberts.Environment\" = 'development'",
        "ALTER ROLE CURRENT_USER IN DATABASE {db} SET norberts.environment = 'staging'",
    ):
        name = made.genuine_leftover(prefix)
        execute(made.server, statement.format(db=quoted(name)))
        marked[name] = statement
    genuine = made.genuine_leftover(prefix)
    with temporary_database(made.server, prefix) as running:
        env = url_environment(scratch_db, state_dir)
        with caplog.at_level(logging.WARNING, logger="norberts_db.temporary"):
            outcome = run_tasks(*SWEEPERS[prefix], env=env)
        names = database_names(made.server)

    assert "Traceback" not in outcome.output, outcome.output
    assert genuine not in names
    assert running.dbname in names
    for name in [*kept, copied]:
        assert name in names
        assert made.rows(name) == [("a",), ("b",)], name
    assert set(marked) <= names, marked
    reported = caplog.text
    assert f"left alone database {copied!r}" in reported
    assert f"DROP DATABASE IF EXISTS {quoted(copied)} WITH (FORCE);" in reported
    for name in marked:
        assert f"left alone database {name!r}: it carries an environment mark" in reported


def test_a_database_of_the_right_shape_marked_production_by_hand_is_never_swept(
    made: Databases, pg_server: ConnInfo
) -> None:
    name = SHADOW_PREFIX + suffix()
    info = made.with_owner_mark(name)
    execute(made.server, f"ALTER DATABASE {quoted(name)} SET norberts.environment = 'production'")

    with temporary_database(pg_server, SHADOW_PREFIX):
        pass

    assert name in database_names(pg_server)
    assert execute(info, "SELECT count(*) FROM kept") == [(2,)]


def test_a_temporary_database_carries_the_mark_bound_to_its_own_oid(pg_server: ConnInfo) -> None:
    with temporary_database(pg_server, SHADOW_PREFIX) as shadow:
        seen = execute(
            shadow,
            "SELECT shobj_description(oid, 'pg_database'), oid FROM pg_database "
            "WHERE datname = current_database()",
        )

    assert seen[0][0] == f"{OWNER_MARK} {seen[0][1]}"
    assert shadow.dbname not in database_names(pg_server)
