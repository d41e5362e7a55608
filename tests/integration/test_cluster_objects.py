"""Schemas that create roles, or give objects, grants and policies to them, on a real server.

Roles belong to the server: they outlive the databases of these tests, and the
throwaway databases of verify and check-drop see the ones the target's resets
made. Every test uses role names of its own, and drops them afterwards.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from psycopg import sql

from norberts_db import apply
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import SqlScriptError
from norberts_db.migrations import commands as migration_commands
from norberts_db.migrations.commands import DiffOptions
from norberts_db.settings import load_settings
from norberts_db.sqlfile import SqlScript, load_script
from norberts_db.verify import (
    DropCheckResult,
    check_drop_script,
    render_json,
    render_text,
    verify_database,
)

PLAIN = "CREATE ROLE {role} NOLOGIN;"
GUARDED = (
    "DO $$ BEGIN\n"
    "    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN\n"
    "        CREATE ROLE {role} NOLOGIN;\n"
    "    END IF;\n"
    "END $$;"
)
USES = """
CREATE TABLE public.items (id integer PRIMARY KEY, note text);
ALTER TABLE public.items OWNER TO {role};
GRANT SELECT, UPDATE ON public.items TO {role};
ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_for_app ON public.items FOR SELECT TO {role} USING (true);
COMMENT ON ROLE {role} IS 'the application';
ALTER ROLE {role} SET work_mem = '8MB';
GRANT pg_read_all_stats TO {role};
"""
DROP_TABLES = "DROP TABLE IF EXISTS public.items CASCADE;\n"
DROP_ROLE = "DROP ROLE IF EXISTS {role};\n"
EITHER_WAY = pytest.mark.parametrize("role_exists", [False, True], ids=["new-role", "role-exists"])


def roles(server: ConnInfo) -> set[str]:
    with connect(server, autocommit=True) as conn:
        return {str(row[0]) for row in conn.execute("SELECT rolname FROM pg_roles")}


@pytest.fixture
def role(pg_server: ConnInfo, scratch_db: ConnInfo) -> Iterator[str]:
    """A role name no other test uses; the role is dropped after the test, if it was made."""
    name = f"norberts_test_role_{secrets.token_hex(4)}"
    yield name
    # The test database still exists here and may hold objects of the role.
    with connect(scratch_db, autocommit=True) as conn:
        if name in roles(pg_server):
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def script(tmp_path: Path, name: str, text: str) -> SqlScript:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_script(path)


def schema(tmp_path: Path, role: str, create: str = PLAIN) -> SqlScript:
    return script(tmp_path, "schema.sql", (create + USES).format(role=role))


def drop_script(tmp_path: Path, role: str, *, drops_role: bool) -> SqlScript:
    return script(
        tmp_path, "drop.sql", DROP_TABLES + (DROP_ROLE if drops_role else "").format(role=role)
    )


@pytest.mark.parametrize("create", [PLAIN, GUARDED], ids=["plain", "guarded"])
@pytest.mark.parametrize("privileges", [False, True], ids=["objects", "privileges"])
def test_a_schema_that_creates_a_role_resets_twice_and_verifies_clean(
    pg_server: ConnInfo,
    scratch_db: ConnInfo,
    role: str,
    tmp_path: Path,
    create: str,
    privileges: bool,
) -> None:
    created = schema(tmp_path, role, create)
    # A plain CREATE ROLE resets twice only when the drop script drops the role.
    drop = drop_script(tmp_path, role, drops_role=create == PLAIN)
    apply.reset(scratch_db, drop, created)
    apply.reset(scratch_db, drop, created)
    before = roles(pg_server)

    result = verify_database(scratch_db, created, privileges=privileges)

    assert result.exit_code == 0, render_text(result)
    assert roles(pg_server) == before
    if create == PLAIN:
        assert any(f"`CREATE ROLE {role} NOLOGIN` not run" in note for note in result.notes)
        assert "note: " in render_text(result)
        assert render_json(result).count("not run") == 1


def test_a_grant_to_the_role_that_differs_is_drift_with_privileges(
    scratch_db: ConnInfo, role: str, tmp_path: Path
) -> None:
    created = schema(tmp_path, role, GUARDED)
    apply.reset(scratch_db, drop_script(tmp_path, role, drops_role=False), created)
    with connect(scratch_db, autocommit=True) as conn:
        # The role owns the table, so its grants show only once one is taken away.
        conn.execute(sql.SQL("REVOKE UPDATE ON public.items FROM {}").format(sql.Identifier(role)))

    assert verify_database(scratch_db, created).exit_code == 0
    result = verify_database(scratch_db, created, privileges=True)
    assert result.exit_code == 1, render_text(result)
    assert {d.name for d in result.differences} == {"public.items"}
    assert role in render_text(result)


def test_a_schema_that_only_references_a_role_of_the_server_verifies_clean(
    pg_server: ConnInfo, scratch_db: ConnInfo, role: str, tmp_path: Path
) -> None:
    with connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(role)))
    created = script(tmp_path, "schema.sql", USES.format(role=role))
    apply.reset(scratch_db, script(tmp_path, "drop.sql", DROP_TABLES), created)

    result = verify_database(scratch_db, created, privileges=True)
    assert result.exit_code == 0, render_text(result)
    assert result.notes == ()


def test_verify_leaves_no_role_behind_when_the_server_has_none_yet(
    pg_server: ConnInfo, scratch_db: ConnInfo, role: str, tmp_path: Path
) -> None:
    before = roles(pg_server)
    result = verify_database(scratch_db, schema(tmp_path, role), privileges=True)
    assert result.exit_code == 1, render_text(result)  # the target is empty
    assert roles(pg_server) == before


@EITHER_WAY
def test_verifies_at_once_of_a_schema_creating_a_role_all_finish(
    pg_server: ConnInfo, scratch_db: ConnInfo, role: str, tmp_path: Path, role_exists: bool
) -> None:
    # A shadow's uncommitted CREATE ROLE, or ALTER ROLE and COMMENT ON ROLE of an
    # existing role, makes the others wait for its rollback.
    created = schema(tmp_path, role)
    if role_exists:
        apply.reset(scratch_db, drop_script(tmp_path, role, drops_role=True), created)
    before = roles(pg_server)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: verify_database(scratch_db, created), range(3)))
    expected = 0 if role_exists else 1  # an empty target differs from the schema
    assert [r.exit_code for r in results] == [expected] * 3, [r.error for r in results]
    assert roles(pg_server) == before


def test_the_second_reset_of_a_plain_create_role_says_how_to_guard_it(
    scratch_db: ConnInfo, role: str, tmp_path: Path
) -> None:
    created = schema(tmp_path, role)
    drop = drop_script(tmp_path, role, drops_role=False)
    apply.reset(scratch_db, drop, created)
    with pytest.raises(SqlScriptError) as raised:
        apply.reset(scratch_db, drop, created)
    message = str(raised.value)
    assert f"{created.name}:1:1:" in message
    assert f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}')" in message
    assert message.endswith("Fix the SQL and run it again.")


def check_drop(server: ConnInfo, created: SqlScript, drop: SqlScript) -> DropCheckResult:
    """check-drop of the two scripts; the server's roles are the same before and after it."""
    before = roles(server)
    result = check_drop_script(server, created, drop)
    assert roles(server) == before
    return result


