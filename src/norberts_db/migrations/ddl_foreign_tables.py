"""Foreign tables: their columns (with options, NOT NULL, defaults), options and CHECKs.

A foreign table holds no rows, so moving one to another server makes it
again; everything else changes in place with ALTER FOREIGN TABLE.
"""

from __future__ import annotations

import json
from typing import Any

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_foreign import options_change, options_clause, pairs
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import ident, literal


def _columns(p: Planner, key: ObjectKey, *, target: bool = True) -> dict[str, dict[str, Any]]:
    catalog = p.target if target else p.source
    return {str(c["name"]): c for c in catalog.detail(key).get("columns") or ()}


def _checks(p: Planner, key: ObjectKey, *, target: bool = True) -> dict[str, str]:
    catalog = p.target if target else p.source
    return {str(name): str(text) for name, text in catalog.detail(key).get("checks") or ()}


def _column_sql(column: dict[str, Any]) -> str:
    text = f"{column['name']} {column['type']}"
    text += options_clause({str(n): str(v) for n, v in column.get("options") or ()})
    if column.get("collation"):
        text += f" COLLATE {column['collation']}"
    if column.get("not_null"):
        text += " NOT NULL"
    if column.get("default") is not None:
        text += f" DEFAULT {column['default']}"
    return text


def create_foreign_table(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    columns = ",\n    ".join(_column_sql(c) for c in _columns(p, key).values())
    body = f"(\n    {columns}\n)" if columns else "()"
    text = f"CREATE FOREIGN TABLE {key.name} {body}\nSERVER {attrs['server']}"
    text += options_clause(pairs(p, key))
    p.add(key, "create", text, needs=[ObjectKey("server", attrs["server"])])
    for name, definition in _checks(p, key).items():
        p.add(key, "create", f"ALTER FOREIGN TABLE {key.name} ADD CONSTRAINT {name} {definition}")
    comment(p, key)
    _column_comments(p, key, created=True)
    privileges(p, key, created=True)


def drop_foreign_table(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    server = p.source.attrs(key).get("server", "")
    p.add(key, "drop", f"DROP FOREIGN TABLE {key.name}", needs=[ObjectKey("server", server)])


def alter_foreign_table(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if "server" in changed:
        # A foreign table holds no rows: moving it to another server is a new table.
        drop_foreign_table(p, key)
        create_foreign_table(p, key)
        p.replaced.add(key)
        return
    alter = f"ALTER FOREIGN TABLE {key.name}"
    if "columns" in changed:
        for clause in _column_changes(_columns(p, key, target=False), _columns(p, key)):
            p.add(key, "create", f"{alter} {clause}")
    if "options" in changed:
        change = options_change(pairs(p, key, target=False), pairs(p, key))
        if change:
            p.add(key, "create", alter + change)
    if "checks" in changed:
        found, wanted = _checks(p, key, target=False), _checks(p, key)
        for name, definition in found.items():
            if wanted.get(name) != definition:
                p.add(key, "create", f"{alter} DROP CONSTRAINT {name}")
        for name, definition in wanted.items():
            if found.get(name) != definition:
                p.add(key, "create", f"{alter} ADD CONSTRAINT {name} {definition}")
    if "column_comments" in changed:
        _column_comments(p, key, created=False)
    alter_with_comment(p, key, changes)


def _column_changes(
    found: dict[str, dict[str, Any]], wanted: dict[str, dict[str, Any]]
) -> list[str]:
    clauses = [f"DROP COLUMN {name}" for name in found if name not in wanted]
    for name, column in wanted.items():
        old = found.get(name)
        if old is None:
            clauses.append(f"ADD COLUMN {_column_sql(column)}")
            continue
        if old["type"] != column["type"] or old.get("collation") != column.get("collation"):
            collate = f" COLLATE {column['collation']}" if column.get("collation") else ""
            clauses.append(f"ALTER COLUMN {name} TYPE {column['type']}{collate}")
        if bool(old.get("not_null")) != bool(column.get("not_null")):
            clauses.append(
                f"ALTER COLUMN {name} {'SET' if column.get('not_null') else 'DROP'} NOT NULL"
            )
        if old.get("default") != column.get("default"):
            default = column.get("default")
            clauses.append(
                f"ALTER COLUMN {name} SET DEFAULT {default}"
                if default is not None
                else f"ALTER COLUMN {name} DROP DEFAULT"
            )
        was = {str(n): str(v) for n, v in old.get("options") or ()}
        now = {str(n): str(v) for n, v in column.get("options") or ()}
        change = options_change(was, now)
        if change:
            clauses.append(f"ALTER COLUMN {name}{change}")
    return clauses


def _column_comments(p: Planner, key: ObjectKey, *, created: bool) -> None:
    wanted = json.loads(p.target.attrs(key).get("column_comments") or "{}")
    found = {} if created else json.loads(p.source.attrs(key).get("column_comments") or "{}")
    for column in sorted(wanted.keys() | found.keys()):
        text = wanted.get(column)
        if text != found.get(column):
            value = "NULL" if text is None else literal(text)
            p.add(key, "create", f"COMMENT ON COLUMN {key.name}.{ident(column)} IS {value}")
