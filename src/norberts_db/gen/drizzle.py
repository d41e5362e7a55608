"""``gen.drizzle``: the Drizzle ORM schema (drizzle-orm 0.45, ``drizzle-orm/pg-core``).

Everything Drizzle can express is written exactly: tables and columns in
catalog order, named keys with their columns in declared order, foreign keys
with their actions, CHECKs, indexes, enums, sequences, views and relations().
What it cannot express is named, object by object, in the header, from the
same catalog verify compares: nothing is left out silently. Which parts of an
object a builder reproduces is recorded as it is written (:class:`Coverage`).
"""

from __future__ import annotations

import re

from norberts_db.catalog.model import ObjectKey, split_name
from norberts_db.gen import drizzle_columns, drizzle_coverage, drizzle_keys, drizzle_relations
from norberts_db.gen import typescript as ts
from norberts_db.gen.drizzle_columns import TypeContext
from norberts_db.gen.drizzle_coverage import Coverage
from norberts_db.gen.model import Catalog, Table


def render(catalog: Catalog, *, command: str) -> str:
    """The text of ``schema.ts`` for ``catalog``."""
    names = ts.Names()
    coverage = Coverage()
    schemas = _schemas(catalog, names)
    enums = {}
    body: list[str] = []
    for enum in catalog.enums:
        var = names.take(ts.camel(enum.name), "Enum")
        enums[f"{enum.schema}.{enum.name}"] = var
        coverage.add("enum", enum.qualified, "labels")
        labels = ", ".join(ts.string(label) for label in enum.labels)
        owner: str | None = schemas.get(enum.schema)
        body += ts.jsdoc(enum.comment)
        body.append(
            f"export const {var} = {owner + '.enum' if owner else 'pgEnum'}"
            f"({ts.string(enum.name)}, [{labels}]);"
        )
        body.append("")
    ctx = TypeContext(enums=enums, names=names)
    if any(enum.schema not in schemas for enum in catalog.enums):
        ctx.imports.add("pgEnum")
    for seq in catalog.sequences:
        var = names.take(ts.camel(seq.name), "Sequence")
        owner = schemas.get(seq.schema)
        function = f"{owner}.sequence" if owner else "pgSequence"
        if not owner:
            ctx.imports.add("pgSequence")
        coverage.add(
            "sequence",
            seq.qualified,
            "start",
            "increment",
            "minvalue",
            "maxvalue",
            "cache",
            "cycle",
            *(["type"] if seq.options.type == "bigint" else []),
        )
        body.append(
            f"export const {var} = {function}({ts.string(seq.name)}, "
            f"{drizzle_columns.sequence_options(seq.options)});"
        )
        body.append("")
    variables = {t.qualified: names.take(_wanted(t), "Table") for t in catalog.tables}
    props = {t.qualified: column_properties(t) for t in catalog.tables}
    for table in catalog.tables:
        owner = schemas.get(table.schema)
        if table.is_view:
            body += _view(table, variables[table.qualified], owner, ctx, coverage)
        else:
            body += _table(catalog, table, variables, props, owner, ctx, coverage)
        body.append("")
    relations = drizzle_relations.render(catalog, variables, props, names)
    if relations:
        ctx.imports.add("relations")
        body += relations
    owned = [(t.schema, t.qualified) for t in catalog.tables]
    owned += [(e.schema, e.qualified) for e in catalog.enums]
    owned += [(s.schema, s.qualified) for s in catalog.sequences]
    for schema, name in owned:
        if schema in schemas:
            coverage.add("schema", split_name(name)[0])
    return (
        "\n".join(
            drizzle_coverage.header(catalog, command, coverage)
            + _imports(ctx, schemas)
            + _customs(ctx)
            + body
        ).rstrip()
        + "\n"
    )


def _wanted(table: Table) -> str:
    name = ts.camel(table.name)
    return name if table.schema == "public" else ts.camel(f"{table.schema}_{table.name}")


def _schemas(catalog: Catalog, names: ts.Names) -> dict[str, str]:
    used = {t.schema for t in catalog.tables} | {e.schema for e in catalog.enums}
    used |= {s.schema for s in catalog.sequences}
    return {s: names.take(ts.camel(s) + "Schema", "Schema") for s in sorted(used - {"public"})}


def _imports(ctx: TypeContext, schemas: dict[str, str]) -> list[str]:
    core = set(ctx.imports) - {"sql", "relations"}
    if schemas:
        core.add("pgSchema")
    out = []
    orm = sorted(name for name in ("relations", "sql") if name in ctx.imports)
    if orm:
        out.append(f"import {{ {', '.join(orm)} }} from 'drizzle-orm';")
    out.append(f"import {{ {', '.join(sorted(core))} }} from 'drizzle-orm/pg-core';")
    out.append("import type { PgTableExtraConfigValue } from 'drizzle-orm/pg-core';")
    out.append("")
    for schema, var in schemas.items():
        out.append(f"export const {var} = pgSchema({ts.string(schema)});")
    if schemas:
        out.append("")
    return out


