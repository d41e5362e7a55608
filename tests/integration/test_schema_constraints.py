"""CHECK and NOT NULL constraints: each rejects what it exists for and accepts good rows.

Every case changes one valid row (see ``schema_helpers.valid_values``) so that it
breaks exactly one constraint, and asserts that the server named that one. The
meta-tests compare the tables of cases with the catalog: a CHECK constraint or a
NOT NULL column added to the schema without a case here fails the suite.

The exhaustive matrix of which columns each part type needs or forbids is in
``test_schema_parts.py``; here each parts constraint has its representative cases.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

import pytest
from psycopg.errors import CheckViolation, NotNullViolation
from psycopg.types.json import Jsonb

from norberts_db.conninfo import ConnInfo
from tests.integration.schema_helpers import (
    AUDIT_IMAGES,
    MINIMAL_PARTS,
    Connection,
    check_constraints,
    connect,
    fetch,
    insert,
    not_null_columns,
    pk_of,
    valid_values,
    violates,
)


@dataclass(frozen=True)
class Case:
    """A row of ``table``: a valid row with ``values`` applied, that ``constraint`` judges."""

    constraint: str
    label: str
    table: str
    values: Mapping[str, object]

    @property
    def id(self) -> str:
        return f"{self.constraint}:{self.label}"


def part(part_type: str, **values: object) -> dict[str, object]:
    """Values turning the valid text part into a part of ``part_type``."""
    return {"text_content": None, "part_type": part_type, **MINIMAL_PARTS[part_type], **values}


def users(constraint: str, label: str, **values: object) -> Case:
    return Case(constraint, label, "users", values)


def customers(constraint: str, label: str, **values: object) -> Case:
    return Case(constraint, label, "customers", values)


def people(constraint: str, label: str, **values: object) -> Case:
    return Case(constraint, label, "people", values)


def chats(constraint: str, label: str, **values: object) -> Case:
    return Case(constraint, label, "chats", values)


def ai_options(constraint: str, label: str, **values: object) -> Case:
    return Case(f"ai_options_{constraint}_ck", label, "ai_options", values)


def parts(constraint: str, label: str, values: Mapping[str, object]) -> Case:
    return Case(f"parts_{constraint}_ck", label, "parts", values)


def audit(constraint: str, label: str, **values: object) -> Case:
    return Case(f"audit_log_{constraint}_ck", label, "audit_log", values)


TOOL_CALL = part("tool_call")
TOOL_RESULT = part("tool_result")
FILE = part("file")
STOPS_16 = [f"STOP{i}" for i in range(16)]

ACCEPTED = [
    users("users_email_format_ck", "plain", email="ann@example.com"),
    users("users_email_format_ck", "plus-and-subdomain", email="ann.lee+crm@mail.example.co.uk"),
    users("users_display_name_not_blank_ck", "name", display_name="Ann"),
    customers("customers_display_name_not_blank_ck", "name", display_name="Acme GmbH"),
    customers("customers_website_format_ck", "https", website="https://acme.example"),
    customers(
        "customers_website_format_ck", "upper-case-scheme-and-path", website="HTTP://a.io/x?q=1"
    ),
    customers("customers_website_format_ck", "null", website=None),
    customers("customers_phone_format_ck", "international", phone="+49 30 1234567"),
    customers("customers_phone_format_ck", "separators", phone="030/123 45-67"),
    customers("customers_phone_format_ck", "shortest", phone="112"),
    people("people_first_name_not_blank_ck", "name", first_name="Pat"),
    people("people_last_name_not_blank_ck", "name", last_name="Lee"),
    people("people_last_name_not_blank_ck", "null", last_name=None),
    people("people_email_format_ck", "address", email="pat@example.org"),
    people("people_email_format_ck", "null", email=None),
    people("people_phone_format_ck", "parentheses", phone="+1 (555) 010.9999"),
    people("people_job_title_not_blank_ck", "title", job_title="CTO"),
    chats("chats_title_ck", "title", title="Renewal Q3"),
    chats("chats_title_ck", "200-characters", title="x" * 200),
    chats("chats_title_ck", "null", title=None),
    ai_options("provider_name_not_blank", "name", provider_name="anthropic"),
    ai_options("model_name_not_blank", "name", model_name="claude-sonnet"),
    ai_options("temperature_range", "0", temperature=Decimal("0")),
    ai_options("temperature_range", "2", temperature=Decimal("2")),
    ai_options("top_p_range", "0", top_p=Decimal("0")),
    ai_options("top_p_range", "1", top_p=Decimal("1")),
    ai_options("top_k_range", "1", top_k=1),
    ai_options("max_tokens_range", "1", max_tokens=1),
    ai_options("max_tokens_range", "1000000", max_tokens=1_000_000),
    ai_options("presence_penalty_range", "-2", presence_penalty=Decimal("-2")),
    ai_options("presence_penalty_range", "2", presence_penalty=Decimal("2")),
    ai_options("frequency_penalty_range", "-2", frequency_penalty=Decimal("-2")),
    ai_options("frequency_penalty_range", "2", frequency_penalty=Decimal("2")),
    ai_options("stop_sequences", "one", stop_sequences=["\n\n"]),
    ai_options("stop_sequences", "16", stop_sequences=STOPS_16),
    ai_options("stop_sequences", "null", stop_sequences=None),
    ai_options("provider_options_object", "object", provider_options=Jsonb({"seed_mode": "x"})),
    ai_options("provider_options_object", "empty-object", provider_options=Jsonb({})),
    parts("ordinal_nonnegative", "0", {"ordinal": 0}),
    parts("ordinal_nonnegative", "positive", {"ordinal": 41}),
    parts("text_fields", "text", {}),
    parts("reasoning_fields", "text", part("reasoning")),
    parts("tool_call_fields", "call", TOOL_CALL),
    parts("tool_result_fields", "result", TOOL_RESULT),
    parts("file_fields", "file", FILE),
    parts("image_fields", "image", part("image")),
    parts("is_error_tool_result", "failed-tool-result", {**TOOL_RESULT, "is_error": True}),
    parts("tool_call_id_not_blank", "id", {**TOOL_CALL, "tool_call_id": "toolu_01"}),
    parts("tool_name", "128-characters", {**TOOL_CALL, "tool_name": "t" * 128}),
    parts("url_format", "https", {**FILE, "url": "https://files.example.com/a.pdf"}),
    parts("url_format", "data", {**FILE, "url": "data:application/pdf;base64,JVBE"}),
    parts("media_type_format", "vendor-type", {**FILE, "media_type": "application/vnd.ms-excel"}),
    parts("filename_not_blank", "name", {**FILE, "filename": "offer.pdf"}),
    audit("table_name_not_blank", "name", table_name="customers"),
    audit("row_pk_object", "object", row_pk=Jsonb({"customer_id": 1, "person_id": 2})),
    *(
        audit("row_images", action, audit_action=action, **AUDIT_IMAGES[action])
        for action in AUDIT_IMAGES
    ),
]

REJECTED = [
    users("users_email_format_ck", "no-at-sign", email="ann.example.com"),
    users("users_email_format_ck", "no-dot-in-domain", email="ann@localhost"),
    users("users_email_format_ck", "space", email="ann lee@example.com"),
    users("users_email_format_ck", "two-at-signs", email="ann@lee@example.com"),
    users("users_email_format_ck", "empty", email=""),
    users("users_display_name_not_blank_ck", "empty", display_name=""),
    users("users_display_name_not_blank_ck", "spaces", display_name="   "),
    customers("customers_display_name_not_blank_ck", "spaces", display_name="  "),
    customers("customers_website_format_ck", "no-scheme", website="acme.example"),
    customers("customers_website_format_ck", "ftp", website="ftp://acme.example"),
    customers("customers_website_format_ck", "no-host", website="https:///path"),
    customers("customers_website_format_ck", "space", website="https://acme.example/a b"),
    customers("customers_phone_format_ck", "words", phone="call me"),
    customers("customers_phone_format_ck", "too-short", phone="11"),
    customers("customers_phone_format_ck", "too-long", phone="1" * 32),
    customers("customers_phone_format_ck", "extension", phone="+49 30 1234 ext 5"),
    people("people_first_name_not_blank_ck", "empty", first_name=""),
    people("people_last_name_not_blank_ck", "spaces", last_name="  "),
    people("people_email_format_ck", "no-at-sign", email="pat.example.org"),
    people("people_phone_format_ck", "not-a-number", phone="n/a"),
    people("people_job_title_not_blank_ck", "empty", job_title=""),
    chats("chats_title_ck", "empty", title=""),
    chats("chats_title_ck", "spaces", title="   "),
    chats("chats_title_ck", "201-characters", title="x" * 201),
    ai_options("provider_name_not_blank", "empty", provider_name=""),
    ai_options("model_name_not_blank", "spaces", model_name="  "),
    ai_options("temperature_range", "negative", temperature=Decimal("-0.01")),
    ai_options("temperature_range", "above-2", temperature=Decimal("2.01")),
    ai_options("top_p_range", "negative", top_p=Decimal("-0.001")),
    ai_options("top_p_range", "above-1", top_p=Decimal("1.001")),
    ai_options("top_k_range", "0", top_k=0),
    ai_options("max_tokens_range", "0", max_tokens=0),
    ai_options("max_tokens_range", "above-1000000", max_tokens=1_000_001),
    ai_options("presence_penalty_range", "below-2", presence_penalty=Decimal("-2.01")),
    ai_options("presence_penalty_range", "above-2", presence_penalty=Decimal("2.01")),
    ai_options("frequency_penalty_range", "below-2", frequency_penalty=Decimal("-2.01")),
    ai_options("frequency_penalty_range", "above-2", frequency_penalty=Decimal("2.01")),
    ai_options("stop_sequences", "empty-array", stop_sequences=[]),
    ai_options("stop_sequences", "17", stop_sequences=[*STOPS_16, "STOP16"]),
    ai_options("stop_sequences", "null-element", stop_sequences=["END", None]),
    ai_options("stop_sequences", "empty-element", stop_sequences=["END", ""]),
    ai_options("provider_options_object", "array", provider_options=Jsonb([1, 2])),
    ai_options("provider_options_object", "json-null", provider_options=Jsonb(None)),
    parts("ordinal_nonnegative", "negative", {"ordinal": -1}),
    parts("text_fields", "no-text", {"text_content": None}),
    parts("text_fields", "tool-name", {"tool_name": "find_customer"}),
    parts("reasoning_fields", "no-text", {"part_type": "reasoning", "text_content": None}),
    parts("reasoning_fields", "url", {**part("reasoning"), "url": "https://a.example/x"}),
    parts("tool_call_fields", "no-input", {**TOOL_CALL, "tool_input": None}),
    parts("tool_call_fields", "input-not-object", {**TOOL_CALL, "tool_input": Jsonb(["a"])}),
    parts("tool_result_fields", "no-output", {**TOOL_RESULT, "tool_output": None}),
    parts("tool_result_fields", "text", {**TOOL_RESULT, "text_content": "42"}),
    parts("file_fields", "no-media-type", {**FILE, "media_type": None}),
    parts("image_fields", "not-an-image", {**part("image"), "media_type": "application/pdf"}),
    parts("is_error_tool_result", "on-text", {"is_error": True}),
    parts("tool_call_id_not_blank", "spaces", {**TOOL_CALL, "tool_call_id": "  "}),
    parts("tool_name", "empty", {**TOOL_CALL, "tool_name": ""}),
    parts("tool_name", "129-characters", {**TOOL_CALL, "tool_name": "t" * 129}),
    parts("url_format", "ftp", {**FILE, "url": "ftp://files.example.com/a.pdf"}),
    parts("url_format", "space", {**FILE, "url": "https://files.example.com/a b.pdf"}),
    parts("media_type_format", "upper-case", {**FILE, "media_type": "Application/PDF"}),
    parts("media_type_format", "parameters", {**FILE, "media_type": "text/plain; charset=utf-8"}),
    parts("media_type_format", "no-subtype", {**FILE, "media_type": "pdf"}),
    parts("filename_not_blank", "spaces", {**FILE, "filename": " "}),
    audit("table_name_not_blank", "empty", table_name=""),
    audit("row_pk_object", "array", row_pk=Jsonb([1])),
    audit("row_pk_object", "number", row_pk=Jsonb(1)),
    audit("row_images", "insert-with-old", old_row=Jsonb({"id": 1})),
    audit("row_images", "insert-without-new", new_row=None),
    audit("row_images", "update-without-old", audit_action="update"),
    audit("row_images", "delete-with-new", audit_action="delete", old_row=Jsonb({"id": 1})),
]

NOT_NULL = {
    "users": ["email", "display_name", "user_role", "is_active", "created_at", "updated_at"],
    "customers": ["display_name", "status", "created_at", "updated_at"],
    "people": ["first_name", "created_at", "updated_at"],
    "customer_people": [
        "customer_id",
        "person_id",
        "contact_role",
        "is_primary",
        "created_at",
        "updated_at",
    ],
    "chats": ["user_id", "created_at", "updated_at"],
    "messages": ["chat_id", "message_role", "created_at", "updated_at"],
    "ai_options": ["message_id", "provider_name", "model_name", "created_at", "updated_at"],
    "parts": ["message_id", "ordinal", "part_type", "is_error", "created_at", "updated_at"],
    "audit_log": ["table_name", "audit_action", "row_pk", "occurred_at"],
}
NOT_NULL_CASES = [(table, column) for table, names in NOT_NULL.items() for column in names]


@pytest.fixture(scope="module")
def db(module_schema_db: ConnInfo) -> Iterator[Connection]:
    """One connection for the module: every case adds rows of its own and reads them back."""
    with connect(module_schema_db) as conn:
        yield conn


def cases(table: list[Case]) -> list[object]:
    return [pytest.param(case, id=case.id) for case in table]


@pytest.mark.parametrize("case", cases(ACCEPTED))
def test_check_constraint_accepts_good_row(db: Connection, case: Case) -> None:
    row = insert(db, case.table, valid_values(db, case.table, **case.values))
    stored = fetch(db, case.table, pk_of(case.table, row))
    assert stored is not None
    for column, value in case.values.items():
        if not isinstance(value, Jsonb):
            assert stored[column] == value, column


@pytest.mark.parametrize("case", cases(REJECTED))
def test_check_constraint_rejects_bad_row(db: Connection, case: Case) -> None:
    values = valid_values(db, case.table, **case.values)
    with violates(CheckViolation, case.constraint) as info:
        insert(db, case.table, values)
    assert info.value.diag.table_name == case.table


def test_every_check_constraint_has_accepted_and_rejected_cases(db: Connection) -> None:
    catalog = check_constraints(db)
    assert {c.constraint: c.table for c in REJECTED} == catalog
    assert {c.constraint: c.table for c in ACCEPTED} == catalog


def test_case_ids_are_unique() -> None:
    for table in (ACCEPTED, REJECTED):
        ids = [case.id for case in table]
        assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("table", "column"), NOT_NULL_CASES, ids=[".".join(c) for c in NOT_NULL_CASES]
)
def test_not_null_column_rejects_null(db: Connection, table: str, column: str) -> None:
    values = valid_values(db, table, **{column: None})
    with violates(NotNullViolation) as info:
        insert(db, table, values)
    assert (info.value.diag.table_name, info.value.diag.column_name) == (table, column)


def test_every_not_null_column_has_a_case(db: Connection) -> None:
    assert set(NOT_NULL_CASES) == not_null_columns(db)


def test_not_null_constraints_are_catalogued_as_constraints_from_pg18_only(
    db: Connection, server_version_num: int
) -> None:
    """PostgreSQL 18 stores NOT NULL as pg_constraint rows (contype 'n') named
    <table>_<column>_not_null; 15 to 17 keep it only in pg_attribute. Either way a
    not-null violation names no constraint, which is why the cases above pin the
    column, and why the CHECK enumeration reads contype 'c' only."""
    rows = db.execute(
        "SELECT c.relname AS table_name, co.conname AS name FROM pg_catalog.pg_constraint AS co"
        " JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid"
        " WHERE co.connamespace = 'public'::regnamespace AND co.contype = 'n'"
    ).fetchall()
    catalogued = {row["name"] for row in rows}
    if server_version_num >= 180000:
        # The identity columns are NOT NULL too, so they have one as well.
        expected = {f"{t}_{c}_not_null" for t, c in NOT_NULL_CASES}
        expected |= {f"{t}_id_not_null" for t in NOT_NULL if t != "customer_people"}
        assert catalogued == expected
    else:
        assert catalogued == set()
    with violates(NotNullViolation) as info:
        insert(db, "people", {"first_name": None})
    assert info.value.diag.constraint_name is None


# "Not blank" means some character other than whitespace or a no-break space:
# a value made only of tabs, line breaks or no-break spaces is blank too.
WHITESPACE_ONLY = [
    users("users_display_name_not_blank_ck", "tab", display_name="\t"),
    customers("customers_display_name_not_blank_ck", "line-break", display_name="\n"),
    people("people_first_name_not_blank_ck", "no-break-space", first_name="\u00a0"),
    people("people_last_name_not_blank_ck", "tab", last_name="\t"),
    people("people_job_title_not_blank_ck", "tab", job_title="\t"),
    chats("chats_title_ck", "tab", title="\t"),
    ai_options("provider_name_not_blank", "tab", provider_name="\t"),
    ai_options("model_name_not_blank", "tab", model_name="\t"),
    parts("tool_call_id_not_blank", "tab", {**TOOL_CALL, "tool_call_id": "\t"}),
    parts("tool_name", "tab", {**TOOL_CALL, "tool_name": "\t"}),
    parts("filename_not_blank", "tab", {**FILE, "filename": "\t"}),
    audit("table_name_not_blank", "tab", table_name="\t"),
]


@pytest.mark.parametrize("case", cases(WHITESPACE_ONLY))
def test_not_blank_check_rejects_other_whitespace(db: Connection, case: Case) -> None:
    values = valid_values(db, case.table, **case.values)
    with violates(CheckViolation, case.constraint):
        insert(db, case.table, values)


def test_stop_sequences_check_rejects_a_two_dimensional_array(db: Connection) -> None:
    values = valid_values(db, "ai_options", stop_sequences=[["a", "b"], ["c", "d"]])
    with violates(CheckViolation, "ai_options_stop_sequences_ck"):
        insert(db, "ai_options", values)
