"""Unique indexes (primary keys, unique constraints, partial and expression indexes).

Each index rejects the duplicate it exists for, and the server names that index.
The tests after the table of duplicates pin what the indexes deliberately allow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from psycopg.errors import UniqueViolation

from norberts_db.conninfo import ConnInfo
from tests.integration.schema_helpers import (
    Connection,
    Row,
    connect_emptied,
    count,
    insert,
    new_row,
    unique_indexes,
    update,
    valid_values,
    violates,
)

# A case sets up what the index must protect, and returns the statement that
# would break it; only that statement is expected to fail.
Duplicate = Callable[[], object]
Case = Callable[[Connection], Duplicate]


def same_id(table: str) -> Case:
    """An identity primary key: a second row forced onto an existing id."""

    def case(conn: Connection) -> Duplicate:
        first = new_row(conn, table)
        values = {**valid_values(conn, table), "id": first["id"]}
        return lambda: insert(conn, table, values, overriding=True)

    return case


def user_email_in_other_case(conn: Connection) -> Duplicate:
    new_row(conn, "users", email="Ann.Lee@Example.com")
    return lambda: new_row(conn, "users", email="ann.lee@EXAMPLE.COM")


def person_email_in_other_case(conn: Connection) -> Duplicate:
    new_row(conn, "people", email="pat@example.org")
    return lambda: new_row(conn, "people", email="PAT@example.org")


def same_contact_twice(conn: Connection) -> Duplicate:
    link = new_row(conn, "customer_people")
    pair = {"customer_id": link["customer_id"], "person_id": link["person_id"]}
    return lambda: insert(conn, "customer_people", {**pair, "contact_role": "billing"})


def second_primary_contact(conn: Connection) -> Duplicate:
    first = new_row(conn, "customer_people", is_primary=True)
    customer = first["customer_id"]
    return lambda: new_row(conn, "customer_people", customer_id=customer, is_primary=True)


def second_ai_options(conn: Connection) -> Duplicate:
    message = new_row(conn, "ai_options")["message_id"]
    return lambda: new_row(conn, "ai_options", message_id=message, model_name="other")


def same_part_ordinal(conn: Connection) -> Duplicate:
    message = new_row(conn, "parts", ordinal=3)["message_id"]
    return lambda: new_row(conn, "parts", message_id=message, ordinal=3)


DUPLICATES: dict[str, Case] = {
    "users_pk": same_id("users"),
    "users_email_lower_uq": user_email_in_other_case,
    "customers_pk": same_id("customers"),
    "people_pk": same_id("people"),
    "people_email_lower_uq": person_email_in_other_case,
    "customer_people_pk": same_contact_twice,
    "customer_people_one_primary_uq": second_primary_contact,
    "chats_pk": same_id("chats"),
    "messages_pk": same_id("messages"),
    "ai_options_pk": same_id("ai_options"),
    "ai_options_message_id_uq": second_ai_options,
    "parts_pk": same_id("parts"),
    "parts_message_id_ordinal_uq": same_part_ordinal,
    "audit_log_pk": same_id("audit_log"),
}


@pytest.fixture
def db(module_schema_db: ConnInfo) -> Iterator[Connection]:
    with connect_emptied(module_schema_db) as conn:
        yield conn


def test_every_unique_index_has_a_case(db: Connection) -> None:
    assert set(unique_indexes(db)) == set(DUPLICATES)


@pytest.mark.parametrize("index", DUPLICATES)
def test_unique_index_rejects_duplicate(db: Connection, index: str) -> None:
    duplicate = DUPLICATES[index](db)
    with violates(UniqueViolation, index):
        duplicate()


def test_user_email_identical_spelling_is_a_duplicate_too(db: Connection) -> None:
    new_row(db, "users", email="ann@example.com")
    with violates(UniqueViolation, "users_email_lower_uq"):
        new_row(db, "users", email="ann@example.com")


def test_user_email_change_to_another_users_email_in_other_case_is_rejected(
    db: Connection,
) -> None:
    new_row(db, "users", email="ann@example.com")
    bob = new_row(db, "users", email="bob@example.com")
    with violates(UniqueViolation, "users_email_lower_uq"):
        update(db, "users", {"id": bob["id"]}, {"email": "ANN@example.com"})


def test_user_may_change_the_case_of_their_own_email(db: Connection) -> None:
    ann = new_row(db, "users", email="ann@example.com")
    assert update(db, "users", {"id": ann["id"]}, {"email": "Ann@Example.com"})


def test_people_may_share_a_null_email(db: Connection) -> None:
    """people.email is optional, and the unique index treats NULLs as distinct."""
    for _ in range(3):
        new_row(db, "people", email=None)
    assert count(db, "people") == 3


def test_person_may_have_the_email_of_a_user(db: Connection) -> None:
    new_row(db, "users", email="pat@example.org")
    assert new_row(db, "people", email="Pat@example.org")


def link(conn: Connection, customer: Row, person: Row, **values: object) -> Row:
    return insert(
        conn,
        "customer_people",
        {"customer_id": customer["id"], "person_id": person["id"], **values},
    )


def pk(link_row: Row) -> dict[str, object]:
    return {"customer_id": link_row["customer_id"], "person_id": link_row["person_id"]}


def test_two_customers_may_share_a_contact_person(db: Connection) -> None:
    pat = new_row(db, "people")
    link(db, new_row(db, "customers"), pat, contact_role="billing")
    link(db, new_row(db, "customers"), pat, contact_role="technical")
    assert count(db, "customer_people") == 2


def test_one_person_may_be_the_primary_contact_of_several_customers(db: Connection) -> None:
    pat = new_row(db, "people")
    link(db, new_row(db, "customers"), pat, is_primary=True)
    link(db, new_row(db, "customers"), pat, is_primary=True)
    assert count(db, "customer_people") == 2


def test_customer_may_have_many_contacts_that_are_not_primary(db: Connection) -> None:
    acme = new_row(db, "customers")
    link(db, acme, new_row(db, "people"), is_primary=True)
    for _ in range(3):
        link(db, acme, new_row(db, "people"), is_primary=False)
    assert count(db, "customer_people") == 4


def test_second_primary_contact_rejected_when_set_by_update(db: Connection) -> None:
    acme = new_row(db, "customers")
    link(db, acme, new_row(db, "people"), is_primary=True)
    other = link(db, acme, new_row(db, "people"))
    with violates(UniqueViolation, "customer_people_one_primary_uq"):
        update(db, "customer_people", pk(other), {"is_primary": True})


def test_primary_contact_can_move_to_another_person_in_one_transaction(db: Connection) -> None:
    acme = new_row(db, "customers")
    old = link(db, acme, new_row(db, "people"), is_primary=True)
    new = link(db, acme, new_row(db, "people"))
    with db.transaction():
        update(db, "customer_people", pk(old), {"is_primary": False})
        update(db, "customer_people", pk(new), {"is_primary": True})
    primary = db.execute(
        "SELECT person_id FROM customer_people WHERE customer_id = %s AND is_primary",
        [acme["id"]],
    ).fetchall()
    assert primary == [{"person_id": new["person_id"]}]


def test_parts_of_different_messages_may_share_an_ordinal(db: Connection) -> None:
    new_row(db, "parts", ordinal=0)
    new_row(db, "parts", ordinal=0)
    assert count(db, "parts") == 2


def test_each_message_may_have_its_own_ai_options(db: Connection) -> None:
    new_row(db, "ai_options")
    new_row(db, "ai_options")
    assert count(db, "ai_options") == 2
