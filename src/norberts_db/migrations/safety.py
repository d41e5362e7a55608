"""Column type changes: which lose data, and which need a USING clause.

Pure functions of the two type names as ``format_type`` prints them, so they
are unit-tested without a server. Only conversions known to keep every value
count as safe; anything else is destructive, because it may lose data or
fail on existing rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TYPE = re.compile(r"^(?P<base>.+?)(?:\((?P<args>[\d, ]+)\))?(?P<tail> with(?:out)? time zone)?$")

_INTEGERS = {"smallint": 1, "integer": 2, "bigint": 3}
_INTEGER_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}
_NUMBERS = {*_INTEGERS, "numeric", "real", "double precision"}
STRINGS = frozenset({"text", "character varying", "character"})
_TIMES = {
    "date",
    "timestamp without time zone",
    "timestamp with time zone",
    "time without time zone",
    "time with time zone",
}
# Conversions PostgreSQL makes by itself in an ALTER COLUMN ... TYPE (an
# implicit or assignment cast) between different base types, beyond numbers
# and strings.
_ASSIGNABLE = {
    ("json", "jsonb"),
    ("jsonb", "json"),
    ("date", "timestamp without time zone"),
    ("date", "timestamp with time zone"),
    ("timestamp without time zone", "date"),
    ("timestamp with time zone", "date"),
    ("timestamp without time zone", "timestamp with time zone"),
    ("timestamp with time zone", "timestamp without time zone"),
    ("time without time zone", "time with time zone"),
    ("time with time zone", "time without time zone"),
}


@dataclass(frozen=True)
class SqlType:
    """A type name split into its base, its modifiers and its array dimensions."""

    base: str
    args: tuple[int, ...] = ()
    dims: int = 0


def parse_type(text: str) -> SqlType:
    """``numeric(10,2)[]`` -> base ``numeric``, args ``(10, 2)``, dims 1."""
    dims = 0
    text = text.strip()
    while text.endswith("[]"):
        text = text[:-2]
        dims += 1
    match = _TYPE.match(text)
    if not match:
        return SqlType(text, (), dims)
    base = match["base"] + (match["tail"] or "")
    # timestamp(3) with time zone: the precision sits in the middle.
    args = tuple(int(a) for a in (match["args"] or "").replace(" ", "").split(",") if a)
    return SqlType(base, args, dims)


def needs_using(old: str, new: str) -> bool:
    """True when ALTER COLUMN ... TYPE needs ``USING column::new`` to convert values."""
    a, b = parse_type(old), parse_type(new)
    if a.dims != b.dims:
        return True
    if a.base == b.base:
        return False
    if a.base in _NUMBERS and b.base in _NUMBERS:
        return False
    if b.base in STRINGS:
        # Every type converts to a string type by its output function.
        return False
    return (a.base, b.base) not in _ASSIGNABLE


def narrowing(old: str, new: str) -> bool:
    """True unless every value of ``old`` converts to ``new`` unchanged."""
    a, b = parse_type(old), parse_type(new)
    if a.dims != b.dims:
        return True
    return not _widens(a, b)


def _widens(a: SqlType, b: SqlType) -> bool:
    if a == b:
        return True
    if a.base in _INTEGERS:
        return _integer_widens(a.base, b)
    if a.base == "numeric" and b.base == "numeric":
        return _numeric_widens(a.args, b.args)
    if a.base == "real" and b.base == "double precision":
        return True
    if a.base in {"text", "character varying"} and b.base in {"text", "character varying"}:
        return _length_widens(a.args, b.args) or b.base == "text"
    if a.base == b.base and a.base in {"character", "bit varying", *_TIMES}:
        return _length_widens(a.args, b.args)
    # Otherwise only text keeps every value: the text form of a value reads back the same.
    return b.base == "text" and a.base != "character"


def _integer_widens(base: str, b: SqlType) -> bool:
    if b.base in _INTEGERS:
        return _INTEGERS[b.base] >= _INTEGERS[base]
    if b.base == "numeric":
        return (
            not b.args or b.args[0] - (b.args[1] if len(b.args) > 1 else 0) >= _INTEGER_DIGITS[base]
        )
    if b.base == "double precision":
        return base != "bigint"
    return b.base in {"text", "character varying"} and not b.args


def _numeric_widens(old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    if not new:
        return True
    if not old:
        return False
    old_scale = old[1] if len(old) > 1 else 0
    new_scale = new[1] if len(new) > 1 else 0
    return new_scale >= old_scale and new[0] - new_scale >= old[0] - old_scale


def _length_widens(old: tuple[int, ...], new: tuple[int, ...]) -> bool:
    """Length or precision modifiers: none means unlimited."""
    if not new:
        return True
    if not old:
        return False
    return new[0] >= old[0]
