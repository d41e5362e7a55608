"""The pure parts of migrations: ordering, safety of type changes, rendering, files, segments."""

from __future__ import annotations

from pathlib import Path

import pytest

from norberts_db.catalog.model import ObjectKey
from norberts_db.migrations.commands import DiffOptions, refuse_destructive
from norberts_db.migrations.ddl_common import acl_entries
from norberts_db.migrations.ddl_identity import identity_options
from norberts_db.migrations.ddl_types import enum_additions
from norberts_db.migrations.files import MigrationFileError, checksum, discover, next_path, slug
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.order import order_steps
from norberts_db.migrations.parts import segments
from norberts_db.migrations.plan import render_plan
from norberts_db.migrations.quoting import ident, literal, with_suffix
from norberts_db.migrations.safety import narrowing, needs_using
from norberts_db.migrations.steps import Plan, Step
from norberts_db.sqlfile import split_statements

TABLE = ObjectKey("table", "public.t")
COLUMN = ObjectKey("column", "public.t.c")
ENUM = ObjectKey("enum", "public.e")
FUNCTION = ObjectKey("function", "public.f()")
VIEW = ObjectKey("view", "public.v")
FK = ObjectKey("constraint", "public.u.u_t_fk")
OTHER = ObjectKey("table", "public.u")


def step(key: ObjectKey, sql: str, phase: str = "create", **kw: object) -> Step:
    return Step(key=key, phase=phase, sql=sql, **kw)  # type: ignore[arg-type]


# -- ordering -----------------------------------------------------------------------------------


def test_creates_follow_what_they_need_whatever_order_they_were_planned_in() -> None:
    steps = [
        step(VIEW, "CREATE VIEW"),
        step(COLUMN, "ADD COLUMN"),
        step(TABLE, "CREATE TABLE"),
        step(ENUM, "CREATE TYPE"),
    ]
    needs = {VIEW: [COLUMN], COLUMN: [ENUM]}
    ordered = order_steps(steps, source_needs={}, target_needs=needs)
    assert [s.sql for s in ordered] == ["CREATE TYPE", "CREATE TABLE", "ADD COLUMN", "CREATE VIEW"]


def test_drops_come_before_what_they_need_and_before_creates() -> None:
    steps = [
        step(TABLE, "DROP TABLE", "drop"),
        step(VIEW, "DROP VIEW", "drop"),
        step(VIEW, "CREATE VIEW"),
    ]
    ordered = order_steps(steps, source_needs={VIEW: [TABLE]}, target_needs={})
    assert [s.sql for s in ordered] == ["DROP VIEW", "DROP TABLE", "CREATE VIEW"]


def test_enum_values_come_first_unused_types_last_and_concurrent_indexes_at_the_end() -> None:
    steps = [
        step(ObjectKey("index", "public.t.i"), "CREATE INDEX CONCURRENTLY", concurrently=True),
        step(ENUM, "DROP TYPE", "cleanup"),
        step(TABLE, "ALTER TABLE"),
        step(ObjectKey("enum", "public.x"), "ADD VALUE", adds_enum_value=True),
        step(COLUMN, "DROP COLUMN", "drop"),
    ]
    ordered = order_steps(steps, source_needs={}, target_needs={})
    assert [s.sql for s in ordered] == [
        "ADD VALUE",
        "DROP COLUMN",
        "ALTER TABLE",
        "DROP TYPE",
        "CREATE INDEX CONCURRENTLY",
    ]


def test_foreign_keys_come_after_every_table() -> None:
    steps = [
        step(FK, "ADD FOREIGN KEY"),
        step(OTHER, "CREATE TABLE u"),
        step(TABLE, "CREATE TABLE t"),
    ]
    ordered = order_steps(steps, source_needs={}, target_needs={}, foreign_keys=frozenset({FK}))
    assert [s.sql for s in ordered] == ["CREATE TABLE t", "CREATE TABLE u", "ADD FOREIGN KEY"]


