"""The comparison of snapshots and the rendering of results, without a server."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from norberts_db.catalog.compare import compare, objects_compared
from norberts_db.catalog.locate import locate
from norberts_db.catalog.model import (
    PRIVILEGE_ATTRIBUTES,
    Change,
    Difference,
    ObjectKey,
    Snapshot,
    Status,
    split_name,
)
from norberts_db.catalog.report import (
    annotation,
    escape_data,
    render,
    render_github,
    render_json,
    render_text,
)
from norberts_db.catalog.results import DropCheckResult, VerifyResult
from norberts_db.sqlfile import SqlScript, split_statements

# -- strategies ---------------------------------------------------------------------------------

# Small alphabets, so two independent snapshots share objects and attributes often.
kinds = st.sampled_from(["table", "column", "index", "enum", "function", "trigger"])
names = st.text(alphabet="ab.", min_size=1, max_size=4)
attribute_names = st.sampled_from(["definition", "comment", "labels", "owner", "acl", "body"])
values = st.text(alphabet="xy \n%", max_size=3)
keys = st.builds(ObjectKey, kinds, names)
attributes = st.dictionaries(attribute_names, values, max_size=4)
snapshots = st.dictionaries(keys, attributes, max_size=12).map(Snapshot)


@st.composite
def related_snapshots(draw: st.DrawFn) -> tuple[Snapshot, Snapshot]:
    """Two snapshots that share most objects: some dropped, some added, some attributes edited."""
    base = draw(st.dictionaries(keys, attributes, max_size=12))
    other = {
        key: (draw(attributes) if draw(st.booleans()) else attrs)
        for key, attrs in base.items()
        if draw(st.integers(0, 4))  # drop about one object in five
    }
    other.update(draw(st.dictionaries(keys, attributes, max_size=3)))
    return Snapshot(base), Snapshot(other)


def mirrored(difference: Difference) -> Difference:
    """What the same difference looks like when the two sides are swapped."""
    status: dict[Status, Status] = {
        "missing": "unexpected",
        "unexpected": "missing",
        "changed": "changed",
    }
    changes = tuple(Change(c.attribute, c.found, c.expected) for c in difference.changes)
    return Difference(difference.kind, difference.name, status[difference.status], changes)


# -- properties of compare ----------------------------------------------------------------------


@given(snapshots)
def test_a_snapshot_compared_with_itself_has_no_difference(snapshot: Snapshot) -> None:
    assert compare(snapshot, snapshot) == []


@given(related_snapshots())
def test_comparison_is_symmetric_missing_becomes_unexpected_and_changes_swap(
    pair: tuple[Snapshot, Snapshot],
) -> None:
    expected, actual = pair
    forward = compare(expected, actual)
    backward = compare(actual, expected)
    assert sorted(map(mirrored, forward), key=Difference.sort_key) == backward


@given(related_snapshots())
def test_missing_unexpected_and_changed_are_exactly_the_set_differences(
    pair: tuple[Snapshot, Snapshot],
) -> None:
    expected, actual = pair
    result = compare(expected, actual)
    by_status = {
        status: {d.key for d in result if d.status == status}
        for status in ("missing", "unexpected", "changed")
    }
    both = expected.objects.keys() & actual.objects.keys()
    assert by_status["missing"] == expected.objects.keys() - actual.objects.keys()
    assert by_status["unexpected"] == actual.objects.keys() - expected.objects.keys()
    assert by_status["changed"] == {k for k in both if expected.objects[k] != actual.objects[k]}


@given(related_snapshots())
def test_changes_name_every_differing_attribute_with_both_values(
    pair: tuple[Snapshot, Snapshot],
) -> None:
    expected, actual = pair
    for difference in compare(expected, actual):
        if difference.status != "changed":
            assert difference.changes == ()
            continue
        wanted, found = expected.objects[difference.key], actual.objects[difference.key]
        assert [c.attribute for c in difference.changes] == sorted(
            a for a in wanted.keys() | found.keys() if wanted.get(a) != found.get(a)
        )
        for change in difference.changes:
            assert (change.expected, change.found) == (
                wanted.get(change.attribute),
                found.get(change.attribute),
            )


@given(related_snapshots())
def test_differences_come_in_sort_key_order_and_each_object_once(
    pair: tuple[Snapshot, Snapshot],
) -> None:
    result = compare(*pair)
    assert result == sorted(result, key=Difference.sort_key)
    assert len({d.key for d in result}) == len(result)


@given(related_snapshots())
def test_without_privileges_no_owner_or_acl_change_is_reported(
    pair: tuple[Snapshot, Snapshot],
) -> None:
    expected, actual = pair
    result = compare(expected.without_privileges(), actual.without_privileges())
    assert not {c.attribute for d in result for c in d.changes} & PRIVILEGE_ATTRIBUTES


# -- examples of compare ------------------------------------------------------------------------

COLUMN = ObjectKey("column", "public.customers.email")


def test_changed_column_reports_its_definition_as_expected_and_found() -> None:
    expected = Snapshot({COLUMN: {"definition": "character varying(255) NOT NULL"}})
    actual = Snapshot({COLUMN: {"definition": "text NULL"}})
    assert compare(expected, actual) == [
        Difference(
            "column",
            "public.customers.email",
            "changed",
            (Change("definition", "character varying(255) NOT NULL", "text NULL"),),
        )
    ]


def test_an_attribute_set_on_one_side_only_is_reported_against_none() -> None:
    expected = Snapshot({COLUMN: {"definition": "text NULL", "comment": "Login e-mail"}})
    actual = Snapshot({COLUMN: {"definition": "text NULL"}})
    [difference] = compare(expected, actual)
    assert difference.changes == (Change("comment", "Login e-mail", None),)


def test_renamed_constraint_is_the_old_name_missing_and_the_new_name_unexpected() -> None:
    attrs = {"type": "check", "definition": "CHECK ((btrim(name) <> ''::text))"}
    old = ObjectKey("constraint", "public.customers.customers_name_ck")
    new = ObjectKey("constraint", "public.customers.customers_name_not_blank_ck")
    assert compare(Snapshot({old: attrs}), Snapshot({new: attrs})) == [
        Difference("constraint", old.name, "missing"),
        Difference("constraint", new.name, "unexpected"),
    ]


def test_a_missing_table_is_followed_by_its_parts_kind_by_kind() -> None:
    expected = Snapshot(
        {
            ObjectKey("index", "public.chats.chats_user_idx"): {},
            ObjectKey("column", "public.chats.title"): {},
            ObjectKey("table", "public.chats_archive"): {},
            ObjectKey("constraint", "public.chats.chats_pk"): {},
            ObjectKey("table", "public.chats"): {},
            ObjectKey("column", "public.chats.id"): {},
        }
    )
    assert [str(d.key) for d in compare(expected, Snapshot())] == [
        "table public.chats",
        "column public.chats.id",
        "column public.chats.title",
        "constraint public.chats.chats_pk",
        "index public.chats.chats_user_idx",
        "table public.chats_archive",
    ]


def test_objects_compared_counts_the_union_of_both_sides() -> None:
    a = Snapshot({ObjectKey("table", "public.a"): {}, ObjectKey("table", "public.b"): {}})
    b = Snapshot({ObjectKey("table", "public.b"): {}, ObjectKey("table", "public.c"): {}})
    assert objects_compared(a, b) == 3


def test_split_name_keeps_quoted_dots_and_drops_routine_arguments() -> None:
    assert split_name('public."a.b".c') == ["public", '"a.b"', "c"]
    assert split_name("public.f(integer, text)") == ["public", "f"]


# -- locating objects in the schema file --------------------------------------------------------

SCHEMA_TEXT = """\
-- a comment
CREATE TYPE public.mood AS ENUM ('ok');

