"""Foreign keys: every reference must exist, and deleting a parent does what the schema says.

The ON DELETE of each foreign key, as sql/norberts_schema.sql declares it and
explains why:

- customers.owner_user_id   SET NULL  a customer outlives the user who looks after it
- customer_people.*         CASCADE   a link means nothing without both ends
- chats.user_id             CASCADE   a chat is its user's private workspace (erasure)
- chats.customer_id         SET NULL  the conversation stays with its user
- messages.chat_id          CASCADE   messages exist only inside their chat
- ai_options.message_id     CASCADE   the settings describe one message
- parts.message_id          CASCADE   parts exist only inside their message

No foreign key blocks a delete, and audit_log.user_id is deliberately not a
foreign key: the history keeps naming a user after that user is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from psycopg.errors import ForeignKeyViolation

from norberts_db.conninfo import ConnInfo
from tests.integration.schema_helpers import (
    MISSING_ID,
    Connection,
    ForeignKey,
    connect_emptied,
    count,
    delete,
    fetch,
    foreign_keys,
    insert,
    new_part,
    new_row,
    pk_of,
    transaction_time,
    valid_values,
    violates,
)


def fk(table: str, column: str, parent: str, on_delete: str) -> ForeignKey:
    return ForeignKey(
        table=table,
        columns=(column,),
        parent=parent,
        parent_columns=("id",),
        on_delete=on_delete,
        on_update="no action",
        deferrable=False,
    )


FOREIGN_KEYS = {
    "customers_owner_user_id_fk": fk("customers", "owner_user_id", "users", "set null"),
    "customer_people_customer_id_fk": fk("customer_people", "customer_id", "customers", "cascade"),
    "customer_people_person_id_fk": fk("customer_people", "person_id", "people", "cascade"),
    "chats_user_id_fk": fk("chats", "user_id", "users", "cascade"),
    "chats_customer_id_fk": fk("chats", "customer_id", "customers", "set null"),
    "messages_chat_id_fk": fk("messages", "chat_id", "chats", "cascade"),
    "ai_options_message_id_fk": fk("ai_options", "message_id", "messages", "cascade"),
    "parts_message_id_fk": fk("parts", "message_id", "messages", "cascade"),
}


@pytest.fixture
def db(module_schema_db: ConnInfo) -> Iterator[Connection]:
    with connect_emptied(module_schema_db) as conn:
        yield conn


def test_foreign_keys_match_the_schema(db: Connection) -> None:
    assert foreign_keys(db) == FOREIGN_KEYS


@pytest.mark.parametrize("name", FOREIGN_KEYS)
def test_foreign_key_rejects_a_missing_parent(db: Connection, name: str) -> None:
    key = FOREIGN_KEYS[name]
    values = valid_values(db, key.table, **{key.columns[0]: MISSING_ID})
    with violates(ForeignKeyViolation, name):
        insert(db, key.table, values)


@pytest.mark.parametrize("name", FOREIGN_KEYS)
def test_deleting_the_parent_applies_the_on_delete_action(db: Connection, name: str) -> None:
    key = FOREIGN_KEYS[name]
    (column,) = key.columns
    parent = new_row(db, key.parent)
    child = new_row(db, key.table, **{column: parent["id"]})
    delete(db, key.parent, {"id": parent["id"]})
    after = fetch(db, key.table, pk_of(key.table, child))
    if key.on_delete == "cascade":
        assert after is None
    else:
        assert key.on_delete == "set null"
        assert after is not None
        assert after[column] is None


def test_deleting_a_chat_removes_its_messages_their_parts_and_ai_options(db: Connection) -> None:
    chat = new_row(db, "chats")
    kept = new_row(db, "chats", user_id=chat["user_id"])
    for c in (chat, kept):
        for _ in range(2):
            message = new_row(db, "messages", chat_id=c["id"])
            new_row(db, "ai_options", message_id=message["id"])
            new_part(db, "text", message_id=message["id"], ordinal=0)
            new_part(db, "tool_call", message_id=message["id"], ordinal=1)
    delete(db, "chats", {"id": chat["id"]})
    assert (count(db, "messages"), count(db, "ai_options"), count(db, "parts")) == (2, 2, 4)
    row = db.execute(
        "SELECT count(*) AS n FROM messages m JOIN parts p ON p.message_id = m.id"
        " JOIN ai_options o ON o.message_id = m.id WHERE m.chat_id <> %s",
        [kept["id"]],
    ).fetchone()
    assert row == {"n": 0}
    assert fetch(db, "users", {"id": chat["user_id"]}) is not None


def test_deleting_a_message_removes_its_parts_and_ai_options_only(db: Connection) -> None:
    first = new_row(db, "messages")
    second = new_row(db, "messages", chat_id=first["chat_id"])
    for message in (first, second):
        new_row(db, "ai_options", message_id=message["id"])
        new_part(db, "text", message_id=message["id"])
    delete(db, "messages", {"id": first["id"]})
    assert (count(db, "messages"), count(db, "ai_options"), count(db, "parts")) == (1, 1, 1)
    assert fetch(db, "chats", {"id": first["chat_id"]}) is not None


def test_deleting_a_customer_removes_its_contact_links_but_not_the_people(db: Connection) -> None:
    acme, other = new_row(db, "customers"), new_row(db, "customers")
    pat, sam = new_row(db, "people"), new_row(db, "people")
    for customer in (acme, other):
        new_row(db, "customer_people", customer_id=customer["id"], person_id=pat["id"])
    new_row(db, "customer_people", customer_id=acme["id"], person_id=sam["id"], is_primary=True)
    delete(db, "customers", {"id": acme["id"]})
    links = db.execute("SELECT customer_id, person_id FROM customer_people").fetchall()
    assert links == [{"customer_id": other["id"], "person_id": pat["id"]}]
    assert count(db, "people") == 2


def test_deleting_a_person_removes_their_links_but_not_the_customers(db: Connection) -> None:
    acme, other = new_row(db, "customers"), new_row(db, "customers")
    pat, sam = new_row(db, "people"), new_row(db, "people")
    for customer in (acme, other):
        new_row(db, "customer_people", customer_id=customer["id"], person_id=pat["id"])
    new_row(db, "customer_people", customer_id=acme["id"], person_id=sam["id"])
    delete(db, "people", {"id": pat["id"]})
    links = db.execute("SELECT customer_id, person_id FROM customer_people").fetchall()
    assert links == [{"customer_id": acme["id"], "person_id": sam["id"]}]
    assert count(db, "customers") == 2


def test_deleting_a_customer_keeps_its_chats_without_a_customer(db: Connection) -> None:
    acme = new_row(db, "customers")
    chat = new_row(db, "chats", customer_id=acme["id"])
    message = new_row(db, "messages", chat_id=chat["id"])
    delete(db, "customers", {"id": acme["id"]})
    after = fetch(db, "chats", {"id": chat["id"]})
    assert after is not None
    assert (after["customer_id"], after["user_id"]) == (None, chat["user_id"])
    assert fetch(db, "messages", {"id": message["id"]}) is not None


def test_deleting_a_user_erases_their_chats_and_unassigns_their_customers(db: Connection) -> None:
    ann, bob = new_row(db, "users"), new_row(db, "users")
    acme = new_row(db, "customers", owner_user_id=ann["id"])
    bobs_customer = new_row(db, "customers", owner_user_id=bob["id"])
    anns_chat = new_row(db, "chats", user_id=ann["id"], customer_id=acme["id"])
    bobs_chat = new_row(db, "chats", user_id=bob["id"], customer_id=acme["id"])
    for chat in (anns_chat, bobs_chat):
        new_part(db, "text", message_id=new_row(db, "messages", chat_id=chat["id"])["id"])
    delete(db, "users", {"id": ann["id"]})
    assert fetch(db, "chats", {"id": anns_chat["id"]}) is None
    assert fetch(db, "chats", {"id": bobs_chat["id"]}) is not None
    assert (count(db, "messages"), count(db, "parts")) == (1, 1)
    customers = db.execute("SELECT id, owner_user_id FROM customers ORDER BY id").fetchall()
    assert customers == [
        {"id": acme["id"], "owner_user_id": None},
        {"id": bobs_customer["id"], "owner_user_id": bob["id"]},
    ]


def test_unassigning_by_deleting_the_owner_stamps_and_audits_the_customer(db: Connection) -> None:
    """SET NULL is an UPDATE of the customer, so its row triggers fire."""
    ann = new_row(db, "users")
    long_ago = "2001-02-03 04:05:06+00"
    acme = new_row(db, "customers", owner_user_id=ann["id"], updated_at=long_ago)
    with db.transaction():
        db.execute("SELECT set_config('norberts.user_id', '7', true)")
        delete(db, "users", {"id": ann["id"]})
        now = transaction_time(db)
    after = fetch(db, "customers", {"id": acme["id"]})
    assert after is not None
    assert after["updated_at"] == now
    assert after["created_at"] == acme["created_at"]
    audit = db.execute(
        "SELECT old_row ->> 'owner_user_id' AS old_owner, new_row -> 'owner_user_id' AS new_owner,"
        " user_id FROM audit_log WHERE table_name = 'customers' AND audit_action = 'update'"
    ).fetchall()
    assert audit == [{"old_owner": str(ann["id"]), "new_owner": None, "user_id": 7}]


def test_deleting_a_user_keeps_the_audit_history_that_names_them(db: Connection) -> None:
    ann = new_row(db, "users")
    with db.transaction():
        db.execute("SELECT set_config('norberts.user_id', %s, true)", [str(ann["id"])])
        new_row(db, "customers")
        delete(db, "users", {"id": ann["id"]})
    rows = db.execute(
        "SELECT table_name, audit_action::text AS action, user_id FROM audit_log"
        " WHERE user_id IS NOT NULL ORDER BY id"
    ).fetchall()
    assert rows == [
        {"table_name": "customers", "action": "insert", "user_id": ann["id"]},
        {"table_name": "users", "action": "delete", "user_id": ann["id"]},
    ]