def scripts(
    target: ConnInfo, tmp_path: Path, role: str, create: str, *, drops_role: bool, reset: bool
) -> tuple[SqlScript, SqlScript]:
    """The schema and drop script for ``role``; with ``reset``, ``target`` is reset with them."""
    created = schema(tmp_path, role, create)
    drop = drop_script(tmp_path, role, drops_role=drops_role)
    if reset:
        apply.reset(target, drop, created)
    return created, drop


@EITHER_WAY
def test_check_drop_says_when_the_drop_script_leaves_a_plain_created_role(
    pg_server: ConnInfo, scratch_db: ConnInfo, role: str, tmp_path: Path, role_exists: bool
) -> None:
    args = (scratch_db, tmp_path, role, PLAIN)
    created, drop = scripts(*args, drops_role=False, reset=role_exists)

    result = check_drop(pg_server, created, drop)

    assert result.exit_code == 1, render_text(result)
    assert result.leftovers == ()
    assert f'role "{role}" already exists' in (result.rerun_error or "")
    assert "The schema fails when run again after the drop script" in render_text(result)


@pytest.mark.parametrize(
    ("create", "drops_role"),
    [(GUARDED, False), (GUARDED, True), (PLAIN, True)],
    ids=["guarded-kept", "guarded-dropped", "plain-dropped"],
)
@EITHER_WAY
def test_check_drop_is_clean_for_a_role_the_next_reset_can_create(
    pg_server: ConnInfo,
    scratch_db: ConnInfo,
    role: str,
    tmp_path: Path,
    create: str,
    drops_role: bool,
    role_exists: bool,
) -> None:
    args = (scratch_db, tmp_path, role, create)
    created, drop = scripts(*args, drops_role=drops_role, reset=role_exists)

    result = check_drop(pg_server, created, drop)

    assert result.exit_code == 0, render_text(result)
    if role_exists and drops_role:
        # The target's table depends on the role, so the drop script's DROP ROLE was let pass.
        assert any(
            f"`DROP ROLE IF EXISTS {role}` not run: other databases" in note
            and scratch_db.dbname in note
            for note in result.notes
        )


