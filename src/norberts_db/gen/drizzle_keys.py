"""Keys, checks and indexes of a table, as entries of its drizzle extra config."""

from __future__ import annotations

from norberts_db.gen import typescript as ts
from norberts_db.gen.drizzle_columns import TypeContext
from norberts_db.gen.model import Constraint, Index, Table

_ACTIONS = {"r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}


def constraint(
    table: Table,
    con: Constraint,
    variables: dict[str, str],
    all_props: dict[str, dict[str, str]],
    ctx: TypeContext,
) -> str | None:
    props = all_props[table.qualified]
    name = ts.string(con.name)
    columns = ", ".join(_ref("table", props, c) for c in con.columns)
    if con.type == "p":
        ctx.imports.add("primaryKey")
        return f"primaryKey({{ name: {name}, columns: [{columns}] }})"
    if con.type == "u":
        ctx.imports.add("unique")
        nulls = ".nullsNotDistinct()" if con.nulls_not_distinct else ""
        return f"unique({name}).on({columns}){nulls}"
    if con.type == "c":
        if con.definition.endswith((" NOT VALID", " NO INHERIT")):
            return None
        ctx.imports.update({"check", "sql"})
        return f"check({name}, {ts.sql(con.check_expression)})"
    if (
        con.type == "f"
        and con.match_type in (None, "s")
        and "SET NULL (" not in con.definition
        and "SET DEFAULT (" not in con.definition
    ):
        ctx.imports.add("foreignKey")
        target = con.ref_qualified
        if target not in variables:
            return None
        if target == table.qualified:
            refs = ", ".join(_ref("table", props, c) for c in con.ref_columns)
        else:
            refs = ", ".join(_ref(variables[target], all_props[target], c) for c in con.ref_columns)
        text = f"foreignKey({{ name: {name}, columns: [{columns}], foreignColumns: [{refs}] }})"
        if con.on_update in _ACTIONS:
            text += f".onUpdate({ts.string(_ACTIONS[con.on_update])})"
        if con.on_delete in _ACTIONS:
            text += f".onDelete({ts.string(_ACTIONS[con.on_delete])})"
        return text
    return None


def _ref(var: str, props: dict[str, str], column: str) -> str:
    prop = props[column]
    return f"{var}.{prop}" if not prop.startswith("'") else f"{var}[{prop}]"


def index(index: Index, props: dict[str, str], ctx: TypeContext) -> str | None:
    if index.include or index.nulls_not_distinct or index.options:
        return None
    function = "uniqueIndex" if index.unique else "index"
    ctx.imports.add(function)
    keys = []
    for key in index.keys:
        modifiers = ""
        if key.desc:
            modifiers = ".desc().nullsFirst()" if key.nulls_first else ".desc().nullsLast()"
        elif key.nulls_first:
            modifiers = ".nullsFirst()"
        if key.column is not None and not (key.opclass and modifiers):
            op = f".op({ts.string(key.opclass_name)})" if key.opclass else ""
            keys.append(_ref("table", props, key.column) + op + modifiers)
            continue
        # drizzle-kit drops DESC and NULLS of a key with an operator class: spelled in SQL.
        text = key.expression if key.quoted_column is None else key.quoted_column
        if key.opclass:
            text += f" {key.opclass}"
        if key.desc:
            text += " DESC" if key.nulls_first else " DESC NULLS LAST"
        elif key.nulls_first:
            text += " NULLS FIRST"
        ctx.imports.add("sql")
        keys.append(ts.sql(text))
    on = (
        f".on({', '.join(keys)})"
        if index.method == "btree"
        else (f".using({ts.string(index.method)}, {', '.join(keys)})")
    )
    where = ""
    if index.predicate:
        ctx.imports.add("sql")
        where = f".where({ts.sql(index.predicate)})"
    return f"{function}({ts.string(index.name)}){on}{where}"
