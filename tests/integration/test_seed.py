"""The seed file: db.reset loads it in its one transaction, db.seed loads it alone.

Every test runs the task's own function (``db_commands.reset`` / ``db_commands.load_seed``)
against a fresh copy of the project schema, with settings that point at it by URL,
and checks the rows in the database, not only the message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from norberts_db import db_commands
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError

from .conftest import PROJECT_ROOT
from .safety_helpers import execute, fingerprint, url_settings

SEED_FILE = PROJECT_ROOT / "sql" / "seed.sql"
SEEDED_ROWS = {
    "users": 5,
    "customers": 6,
    "people": 5,
    "customer_people": 6,
    "chats": 2,
    "messages": 6,
    "ai_options": 2,
    "parts": 10,
}


def quiet(_message: str) -> None:
    """Swallow the task's backend notes."""


def count_rows(info: ConnInfo) -> dict[str, int]:
    counts = {}
    for table in (*SEEDED_ROWS, "audit_log"):
        row = execute(info, f"SELECT count(*) FROM public.{table}")  # noqa: S608 - fixed names
        counts[table] = int(str(row[0][0]))
    return counts


@pytest.fixture
def write_seed(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "seed.sql"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_reset_loads_the_project_seed_and_reports_rows_per_table(schema_db: ConnInfo) -> None:
    line = db_commands.reset(url_settings(schema_db), allow_remote=False, note=quiet)

    counts = count_rows(schema_db)
    assert {t: counts[t] for t in SEEDED_ROWS} == SEEDED_ROWS
    assert "seeded from sql/seed.sql:" in line
    for table, rows in SEEDED_ROWS.items():
        assert f"{table} {rows}" in line
    assert f"audit_log {counts['audit_log']}" in line


def test_the_seed_covers_every_value_of_every_enum(schema_db: ConnInfo) -> None:
    db_commands.reset(url_settings(schema_db), allow_remote=False, note=quiet)

    pairs = {
        "user_role": "SELECT DISTINCT user_role::text FROM public.users",
        "customer_status": "SELECT DISTINCT status::text FROM public.customers",
        "contact_role": "SELECT DISTINCT contact_role::text FROM public.customer_people",
        "message_role": "SELECT DISTINCT message_role::text FROM public.messages",
        "part_type": "SELECT DISTINCT part_type::text FROM public.parts",
        "audit_action": "SELECT DISTINCT audit_action::text FROM public.audit_log",
    }
    for enum, query in pairs.items():
        labels = {str(r[0]) for r in execute(schema_db, f"SELECT unnest(enum_range(NULL::{enum}))")}
        seen = {str(r[0]) for r in execute(schema_db, query)}
        missing = labels - seen
        assert not missing, f"{enum}: the seed uses none of {sorted(missing)}"


def test_the_audit_log_names_the_acting_users(schema_db: ConnInfo) -> None:
    db_commands.reset(url_settings(schema_db), allow_remote=False, note=quiet)

    rows = execute(
        schema_db,
        "SELECT a.table_name, a.audit_action::text, u.email FROM public.audit_log AS a "
        "LEFT JOIN public.users AS u ON u.id = a.user_id ORDER BY a.id",
    )
    # The first admin is created before anyone can act.
    assert rows[0] == ("users", "insert", None)
    actors = {row[2] for row in rows[1:]}
    assert None not in actors
    assert {"ada.admin@example.com", "max.manager@example.com"} <= actors
    assert ("customers", "update", "max.manager@example.com") in rows
    assert ("people", "delete", "max.manager@example.com") in rows
    # Deleting a person takes its customer links along, and the audit log sees that too.
    assert ("customer_people", "delete", "max.manager@example.com") in rows


def test_seeded_rows_keep_the_updated_at_promise(schema_db: ConnInfo) -> None:
    db_commands.reset(url_settings(schema_db), allow_remote=False, note=quiet)

    with psycopg.connect(**schema_db.connect_kwargs()) as conn:
        before = conn.execute(
            "SELECT created_at, updated_at FROM public.customers WHERE display_name = %s",
            ["Acme Robotics"],
        ).fetchone()
        conn.commit()
        conn.execute("SET norberts.user_id = '1'")
        after = conn.execute(
            "UPDATE public.customers SET notes = 'Renewal signed.' "
            "WHERE display_name = %s RETURNING created_at, updated_at",
            ["Acme Robotics"],
        ).fetchone()
        conn.commit()
    assert before is not None and after is not None
    assert before[0] == before[1]
    assert after[0] == before[0]
    assert after[1] > before[1]


def test_no_seed_leaves_the_tables_empty(schema_db: ConnInfo) -> None:
    line = db_commands.reset(
        url_settings(schema_db), allow_remote=False, use_seed=False, note=quiet
    )

    assert "seeded" not in line
    assert set(count_rows(schema_db).values()) == {0}


def test_a_seed_that_violates_a_check_rolls_back_the_whole_reset(
    schema_db: ConnInfo, write_seed: Callable[[str], Path]
) -> None:
    db_commands.reset(url_settings(schema_db), allow_remote=False, note=quiet)
    execute(schema_db, "CREATE TABLE public.kept_by_hand (id int)")
    before = fingerprint(schema_db)
    seed = write_seed(
        "INSERT INTO public.users (email, display_name) VALUES ('a@example.com', 'A');\n"
        "\n"
        "INSERT INTO public.users (email, display_name)\n"
        "VALUES ('not an e-mail', 'B');\n"
    )

    with pytest.raises(NorbertsDbError) as caught:
        db_commands.reset(url_settings(schema_db, seed=str(seed)), allow_remote=False, note=quiet)

    message = str(caught.value)
    assert f"{seed}:3" in message
    assert "users_email_format_ck" in message
    assert "Nothing was changed" in message
    assert fingerprint(schema_db) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "holds no SQL statements", id="empty"),
        pytest.param("-- nothing yet\n", "holds no SQL statements", id="only-comments"),
        pytest.param(
            "INSERT INTO public.users (email, display_name) VALUES ('a@example.com', 'A');\n"
            "COMMIT;\n"
            "INSERT INTO public.users (email, display_name) VALUES ('b@example.com', 'B');\n",
            ":2: `COMMIT;` cannot be in this seed file",
            id="transaction-control",
        ),
        pytest.param(
            "INSERT INTO public.no_such_table VALUES (1);\n",
            'relation "public.no_such_table" does not exist',
            id="unknown-table",
        ),
    ],
)
def test_a_bad_seed_is_refused_with_a_clear_message_and_nothing_changes(
    schema_db: ConnInfo, write_seed: Callable[[str], Path], text: str, expected: str
) -> None:
    db_commands.reset(url_settings(schema_db), allow_remote=False, note=quiet)
    before = fingerprint(schema_db)
    seed = write_seed(text)

    with pytest.raises(NorbertsDbError) as caught:
        db_commands.reset(url_settings(schema_db, seed=str(seed)), allow_remote=False, note=quiet)

    assert str(seed) in str(caught.value)
    assert expected in str(caught.value)
    assert fingerprint(schema_db) == before