def test_a_drop_role_blocked_by_what_the_drop_script_leaves_is_its_error(
    pg_server: ConnInfo, scratch_db: ConnInfo, role: str, tmp_path: Path
) -> None:
    created = schema(tmp_path, role)
    forgets_table = script(tmp_path, "drop.sql", DROP_ROLE.format(role=role))
    apply.reset(scratch_db, drop_script(tmp_path, role, drops_role=True), created)

    result = check_drop_script(pg_server, created, forgets_table)

    assert result.exit_code == 1, render_text(result)
    assert "cannot be dropped because some objects depend on it" in (result.drop_error or "")


def test_an_unguarded_create_role_in_a_do_block_fails_verify_with_advice(
    scratch_db: ConnInfo, role: str, tmp_path: Path
) -> None:
    created = schema(tmp_path, role, f"DO $$ BEGIN CREATE ROLE {role}; END $$;")
    apply.reset(scratch_db, drop_script(tmp_path, role, drops_role=True), created)

    result = verify_database(scratch_db, created)

    assert result.exit_code == 2
    assert f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}')" in (result.error or "")


def test_a_schema_that_drops_and_creates_its_role_verifies_clean(
    scratch_db: ConnInfo, role: str, tmp_path: Path
) -> None:
    created = schema(tmp_path, role, f"DROP ROLE IF EXISTS {role};\nCREATE ROLE {role};")
    apply.reset(scratch_db, script(tmp_path, "drop.sql", DROP_TABLES), created)
    apply.reset(scratch_db, script(tmp_path, "drop.sql", DROP_TABLES), created)

    result = verify_database(scratch_db, created, privileges=True)

    assert result.exit_code == 0, render_text(result)
    assert [note.split("`")[1] for note in result.notes] == [
        f"DROP ROLE IF EXISTS {role}",
        f"CREATE ROLE {role}",
    ]


@EITHER_WAY
def test_diff_of_a_schema_that_creates_a_role_works_and_leaves_no_role(
    pg_server: ConnInfo, scratch_db: ConnInfo, role: str, tmp_path: Path, role_exists: bool
) -> None:
    created, drop = scripts(scratch_db, tmp_path, role, PLAIN, drops_role=True, reset=role_exists)
    settings = load_settings(
        environ={},
        url=scratch_db.url(with_password=True),
        schema=str(created.path),
        drop_script=str(drop.path),
    )
    before = roles(pg_server)

    report = migration_commands.diff(
        settings, to_url=None, options=DiffOptions(privileges=True), note=lambda _: None
    )

    assert report.exit_code == (0 if role_exists else 1), report.text
    if not role_exists:
        assert "CREATE TABLE public.items" in report.text
    assert roles(pg_server) == before
