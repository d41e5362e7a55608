"""Triggers: set_updated_at() on every table with updated_at, and the audit log.

``now()`` is the start time of the transaction, so these tests never compare
two clock readings: the row is inserted with an old updated_at in one
transaction, and an update in a later transaction must stamp exactly that
transaction's ``now()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from psycopg.errors import InvalidParameterValue
from psycopg.types.json import Jsonb

from norberts_db.conninfo import ConnInfo
from tests.integration.schema_helpers import (
    Connection,
    Row,
    connect_emptied,
    count,
    delete,
    fetch,
    image,
    new_row,
    pk_of,
    primary_keys,
    tables_with_column,
    transaction_time,
    triggers,
    update,
    violates,
)

LONG_AGO = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)

# A harmless change per table, for the update tests.
CHANGES: dict[str, dict[str, object]] = {
    "users": {"display_name": "Ann B. Example"},
    "customers": {"status": "active"},
    "people": {"job_title": "Head of Purchasing"},
    "customer_people": {"contact_role": "billing"},
    "chats": {"title": "Renewal"},
    "messages": {"message_role": "system"},
    "ai_options": {"max_tokens": 1024},
    "parts": {"text_content": "Edited."},
}

# The tables audit_row_change() writes to audit_log, with its arguments: the
# primary key columns.
AUDITED = {
    "users": ("id",),
    "customers": ("id",),
    "people": ("id",),
    "customer_people": ("customer_id", "person_id"),
}


@pytest.fixture
def db(module_schema_db: ConnInfo) -> Iterator[Connection]:
    with connect_emptied(module_schema_db) as conn:
        yield conn


def set_user(conn: Connection, value: str) -> None:
    """What the application does per transaction: SET LOCAL norberts.user_id."""
    conn.execute("SELECT set_config('norberts.user_id', %s, true)", [value])


def audit_rows(conn: Connection) -> list[Row]:
    return conn.execute(
        "SELECT table_name, audit_action::text AS action, row_pk, old_row, new_row, user_id,"
        " occurred_at FROM audit_log ORDER BY id"
    ).fetchall()


def last_audit_row(conn: Connection) -> Row:
    rows = audit_rows(conn)
    assert rows
    return rows[-1]


# ---------------------------------------------------------------------------
# updated_at
# ---------------------------------------------------------------------------


def test_every_table_with_updated_at_has_the_set_updated_at_trigger(db: Connection) -> None:
    stamped = {
        t.table
        for t in triggers(db)
        if t.function == "set_updated_at"
        and (t.timing, t.for_each, t.events) == ("before", "row", frozenset({"update"}))
    }
    assert stamped == tables_with_column(db, "updated_at") == set(CHANGES)


@pytest.mark.parametrize("table", CHANGES)
def test_insert_keeps_the_given_updated_at(db: Connection, table: str) -> None:
    row = new_row(db, table, created_at=LONG_AGO, updated_at=LONG_AGO)
    stored = fetch(db, table, pk_of(table, row))
    assert stored is not None
    assert (stored["created_at"], stored["updated_at"]) == (LONG_AGO, LONG_AGO)


@pytest.mark.parametrize("table", CHANGES)
def test_insert_defaults_updated_at_to_the_transaction_time(db: Connection, table: str) -> None:
    with db.transaction():
        row = new_row(db, table)
        now = transaction_time(db)
    assert row["created_at"] == row["updated_at"] == now


@pytest.mark.parametrize("table", CHANGES)
def test_update_stamps_updated_at_and_keeps_created_at(db: Connection, table: str) -> None:
    row = new_row(db, table, created_at=LONG_AGO, updated_at=LONG_AGO)
    with db.transaction():
        updated = update(db, table, pk_of(table, row), CHANGES[table])
        now = transaction_time(db)
    assert now != LONG_AGO
    assert (updated["created_at"], updated["updated_at"]) == (LONG_AGO, now)


@pytest.mark.parametrize("table", CHANGES)
def test_update_overrides_an_explicit_updated_at(db: Connection, table: str) -> None:
    row = new_row(db, table)
    with db.transaction():
        updated = update(db, table, pk_of(table, row), {"updated_at": LONG_AGO})
        now = transaction_time(db)
    assert updated["updated_at"] == now


def test_update_that_changes_nothing_still_stamps_updated_at(db: Connection) -> None:
    row = new_row(db, "customers", updated_at=LONG_AGO)
    with db.transaction():
        updated = update(db, "customers", {"id": row["id"]}, {"display_name": row["display_name"]})
        now = transaction_time(db)
    assert updated["updated_at"] == now


def test_adding_a_message_does_not_touch_its_chat(db: Connection) -> None:
    """chats.updated_at (the "recent chats" order) moves only when the chat row changes."""
    chat = new_row(db, "chats", updated_at=LONG_AGO)
    new_row(db, "messages", chat_id=chat["id"])
    stored = fetch(db, "chats", {"id": chat["id"]})
    assert stored is not None
    assert stored["updated_at"] == LONG_AGO


# ---------------------------------------------------------------------------
# Audit log
# ---------------------------------------------------------------------------


def test_audit_triggers_cover_exactly_the_crm_tables_keyed_by_primary_key(
    db: Connection,
) -> None:
    audit = {
        t.table: t.arguments
        for t in triggers(db)
        if t.function == "audit_row_change"
        and (t.timing, t.for_each, t.events)
        == ("after", "row", frozenset({"insert", "update", "delete"}))
    }
    assert audit == AUDITED
    keys = primary_keys(db)
    assert {table: keys[table] for table in AUDITED} == AUDITED


@pytest.mark.parametrize("table", AUDITED)
def test_audit_records_insert_with_new_row_and_acting_user(db: Connection, table: str) -> None:
    with db.transaction():
        set_user(db, "42")
        row = new_row(db, table)
        pk = pk_of(table, row)
        expected = {
            "table_name": table,
            "action": "insert",
            "row_pk": pk,
            "old_row": None,
            "new_row": image(db, table, pk),
            "user_id": 42,
            "occurred_at": transaction_time(db),
        }
    assert last_audit_row(db) == expected


@pytest.mark.parametrize("table", AUDITED)
def test_audit_records_update_with_old_and_new_row(db: Connection, table: str) -> None:
    pk = pk_of(table, new_row(db, table))
    before = image(db, table, pk)
    with db.transaction():
        set_user(db, "42")
        update(db, table, pk, CHANGES[table])
        expected = {
            "table_name": table,
            "action": "update",
            "row_pk": pk,
            "old_row": before,
            "new_row": image(db, table, pk),
            "user_id": 42,
            "occurred_at": transaction_time(db),
        }
    assert expected["old_row"] != expected["new_row"]
    assert last_audit_row(db) == expected


@pytest.mark.parametrize("table", AUDITED)
def test_audit_records_delete_with_old_row(db: Connection, table: str) -> None:
    pk = pk_of(table, new_row(db, table))
    before = image(db, table, pk)
    with db.transaction():
        set_user(db, "42")
        delete(db, table, pk)
        now = transaction_time(db)
    expected = {
        "table_name": table,
        "action": "delete",
        "row_pk": pk,
        "old_row": before,
        "new_row": None,
        "user_id": 42,
        "occurred_at": now,
    }
    assert last_audit_row(db) == expected


@pytest.mark.parametrize("table", ["chats", "messages", "ai_options", "parts"])
def test_chat_tables_are_not_audited(db: Connection, table: str) -> None:
    new_row(db, table)
    audited = {r["table_name"] for r in audit_rows(db)}
    assert table not in audited


def test_audit_user_is_null_when_the_setting_was_never_set(db: Connection) -> None:
    assert db.execute("SELECT current_setting('norberts.user_id', true) AS v").fetchone() == {
        "v": None
    }
    new_row(db, "people")
    assert last_audit_row(db)["user_id"] is None


def test_audit_user_is_null_after_the_set_local_transaction_ended(db: Connection) -> None:
    """After SET LOCAL ends, the setting reads as '' (not NULL): that too means no user."""
    with db.transaction():
        db.execute("SET LOCAL norberts.user_id = '42'")
        new_row(db, "people")
    assert last_audit_row(db)["user_id"] == 42
    assert db.execute("SELECT current_setting('norberts.user_id', true) AS v").fetchone() == {
        "v": ""
    }
    new_row(db, "people")
    assert last_audit_row(db)["user_id"] is None


def test_audit_user_is_null_after_reset(db: Connection) -> None:
    db.execute("SET norberts.user_id = '42'")
    db.execute("RESET norberts.user_id")
    new_row(db, "people")
    assert last_audit_row(db)["user_id"] is None


@pytest.mark.parametrize("value", ["", "   "], ids=["empty", "spaces"])
def test_audit_user_is_null_when_the_setting_is_blank(db: Connection, value: str) -> None:
    with db.transaction():
        set_user(db, value)
        new_row(db, "people")
    assert last_audit_row(db)["user_id"] is None


@pytest.mark.parametrize(
    ("value", "user_id"),
    [("42", 42), (" 42 ", 42), ("007", 7), ("9" * 18, int("9" * 18))],
    ids=["plain", "padded-with-spaces", "leading-zeros", "18-digits"],
)
def test_audit_user_is_the_whole_number_in_the_setting(
    db: Connection, value: str, user_id: int
) -> None:
    with db.transaction():
        set_user(db, value)
        new_row(db, "people")
    assert last_audit_row(db)["user_id"] == user_id


def test_audit_user_need_not_exist_in_users(db: Connection) -> None:
    """audit_log.user_id is no foreign key: the id is recorded as given."""
    with db.transaction():
        set_user(db, "999999")
        new_row(db, "people")
    assert last_audit_row(db)["user_id"] == 999999
    assert count(db, "users") == 0


@pytest.mark.parametrize(
    "value",
    ["ann", "-1", "4.2", "42abc", "9" * 19, "\t42"],
    ids=["word", "negative", "decimal", "trailing-letters", "19-digits", "tab"],
)
def test_audit_setting_that_is_not_a_user_id_aborts_the_change(db: Connection, value: str) -> None:
    with violates(InvalidParameterValue) as info, db.transaction():
        set_user(db, value)
        new_row(db, "people")
    assert info.value.diag.message_primary == f'norberts.user_id must be a user id, not "{value}"'
    assert (count(db, "people"), count(db, "audit_log")) == (0, 0)


def test_audit_records_rows_deleted_by_cascade(db: Connection) -> None:
    link = new_row(db, "customer_people")
    with db.transaction():
        set_user(db, "5")
        delete(db, "customers", {"id": link["customer_id"]})
    deleted = [
        (r["table_name"], r["row_pk"], r["user_id"])
        for r in audit_rows(db)
        if r["action"] == "delete"
    ]
    pair = {"customer_id": link["customer_id"], "person_id": link["person_id"]}
    assert sorted(deleted, key=str) == sorted(
        [("customer_people", pair, 5), ("customers", {"id": link["customer_id"]}, 5)], key=str
    )


def test_audit_log_row_of_a_rolled_back_change_is_rolled_back_too(db: Connection) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), db.transaction():
        new_row(db, "people")
        raise Abort
    assert count(db, "audit_log") == 0


def test_audit_row_pk_finds_the_history_of_one_row(db: Connection) -> None:
    person = new_row(db, "people")
    new_row(db, "people")
    update(db, "people", {"id": person["id"]}, {"job_title": "CFO"})
    delete(db, "people", {"id": person["id"]})
    rows = db.execute(
        "SELECT audit_action::text AS action FROM audit_log"
        " WHERE table_name = 'people' AND row_pk = %s ORDER BY id",
        [Jsonb({"id": person["id"]})],
    ).fetchall()
    assert [r["action"] for r in rows] == ["insert", "update", "delete"]
