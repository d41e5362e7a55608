"""The structured catalog the generators read: what the schema file creates, in catalog order."""

from __future__ import annotations

from dataclasses import dataclass, field

from norberts_db.catalog.model import ObjectKey


@dataclass(frozen=True)
class Sequence:
    """Sequence options as the server prints them (text: a bigint may not fit a float)."""

    type: str
    start: str
    increment: str
    min: str
    max: str
    cache: str
    cycle: bool


@dataclass(frozen=True)
class Column:
    name: str
    quoted: str  # as quote_ident() prints it
    type: str  # as format_type prints it
    base_type: str  # the element type's name (typname) for arrays
    base_type_schema: str
    base_type_kind: str  # pg_type.typtype of the element type: b, e, d, r, c, m, p
    is_array: bool
    typmod: int
    not_null: bool
    identity: str  # "a" always, "d" by default, "" none
    generated: str  # "s" stored, "v" virtual, "" none
    default: str | None
    collation: str | None
    comment: str | None
    sequence_name: str | None = None  # qualified and quoted
    sequence_relname: str | None = None
    sequence_dependency: str | None = None  # "i" identity, "a" owned (serial)
    sequence: Sequence | None = None
    default_sequence_name: str | None = None  # what an identity or serial would call its own
    domain_base: Column | None = None  # a domain's base type, as a column of that type

    @property
    def undomained(self) -> Column:
        """This column with a domain's base type in place of the domain."""
        return self.domain_base or self


@dataclass(frozen=True)
class Constraint:
    name: str
    quoted: str
    type: str  # p, u, f, c, x
    columns: tuple[str, ...]
    definition: str
    ref_schema: str | None = None
    ref_table: str | None = None
    ref_qualified: str = ""
    ref_columns: tuple[str, ...] = ()
    on_update: str | None = None  # a, r, c, n, d
    on_delete: str | None = None
    match_type: str | None = None  # s simple, f full, p partial
    deferrable: bool = False
    deferred: bool = False
    validated: bool = True
    nulls_not_distinct: bool = False
    comment: str | None = None

    @property
    def check_expression(self) -> str:
        """The expression of a CHECK constraint, without ``CHECK (...)`` and NOT VALID."""
        text = self.definition.removesuffix(" NOT VALID").removesuffix(" NO INHERIT")
        return text.removeprefix("CHECK (").removesuffix(")")


@dataclass(frozen=True)
class IndexKey:
    column: str | None  # None for an expression
    quoted_column: str | None
    expression: str
    opclass: str | None  # set only when not the default for the type
    opclass_name: str
    desc: bool
    nulls_first: bool


@dataclass(frozen=True)
class Index:
    name: str
    quoted: str
    unique: bool
    method: str
    keys: tuple[IndexKey, ...]
    include: tuple[str, ...]
    predicate: str | None
    nulls_not_distinct: bool
    options: str | None
    definition: str
    comment: str | None


@dataclass(frozen=True)
class Trigger:
    name: str
    definition: str
    comment: str | None


@dataclass(frozen=True)
class Table:
    """A table, view or materialized view (``relkind`` r/p, v, m) and its parts."""

    schema: str
    name: str
    quoted_schema: str
    qualified: str
    relkind: str
    comment: str | None
    definition: str | None = None
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    triggers: tuple[Trigger, ...] = ()

    @property
    def is_view(self) -> bool:
        return self.relkind in ("v", "m")

    def of_type(self, kind: str) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints if c.type == kind)

    @property
    def primary_key(self) -> Constraint | None:
        return next(iter(self.of_type("p")), None)

    def is_unique(self, columns: tuple[str, ...]) -> bool:
        """Whether a primary key, unique constraint or full unique index has exactly ``columns``."""
        keys = [set(c.columns) for c in self.constraints if c.type in ("p", "u")]
        keys += [
            {k.column or "" for k in index.keys}
            for index in self.indexes
            if index.unique and index.predicate is None and all(k.column for k in index.keys)
        ]
        return set(columns) in keys


@dataclass(frozen=True)
class Enum:
    schema: str
    name: str
    qualified: str
    labels: tuple[str, ...]
    comment: str | None


@dataclass(frozen=True)
class StandaloneSequence:
    schema: str
    name: str
    qualified: str
    options: Sequence
    comment: str | None


@dataclass(frozen=True)
class DropObject:
    """An object that stands on its own, as pg_identify_object names it."""

    type: str
    identity: str
    order: int  # creation order (oid)


@dataclass(frozen=True)
class Catalog:
    """Everything the generators need from one build of the schema file."""

    schema_file: str
    tables: tuple[Table, ...] = ()
    enums: tuple[Enum, ...] = ()
    sequences: tuple[StandaloneSequence, ...] = ()
    # The drop script, in order: ALTER TABLE ... DROP CONSTRAINT first (cycles), then DROPs.
    drop_order: tuple[DropObject, ...] = ()
    broken_foreign_keys: tuple[tuple[str, str], ...] = ()  # (table, constraint), both quoted
    # Every object verify compares, with its attributes: the header of a file
    # that cannot represent something names it from here.
    objects: dict[ObjectKey, dict[str, str]] = field(default_factory=dict)

    def table(self, schema: str, name: str) -> Table:
        return next(t for t in self.tables if (t.schema, t.name) == (schema, name))
