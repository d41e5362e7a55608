"""One column as a drizzle-orm/pg-core builder: its type, nullability, default and identity.

Choices made once for the whole file, so every value round-trips exactly:
- ``bigint`` and ``bigserial`` use ``mode: 'bigint'`` (a JavaScript BigInt):
  a ``number`` would silently round beyond 2^53, and ids, seeds and counters
  are bigint for a reason;
- ``timestamp`` and ``date`` use ``mode: 'string'``: a JavaScript Date keeps
  milliseconds only (PostgreSQL keeps microseconds) and reads a timestamp
  without time zone in the local zone;
- ``numeric`` is a string (drizzle's default), as a float would round.
A type drizzle has no builder for becomes a ``customType`` with the type's
exact name, so no column is left out or approximated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from norberts_db.gen import typescript as ts
from norberts_db.gen.model import Column, Sequence, Table

# typname -> (builder, options) for the types whose builder takes no type modifier.
_PLAIN = {
    "int2": "smallint",
    "int4": "integer",
    "float4": "real",
    "float8": "doublePrecision",
    "bool": "boolean",
    "text": "text",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "inet": "inet",
    "cidr": "cidr",
    "macaddr": "macaddr",
    "macaddr8": "macaddr8",
    "point": "point",
    "line": "line",
}
_INT_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
_SERIALS = {"int2": "smallserial", "int4": "serial", "int8": "bigserial"}
_STRING_TYPES = frozenset({"text", "varchar", "bpchar"})


@dataclass
class TypeContext:
    """What the columns of one file need besides themselves."""

    enums: dict[str, str]  # qualified enum name -> variable
    imports: set[str] = field(default_factory=set)
    custom: dict[str, str] = field(default_factory=dict)  # SQL type -> variable
    names: ts.Names = field(default_factory=ts.Names)

    def custom_type(self, sql_type: str) -> str:
        if sql_type not in self.custom:
            self.imports.add("customType")
            wanted = ts.camel(sql_type.split(".")[-1]) + "Type"
            self.custom[sql_type] = self.names.take(wanted, "Custom")
        return self.custom[sql_type]


def builder(column: Column, ctx: TypeContext, *, table: Table | None = None) -> str:
    """The builder call, e.g. ``varchar('email', { length: 200 }).notNull()``.

    Without ``table`` (a view's column) only the type is written.
    """
    call = _type_call(column, ctx, serial=table is not None and _is_serial(column, table))
    if column.is_array:
        call += ".array()"
    if table is None:
        return call
    if column.not_null and not (_is_serial(column, table) or column.identity):
        call += ".notNull()"
    if column.identity:
        method = (
            "generatedAlwaysAsIdentity"
            if column.identity == "a"
            else ("generatedByDefaultAsIdentity")
        )
        options = _identity_options(column, table)
        call += f".{method}({options})"
    elif column.generated == "s" and column.default is not None:
        ctx.imports.add("sql")
        call += f".generatedAlwaysAs({ts.sql(column.default)})"
    elif column.default is not None and not _is_serial(column, table):
        call += _default(column, ctx)
    return call


def _type_call(column: Column, ctx: TypeContext, *, serial: bool) -> str:
    name = ts.string(column.name)
    kind, typname, typmod = column.base_type_kind, column.base_type, column.typmod
    if kind == "e":
        enum = f"{column.base_type_schema}.{column.base_type}"
        if enum in ctx.enums:
            return f"{ctx.enums[enum]}({name})"
    if serial:
        ctx.imports.add(_SERIALS[typname])
        mode = ", { mode: 'bigint' }" if typname == "int8" else ""
        return f"{_SERIALS[typname]}({name}{mode})"
    if column.base_type_schema == "pg_catalog" and kind == "b":
        call = _builtin(typname, typmod, _element_type(column))
        if call is not None:
            function, options = call
            ctx.imports.add(function)
            return f"{function}({name}{', ' + options if options else ''})"
    # drizzle-kit quotes a custom type's name as one identifier, so a type of
    # public goes by its bare name, which the default search_path finds.
    sql_type = _element_type(column)
    if column.base_type_schema == "public":
        sql_type = sql_type.removeprefix("public.")
    return f"{ctx.custom_type(sql_type)}({name})"


def _element_type(column: Column) -> str:
    return column.type.removesuffix("[]") if column.is_array else column.type


def _builtin(typname: str, typmod: int, printed: str) -> tuple[str, str] | None:
    """(builder, options) for a pg_catalog type drizzle has a builder for, else None."""
    if typname in _PLAIN:
        return _PLAIN[typname], ""
    if typname == "int8":
        return "bigint", "{ mode: 'bigint' }"
    if typname in ("varchar", "bpchar"):
        function = "varchar" if typname == "varchar" else "char"
        return function, f"{{ length: {typmod - 4} }}" if typmod >= 0 else ""
    if typname == "numeric":
        if typmod < 0:
            return "numeric", ""
        precision, scale = ((typmod - 4) >> 16) & 0xFFFF, (typmod - 4) & 0xFFFF
        if scale > 1000:  # a negative scale (PostgreSQL 15+): no option for it
            return None
        return "numeric", f"{{ precision: {precision}, scale: {scale} }}"
    if typname == "date":
        return "date", "{ mode: 'string' }"
    if typname in ("timestamp", "timestamptz", "time", "timetz"):
        options = []
        if typname.endswith("tz"):
            options.append("withTimezone: true")
        if typmod >= 0:
            options.append(f"precision: {typmod}")
        if typname.startswith("timestamp"):
            options.append("mode: 'string'")
            return "timestamp", "{ " + ", ".join(options) + " }"
        return "time", "{ " + ", ".join(options) + " }" if options else ""
    if typname == "interval":
        match = re.fullmatch(r"interval(?:\((\d+)\))?(?: ([a-z ]+?))?(?:\((\d+)\))?", printed)
        if match is None:
            return None
        fields: list[str] = []
        if match.group(2):
            fields.append(f"fields: {ts.string(match.group(2))}")
        digits = match.group(1) or match.group(3)
        if digits:
            fields.append(f"precision: {digits}")
        return "interval", "{ " + ", ".join(fields) + " }" if fields else ""
    return None


def _is_serial(column: Column, table: Table) -> bool:
    """A serial: an integer whose default is nextval() of the sequence it owns, made by serial."""
    if column.sequence_dependency != "a" or column.is_array or column.base_type not in _SERIALS:
        return False
    if column.sequence is None or column.sequence_name is None:
        return False
    plain = _default_sequence(column.sequence, column.sequence.type)
    return (
        column.default == f"nextval('{column.sequence_name}'::regclass)"
        and column.sequence_name == column.default_sequence_name
        and plain
        and column.not_null
    )


def _default_sequence(seq: Sequence, type_name: str) -> bool:
    maximum = _INT_MAX.get(type_name, 0)
    return (seq.start, seq.increment, seq.min, seq.max, seq.cache, seq.cycle) == (
        "1",
        "1",
        "1",
        str(maximum),
        "1",
        False,
    )


def _identity_options(column: Column, table: Table) -> str:
    """The identity's sequence options that differ from the defaults for its type."""
    seq = column.sequence
    if seq is None:
        return ""
    maximum = _INT_MAX.get(seq.type, _INT_MAX["bigint"])
    ascending = not seq.increment.startswith("-")
    low, high = ("1", str(maximum)) if ascending else (str(-maximum - 1), "-1")
    defaults = {
        "increment": "1",
        "minValue": low,
        "maxValue": high,
        "startWith": low if ascending else high,
        "cache": "1",
    }
    values = {
        "increment": seq.increment,
        "minValue": seq.min,
        "maxValue": seq.max,
        "startWith": seq.start,
        "cache": seq.cache,
    }
    parts = []
    if column.sequence_name and column.sequence_name != column.default_sequence_name:
        parts.append(f"name: {ts.string(column.sequence_relname or '')}")
    parts += [f"{key}: {ts.number(values[key])}" for key in values if values[key] != defaults[key]]
    if seq.cycle:
        parts.append("cycle: true")
    return "{ " + ", ".join(parts) + " }" if parts else ""


def sequence_options(seq: Sequence) -> str:
    """A standalone sequence's options, every one spelled out."""
    parts = [
        f"startWith: {ts.number(seq.start)}",
        f"increment: {ts.number(seq.increment)}",
        f"minValue: {ts.number(seq.min)}",
        f"maxValue: {ts.number(seq.max)}",
        f"cache: {ts.number(seq.cache)}",
        f"cycle: {'true' if seq.cycle else 'false'}",
    ]
    return "{ " + ", ".join(parts) + " }"


def _default(column: Column, ctx: TypeContext) -> str:
    """``.default(...)`` with a plain value where one means exactly the same, else ``sql`...```."""
    expr = column.default or ""
    if expr == "now()" and column.base_type in ("timestamptz", "timestamp", "date"):
        return ".defaultNow()"
    if column.base_type == "bool" and expr in ("true", "false") and not column.is_array:
        return f".default({expr})"
    literal = re.fullmatch(r"'((?:[^'\\]|'')*)'::(.+)", expr)
    plain = column.base_type_kind == "e" or column.base_type in _STRING_TYPES
    if literal and plain and not column.is_array and literal.group(2) == column.type:
        return f".default({ts.string(literal.group(1).replace(chr(39) * 2, chr(39)))})"
    if re.fullmatch(r"\d{1,9}", expr) and column.base_type in ("int2", "int4"):
        return f".default({expr})"
    ctx.imports.add("sql")
    return f".default({ts.sql(expr)})"
