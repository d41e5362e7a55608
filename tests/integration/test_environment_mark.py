"""The environment mark counts at every spelling and level PostgreSQL applies to a session.

Each case marks a database holding the schema and a row, the way a person or
a DBA would, checks that the application's own view
(``current_setting('norberts.environment', true)`` in a new session) is what
the case claims, then runs ``db.reset`` or ``db.drop`` through the command
line: refused, one message, the database exactly as it was. The statement the
message prints then removes the mark, and the task runs.
"""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from norberts_db.conninfo import ConnInfo
from norberts_db.databases import marked_databases
from tests.port_holders import free_port

from .conftest import project_bin_dir, reachable_tmpdir
from .safety_helpers import clean_environment, execute, fingerprint, run_tasks, url_environment

SEEN = "SELECT current_setting('norberts.environment', true)"
ROW = "INSERT INTO users (email, display_name) VALUES ('keep@example.com', 'Keep')"

# (id, statement that marks {db} as {value}, as the role {role} sees it)
LEVELS = [
    ("database", "ALTER DATABASE {db} SET norberts.environment = {value}"),
    ("database, capitalised", 'ALTER DATABASE {db} SET "Norberts.Environment" = {value}'),
    ("database, upper case", 'ALTER DATABASE {db} SET "NORBERTS.ENVIRONMENT" = {value}'),
    ("database, mixed parts", 'ALTER DATABASE {db} SET norberts."Environment" = {value}'),
    ("all roles in database", "ALTER ROLE ALL IN DATABASE {db} SET norberts.environment = {value}"),
    ("own role in database", "ALTER ROLE {me} IN DATABASE {db} SET norberts.environment = {value}"),
    (
        "other role in database",
        "ALTER ROLE {app} IN DATABASE {db} SET norberts.environment = {value}",
    ),
    ("own role everywhere", 'ALTER ROLE {me} SET "Norberts.Environment" = {value}'),
    ("other login role everywhere", "ALTER ROLE {app} SET norberts.environment = {value}"),
    ("every role everywhere", "ALTER ROLE ALL SET norberts.environment = {value}"),
]
# Settings for every database, undone whatever the test did.
SERVER_WIDE_RESETS = [
    f"ALTER ROLE {role} RESET {name}"
    for role in ("{me}", "ALL")
    for name in ("norberts.environment", '"Norberts.Environment"')
]


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-mark-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def app_role(pg_server: ConnInfo) -> Iterator[str]:
    """A login role, as the application would use; its settings go when it is dropped."""
    name = f"norberts_app_{secrets.token_hex(4)}"
    execute(pg_server, f'CREATE ROLE "{name}" LOGIN')
    try:
        yield name
    finally:
        execute(pg_server, f'DROP ROLE IF EXISTS "{name}"')


@pytest.fixture
def names(pg_server: ConnInfo, schema_db: ConnInfo, app_role: str) -> Iterator[dict[str, str]]:
    found = {"db": quoted(schema_db.dbname), "me": quoted(pg_server.user), "app": quoted(app_role)}
    try:
        yield found
    finally:
        for statement in SERVER_WIDE_RESETS:
            execute(pg_server, statement.format(**found))


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def removals(message: str) -> list[str]:
    """The statements the refusal says remove the mark."""
    found = re.search(r"remove the mark first \((.*)\) and run the task again", message)
    assert found is not None, message
    return [part.strip() + ";" for part in found.group(1).split(";") if part.strip()]


# Each level gets one of the values that are not development, in turn.
VALUES = ["production", "Production", " production ", "", "staging"]
CASES = [(level, statement, VALUES[i % len(VALUES)]) for i, (level, statement) in enumerate(LEVELS)]


@pytest.mark.parametrize("task", ["db.reset", "db.drop"])
@pytest.mark.parametrize(("level", "statement", "value"), CASES, ids=[c[0] for c in CASES])
def test_a_mark_at_any_level_and_spelling_refuses_and_the_printed_statement_lifts_it(
    schema_db: ConnInfo,
    pg_server: ConnInfo,
    state_dir: Path,
    names: dict[str, str],
    task: str,
    level: str,
    statement: str,
    value: str,
) -> None:
    execute(schema_db, ROW)
    execute(pg_server, statement.format(value=f"'{value}'", **names))
    if "other" not in level:
        assert execute(schema_db, SEEN) == [(value,)]  # what the application sees
    before = fingerprint(schema_db)
    env = url_environment(schema_db, state_dir)

    refused = run_tasks(task, env=env)

    assert refused.code == 1, refused.output
    assert "Traceback" not in refused.output
    assert len(refused.errors()) == 1, refused.stderr
    message = refused.errors()[0]
    assert f"database {schema_db.dbname!r} at {schema_db.address}" in message
    assert f"= {value!r}" in message
    assert fingerprint(schema_db) == before
    for removal in removals(message):
        execute(pg_server, removal)
    assert run_tasks(task, env=env).code == 0


