"""The parts of a migration file: statements that run together, in one transaction or alone.

Two kinds of statement split a file, detected in the SQL itself:

- ``CREATE/DROP INDEX CONCURRENTLY``, ``REINDEX ... CONCURRENTLY`` (and the
  other statements PostgreSQL refuses in a transaction block) run alone,
  outside one;
- ``ALTER TYPE ... ADD VALUE``: a new enum value cannot be used in the
  transaction that added it, so the transaction commits right after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from norberts_db.sqlfile import Statement

_NO_TRANSACTION = re.compile(
    r"^\s*(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY"
    r"|REINDEX\b.*\bCONCURRENTLY\b|REINDEX\s+(\(.*?\)\s*)?(SCHEMA|DATABASE|SYSTEM)\b|VACUUM\b"
    r"|ALTER\s+TABLE\b.*\bDETACH\s+PARTITION\b.*\bCONCURRENTLY)",
    re.IGNORECASE | re.DOTALL,
)
_ADD_VALUE = re.compile(r"^\s*ALTER\s+TYPE\s+.+?\s+ADD\s+VALUE\b", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Segment:
    """Statements that run together: in one transaction, or one statement outside any."""

    statements: tuple[Statement, ...]
    transactional: bool


def segments(statements: tuple[Statement, ...]) -> list[Segment]:
    """Split a file's statements where a transaction must end (see the module docstring)."""
    found: list[Segment] = []
    current: list[Statement] = []
    adding = False
    for statement in statements:
        if _NO_TRANSACTION.match(statement.text):
            if current:
                found.append(Segment(tuple(current), True))
                current = []
            found.append(Segment((statement,), False))
            adding = False
            continue
        is_add = bool(_ADD_VALUE.match(statement.text))
        if adding and not is_add and current:
            found.append(Segment(tuple(current), True))
            current = []
        current.append(statement)
        adding = is_add
    if current:
        found.append(Segment(tuple(current), True))
    return found
