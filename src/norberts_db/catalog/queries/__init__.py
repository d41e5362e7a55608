"""Catalog queries, one file per object kind, loaded once.

Every query returns the columns ``kind`` and ``name`` and then one column per
attribute of the object, as text. A NULL attribute means "not set" (no comment,
no default) and is left out of the snapshot.
"""

from __future__ import annotations

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


@cache
def snapshot_batch(*, privileges: bool) -> str:
    """The session settings and every kind's query as one script, in the order of KINDS.

    Sent in one round trip (the simple query protocol takes several
    statements), it yields one result per query: a quarter less time than
    one query at a time. Without ``privileges`` the queries of
    PRIVILEGE_QUERIES are left out.
    """
    kinds = (kind for kind in KINDS if privileges or kind not in PRIVILEGE_QUERIES)
    parts = [load("session"), *(load(kind) for kind in kinds)]
    return "\n".join(part.rstrip().removesuffix(";") + ";" for part in parts)
