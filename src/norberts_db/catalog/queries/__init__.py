"""Catalog queries, one file per object kind, loaded once.

Every query returns the columns ``kind`` and ``name`` and then one column per
attribute of the object, as text. A NULL attribute means "not set" (no comment,
no default) and is left out of the snapshot.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_HERE = Path(__file__).parent

# The order only decides the order of reading; comparison sorts by itself.
KINDS = (
    "schemas",
    "extensions",
    "collations",
    "types",
    "base_types",
    "domains",
    "tables",
    "columns",
    "constraints",
    "indexes",
    "sequences",
    "views",
    "functions",
    "triggers",
    "event_triggers",
    "policies",
    "statistics",
    "rules",
    "operators",
    "operator_classes",
    "casts",
    "text_search",
    "conversions_and_languages",
    "foreign_data",
    "publications",
    "default_privileges",
    "aggregates",
    "internal_routines",
    "foreign_table_parts",
    "user_mappings",
    "not_compared",
)


@cache
def load(name: str) -> str:
    """The text of ``catalog/queries/<name>.sql``, read as :func:`norberts_db.queries.load` does."""
    return (_HERE / f"{name}.sql").read_text(encoding="utf-8")


# Queries whose every row is a grant: run only when owners and grants are compared.
PRIVILEGE_QUERIES = frozenset({"default_privileges"})

# A select item of present.sql: a line that ends "AS <kind>," (or ";" for the last).
_PRESENT_COLUMN = re.compile(r"\bAS (\w+)[,;]$", re.MULTILINE)


def _gated_kinds() -> frozenset[str]:
    """The kinds present.sql has a column for: their queries run only where it is true."""
    return frozenset(_PRESENT_COLUMN.findall(load("present")))


GATED_KINDS = _gated_kinds()


@cache
def presence_batch() -> str:
    """The session settings and present.sql, as one script: two results."""
    return "\n".join(
        part.rstrip().removesuffix(";") + ";" for part in (load("session"), load("present"))
    )


@cache
def snapshot_batch(*, privileges: bool, present: frozenset[str]) -> str:
    """Every kind's query that can find something, as one script, in the order of KINDS.

    Sent in one round trip (the simple query protocol takes several
    statements), it yields one result per query: a quarter less time than
    one query at a time. A kind of GATED_KINDS is left out unless it is in
    ``present``; without ``privileges`` the queries of PRIVILEGE_QUERIES are
    left out. The session settings come first (:func:`presence_batch`).
    """
    kinds = (
        kind
        for kind in KINDS
        if (privileges or kind not in PRIVILEGE_QUERIES)
        and (kind not in GATED_KINDS or kind in present)
    )
    return "\n".join(load(kind).rstrip().removesuffix(";") + ";" for kind in kinds)