def test_a_seed_that_writes_outside_the_schema_is_refused(
    schema_db: ConnInfo, write_seed: Callable[[str], Path]
) -> None:
    # A table the drop script leaves alone: its rows would outlive every reset.
    execute(schema_db, "CREATE SCHEMA keep; CREATE TABLE keep.notes (body text)")
    before = fingerprint(schema_db)
    seed = write_seed(
        "INSERT INTO public.users (email, display_name) VALUES ('a@example.com', 'A');\n"
        "INSERT INTO keep.notes VALUES ('kept');\n"
    )

    with pytest.raises(NorbertsDbError) as caught:
        db_commands.reset(url_settings(schema_db, seed=str(seed)), allow_remote=False, note=quiet)

    assert "writes to keep.notes, which the schema file" in str(caught.value)
    assert fingerprint(schema_db) == before


def test_an_explicit_seed_path_must_exist(schema_db: ConnInfo, tmp_path: Path) -> None:
    missing = tmp_path / "nope.sql"
    with pytest.raises(NorbertsDbError, match="the seed file does not exist"):
        db_commands.reset(
            url_settings(schema_db, seed=str(missing)), allow_remote=False, note=quiet
        )


def test_db_seed_loads_into_an_empty_schema_and_refuses_a_second_time(
    schema_db: ConnInfo,
) -> None:
    line = db_commands.load_seed(url_settings(schema_db), allow_remote=False, note=quiet)

    assert {t: count_rows(schema_db)[t] for t in SEEDED_ROWS} == SEEDED_ROWS
    assert "users 5" in line
    before = fingerprint(schema_db)
    with pytest.raises(NorbertsDbError, match="already holds rows") as caught:
        db_commands.load_seed(url_settings(schema_db), allow_remote=False, note=quiet)
    assert "invoke db.reset" in str(caught.value)
    assert fingerprint(schema_db) == before


def test_db_seed_without_the_schema_says_to_reset_first(scratch_db: ConnInfo) -> None:
    with pytest.raises(NorbertsDbError, match="Create the schema first"):
        db_commands.load_seed(url_settings(scratch_db), allow_remote=False, note=quiet)


def test_db_seed_respects_the_environment_mark(schema_db: ConnInfo, pg_server: ConnInfo) -> None:
    with psycopg.connect(**pg_server.connect_kwargs(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} SET norberts.environment = 'staging'").format(
                sql.Identifier(schema_db.dbname)
            )
        )

    with pytest.raises(NorbertsDbError, match="marked"):
        db_commands.load_seed(url_settings(schema_db), allow_remote=False, note=quiet)
    assert set(count_rows(schema_db).values()) == {0}


def test_the_seed_flags_work_from_the_command_line(schema_db: ConnInfo) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NORBERTS_DB_", "PG"))}
    env |= {"NORBERTS_DB_BACKEND": "external", "DATABASE_URL": schema_db.url(with_password=True)}

    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    no_seed = invoke("db.reset", "--no-seed")
    assert no_seed.returncode == 0, no_seed.stderr
    assert "seeded" not in no_seed.stdout
    assert set(count_rows(schema_db).values()) == {0}

    seeded = invoke("db.seed", "--seed", str(SEED_FILE))
    assert seeded.returncode == 0, seeded.stderr
    assert "users 5" in seeded.stdout

    again = invoke("db.seed")
    assert again.returncode == 1
    assert "already holds rows" in again.stderr
    assert "Traceback" not in again.stderr
