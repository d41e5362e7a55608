"""Where the statements of an SQL file start and end (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from norberts_db.errors import SqlFileError
from norberts_db.splitter import SplitError
from norberts_db.sqlfile import load_script, split_statements

RULE = (
    "CREATE RULE log_it AS ON INSERT TO t DO ALSO (\n"
    "  INSERT INTO a VALUES (1);\n"
    "  INSERT INTO b VALUES (2)\n"
    ");\n"
)


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        pytest.param(
            "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $body$\nSELECT 'a;';"
            " $x$ ; $x$\n$body$;\nSELECT 2;",
            [1, 4],
            id="dollar quotes with tags",
        ),
        pytest.param(
            "/* a /* b ; */ still ; a comment */ SELECT 1;\nSELECT 2;", [1, 2], id="nested comments"
        ),
        pytest.param("SELECT E'it\\'s; here';\nSELECT 2;", [1, 2], id="E string with \\'"),
        pytest.param("SELECT e'a\\\\';\nSELECT 'b';", [1, 2], id="E string ending in \\\\"),
        pytest.param("SELECT 'a\\';\nSELECT 2;", [1, 2], id="standard string ending in \\"),
        pytest.param(
            "SET standard_conforming_strings = off;\nSELECT 'it\\'s; here';\nSELECT 3;",
            [1, 2, 3],
            id="backslash escapes once standard_conforming_strings is off",
        ),
        pytest.param(
            "SET standard_conforming_strings TO 'off';\nSET standard_conforming_strings = on;\n"
            "SELECT 'a\\';\nSELECT 4;",
            [1, 2, 3, 4],
            id="and standard again once it is on",
        ),
        pytest.param("SELECT 'it''s;';\nSELECT 2;", [1, 2], id="doubled quotes"),
        pytest.param(
            'CREATE TABLE "a;b" ("c;""d" int);\nSELECT 1;', [1, 2], id="quoted identifiers"
        ),
        pytest.param(
            "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';\nSELECT a$b FROM t;",
            [1, 2],
            id="$1 and $ inside names are no dollar quotes",
        ),
        pytest.param(
            "-- it's; a comment\nSELECT 1; -- another; 'one\n\n/* lead */ SELECT 2",
            [2, 4],
            id="line comments, and a last statement without a semicolon",
        ),
        pytest.param(";;\nSELECT 1;;\n;", [2], id="empty statements are dropped"),
        pytest.param(
            "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
            "  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nSELECT 3;",
            [1, 6],
            id="BEGIN ATOMIC body with CASE",
        ),
        pytest.param(
            "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN /* c */ ATOMIC\n"
            "  INSERT INTO t VALUES (1);\n  INSERT INTO t VALUES (2);\nEND;\nSELECT 3;",
            [1, 5],
            id="procedure with BEGIN ATOMIC body",
        ),
        pytest.param(
            "CREATE TABLE begin (atomic int);\nSELECT 2;\nSELECT 3;",
            [1, 2, 3],
            id="a table named begin is no body",
        ),
        pytest.param(RULE + "SELECT 1;", [1, 5], id="rule action list"),
        pytest.param(
            "CREATE OR REPLACE RULE r AS ON UPDATE TO t WHERE (new.x > (0)) DO INSTEAD (\n"
            "  UPDATE a SET x = ')'; /* ) */ NOTIFY \")\"; -- )\n  SELECT $$)$$\n);\nSELECT 5;",
            [1, 5],
            id="rule with parentheses in strings, comments and nested",
        ),
        pytest.param(
            "CREATE RULE r AS ON INSERT TO t DO ALSO NOTIFY c);\nSELECT 2;",
            [1, 2],
            id="an unbalanced ) in a rule swallows nothing",
        ),
        pytest.param(
            "SELECT (1;\nSELECT 2;\nINSERT INTO t VALUES ((1);\nSELECT 4;",
            [1, 2, 3, 4],
            id="outside a rule a semicolon in parentheses still ends the statement",
        ),
    ],
)
def test_statements_start_on_the_line_of_their_first_code(text: str, starts: list[int]) -> None:
    assert [statement.line for statement in split_statements(text)] == starts


def test_a_rule_action_list_is_one_statement_and_the_next_error_is_on_its_own_line() -> None:
    text = RULE + "CREATE TABLE broken (id int,);\n"

    first, second = split_statements(text)

    assert first.text == RULE.rstrip("\n")
    assert (second.line, second.text) == (5, "CREATE TABLE broken (id int,);")


def test_a_rule_whose_action_list_is_never_closed_is_refused_with_the_line_of_its_paren(
    tmp_path: Path,
) -> None:
    path = tmp_path / "schema.sql"
    path.write_text(
        "CREATE TABLE t (id int);\nCREATE RULE r AS ON INSERT TO t DO ALSO\n(\n"
        "  NOTIFY a;\nCREATE TABLE u (id int);\n"
    )

    with pytest.raises(SqlFileError) as caught:
        load_script(path)

    message = str(caught.value)
    assert message.startswith(f"{path}:3: the `(` that opens the action list of this CREATE RULE")
    assert "Add the `)`" in message
    with pytest.raises(SplitError):
        split_statements(path.read_text())


# -- splitting, then joining again, gives back every statement where it was ---------------------

_CHARS = "abc ;()'\"$-*/\\\n"


def _without(banned: str) -> st.SearchStrategy[str]:
    return st.text(alphabet="".join(c for c in _CHARS if c not in banned), max_size=12)


_FRAGMENTS = st.one_of(
    st.sampled_from(["x", "t.c", "1", "1e5", "a1$b", "$1", "(", ")", "=", ",", "\n"]),
    _without("'").map(lambda s: f"'{s}'"),
    _without("").map(lambda s: "E'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"),
    _without('"').map(lambda s: f'"{s}"'),
    st.tuples(st.sampled_from(["", "tag", "b_1"]), _without("$")).map(
        lambda p: f"${p[0]}${p[1]}${p[0]}$"
    ),
    _without("\n").map(lambda s: f"--{s}\n"),
    _without("*/").map(lambda s: f"/*{s} /* {s} */ {s}*/"),
)
_BODIES = st.lists(_FRAGMENTS, max_size=6).map(" ".join)
_STATEMENTS = st.one_of(
    _BODIES.map(lambda body: f"SELECT {body};"),
    st.lists(_BODIES, min_size=1, max_size=3).map(
        lambda actions: (
            "CREATE RULE r AS ON INSERT TO t DO ALSO ("
            + ";".join(a.replace("(", "").replace(")", "") for a in actions)
            + ");"
        )
    ),
    st.lists(_BODIES, min_size=1, max_size=3).map(
        lambda parts: (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
            + "; ".join(f"SELECT {p}" for p in parts)
            + "; END;"
        )
    ),
)
_GAPS = st.sampled_from(["\n", " ", "\n\n", "-- a; 'b\n", "/* c; */ ", "\t;\n"])


@given(st.lists(st.tuples(_GAPS, _STATEMENTS), min_size=1, max_size=6))
def test_splitting_keeps_every_statement_text_and_line(parts: list[tuple[str, str]]) -> None:
    text = ""
    expected = []
    for gap, statement in parts:
        text += gap
        expected.append((statement, text.count("\n") + 1, len(text)))
        text += statement

    found = split_statements(text)

    assert [(s.text, s.line, s.offset) for s in found] == expected
    assert all(text[s.offset : s.offset + len(s.text)] == s.text for s in found)


@given(st.text(alphabet="aeE$;()'\"-*/\\\n tCREATULBGINOM", max_size=60))
def test_any_text_splits_into_ordered_pieces_of_itself_or_names_an_unclosed_rule(
    text: str,
) -> None:
    try:
        found = split_statements(text)
    except SplitError as exc:
        assert 1 <= exc.line <= text.count("\n") + 1
        return

    end = 0
    for statement in found:
        assert statement.offset >= end
        assert text[statement.offset : statement.offset + len(statement.text)] == statement.text
        assert statement.line == text.count("\n", 0, statement.offset) + 1
        end = statement.offset + len(statement.text)
