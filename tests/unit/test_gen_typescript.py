"""TypeScript literals: what JavaScript reads must be exactly the SQL or text given."""

from __future__ import annotations

import pytest

from norberts_db.gen import typescript as ts


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        (r"email ~ '^[^@\s]+$'", r"sql`email ~ '^[^@\\s]+$'`"),
        ("a `b`", r"sql`a \`b\``"),
        ("'${x}'", r"sql`'\${x}'`"),
        ("'\\\\'", r"sql`'\\\\'`"),
        (r"'[^[:space:]\u00a0]'", r"sql`'[^[:space:]\\u00a0]'`"),
        ("$ {x} and $$", "sql`$ {x} and $$`"),
    ],
)
def test_sql_templates_escape_what_javascript_would_read(text: str, literal: str) -> None:
    assert ts.sql(text) == literal


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("it's", r"'it\'s'"),
        ("a\\b", r"'a\\b'"),
        ("two\nlines", r"'two\nlines'"),
        ("\x00", r"'\u0000'"),
    ],
)
def test_strings_are_quoted_and_escaped(text: str, literal: str) -> None:
    assert ts.string(text) == literal


def test_integers_beyond_two_to_the_53_are_strings_so_that_they_do_not_round() -> None:
    assert ts.number("9007199254740991") == "9007199254740991"
    assert ts.number("9007199254740992") == "'9007199254740992'"
    assert ts.number("-9223372036854775808") == "'-9223372036854775808'"


def test_a_comment_cannot_end_its_jsdoc_block_early() -> None:
    assert ts.jsdoc("a */ b") == [r"/** a *\/ b */"]
    assert ts.jsdoc("one\ntwo", "  ") == ["  /**", "   * one", "   * two", "   */"]
    assert ts.jsdoc(None) == []


def test_names_are_valid_identifiers_and_unique() -> None:
    names = ts.Names()
    assert names.take("users", "Table") == "users"
    assert names.take("users", "Table") == "usersTable"
    assert names.take("users", "Table") == "usersTable2"
    assert names.take("default", "Table") == "defaultTable"
    assert ts.camel("owner_user_id") == "ownerUserId"
    assert ts.camel("Odd Name") == "oddName"
    assert ts.camel("1st") == "_1st"
