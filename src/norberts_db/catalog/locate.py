"""Finding the line of the schema file that creates an object, for CI annotations.

This is a best-effort search of the split statements, not a parser: it finds
the CREATE statement of the object's kind and name (or, for a column or a
constraint, its line inside the table's statement) and otherwise falls back to
the line of the parent table. ``None`` means no line was found.
"""

from __future__ import annotations

import re

from norberts_db.catalog.model import CHILD_KINDS, ObjectKey, split_name
from norberts_db.sqlfile import SqlScript, Statement

# The keyword after CREATE [OR REPLACE | UNIQUE | UNLOGGED | ...] for each kind.
_CREATE_KEYWORD = {
    "schema": "SCHEMA",
    "extension": "EXTENSION",
    "enum": "TYPE",
    "composite type": "TYPE",
    "range type": "TYPE",
    "domain": "DOMAIN",
    "table": "TABLE",
    "index": "INDEX",
    "sequence": "SEQUENCE",
    "view": "VIEW",
    "materialized view": "VIEW",
    "function": "FUNCTION",
    "procedure": "PROCEDURE",
    "aggregate": "AGGREGATE",
    "window function": "FUNCTION",
    "trigger": "TRIGGER",
    "event trigger": "TRIGGER",
    "policy": "POLICY",
    "rule": "RULE",
    "collation": "COLLATION",
    "statistics": "STATISTICS",
}


def locate(script: SqlScript, key: ObjectKey) -> int | None:
    """The 1-based line of ``script`` where ``key`` is created, if it can be found."""
    parts = split_name(key.name)
    if key.kind in ("column", "constraint") and len(parts) >= 3:
        line = _find_in_parent(script, parts[-2], parts[-1], key.kind)
        if line is not None:
            return line
    keyword = _CREATE_KEYWORD.get(key.kind)
    if keyword is not None:
        line = _find_create(script, keyword, parts[-1])
        if line is not None:
            return line
    if key.kind in CHILD_KINDS and len(parts) >= 3:
        # An object the file does not create: point at its table (or view, or domain).
        for parent_keyword in ("TABLE", "VIEW", "DOMAIN"):
            line = _find_create(script, parent_keyword, parts[-2])
            if line is not None:
                return line
    return None


def _identifier(name: str, group: str = "") -> str:
    """A pattern for an identifier as written in SQL: quoted, or bare and any case."""
    body = re.escape(name) if name.startswith('"') else f'"?{re.escape(name)}"?(?![\\w$])'
    return f"(?P<{group}>{body})" if group else body


def _find_create(script: SqlScript, keyword: str, name: str) -> int | None:
    pattern = re.compile(
        rf"^CREATE\s+(?:\w+\s+){{0,3}}?{keyword}\s+(?:IF\s+NOT\s+EXISTS\s+)?"
        rf"(?:[\w\"$]+\.)?{_identifier(name)}",
        re.IGNORECASE,
    )
    for statement in script.statements:
        if pattern.match(statement.text):
            return statement.line
    return None


def _find_in_parent(script: SqlScript, parent: str, child: str, kind: str) -> int | None:
    """The line of a column or constraint inside CREATE TABLE, or of ALTER TABLE ... ADD."""
    head = re.compile(
        rf"^(?:CREATE\s+(?:\w+\s+){{0,2}}?(?:TABLE|DOMAIN)|ALTER\s+(?:TABLE|DOMAIN))\s+"
        rf"(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?(?:[\w\"$]+\.)?{_identifier(parent)}",
        re.IGNORECASE,
    )
    if kind == "constraint":
        child_pattern = re.compile(rf"\bCONSTRAINT\s+{_identifier(child, 'child')}", re.IGNORECASE)
    else:
        # A column definition starts a line of the table body, or follows ADD [COLUMN].
        child_pattern = re.compile(
            rf"(?:^\s*|[(,]\s*|\bADD\s+(?:COLUMN\s+)?){_identifier(child, 'child')}\s+\w",
            re.IGNORECASE | re.MULTILINE,
        )
    for statement in script.statements:
        if head.match(statement.text):
            found = _search_body(statement, child_pattern)
            if found is not None:
                return found
    return None


def _search_body(statement: Statement, pattern: re.Pattern[str]) -> int | None:
    # Skip the statement's head so the table's own name cannot match as a column.
    start = statement.text.find("(")
    if start < 0 or statement.text.upper().startswith("ALTER"):
        start = 0
    match = pattern.search(statement.text, start)
    if match is None:
        return None
    return statement.line_of(match.start("child") + 1)
