"""A corpus of bad inputs: each gets one clear message, a non-zero exit, and no change at all.

Every case runs a task through the command line (``run_tasks``) against a
database that holds the project schema and a sentinel row, and checks:

- the exit code is not 0, and nothing escaped as a traceback;
- stderr holds exactly one ``error:`` message, naming what is wrong (file,
  line, setting, object) and saying what to do;
- the password of the server appears nowhere in the output;
- the database is exactly as before: the catalog by OID and every row.

SQL inputs live in ``bad_inputs/``; the line numbers expected below are the
lines of those files.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from norberts_db import databases
from norberts_db.conninfo import ConnInfo
from tests.port_holders import free_port

from .conftest import PROJECT_ROOT, reachable_tmpdir, unique_db_name
from .safety_helpers import execute, fingerprint, run_tasks, url_environment

BAD = Path(__file__).resolve().parent / "bad_inputs"


@dataclass(frozen=True)
class Case:
    """One bad input: the task to run, what the message must say, and where the input is.

    ``{bad}`` in arguments stands for the bad_inputs folder. In ``env`` values,
    ``{target}`` is the URL of the test database (password included), ``{server}``
    that URL without the database, ``{password}`` the password, ``{port}`` a
    free loopback port. ``pyproject`` makes the task run in a project whose
    pyproject.toml holds ``[tool.norberts_db]`` with these lines.
    """

    id: str
    args: tuple[str, ...]
    expect: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    pyproject: str | None = None


def reset_schema(name: str) -> tuple[str, ...]:
    return ("db.reset", "--schema", f"{{bad}}/{name}")


CASES = [
    # -- SQL that the server rejects: file:line:column, the server's words ------------
    Case(
        "syntax-error",
        reset_schema("syntax_error.sql"),
        ('syntax_error.sql:7:1: ERROR: syntax error at or near "CREAT"', "Fix the SQL"),
    ),
    Case(
        "unknown-type",
        reset_schema("unknown_type.sql"),
        ('unknown_type.sql:5:10: ERROR: type "feelings" does not exist',),
    ),
    Case(
        "plpgsql-syntax-error",
        reset_schema("plpgsql_syntax_error.sql"),
        ('plpgsql_syntax_error.sql:5:5: ERROR: syntax error at or near "RETRUN"',),
    ),
    Case(
        "runtime-error",
        reset_schema("division_by_zero.sql"),
        ("division_by_zero.sql:5:1: ERROR: division by zero",),
    ),
    Case(
        "unterminated-dollar-quote",
        reset_schema("unterminated_dollar_quote.sql"),
        ("unterminated_dollar_quote.sql:3:", "unterminated dollar-quoted string"),
    ),
    Case(
        "missing-extension",
        reset_schema("missing_extension.sql"),
        (
            'missing_extension.sql:3:1: ERROR: extension "norberts_no_such_extension" is not '
            "available",
            "must first be installed",
        ),
    ),
    Case(
        "drop-script-drops-too-little",
        ("db.reset", "--drop-script", "{bad}/drop_too_little.sql"),
        (
            "norberts_schema.sql:",
            "already exists",
            "drop_too_little.sql does not remove it: add a DROP ... IF EXISTS",
            "`invoke db.check-drop`",
        ),
    ),
    Case(
        "schema-creates-an-object-twice",
        reset_schema("duplicate_in_schema.sql"),
        ('duplicate_in_schema.sql:5:1: ERROR: relation "notes" already exists', "twice"),
    ),
    Case(
        "commit-inside-a-do-block",
        reset_schema("do_block_commit.sql"),
        ("do_block_commit.sql:3:1: ERROR: invalid transaction termination", "one transaction"),
    ),
    Case(
        "drop-script-syntax-error",
        ("db.drop", "--drop-script", "{bad}/drop_syntax_error.sql"),
        ('drop_syntax_error.sql:3:6: ERROR: syntax error at or near "TABEL"',),
    ),
    # -- files that cannot be read as SQL ---------------------------------------------
    Case("empty-file", reset_schema("empty.sql"), ("empty.sql: the schema file holds no SQL",)),
    Case(
        "only-comments",
        reset_schema("only_comments.sql"),
        ("only_comments.sql: the schema file holds no SQL statements",),
    ),
    Case(
        "binary-file",
        reset_schema("binary.sql"),
        ("binary.sql: the schema file is binary, not SQL text",),
    ),
    Case(
        "not-utf8",
        reset_schema("latin1.sql"),
        ("latin1.sql:3: the schema file is not valid UTF-8", "Save it as UTF-8"),
    ),
    Case(
        "missing-schema-file",
        reset_schema("no_such_file.sql"),
        ("no_such_file.sql: the schema file does not exist", "Check the path"),
    ),
    Case(
        "missing-drop-script",
        ("db.drop", "--drop-script", "{bad}/no_such_drop.sql"),
        ("no_such_drop.sql: the drop script does not exist",),
    ),
    Case(
        "schema-is-a-directory",
        ("db.reset", "--schema", "{bad}"),
        ("bad_inputs: the schema file is a directory",),
    ),
    # -- statements that would break the one transaction ------------------------------
    Case("commit-inside", reset_schema("commit_inside.sql"), ("commit_inside.sql:4: `COMMIT;`",)),
    Case(
        "rollback-inside",
        reset_schema("rollback_inside.sql"),
        ("rollback_inside.sql:3: `ROLLBACK;`", "Remove it"),
    ),
    Case("savepoint", reset_schema("savepoint.sql"), ("savepoint.sql:2: `SAVEPOINT",)),
    Case(
        "commit-in-the-drop-script",
        ("db.drop", "--drop-script", "{bad}/commit_inside.sql"),
        ("commit_inside.sql:4: `COMMIT;`",),
    ),
    Case(
        "create-index-concurrently",
        reset_schema("create_index_concurrently.sql"),
        ("create_index_concurrently.sql:4: `CREATE INDEX CONCURRENTLY", "sql/migrations/"),
    ),
    Case(
        "vacuum-in-create",
        ("db.create", "--schema", "{bad}/vacuum.sql"),
        ("vacuum.sql:2: `VACUUM ANALYZE public.notes;`",),
    ),
    Case(
        "create-database",
        reset_schema("create_database.sql"),
        ("create_database.sql:2: `CREATE DATABASE", "`invoke db.up` creates"),
    ),
    Case(
        "copy-from-stdin",
        reset_schema("copy_from_stdin.sql"),
        ("copy_from_stdin.sql:2: `COPY public.notes (id) FROM stdin;`", "INSERT statements"),
    ),
    Case(
        "psql-include",
        reset_schema("psql_include.sql"),
        ("psql_include.sql:3: \\i is a psql meta-command",),
    ),
    Case(
        "psql-set",
        reset_schema("psql_set.sql"),
        ("psql_set.sql:1: \\set is a psql meta-command",),
    ),
    # -- settings from the environment and flags --------------------------------------
    Case(
        "unknown-backend",
        ("db.reset",),
        ("NORBERTS_DB_BACKEND: unknown backend 'kubernetes'", "Use one of: auto, docker"),
        env={"NORBERTS_DB_BACKEND": "kubernetes"},
    ),
    Case(
        "port-out-of-range",
        ("db.reset",),
        ("NORBERTS_DB_PORT: port 70000 is out of range", "from 1 to 65535"),
        env={"NORBERTS_DB_PORT": "70000"},
    ),
    Case(
        "port-not-a-number",
        ("db.reset",),
        ("NORBERTS_DB_PORT: 'fifty' is not a valid port; expected a whole number",),
        env={"NORBERTS_DB_PORT": "fifty"},
    ),
    Case(
        "unknown-major-from-environment",
        ("db.reset",),
        ("NORBERTS_DB_PG_VERSION: PostgreSQL 14 is not supported", "15, 16, 17, 18"),
        env={"NORBERTS_DB_PG_VERSION": "14"},
    ),
    Case(
        "unknown-major-from-flag",
        ("db.reset", "--pg", "99"),
        ("--pg: PostgreSQL 99 is not supported",),
    ),
    Case(
        "unknown-network",
        ("db.reset",),
        ("NORBERTS_DB_NETWORK: unknown network mode 'overlay'",),
        env={"NORBERTS_DB_NETWORK": "overlay"},
    ),
    Case(
        "negative-lock-timeout",
        ("db.reset",),
        ("NORBERTS_DB_LOCK_TIMEOUT: -5.0 is negative", "0 means no limit"),
        env={"NORBERTS_DB_LOCK_TIMEOUT": "-5"},
    ),
    Case(
        "statement-timeout-not-a-number",
        ("db.reset",),
        ("NORBERTS_DB_STATEMENT_TIMEOUT: 'soon' is not a valid statement timeout",),
        env={"NORBERTS_DB_STATEMENT_TIMEOUT": "soon"},
    ),
    Case(
        "external-backend-without-url",
        ("db.reset",),
        ("backend 'external' needs a server", "DATABASE_URL"),
        env={"NORBERTS_DB_URL": ""},
    ),
    # -- connection URLs and servers ---------------------------------------------------
    Case(
        "url-port-not-a-number",
        ("db.reset",),
        ("NORBERTS_DB_URL: port 'notaport' is not a number",),
        env={"NORBERTS_DB_URL": "postgresql://postgres:{password}@127.0.0.1:notaport/db"},
    ),
    Case(
        "url-not-a-url",
        ("db.reset",),
        ("NORBERTS_DB_URL is not a valid PostgreSQL connection URL", "postgresql://USER"),
        env={"NORBERTS_DB_URL": "definitely not a url {password}"},
    ),
    Case(
        "url-unknown-option",
        ("db.reset",),
        ("NORBERTS_DB_URL is not a valid PostgreSQL connection URL",),
        env={"NORBERTS_DB_URL": "{target}?sslmood=require"},
    ),
    Case(
        "wrong-credentials",
        ("db.reset",),
        ("Wrong credentials for user 'postgres'", "Check the password"),
        env={"NORBERTS_DB_URL": "{server_wrong_password}"},
    ),
    Case(
        "unreachable-server",
        ("db.reset",),
        ("Cannot connect to PostgreSQL at 127.0.0.1:{port}", "Is the server running?"),
        env={"NORBERTS_DB_URL": "postgresql://postgres:{password}@127.0.0.1:{port}/db"},
    ),
    Case(
        "missing-database",
        ("db.reset",),
        ("Database 'norberts_no_such_db' does not exist at",),
        env={"NORBERTS_DB_URL": "{server}/norberts_no_such_db"},
    ),
    Case(
        "hostile-missing-database-name",
        ("db.drop",),
        ("Database '\"; DROP TABLE users; --' does not exist",),
        env={"NORBERTS_DB_URL": "{server}/%22%3B%20DROP%20TABLE%20users%3B%20--"},
    ),
    # -- [tool.norberts_db] in pyproject.toml ------------------------------------------
    Case(
        "pyproject-unknown-key",
        ("db.reset",),
        ("unknown setting 'colour' in [tool.norberts_db]", "Known settings: backend"),
        pyproject='colour = "blue"',
    ),
    Case(
        "pyproject-port-not-a-number",
        ("db.reset",),
        ("[tool.norberts_db] port in", "'abc' is not a valid port"),
        pyproject='port = "abc"',
    ),
    Case(
        "pyproject-unknown-major",
        ("db.reset",),
        ("[tool.norberts_db] pg_version in", "PostgreSQL 99 is not supported"),
        pyproject="pg_version = 99",
    ),
    Case(
        "pyproject-holds-a-password",
        ("db.reset",),
        ("unknown setting 'password' in [tool.norberts_db]",),
        pyproject='password = "{password}"',
    ),
    Case(
        "pyproject-lock-timeout-not-a-number",
        ("db.reset",),
        ("[tool.norberts_db] lock_timeout in", "'forever' is not a valid lock timeout"),
        pyproject='lock_timeout = "forever"',
    ),
    Case(
        "pyproject-not-toml",
        ("db.reset",),
        ("pyproject.toml: not valid TOML", "Fix the file"),
        pyproject="backend = docker",
    ),
]


@pytest.fixture(scope="module")
def target(pg_server: ConnInfo, schema_template: str) -> Iterator[ConnInfo]:
    """The project schema and a sentinel user (with its audit row), shared by the cases.

    Sharing is sound because each case compares the database with itself just
    before; a case that changed it fails, whatever the others did.
    """
    name = unique_db_name("bad")
    databases.create_database(pg_server, name, template=schema_template)
    info = pg_server.for_database(name)
    try:
        execute(
            info,
            "INSERT INTO users (email, display_name) VALUES ('sentinel@example.com', 'Sentinel')",
        )
        yield info
    finally:
        databases.drop_database(pg_server, name)


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-bad-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def fill(text: str, target: ConnInfo, port: int) -> str:
    server = target.url(with_password=True).rsplit("/", 1)[0]
    wrong = ConnInfo(
        target.host, target.port, target.user, target.dbname, "wrong-" + secrets.token_hex(4)
    )
    return (
        text.replace("{bad}", str(BAD))
        .replace("{target}", target.url(with_password=True))
        .replace("{server_wrong_password}", wrong.url(with_password=True))
        .replace("{server}", server)
        .replace("{password}", target.password or "no-password")
        .replace("{port}", str(port))
    )


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_one_clear_message_a_failing_exit_and_changes_nothing(
    case: Case, target: ConnInfo, state_dir: Path
) -> None:
    port = free_port()
    env = url_environment(target, state_dir)
    env.update({key: fill(value, target, port) for key, value in case.env.items()})
    args = [fill(arg, target, port) for arg in case.args]
    cwd = PROJECT_ROOT
    if case.pyproject is not None:
        env.pop("NORBERTS_DB_PG_VERSION", None)  # the environment would win over pyproject.toml
        cwd = state_dir / "project"
        cwd.mkdir()
        text = fill(case.pyproject, target, port)
        (cwd / "pyproject.toml").write_text(f"[tool.norberts_db]\n{text}\n", encoding="utf-8")
    before = fingerprint(target)

    outcome = run_tasks(*args, env=env, cwd=cwd)

    assert outcome.code != 0, outcome.output
    assert len(outcome.errors()) == 1, outcome.stderr
    for expected in case.expect:
        assert fill(expected, target, port) in outcome.stderr, outcome.stderr
    assert "Traceback" not in outcome.output
    if target.password:
        assert target.password not in outcome.output
    assert fingerprint(target) == before


def test_the_corpus_holds_at_least_thirty_cases_and_every_bad_file_is_used() -> None:
    used = {Path(arg).name for case in CASES for arg in case.args if arg.startswith("{bad}/")}
    files = {path.name for path in BAD.glob("*.sql")} - {
        "hostile_schema_name.sql",
        "hostile_drop.sql",
    }

    assert len(CASES) >= 30
    assert files <= used, f"bad inputs no case uses: {sorted(files - used)}"


def test_hostile_schema_table_and_column_names_are_created_verified_and_dropped(
    scratch_db: ConnInfo, state_dir: Path
) -> None:
    """Names that try to break out of quoting are objects like any other, end to end."""
    env = url_environment(scratch_db, state_dir)
    schema = str(BAD / "hostile_schema_name.sql")
    drop = str(BAD / "hostile_drop.sql")

    reset = run_tasks("db.reset", "--schema", schema, "--drop-script", drop, env=env)
    verified = run_tasks("db.verify", "--schema", schema, env=env)
    checked = run_tasks("db.check-drop", "--schema", schema, "--drop-script", drop, env=env)
    tables = execute(
        scratch_db,
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname "
        "NOT IN ('pg_catalog', 'information_schema')",
    )
    dropped = run_tasks("db.drop", "--drop-script", drop, env=env)

    assert reset.code == 0, reset.output
    assert verified.code == 0, verified.output
    assert "(7 objects compared)" in verified.stdout
    assert checked.code == 0, checked.output
    assert tables == [('"; DROP TABLE users; --', 'it\'s "quoted"')]
    assert dropped.code == 0, dropped.output
    assert execute(scratch_db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%DROP%'") == [
        (0,)
    ]