CREATE TABLE public.customers (
    id bigint,
    email text NOT NULL,
    CONSTRAINT customers_email_ck CHECK (email <> '')
);

CREATE UNIQUE INDEX customers_email_uq ON public.customers (email);

CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NEW; END $$;
"""
SCRIPT = SqlScript(Path("schema.sql"), tuple(split_statements(SCHEMA_TEXT)))


def test_locate_finds_the_create_statement_of_each_kind() -> None:
    assert locate(SCRIPT, ObjectKey("enum", "public.mood")) == 2
    assert locate(SCRIPT, ObjectKey("table", "public.customers")) == 4
    assert locate(SCRIPT, ObjectKey("index", "public.customers.customers_email_uq")) == 10
    assert locate(SCRIPT, ObjectKey("function", "public.touch()")) == 12


def test_locate_finds_columns_and_constraints_inside_their_table() -> None:
    assert locate(SCRIPT, ObjectKey("column", "public.customers.email")) == 6
    assert locate(SCRIPT, ObjectKey("constraint", "public.customers.customers_email_ck")) == 7


def test_locate_points_an_unknown_child_at_its_table_and_an_unknown_object_nowhere() -> None:
    assert locate(SCRIPT, ObjectKey("column", "public.customers.fax")) == 4
    assert locate(SCRIPT, ObjectKey("view", "public.nothing")) is None


# -- rendering ----------------------------------------------------------------------------------

DB = "postgresql://app@db.example:5432/norberts_spark"


def drift_result() -> VerifyResult:
    return VerifyResult(
        schema_file="schema.sql",
        database=DB,
        differences=(
            Difference("index", "public.customers.customers_email_uq", "missing"),
            Difference("column", "public.customers.fax", "unexpected"),
            Difference(
                "column",
                "public.customers.email",
                "changed",
                (Change("definition", "text NOT NULL", "text NULL"),),
            ),
        ),
        objects_compared=40,
        script=SCRIPT,
    )


def test_text_report_of_a_match_is_one_line() -> None:
    result = VerifyResult(schema_file="schema.sql", database=DB, objects_compared=40)
    assert result.exit_code == 0
    assert render_text(result) == f"matches: {DB} matches schema.sql (40 objects compared)"


def test_text_report_of_drift_groups_by_status_and_ends_with_counts() -> None:
    assert render_text(drift_result()).splitlines() == [
        f"drift: {DB} does not match schema.sql",
        "",
        "Missing in the database (1):",
        "  index public.customers.customers_email_uq",
        "",
        "Unexpected in the database (1):",
        "  column public.customers.fax",
        "",
        "Changed (1):",
        "  column public.customers.email",
        "    definition: expected text NOT NULL, found text NULL",
        "",
        "3 differences: 1 missing, 1 unexpected, 1 changed (40 objects compared)",
    ]


def test_text_report_shows_a_line_diff_for_multi_line_values() -> None:
    change = Change("body", "BEGIN\n  RETURN NEW;\nEND", "BEGIN\n  RETURN OLD;\nEND")
    result = VerifyResult(
        "schema.sql", DB, (Difference("function", "public.touch()", "changed", (change,)),)
    )
    text = render_text(result)
    assert "    body: differs (- expected, + found):" in text
    assert "      -  RETURN NEW;" in text
    assert "      +  RETURN OLD;" in text


def test_json_report_has_stable_sorted_keys_and_the_documented_shape() -> None:
    text = render_json(drift_result())
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)
    assert document["version"] == 1
    assert document["status"] == "drift"
    assert document["summary"] == {"missing": 1, "unexpected": 1, "changed": 1}
    assert document["differences"][2] == {
        "kind": "column",
        "object": "public.customers.email",
        "status": "changed",
        "changes": [{"attribute": "definition", "expected": "text NOT NULL", "found": "text NULL"}],
    }
    assert set(document) == {
        "version",
        "status",
        "schema_file",
        "database",
        "objects_compared",
        "error",
        "notes",
        "not_compared",
        "summary",
        "differences",
    }


def test_github_annotation_escapes_percent_and_line_breaks_in_the_message() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert (
        annotation("error", "Schema: drift", "a\nb%", file="dir,x/s.sql", line=3)
        == "::error file=dir%2Cx/s.sql,line=3,title=Schema%3A drift::a%0Ab%25"
    )


def test_github_report_has_one_error_per_difference_with_file_and_line() -> None:
    lines = render_github(drift_result()).splitlines()
    assert lines == [
        "::error file=schema.sql,line=10,title=Schema drift::"
        "index public.customers.customers_email_uq is missing in the database",
        "::error file=schema.sql,line=4,title=Schema drift::"
        "column public.customers.fax is in the database but not in the schema file",
        "::error file=schema.sql,line=6,title=Schema drift::"
        "column public.customers.email differs from the schema file:"
        "%0Adefinition: expected text NOT NULL, found text NULL",
    ]


def test_an_error_result_exits_2_and_points_github_at_the_failing_line() -> None:
    message = 'schema.sql:7:5: ERROR: syntax error at or near "TABEL"\nNothing was changed.'
    result = VerifyResult("schema.sql", DB, error=message)
    assert (result.status, result.exit_code) == ("error", 2)
    assert render_text(result).endswith(message)
    assert json.loads(render_json(result))["error"] == message
    assert render_github(result).startswith("::error file=schema.sql,line=7,title=Schema verify")


def test_drift_exits_1() -> None:
    assert drift_result().exit_code == 1


def test_drop_check_reports_leftovers_failures_and_exit_codes() -> None:
    clean = DropCheckResult("schema.sql", "drop.sql", DB, objects_created=12)
    assert clean.exit_code == 0
    assert render_text(clean) == (
        "clean: drop.sql runs on an empty database and removes everything schema.sql "
        "creates (12 objects)"
    )
    dirty = DropCheckResult(
        "schema.sql",
        "drop.sql",
        DB,
        empty_run_error='drop.sql:3:1: ERROR: table "users" does not exist',
        leftovers=(Difference("table", "public.people", "unexpected"),),
        objects_created=12,
    )
    assert dirty.exit_code == 1
    text = render_text(dirty)
    assert "The drop script fails on an empty database:" in text
    assert "Left behind by the drop script (1):\n  table public.people" in text
    document = json.loads(render(dirty, "json"))
    assert document["status"] == "dirty"
    assert document["empty_database"] == {"ok": False, "error": dirty.empty_run_error}
    assert document["differences"] == [
        {"kind": "table", "object": "public.people", "status": "left_behind", "changes": []}
    ]
    assert render(dirty, "github").splitlines()[0].startswith("::error file=drop.sql,line=3,")
    assert DropCheckResult("schema.sql", "drop.sql", DB, error="boom").exit_code == 2


def test_what_was_not_compared_is_said_apart_and_never_claimed_as_a_match() -> None:
    result = VerifyResult(
        schema_file="sql/s.sql",
        database="app",
        objects_compared=3,
        not_compared=("database: 1 large object(s): not read",),
    )

    text = render_text(result)
    assert not text.startswith("matches: ")
    assert "Not compared (1):\n  database: 1 large object(s): not read" in text
    document = json.loads(render_json(result))
    assert document["not_compared"] == ["database: 1 large object(s): not read"]
