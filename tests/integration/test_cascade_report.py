"""db.reset and db.drop name what CASCADE took that the schema file does not create.

A person adds to a database built from the schema: a view on users, a foreign
key from their own table to customers, a column of their own typed with a
schema enum, a trigger on a schema table, a table in another schema that
inherits from users, a column added to users. The drop removes each of them
(most through CASCADE); the task says so, in text and in JSON, and lists
nothing when nothing was added.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from norberts_db.cascade import identities, inventory
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo

from .conftest import reachable_tmpdir
from .safety_helpers import execute, run_tasks, url_environment

ADDITIONS = """
CREATE VIEW public.active_users AS SELECT id, email FROM public.users;
CREATE SCHEMA sales;
CREATE TABLE sales.orders (
    id int PRIMARY KEY,
    customer_id bigint CONSTRAINT orders_customer_fk REFERENCES public.customers (id),
    placed_by_role public.user_role
);
INSERT INTO sales.orders (id) VALUES (1);
CREATE SCHEMA archive;
CREATE TABLE archive.old_users () INHERITS (public.users);
CREATE TRIGGER my_touch BEFORE UPDATE ON public.users
    FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
ALTER TABLE public.users ADD COLUMN nickname text;
"""
# (kind, schema, name, identity) of each addition CASCADE takes.
TAKEN = [
    ("table", "archive", "old_users", "archive.old_users"),
    ("view", "public", "active_users", "public.active_users"),
    ("trigger", "public", "my_touch", "my_touch on public.users"),
    ("table column", "public", "nickname", "public.users.nickname"),
    ("table column", "sales", "placed_by_role", "sales.orders.placed_by_role"),
    ("table constraint", "sales", "orders_customer_fk", "orders_customer_fk on sales.orders"),
]


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-cascade-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def listed(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return sorted(
        (item["kind"], item["schema"], item["name"], item["identity"])
        for item in document["cascaded"]
    )


@pytest.mark.parametrize(("task", "status"), [("db.reset", "reset"), ("db.drop", "dropped")])
def test_the_objects_cascade_takes_are_listed_by_kind_schema_and_name(
    schema_db: ConnInfo, state_dir: Path, task: str, status: str
) -> None:
    execute(schema_db, ADDITIONS)

    outcome = run_tasks(task, "--json", env=url_environment(schema_db, state_dir))

    assert outcome.code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert document["status"] == status
    assert document["error"] is None
    assert document["cascade_unknown"] is None
    assert listed(document) == sorted(TAKEN)
    # The person's own table stays, with its row; only what CASCADE took is gone.
    assert execute(schema_db, "SELECT id FROM sales.orders") == [(1,)]


def test_what_the_schema_created_is_told_by_the_same_objects_the_inventory_lists(
    schema_db: ConnInfo,
) -> None:
    execute(schema_db, ADDITIONS)
    users = int(str(execute(schema_db, "SELECT 'public.users'::regclass::oid")[0][0]))

    with connect(schema_db, autocommit=True) as conn:
        for known in ((), (users,)):
            listed = {(found.kind, found.identity) for found in inventory(conn, known).values()}
            assert identities(conn, known) == listed
            assert (("table", "public.users") in listed) == (not known)


def test_the_text_output_lists_each_object_after_the_summary(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    execute(schema_db, ADDITIONS)

    outcome = run_tasks("db.reset", env=url_environment(schema_db, state_dir))

    assert outcome.code == 0, outcome.output
    # The last line says what the reset left in the migration history.
    *lines, history = outcome.stdout.splitlines()
    assert history.startswith("migration history: ")
    assert lines[0].startswith(f"reset {schema_db.dbname} on external")
    assert lines[1].startswith("The drop also removed 6 object(s) that ")
    assert lines[1].endswith("norberts_schema.sql does not create:")
    assert sorted(lines[2:]) == sorted(f"  {kind} {identity}" for kind, _, _, identity in TAKEN)


@pytest.mark.parametrize("task", ["db.reset", "db.drop"])
def test_nothing_is_listed_when_the_database_holds_only_the_schema(
    schema_db: ConnInfo, state_dir: Path, task: str
) -> None:
    env = url_environment(schema_db, state_dir)

    text = run_tasks(task, env=env)
    document = json.loads(run_tasks(task, "--format", "json", env=env).stdout)

    assert text.code == 0, text.output
    summary, *history = text.stdout.splitlines()
    assert "removed" not in summary
    # A drop clears a history only where there is one, and says so only then.
    assert [line.split(":")[0] for line in history] == (
        ["migration history"] if task == "db.reset" else []
    )
    assert document["cascaded"] == []


def test_a_drop_says_it_cleared_the_migration_history_only_when_there_was_one(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    env = url_environment(schema_db, state_dir)
    assert run_tasks("db.migrate", env=env).code == 0

    first = run_tasks("db.drop", "--json", env=env)
    second = run_tasks("db.drop", "--json", env=env)

    assert first.code == 0, first.output
    assert json.loads(first.stdout)["history"] == "migration history: cleared"
    assert second.code == 0, second.output
    assert json.loads(second.stdout)["history"] is None


def test_a_drop_without_a_readable_schema_file_lists_everything_it_removed(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    execute(schema_db, "CREATE VIEW public.active_users AS SELECT id FROM public.users")
    missing = state_dir / "missing.sql"

    outcome = run_tasks(
        "db.drop", "--schema", str(missing), "--json", env=url_environment(schema_db, state_dir)
    )

    assert outcome.code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert document["schema_file"] is None
    assert document["cascade_unknown"] == "no schema file to compare with"
    identities = {item["identity"] for item in document["cascaded"]}
    assert {"public.users", "public.active_users", "public.user_role"} <= identities


def test_an_unknown_format_is_refused_before_anything_runs(
    schema_db: ConnInfo, state_dir: Path
) -> None:
    execute(schema_db, "CREATE VIEW public.active_users AS SELECT id FROM public.users")

    outcome = run_tasks("db.reset", "--format", "github", env=url_environment(schema_db, state_dir))

    assert outcome.code == 1
    assert outcome.errors() == ["error: --format 'github' is not known. Use one of: text, json."]
    assert execute(schema_db, "SELECT to_regclass('public.active_users') IS NOT NULL") == [(True,)]