def test_a_part_created_with_its_table_stands_for_the_table_step() -> None:
    # The view needs a column that CREATE TABLE makes: it follows CREATE TABLE.
    steps = [step(VIEW, "CREATE VIEW"), step(TABLE, "CREATE TABLE")]
    ordered = order_steps(steps, source_needs={}, target_needs={VIEW: [COLUMN]})
    assert [s.sql for s in ordered] == ["CREATE TABLE", "CREATE VIEW"]


def test_steps_of_one_object_keep_their_planned_order() -> None:
    steps = [step(COLUMN, "DROP DEFAULT"), step(COLUMN, "TYPE"), step(COLUMN, "SET DEFAULT")]
    ordered = order_steps(steps, source_needs={}, target_needs={})
    assert [s.sql for s in ordered] == ["DROP DEFAULT", "TYPE", "SET DEFAULT"]


def test_a_dependency_cycle_does_not_lose_steps() -> None:
    steps = [step(TABLE, "A"), step(FUNCTION, "B")]
    ordered = order_steps(
        steps, source_needs={}, target_needs={TABLE: [FUNCTION], FUNCTION: [TABLE]}
    )
    assert sorted(s.sql for s in ordered) == ["A", "B"]


# -- type changes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("integer", "bigint"),
        ("smallint", "numeric"),
        ("character varying(10)", "character varying(20)"),
        ("character varying(10)", "text"),
        ("numeric(10,2)", "numeric(12,2)"),
        ("numeric(10,2)", "numeric"),
        ("public.mood", "text"),
        ("integer[]", "bigint[]"),
        ("timestamp(3) with time zone", "timestamp with time zone"),
    ],
)
def test_widening_a_column_type_is_not_destructive(old: str, new: str) -> None:
    assert not narrowing(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("bigint", "integer"),
        ("character varying(20)", "character varying(10)"),
        ("text", "character varying(5)"),
        ("numeric(10,2)", "numeric(10,3)"),
        ("numeric", "numeric(10,2)"),
        ("text", "integer"),
        ("integer", "integer[]"),
        ("bigint", "double precision"),
    ],
)
def test_narrowing_or_converting_a_column_type_is_destructive(old: str, new: str) -> None:
    assert narrowing(old, new)


@pytest.mark.parametrize(
    ("old", "new", "using"),
    [
        ("integer", "bigint", False),
        ("character varying(5)", "text", False),
        ("public.mood", "text", False),
        ("json", "jsonb", False),
        ("text", "integer", True),
        ("text", "public.mood", True),
        ("integer", "boolean", True),
        ("integer", "integer[]", True),
    ],
)
def test_a_using_clause_is_added_when_postgresql_cannot_convert_by_itself(
    old: str, new: str, using: bool
) -> None:
    assert needs_using(old, new) is using


# -- enums --------------------------------------------------------------------------------------


def test_added_enum_labels_are_placed_next_to_their_neighbours() -> None:
    assert enum_additions(["a", "c"], ["new", "newer", "a", "b", "c", "z"]) == [
        ("new", "BEFORE", "a"),
        ("newer", "AFTER", "new"),
        ("b", "AFTER", "a"),
        ("z", "AFTER", "c"),
    ]


@pytest.mark.parametrize("new", [["a"], ["b", "a"], ["b", "a", "c"]])
def test_removed_or_reordered_enum_labels_cannot_be_added(new: list[str]) -> None:
    assert enum_additions(["a", "b"], new) is None


# -- rendering and refusing ---------------------------------------------------------------------


