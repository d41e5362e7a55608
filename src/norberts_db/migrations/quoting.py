"""Quoting names and literals for generated DDL.

Names read from the catalog arrive already quoted by the server's
``quote_ident`` (the snapshot's own naming), so they are used as they are. A
name composed here, or a raw name, is quoted with :mod:`psycopg.sql`; a
literal (a comment, an enum label) likewise.
"""

from __future__ import annotations

import re

from psycopg import sql

from norberts_db.catalog.model import split_name

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
# PostgreSQL's keywords that are not "unreserved" (pg_get_keywords(), catcode <> 'U'):
# as a name they need quotes. Quoting one more than needed is harmless. (A
# word list reads better as text than as 170 quoted strings: SIM905.)
_KEYWORDS = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization between bigint binary
    bit boolean both case cast char character check coalesce collate collation column
    concurrently constraint create cross current_catalog current_date current_role
    current_schema current_time current_timestamp current_user dec decimal default deferrable
    desc distinct do else end except exists extract false fetch float for foreign freeze from
    full grant greatest group grouping having ilike in initially inner inout int integer
    intersect interval into is isnull join json json_array json_arrayagg json_exists
    json_object json_objectagg json_query json_scalar json_serialize json_table json_value
    lateral leading least left like limit localtime localtimestamp merge_action national
    natural nchar none normalize not notnull null nullif numeric offset on only or order out
    outer overlaps overlay placing position precision primary real references returning right
    row select session_user setof similar smallint some substring symmetric system_user table
    tablesample then time timestamp to trailing treat trim true union unique user using values
    varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement
    xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable""".split()  # noqa: SIM905
)


def ident(raw: str) -> str:
    """A raw name as SQL: bare when PostgreSQL would read it back unchanged, else quoted."""
    if _PLAIN.fullmatch(raw) and raw not in _KEYWORDS:
        return raw
    return sql.Identifier(raw).as_string(None)


def unquote(quoted: str) -> str:
    """The raw name of one identifier as ``quote_ident`` printed it."""
    if quoted.startswith('"') and quoted.endswith('"') and len(quoted) >= 2:
        return quoted[1:-1].replace('""', '"')
    return quoted


def literal(value: str) -> str:
    """A string literal."""
    return sql.Literal(value).as_string(None).strip()


def parent_of(name: str) -> str:
    """``schema.table`` of a part named ``schema.table.part`` (quotes kept)."""
    return ".".join(split_name(name)[:-1])


def last_of(name: str) -> str:
    """The last identifier of a qualified name (quotes kept)."""
    return split_name(name)[-1]


def schema_of(name: str) -> str:
    return split_name(name)[0]


def with_suffix(quoted: str, suffix: str) -> str:
    """A new name: the raw name of ``quoted`` plus ``suffix``, within 63 bytes, quoted."""
    raw = unquote(quoted)
    while len((raw + suffix).encode()) > 63:
        raw = raw[:-1]
    return ident(raw + suffix)
