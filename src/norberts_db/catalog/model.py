"""Value objects: what a snapshot holds and what a comparison finds.

A snapshot is a flat mapping from an object's identity (kind and qualified
name) to its attributes, all normalized to text by the server itself. Children
of a table (columns, constraints, indexes, triggers, policies, rules) are objects of
their own, named ``schema.table.child``, so that one drifted column is one
difference and not a change of the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

Status = Literal["missing", "unexpected", "changed"]

# Report order: what the schema file wants first, then what it does not know, then the rest.
STATUS_ORDER: Mapping[Status, int] = {"missing": 0, "unexpected": 1, "changed": 2}

# Attributes that are compared only when privileges are asked for.
PRIVILEGE_ATTRIBUTES = frozenset({"owner", "acl"})
# Kinds that are grants themselves: read and compared only with owners and grants.
PRIVILEGE_KINDS = frozenset({"default privileges"})

# Kinds whose name is ``schema.parent.child``: they belong to a table, view or domain.
CHILD_KINDS = frozenset({"column", "constraint", "index", "trigger", "policy", "rule"})

# Report order within a table: the table, then its parts, kind by kind.
KIND_ORDER = (
    "schema",
    "extension",
    "collation",
    "enum",
    "composite type",
    "range type",
    "base type",
    "shell type",
    "domain",
    "sequence",
    "table",
    "column",
    "constraint",
    "index",
    "trigger",
    "policy",
    "rule",
    "statistics",
    "view",
    "materialized view",
    "function",
    "procedure",
    "aggregate",
    "window function",
    "operator",
    "operator family",
    "operator class",
    "cast",
    "text search parser",
    "text search template",
    "text search dictionary",
    "text search configuration",
    "text search mapping",
    "conversion",
    "language",
    "foreign data wrapper",
    "server",
    "foreign table",
    "publication",
    "subscription",
    "user mapping",
    "event trigger",
    "default privileges",
)
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}

Attributes = Mapping[str, str]


class ObjectKey(NamedTuple):
    """The identity of a database object: its kind and its qualified, quoted name.

    A named tuple rather than a frozen dataclass: a snapshot, a comparison and a
    plan hash and compare keys hundreds of thousands of times, and a tuple does
    both in C. It sorts by kind, then name.
    """

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Snapshot:
    """Every object of a database and its attributes. Absent attributes are unset."""

    objects: Mapping[ObjectKey, Attributes] = field(default_factory=dict)
    # What the toolkit could not read in this database, and why: never reported as a match.
    not_compared: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.objects)

    def without_privileges(self) -> Snapshot:
        """The same snapshot with owners, ACLs and default privileges left out."""
        return Snapshot(
            {
                key: {k: v for k, v in attrs.items() if k not in PRIVILEGE_ATTRIBUTES}
                for key, attrs in self.objects.items()
                if key.kind not in PRIVILEGE_KINDS
            },
            self.not_compared,
        )


@dataclass(frozen=True, order=True)
class Change:
    """One attribute that differs; ``None`` means the attribute is not set on that side."""

    attribute: str
    expected: str | None
    found: str | None


@dataclass(frozen=True)
class Difference:
    """One object that is missing, unexpected, or present with different attributes."""

    kind: str
    name: str
    status: Status
    changes: tuple[Change, ...] = ()

    @property
    def key(self) -> ObjectKey:
        return ObjectKey(self.kind, self.name)

    def sort_key(self) -> tuple[int, str, int, str, str]:
        """Status, then the owning object, so a table's parts follow the table, kind by kind."""
        owner = self.name
        if self.kind in CHILD_KINDS:
            owner = ".".join(split_name(self.name)[:-1])
        rank = _KIND_RANK.get(self.kind, len(KIND_ORDER))
        return (STATUS_ORDER[self.status], owner, rank, self.kind, self.name)


def split_name(name: str) -> list[str]:
    """The identifiers of a qualified name, quotes kept; a routine's argument list dropped.

    ``public."a.b"(integer)`` gives ``['public', '"a.b"']``.
    """
    if '"' not in name:
        # The common case, and it runs once per object of a snapshot: no walk by character.
        return name.split("(", 1)[0].split(".")
    parts: list[str] = []
    current = ""
    quoted = False
    for ch in name:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == ".":
            parts.append(current)
            current = ""
            continue
        elif not quoted and ch == "(":
            break
        current += ch
    parts.append(current)
    return parts