def test_destructive_statements_are_marked_and_refused_unless_allowed() -> None:
    plan = Plan(
        steps=(
            step(TABLE, "DROP TABLE public.t", "drop", destructive="drops table public.t"),
            step(OTHER, "CREATE TABLE public.u (id bigint)"),
        )
    )
    text = render_plan(plan, header="-- header")
    assert text == (
        "-- header\n\n-- DESTRUCTIVE: drops table public.t\nDROP TABLE public.t;\n\n"
        "CREATE TABLE public.u (id bigint);\n"
    )
    with pytest.raises(MigrationError, match=r"(?s)refuses 1 destructive.*--allow-destructive"):
        refuse_destructive(plan, DiffOptions(), "db.diff")
    refuse_destructive(plan, DiffOptions(allow_destructive=True), "db.diff")


def test_statements_that_leave_the_transaction_are_commented() -> None:
    plan = Plan(steps=(step(ENUM, "ALTER TYPE public.e ADD VALUE 'x'", adds_enum_value=True),))
    assert "Committed before the rest" in render_plan(plan)


def test_names_and_literals_are_quoted_only_where_needed() -> None:
    assert ident("users") == "users"
    assert ident("User") == '"User"'
    assert ident("order") == '"order"'
    assert ident('a"b') == '"a""b"'
    assert literal("it's") == "'it''s'"
    assert with_suffix('"My Type"', "_old") == '"My Type_old"'
    assert len(with_suffix("x" * 63, "_old")) == 63


def test_identity_options_are_left_out_when_they_are_the_defaults() -> None:
    default = (
        "AS integer START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1 NO CYCLE"
    )
    assert identity_options({"identity_options": default}) == ""
    custom = default.replace("START WITH 1", "START WITH 10")
    assert identity_options({"identity_options": custom}).startswith(" (START WITH 10 ")


def test_acl_items_are_read_as_grantee_privilege_and_grant_option() -> None:
    assert acl_entries('postgres=arw*/postgres, =r/postgres, "my role"=X/postgres') == {
        ("postgres", "INSERT", False),
        ("postgres", "SELECT", False),
        ("postgres", "UPDATE", True),
        ("", "SELECT", False),
        ('"my role"', "EXECUTE", False),
    }


# -- files and segments -------------------------------------------------------------------------


def test_migration_names_become_file_names_numbered_after_the_last(tmp_path: Path) -> None:
    assert slug("  Add user Avatars!! ") == "add_user_avatars"
    assert next_path(tmp_path, "first") == tmp_path / "0001_first.sql"
    (tmp_path / "0001_first.sql").write_text("SELECT 1;")
    (tmp_path / "0007_later.sql").write_text("SELECT 1;")
    assert next_path(tmp_path, "Next one") == tmp_path / "0008_next_one.sql"
    assert [m.version for m in discover(tmp_path)] == [1, 7]


def test_a_name_without_letters_or_digits_is_refused() -> None:
    with pytest.raises(MigrationFileError, match="not a usable migration name"):
        slug("!!!")


@pytest.mark.parametrize("name", ["1_short.sql", "0001-dash.sql", "0001_Upper.sql"])
def test_a_misnamed_migration_file_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(MigrationFileError, match=r"NNNN_name\.sql"):
        discover(tmp_path)


def test_a_version_used_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_b.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationFileError, match=r"also used by 0001_a\.sql"):
        discover(tmp_path)


def test_the_checksum_ignores_line_endings_only() -> None:
    assert checksum(b"SELECT 1;\r\n") == checksum(b"SELECT 1;\n")
    assert checksum(b"SELECT 1;\n") != checksum(b"SELECT 2;\n")
    assert len(checksum(b"")) == 64


def test_a_file_is_split_where_a_transaction_must_end() -> None:
    text = (
        "ALTER TYPE e ADD VALUE 'x';\nALTER TYPE e ADD VALUE 'y';\n"
        "CREATE TABLE t (v e DEFAULT 'x');\n"
        "CREATE INDEX CONCURRENTLY i ON t (v);\n"
        "COMMENT ON TABLE t IS 'done';\n"
    )
    parts = segments(tuple(split_statements(text)))
    assert [(len(p.statements), p.transactional) for p in parts] == [
        (2, True),
        (1, True),
        (1, False),
        (1, True),
    ]
