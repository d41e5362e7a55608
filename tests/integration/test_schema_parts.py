"""Message parts: each part_type requires exactly the columns the schema says.

From the comment above ``CREATE TABLE public.parts``:

    text, reasoning  text_content
    tool_call        tool_call_id, tool_name, tool_input (a JSON object)
    tool_result      tool_call_id, tool_output, optionally tool_name and is_error
    file             url, media_type, optionally filename
    image            url, media_type image/..., optionally filename

Columns that do not belong to the type must be NULL (is_error must be false);
provider_metadata is allowed on every type. A missing or forbidden column is
reported by the type's ``parts_<type>_fields_ck``, except is_error, which has its
own ``parts_is_error_tool_result_ck``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from psycopg.errors import CheckViolation
from psycopg.types.json import Jsonb

from norberts_db.conninfo import ConnInfo
from tests.integration.schema_helpers import (
    MINIMAL_PARTS,
    Connection,
    columns,
    connect,
    enums,
    new_part,
    violates,
)


@dataclass(frozen=True)
class PartSpec:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


SPECS = {
    "text": PartSpec(required=("text_content",)),
    "reasoning": PartSpec(required=("text_content",)),
    "tool_call": PartSpec(required=("tool_call_id", "tool_name", "tool_input")),
    "tool_result": PartSpec(
        required=("tool_call_id", "tool_output"), optional=("tool_name", "is_error")
    ),
    "file": PartSpec(required=("url", "media_type"), optional=("filename",)),
    "image": PartSpec(required=("url", "media_type"), optional=("filename",)),
}

# A value for each content column that passes that column's own format checks
# (and fits every type that allows the column), so only the type check can object.
VALUES: dict[str, object] = {
    "text_content": "Here is the offer.",
    "tool_call_id": "call_7",
    "tool_name": "create_offer",
    "tool_input": Jsonb({"customer_id": 7}),
    "tool_output": Jsonb({"offer_id": 3}),
    "is_error": True,
    "url": "https://files.example.com/offer.png",
    "media_type": "image/png",
    "filename": "offer.png",
}

# Columns every part has whatever its type.
STRUCTURAL = {
    "id",
    "message_id",
    "ordinal",
    "part_type",
    "provider_metadata",
    "created_at",
    "updated_at",
}

REQUIRED = [(t, c) for t, spec in SPECS.items() for c in spec.required]
OPTIONAL = [(t, c) for t, spec in SPECS.items() for c in spec.optional]
FORBIDDEN = [
    (t, c) for t, spec in SPECS.items() for c in VALUES if c not in spec.required + spec.optional
]


def ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{part_type}-{column}" for part_type, column in pairs]


@pytest.fixture(scope="module")
def db(module_schema_db: ConnInfo) -> Iterator[Connection]:
    """One connection for the module: every case adds rows of its own and reads them back."""
    with connect(module_schema_db) as conn:
        yield conn


def test_every_part_type_has_a_spec(db: Connection) -> None:
    assert tuple(SPECS) == enums(db)["part_type"]
    assert set(MINIMAL_PARTS) == set(SPECS)


def test_every_content_column_of_parts_is_in_the_specs(db: Connection) -> None:
    assert columns(db, "parts") - STRUCTURAL == set(VALUES)


def test_minimal_parts_hold_exactly_the_required_columns() -> None:
    """The shared factory's minimal parts are what the specs require, nothing more."""
    assert {t: tuple(values) for t, values in MINIMAL_PARTS.items()} == {
        t: spec.required for t, spec in SPECS.items()
    }


@pytest.mark.parametrize("part_type", SPECS)
def test_part_with_its_required_columns_is_accepted(db: Connection, part_type: str) -> None:
    values = {column: VALUES[column] for column in SPECS[part_type].required}
    row = new_part(db, part_type, **values)
    assert row["part_type"] == part_type
    assert row["is_error"] is False


@pytest.mark.parametrize(("part_type", "column"), OPTIONAL, ids=ids(OPTIONAL))
def test_part_accepts_its_optional_column(db: Connection, part_type: str, column: str) -> None:
    assert new_part(db, part_type, **{column: VALUES[column]})[column] is not None


@pytest.mark.parametrize("part_type", SPECS)
def test_part_accepts_provider_metadata(db: Connection, part_type: str) -> None:
    row = new_part(db, part_type, provider_metadata=Jsonb({"cache": "hit"}))
    assert row["provider_metadata"] == {"cache": "hit"}


@pytest.mark.parametrize(("part_type", "column"), REQUIRED, ids=ids(REQUIRED))
def test_part_without_a_required_column_is_rejected(
    db: Connection, part_type: str, column: str
) -> None:
    with violates(CheckViolation, f"parts_{part_type}_fields_ck"):
        new_part(db, part_type, **{column: None})


@pytest.mark.parametrize(("part_type", "column"), FORBIDDEN, ids=ids(FORBIDDEN))
def test_part_with_a_forbidden_column_is_rejected(
    db: Connection, part_type: str, column: str
) -> None:
    constraint = (
        "parts_is_error_tool_result_ck" if column == "is_error" else f"parts_{part_type}_fields_ck"
    )
    with violates(CheckViolation, constraint):
        new_part(db, part_type, **{column: VALUES[column]})


@pytest.mark.parametrize(
    "tool_input",
    [Jsonb(["customer_id", 7]), Jsonb("find Acme"), Jsonb(7), Jsonb(None)],
    ids=["array", "string", "number", "json-null"],
)
def test_tool_call_input_must_be_a_json_object(db: Connection, tool_input: Jsonb) -> None:
    with violates(CheckViolation, "parts_tool_call_fields_ck"):
        new_part(db, "tool_call", tool_input=tool_input)


@pytest.mark.parametrize(
    "tool_output",
    [Jsonb(["a", "b"]), Jsonb("done"), Jsonb(0), Jsonb(None)],
    ids=["array", "string", "number", "json-null"],
)
def test_tool_result_output_may_be_any_json_value(db: Connection, tool_output: Jsonb) -> None:
    assert new_part(db, "tool_result", tool_output=tool_output)["id"]


@pytest.mark.parametrize("media_type", ["application/pdf", "text/plain", "video/mp4"])
def test_image_needs_an_image_media_type(db: Connection, media_type: str) -> None:
    with violates(CheckViolation, "parts_image_fields_ck"):
        new_part(db, "image", media_type=media_type)


def test_file_may_have_any_media_type_including_an_image(db: Connection) -> None:
    assert new_part(db, "file", media_type="image/jpeg")["media_type"] == "image/jpeg"


def test_tool_result_reports_a_failed_call_with_is_error(db: Connection) -> None:
    call = new_part(db, "tool_call", tool_call_id="call_9")
    result = new_part(
        db,
        "tool_result",
        message_id=call["message_id"],
        ordinal=1,
        tool_call_id="call_9",
        tool_name=call["tool_name"],
        is_error=True,
        tool_output=Jsonb({"error": "customer not found"}),
    )
    assert (result["tool_call_id"], result["is_error"]) == ("call_9", True)
