"""Enum types: their vocabularies, and the columns that refuse any other label.

An unknown label is refused when the text is converted to the enum, before any
constraint runs, so the error is ``invalid_text_representation`` (22P02) and
names the enum type rather than a constraint.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg.errors import InvalidTextRepresentation

from norberts_db.conninfo import ConnInfo
from tests.integration.schema_helpers import (
    AUDIT_IMAGES,
    MINIMAL_PARTS,
    Connection,
    connect,
    enum_columns,
    enums,
    insert,
    valid_values,
    violates,
)

# The vocabularies, in the order the schema declares them (the order of the enum).
VOCABULARIES = {
    "user_role": ("admin", "manager", "member", "viewer"),
    "customer_status": ("lead", "prospect", "active", "inactive", "churned"),
    "contact_role": ("decision_maker", "billing", "technical", "champion", "end_user", "other"),
    "message_role": ("user", "assistant", "system", "tool"),
    "part_type": ("text", "reasoning", "tool_call", "tool_result", "file", "image"),
    "audit_action": ("insert", "update", "delete"),
}

# The column of each enum type.
COLUMNS = {
    "user_role": ("users", "user_role"),
    "customer_status": ("customers", "status"),
    "contact_role": ("customer_people", "contact_role"),
    "message_role": ("messages", "message_role"),
    "part_type": ("parts", "part_type"),
    "audit_action": ("audit_log", "audit_action"),
}

# Labels no enum has: an unknown word, a known label in another letter case
# (labels are case-sensitive), one with padding, and the empty string.
UNKNOWN_LABELS = {
    "unknown-word": "superuser",
    "upper-case": "ADMIN",
    "padded": " text ",
    "empty": "",
}

DEFAULTS = {
    ("users", "user_role"): "member",
    ("customers", "status"): "lead",
    ("customer_people", "contact_role"): "other",
}


@pytest.fixture(scope="module")
def db(module_schema_db: ConnInfo) -> Iterator[Connection]:
    """One connection for the module: every case adds rows of its own and reads them back."""
    with connect(module_schema_db) as conn:
        yield conn


def test_enum_vocabularies_match_the_schema(db: Connection) -> None:
    assert enums(db) == VOCABULARIES


def test_every_enum_column_has_a_case(db: Connection) -> None:
    assert enum_columns(db) == {column: name for name, column in COLUMNS.items()}


@pytest.mark.parametrize("label", UNKNOWN_LABELS.values(), ids=UNKNOWN_LABELS.keys())
@pytest.mark.parametrize("enum", COLUMNS)
def test_enum_column_rejects_unknown_label(db: Connection, enum: str, label: str) -> None:
    table, column = COLUMNS[enum]
    values = valid_values(db, table, **{column: label})
    with violates(InvalidTextRepresentation) as info:
        insert(db, table, values)
    assert info.value.diag.message_primary == f'invalid input value for enum {enum}: "{label}"'


def label_values(enum: str, label: str) -> dict[str, object]:
    """Other columns a row needs to be valid with ``label`` (parts and audit rows depend on it)."""
    if enum == "part_type":
        return {"text_content": None, **MINIMAL_PARTS[label]}
    if enum == "audit_action":
        return dict(AUDIT_IMAGES[label])
    return {}


LABELS = [(enum, label) for enum, labels in VOCABULARIES.items() for label in labels]


@pytest.mark.parametrize(("enum", "label"), LABELS, ids=[f"{e}:{label}" for e, label in LABELS])
def test_enum_column_accepts_every_label(db: Connection, enum: str, label: str) -> None:
    table, column = COLUMNS[enum]
    values = valid_values(db, table, **label_values(enum, label), **{column: label})
    assert insert(db, table, values)[column] == label


@pytest.mark.parametrize(
    ("table", "column"), DEFAULTS, ids=[f"{table}.{column}" for table, column in DEFAULTS]
)
def test_enum_column_default(db: Connection, table: str, column: str) -> None:
    values = valid_values(db, table)
    assert column not in values
    assert insert(db, table, values)[column] == DEFAULTS[table, column]
