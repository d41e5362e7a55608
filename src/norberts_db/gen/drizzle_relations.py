"""``relations()`` for every foreign key between two tables of the file.

The referencing side is ``one()`` with the key's columns. The referenced side
is ``one()`` when the key's columns are also unique in the referencing table
(a primary key, unique constraint or full unique index on exactly those
columns: one-to-one), ``many()`` otherwise. Every pair is tied by the foreign
key's name as ``relationName``, so two keys between the same tables never mix.
"""

from __future__ import annotations

from norberts_db.gen import typescript as ts
from norberts_db.gen.model import Catalog, Constraint, Table


def render(
    catalog: Catalog,
    variables: dict[str, str],
    props: dict[str, dict[str, str]],
    names: ts.Names,
) -> list[str]:
    entries: dict[str, list[tuple[str, str]]] = {t.qualified: [] for t in catalog.tables}
    taken = {t.qualified: set(props[t.qualified].values()) for t in catalog.tables}
    tables = {t.qualified: t for t in catalog.tables if not t.is_view}
    # A one-to-one's referenced side can name no key, so it is declared only
    # when a single foreign key joins the two tables.
    pairs: dict[tuple[str, str], int] = {}
    for table in tables.values():
        for fk in table.of_type("f"):
            pair = (table.qualified, fk.ref_qualified)
            pairs[pair] = pairs.get(pair, 0) + 1
    for table in tables.values():
        for fk in table.of_type("f"):
            target = fk.ref_qualified
            if target not in tables:
                continue
            relation = ts.string(fk.name)
            here, there = variables[table.qualified], variables[target]
            fields = ", ".join(_column(here, props[table.qualified], c) for c in fk.columns)
            refs = ", ".join(_column(there, props[target], c) for c in fk.ref_columns)
            forward = _name(_forward_name(fk, tables[target]), fk, taken[table.qualified])
            entries[table.qualified].append(
                (
                    forward,
                    f"one({there}, {{ fields: [{fields}], references: [{refs}], "
                    f"relationName: {relation} }})",
                )
            )
            back = _name(ts.camel(table.name), fk, taken[target])
            if not table.is_unique(fk.columns):
                entries[target].append((back, f"many({here}, {{ relationName: {relation} }})"))
            elif pairs[(table.qualified, target)] == 1:
                # The referenced side of one() takes no options: drizzle finds its key.
                entries[target].append((back, f"one({here})"))
    out: list[str] = []
    for table in catalog.tables:
        items = entries[table.qualified]
        if not items:
            continue
        used = sorted({text.split("(", 1)[0] for _, text in items})
        var = names.take(variables[table.qualified] + "Relations", "Relations")
        out.append(
            f"export const {var} = relations({variables[table.qualified]}, "
            f"({{ {', '.join(used)} }}) => ({{"
        )
        out += [f"  {name}: {text}," for name, text in items]
        out += ["}));", ""]
    return out


def _column(var: str, props: dict[str, str], column: str) -> str:
    prop = props[column]
    return f"{var}[{prop}]" if prop.startswith("'") else f"{var}.{prop}"


def _forward_name(fk: Constraint, target: Table) -> str:
    if len(fk.columns) == 1 and fk.columns[0].endswith("_id") and len(fk.columns[0]) > 3:
        return ts.camel(fk.columns[0][:-3])
    return ts.camel(target.name)


def _name(wanted: str, fk: Constraint, taken: set[str]) -> str:
    name = wanted if wanted not in taken else ts.camel(fk.name)
    base, n = name, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name
