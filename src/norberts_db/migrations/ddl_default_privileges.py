"""Default privileges (ALTER DEFAULT PRIVILEGES), compared and made only with privileges.

An entry is named as the statement names it: ``FOR ROLE r [IN SCHEMA s] ON
TABLES``. Its grants are made to match with GRANT and REVOKE. An entry for
all schemas holds the whole list, so its absence means PostgreSQL's
defaults: the owner holds everything, and PUBLIC may run functions and use
types.
"""

from __future__ import annotations

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import acl_entries
from norberts_db.migrations.planner import Planner

Entries = set[tuple[str, str, bool]]

# What an owner holds by default on each kind of object, as ACL letters.
_OWNER_DEFAULTS = {
    "TABLES": ("SELECT", "UPDATE", "INSERT", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"),
    "SEQUENCES": ("SELECT", "UPDATE", "USAGE"),
    "FUNCTIONS": ("EXECUTE",),
    "TYPES": ("USAGE",),
    "SCHEMAS": ("USAGE", "CREATE"),
}
_PUBLIC_DEFAULTS = {"FUNCTIONS": ("EXECUTE",), "TYPES": ("USAGE",)}


def _parts(key: ObjectKey) -> tuple[str, str]:
    """(the statement's FOR ROLE ... [IN SCHEMA ...] part, the kind of object)."""
    head, objects = key.name.rsplit(" ON ", 1)
    return head, objects


def _role_of(head: str) -> str:
    return head.removeprefix("FOR ROLE ").split(" IN SCHEMA ", 1)[0]


def _defaults(key: ObjectKey, server_version: int) -> Entries:
    head, objects = _parts(key)
    if " IN SCHEMA " in head:
        return set()
    owner = _role_of(head)
    privileges = list(_OWNER_DEFAULTS.get(objects, ()))
    if objects == "TABLES" and server_version >= 170000:
        privileges.append("MAINTAIN")
    found = {(owner, privilege, False) for privilege in privileges}
    return found | {("", privilege, False) for privilege in _PUBLIC_DEFAULTS.get(objects, ())}


def _entries(p: Planner, key: ObjectKey, *, target: bool) -> Entries:
    catalog = p.target if target else p.source
    if not catalog.has(key):
        return _defaults(key, catalog.server_version)
    return acl_entries(catalog.attrs(key).get("acl"))


def _apply(p: Planner, key: ObjectKey) -> None:
    head, objects = _parts(key)
    have, want = _entries(p, key, target=False), _entries(p, key, target=True)
    statement = f"ALTER DEFAULT PRIVILEGES {head}"
    for grantee, privilege, grantable in sorted(have - want):
        if (grantee, privilege, not grantable) in want and not grantable:
            continue  # only the grant option is added: the GRANT below does it
        option = "GRANT OPTION FOR " if (grantee, privilege, False) in want else ""
        who = grantee or "PUBLIC"
        p.add(key, "create", f"{statement} REVOKE {option}{privilege} ON {objects} FROM {who}")
    for grantee, privilege, grantable in sorted(want - have):
        option = " WITH GRANT OPTION" if grantable else ""
        who = grantee or "PUBLIC"
        p.add(key, "create", f"{statement} GRANT {privilege} ON {objects} TO {who}{option}")


def create_default_privileges(p: Planner, key: ObjectKey) -> None:
    _apply(p, key)


def drop_default_privileges(p: Planner, key: ObjectKey) -> None:
    head = _parts(key)[0]
    schema = head.split(" IN SCHEMA ", 1)[1] if " IN SCHEMA " in head else ""
    if schema and p.is_gone(ObjectKey("schema", schema)):
        return  # they go with their schema
    _apply(p, key)


def alter_default_privileges(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    _apply(p, key)
