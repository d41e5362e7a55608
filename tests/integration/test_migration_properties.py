"""Round trips between random schemas from a small grammar (hypothesis).

Tables, columns of several types, defaults, nullability, CHECK and UNIQUE
constraints, indexes, an enum used by a column, and comments: whatever two
schemas the grammar draws, the migration between them must leave no
difference. ``max_examples`` is kept small: each example builds two databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norberts_db.conninfo import ConnInfo

from .migration_helpers import database_pair, round_trip

LABELS = ["red", "green", "blue", "gold"]
# (type, defaults that fit it)
TYPES = {
    "integer": ["0", "42"],
    "bigint": ["7"],
    "numeric(10,2)": ["1.50"],
    "text": ["'x'"],
    "character varying(20)": ["'y'"],
    "public.colour": ["'red'"],
    "boolean": ["true"],
}


@st.composite
def enum_labels(draw: st.DrawFn) -> list[str]:
    labels = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=4, unique=True))
    if "red" not in labels:
        labels.insert(0, "red")  # the default of enum columns
    return labels


@st.composite
def column(draw: st.DrawFn, name: str) -> str:
    type_ = draw(st.sampled_from(sorted(TYPES)))
    text = f"{name} {type_}"
    if draw(st.booleans()):
        text += f" DEFAULT {draw(st.sampled_from(TYPES[type_]))}"
    if draw(st.booleans()):
        text += " NOT NULL"
    return text


@st.composite
def schema(draw: st.DrawFn) -> str:
    labels = ", ".join(f"'{label}'" for label in draw(enum_labels()))
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=4, unique=True))
    columns = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"]
    columns += [draw(column(name)) for name in names]
    parts = [f"CREATE TYPE public.colour AS ENUM ({labels});"]
    parts.append(f"CREATE TABLE public.t ({', '.join(columns)});")
    for name in names:
        if draw(st.booleans()):
            parts.append(
                f"ALTER TABLE public.t ADD CONSTRAINT t_{name}_ck CHECK ({name} IS NOT NULL);"
            )
        if draw(st.booleans()):
            unique = draw(st.sampled_from(["", "UNIQUE "]))
            parts.append(f"CREATE {unique}INDEX t_{name}_idx ON public.t ({name});")
        if draw(st.booleans()):
            parts.append(f"COMMENT ON COLUMN public.t.{name} IS '{name} column';")
    if draw(st.booleans()):
        parts.append("COMMENT ON TABLE public.t IS 'random';")
    if draw(st.booleans()):
        parts.append("CREATE VIEW public.v AS SELECT count(*) AS n FROM public.t;")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def pair_dbs(pg_server: ConnInfo) -> Iterator[tuple[ConnInfo, ConnInfo]]:
    with database_pair(pg_server) as pair:
        yield pair


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(a=schema(), b=schema())
def test_any_two_schemas_of_the_grammar_round_trip(
    pair_dbs: tuple[ConnInfo, ConnInfo], a: str, b: str
) -> None:
    result = round_trip(pair_dbs, a, b)
    assert result.differences == (), (
        f"{result.differences}\n--- A\n{a}\n--- B\n{b}\n--- migration:\n{result.sql}"
    )