def _customs(ctx: TypeContext) -> list[str]:
    out = []
    for sql_type, var in ctx.custom.items():
        data = "Buffer" if sql_type == "bytea" else "string"
        out.append(f"const {var} = customType<{{ data: {data} }}>({{")
        out.append(f"  dataType: () => {ts.string(sql_type)},")
        out.append("});")
    return [*out, ""] if out else []


def _table(
    catalog: Catalog,
    table: Table,
    variables: dict[str, str],
    all_props: dict[str, dict[str, str]],
    owner: str | None,
    ctx: TypeContext,
    coverage: Coverage,
) -> list[str]:
    var = variables[table.qualified]
    function = f"{owner}.table" if owner else "pgTable"
    if not owner:
        ctx.imports.add("pgTable")
    coverage.add("table", table.qualified, "row_level_security", "force_row_level_security")
    if table.comment:
        coverage.jsdoc.add(ObjectKey("table", table.qualified))
    out = [*ts.jsdoc(table.comment), f"export const {var} = {function}({ts.string(table.name)}, {{"]
    props = all_props[table.qualified]
    for column in table.columns:
        key = f"{table.qualified}.{column.quoted}"
        # drizzle-kit cannot create a domain: a column of one is of its base type.
        line = drizzle_columns.builder(column.undomained, ctx, table=table)
        written = column.undomained
        if written.base_type_schema != "pg_catalog" and written.base_type_kind != "e":
            coverage.prerequisites.add(written.type.removesuffix("[]"))
        attrs = ["identity_sequence"] if column.identity else []
        if column.collation is None and column.domain_base is None:
            attrs.append("definition")
        if column.domain_base is not None:
            coverage.domains[ObjectKey("column", key)] = column.type
        coverage.add("column", key, *attrs)
        if column.sequence_name and column.sequence_dependency == "a" and ".default(" not in line:
            coverage.add_all(catalog, "sequence", column.sequence_name)
        if column.comment:
            coverage.jsdoc.add(ObjectKey("column", key))
        out += ts.jsdoc(column.comment, "  ")
        out.append(f"  {props[column.name]}: {line},")
    extras = []
    for constraint in sorted(table.constraints, key=lambda c: "pufcx".index(c.type)):
        made = drizzle_keys.constraint(table, constraint, variables, all_props, ctx)
        if made is not None:
            extras.append(made)
            key = f"{table.qualified}.{constraint.quoted}"
            if constraint.type == "c" and _mentions_domain_column(table, [constraint.definition]):
                coverage.domains[ObjectKey("constraint", key)] = "columns"
                coverage.add("constraint", key, "type")
            else:
                coverage.add("constraint", key, "type", "definition")
    for index in table.indexes:
        made = drizzle_keys.index(index, props, ctx)
        if made is not None:
            extras.append(made)
            key = f"{table.qualified}.{index.quoted}"
            texts = [k.expression for k in index.keys if k.column is None] + [index.predicate or ""]
            if _mentions_domain_column(table, texts):
                # Its expression was written for the domain; on the base type
                # PostgreSQL prints it without the cast.
                coverage.domains[ObjectKey("index", key)] = "columns"
                coverage.add("index", key)
            else:
                coverage.add("index", key, "definition")
    if not extras:
        return [*out, "});"]
    # The return type is spelled out: tables whose keys reference each other
    # would otherwise have types that depend on themselves.
    return [*out, "}, (table): PgTableExtraConfigValue[] => [", *(f"  {e}," for e in extras), "]);"]


def _mentions_domain_column(table: Table, texts: list[str]) -> bool:
    names = [c.quoted for c in table.columns if c.domain_base is not None]
    return any(re.search(rf"(?<![\w\"]){re.escape(n)}(?![\w\"])", t) for n in names for t in texts)


def column_properties(table: Table) -> dict[str, str]:
    props: dict[str, str] = {}
    for column in table.columns:
        wanted = ts.camel(column.name)
        props[column.name] = wanted if wanted not in props.values() else ts.string(column.name)
    return props


def _view(
    table: Table, var: str, owner: str | None, ctx: TypeContext, coverage: Coverage
) -> list[str]:
    materialized = table.relkind == "m"
    kind = "materialized view" if materialized else "view"
    function = "pgMaterializedView" if materialized else "pgView"
    if owner:
        function = f"{owner}.{'materializedView' if materialized else 'view'}"
    else:
        ctx.imports.add(function)
    ctx.imports.add("sql")
    coverage.add(kind, table.qualified, "definition", "kind")
    if table.comment:
        coverage.jsdoc.add(ObjectKey(kind, table.qualified))
    props = column_properties(table)
    out = [*ts.jsdoc(table.comment), f"export const {var} = {function}({ts.string(table.name)}, {{"]
    for column in table.columns:
        out += ts.jsdoc(column.comment, "  ")
        out.append(f"  {props[column.name]}: {drizzle_columns.builder(column.undomained, ctx)},")
    definition = (table.definition or "").strip().removesuffix(";")
    return [*out, f"}}).as({ts.sql(definition)});"]
