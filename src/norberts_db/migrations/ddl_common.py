"""Statements every kind shares: comments, owners and grants, and naming an object in DDL."""

from __future__ import annotations

import re
from collections.abc import Iterable

from norberts_db.catalog.model import ObjectKey
from norberts_db.migrations.catalog import Catalog
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import last_of, literal, parent_of, schema_of

# How COMMENT ON, ALTER ... OWNER TO and GRANT name each kind.
_KEYWORD = {
    "schema": "SCHEMA",
    "extension": "EXTENSION",
    "enum": "TYPE",
    "composite type": "TYPE",
    "range type": "TYPE",
    "domain": "DOMAIN",
    "table": "TABLE",
    "column": "COLUMN",
    "sequence": "SEQUENCE",
    "view": "VIEW",
    "materialized view": "MATERIALIZED VIEW",
    "function": "FUNCTION",
    "window function": "FUNCTION",
    "procedure": "PROCEDURE",
    "aggregate": "AGGREGATE",
    "event trigger": "EVENT TRIGGER",
    "index": "INDEX",
    "collation": "COLLATION",
    "statistics": "STATISTICS",
    "foreign data wrapper": "FOREIGN DATA WRAPPER",
    "server": "SERVER",
    "foreign table": "FOREIGN TABLE",
    "publication": "PUBLICATION",
    "subscription": "SUBSCRIPTION",
    "operator": "OPERATOR",
    "operator class": "OPERATOR CLASS",
    "operator family": "OPERATOR FAMILY",
    "cast": "CAST",
    "conversion": "CONVERSION",
    "language": "LANGUAGE",
    "base type": "TYPE",
    "shell type": "TYPE",
    "text search parser": "TEXT SEARCH PARSER",
    "text search template": "TEXT SEARCH TEMPLATE",
    "text search dictionary": "TEXT SEARCH DICTIONARY",
    "text search configuration": "TEXT SEARCH CONFIGURATION",
}
# How GRANT names a kind where it differs from COMMENT ON.
_GRANT_KEYWORD = {
    "view": "TABLE",
    "materialized view": "TABLE",
    "foreign table": "TABLE",
    "enum": "TYPE",
    "composite type": "TYPE",
    "range type": "TYPE",
    "aggregate": "FUNCTION",
    "server": "FOREIGN SERVER",
}


def object_clause(key: ObjectKey, catalog: Catalog) -> str:
    """The object as COMMENT ON names it: ``TABLE public.users``, ``TRIGGER t ON public.x``."""
    if key.kind in ("constraint", "trigger", "policy", "rule"):
        parent = parent_of(key.name)
        on = "ON DOMAIN " if catalog.has(ObjectKey("domain", parent)) else "ON "
        return f"{key.kind.upper()} {last_of(key.name)} {on}{parent}"
    if key.kind == "index":
        return f"INDEX {schema_of(key.name)}.{last_of(key.name)}"
    if key.kind == "aggregate":
        from norberts_db.migrations.ddl_aggregates import signature

        return f"AGGREGATE {signature(key, catalog)}"
    return f"{_KEYWORD[key.kind]} {key.name}"


def comment(
    p: Planner, key: ObjectKey, *, clear: bool = False, needs: Iterable[ObjectKey] = ()
) -> None:
    """COMMENT ON the object with the target's comment; with ``clear``, also remove one."""
    text = p.target.attrs(key).get("comment")
    if text is None and not clear:
        return
    value = "NULL" if text is None else literal(text)
    p.add(key, "create", f"COMMENT ON {object_clause(key, p.target)} IS {value}", needs=needs)


# -- owners and grants (only with PlanOptions.privileges) ---------------------------------------

_PRIVILEGES = {
    "r": "SELECT",
    "w": "UPDATE",
    "a": "INSERT",
    "d": "DELETE",
    "D": "TRUNCATE",
    "x": "REFERENCES",
    "t": "TRIGGER",
    "X": "EXECUTE",
    "U": "USAGE",
    "C": "CREATE",
    "c": "CONNECT",
    "T": "TEMPORARY",
    "m": "MAINTAIN",
}
_ACL_ITEM = re.compile(r'^(?P<grantee>"(?:[^"]|"")*"|[^=]*)=(?P<privs>[A-Za-z*]*)/')


def acl_entries(acl: str | None) -> set[tuple[str, str, bool]]:
    """``{(grantee, privilege, grantable)}`` of an aclitem list; grantee "" is PUBLIC."""
    entries: set[tuple[str, str, bool]] = set()
    for item in (acl or "").split(", "):
        match = _ACL_ITEM.match(item.strip())
        if not match:
            continue
        privs = match["privs"]
        for i, letter in enumerate(privs):
            if letter in _PRIVILEGES:
                grantable = i + 1 < len(privs) and privs[i + 1] == "*"
                entries.add((match["grantee"], _PRIVILEGES[letter], grantable))
    return entries


def privileges(p: Planner, key: ObjectKey, *, created: bool) -> None:
    """Make the owner and grants of ``key`` those of the target; only what differs."""
    if not p.options.privileges or key.kind not in _KEYWORD or key.kind in ("index", "extension"):
        return
    wanted, found = p.target.attrs(key), p.source.attrs(key)
    owner = wanted.get("owner")
    if owner and key.kind != "column" and (created or owner != found.get("owner")):
        clause = object_clause(key, p.target)
        p.add(key, "create", f"ALTER {clause} OWNER TO {_role(owner)}")
    if "acl" not in wanted and not created:
        return
    have = set() if created else acl_entries(found.get("acl"))
    want = acl_entries(wanted.get("acl"))
    target = _grant_target(key)
    for grantee, privilege, grantable in sorted(want - have):
        option = " WITH GRANT OPTION" if grantable else ""
        what = _with_column(privilege, key)
        p.add(key, "create", f"GRANT {what} ON {target} TO {_role(grantee)}{option}")
    if created:
        return
    for grantee, privilege, grantable in sorted(have - want):
        if (grantee, privilege, not grantable) in want:
            continue  # only the grant option differs; the GRANT above set it
        what = _with_column(privilege, key)
        p.add(key, "create", f"REVOKE {what} ON {target} FROM {_role(grantee)}")


def _grant_target(key: ObjectKey) -> str:
    if key.kind == "column":
        return f"TABLE {parent_of(key.name)}"
    return f"{_GRANT_KEYWORD.get(key.kind, _KEYWORD[key.kind])} {key.name}"


def _with_column(privilege: str, key: ObjectKey) -> str:
    return f"{privilege} ({last_of(key.name)})" if key.kind == "column" else privilege


def _role(name: str) -> str:
    return "PUBLIC" if name == "" else name