@pytest.mark.parametrize(
    "masking",
    [
        {"PGOPTIONS": "-c norberts.environment=development"},
        {"PGOPTIONS": "-c Norberts.Environment=development"},
    ],
)
@pytest.mark.parametrize(
    "statement",
    [
        "ALTER DATABASE {db} SET \"Norberts.Environment\" = 'production'",
        "ALTER ROLE {me} IN DATABASE {db} SET norberts.environment = 'production'",
        "ALTER ROLE {app} IN DATABASE {db} SET norberts.environment = 'production'",
    ],
)
def test_a_client_option_cannot_unmark_a_database(
    schema_db: ConnInfo,
    pg_server: ConnInfo,
    state_dir: Path,
    names: dict[str, str],
    masking: dict[str, str],
    statement: str,
) -> None:
    execute(schema_db, ROW)
    execute(pg_server, statement.format(**names))
    before = fingerprint(schema_db)

    outcome = run_tasks("db.reset", env=url_environment(schema_db, state_dir, **masking))

    assert outcome.code == 1, outcome.output
    assert "= 'production'" in outcome.stderr
    assert fingerprint(schema_db) == before


def test_a_production_spelling_beside_a_development_one_refuses(
    schema_db: ConnInfo, pg_server: ConnInfo, state_dir: Path, names: dict[str, str]
) -> None:
    # Two spellings make two entries in one setconfig array; the later one wins
    # for a session, but either says what someone meant.
    execute(
        pg_server, "ALTER DATABASE {db} SET \"Norberts.Environment\" = 'production'".format(**names)
    )
    execute(
        pg_server, "ALTER DATABASE {db} SET norberts.environment = 'development'".format(**names)
    )
    before = fingerprint(schema_db)

    outcome = run_tasks("db.drop", env=url_environment(schema_db, state_dir))

    assert outcome.code == 1, outcome.output
    assert "Norberts.Environment = 'production' (set on the database)" in outcome.stderr
    assert 'RESET "Norberts"."Environment";' in outcome.stderr
    assert fingerprint(schema_db) == before


def test_a_role_that_cannot_open_a_session_there_does_not_mark_it(
    schema_db: ConnInfo, pg_server: ConnInfo, state_dir: Path, app_role: str
) -> None:
    # Settings apply to the role a session logs in as; a NOLOGIN role never does.
    execute(pg_server, f"ALTER ROLE {quoted(app_role)} NOLOGIN")
    execute(pg_server, f"ALTER ROLE {quoted(app_role)} SET norberts.environment = 'production'")

    outcome = run_tasks("db.reset", env=url_environment(schema_db, state_dir))

    assert outcome.code == 0, outcome.output


def test_marked_databases_reads_every_level_as_the_guard_does(
    schema_db: ConnInfo, pg_server: ConnInfo, names: dict[str, str]
) -> None:
    execute(
        pg_server,
        "ALTER ROLE {app} IN DATABASE {db} SET \"Norberts.Environment\" = 'production'".format(
            **names
        ),
    )

    marks = marked_databases(pg_server)[schema_db.dbname]

    assert [(m.level, m.value, m.name) for m in marks] == [
        ("role in database", "production", "Norberts.Environment")
    ]


@pytest.fixture
def embedded_dev(state_dir: Path) -> Iterator[dict[str, str]]:
    """The environment of a dev server of the embedded backend, started, removed at the end."""
    env = clean_environment(
        NORBERTS_DB_BACKEND="embedded",
        NORBERTS_DB_PORT=str(free_port()),
        NORBERTS_DB_STATE_DIR=str(state_dir),
        NORBERTS_DB_READY_TIMEOUT="120",
    )
    bin_dir = project_bin_dir(env)
    if bin_dir:
        env["NORBERTS_DB_PG_BIN_DIR"] = bin_dir
    up = run_tasks("db.up", env=env)
    if up.code != 0:
        run_tasks("db.down", "--volumes", env=env)
        pytest.skip(f"no embedded server: {up.output}")
    try:
        yield env
    finally:
        run_tasks("db.down", "--volumes", env=env)


def test_down_volumes_refuses_a_server_holding_a_database_a_role_sees_as_production(
    embedded_dev: dict[str, str],
) -> None:
    url = run_tasks("db.url", env=embedded_dev).stdout.strip()
    server = ConnInfo.from_url(url).for_database("postgres")
    execute(server, 'CREATE ROLE "app" LOGIN')
    execute(server, "CREATE DATABASE shop")
    execute(server, "ALTER ROLE app IN DATABASE shop SET \"Norberts.Environment\" = 'production'")
    try:
        refused = run_tasks("db.down", "--volumes", env=embedded_dev)
        answers = execute(server, "SELECT 1")
    finally:
        # Unmarked again, so that the fixture can delete the server.
        execute(server, "DROP DATABASE shop")

    assert refused.code == 1, refused.output
    assert "Refusing to delete the server holding database 'shop'" in refused.stderr
    assert "set for role 'app' in this database" in refused.stderr
    assert answers == [(1,)]
