"""Foreign-data wrappers, foreign servers and user mappings, and the options of all foreign data.

Options are written from the [name, value] pairs of the plan's details and
changed in place with ``OPTIONS (ADD | SET | DROP ...)``. A user mapping's
secret (an option named like a password) is never written into a migration:
such a statement is left to the user, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from norberts_db.catalog.model import Change, ObjectKey
from norberts_db.migrations.ddl_common import comment, privileges
from norberts_db.migrations.ddl_misc import alter_with_comment
from norberts_db.migrations.planner import PlanError, Planner
from norberts_db.migrations.quoting import ident, literal

# Option names whose values the snapshot shows only as a digest (as in foreign_data.sql).
_SECRET = re.compile(r"password|secret|token|key", re.IGNORECASE)
_FOREIGN_TABLE = "foreign table"


def pairs(p: Planner, key: ObjectKey, *, target: bool = True) -> dict[str, str]:
    catalog = p.target if target else p.source
    return {str(name): str(value) for name, value in catalog.detail(key).get("options") or ()}


def options_clause(pairs: dict[str, str]) -> str:
    """`` OPTIONS (name 'value', ...)``, or nothing for no options."""
    if not pairs:
        return ""
    return f" OPTIONS ({', '.join(f'{ident(n)} {literal(v)}' for n, v in pairs.items())})"


def options_change(found: dict[str, str], wanted: dict[str, str]) -> str:
    """`` OPTIONS (SET ..., ADD ..., DROP ...)`` turning ``found`` into ``wanted``."""
    items = [f"DROP {ident(name)}" for name in found if name not in wanted]
    for name, value in wanted.items():
        if name not in found:
            items.append(f"ADD {ident(name)} {literal(value)}")
        elif found[name] != value:
            items.append(f"SET {ident(name)} {literal(value)}")
    return f" OPTIONS ({', '.join(items)})" if items else ""


def _function_name(signature: str) -> str:
    """``public.h()`` -> ``public.h``: HANDLER and VALIDATOR take a name."""
    return signature.rsplit("(", 1)[0]


def _refuse_secrets(key: ObjectKey, names: Iterable[str]) -> None:
    secret = sorted(name for name in names if _SECRET.search(name))
    if secret:
        raise PlanError(
            f"{key.kind} {key.name}: option {', '.join(secret)} holds a secret, and the "
            "toolkit never writes a secret into a migration file. Write this statement by "
            "hand, or keep the secret out of the schema file and set it on each database."
        )


# -- foreign-data wrappers ----------------------------------------------------------------------


def create_wrapper(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    text = f"CREATE FOREIGN DATA WRAPPER {key.name}"
    if attrs.get("handler"):
        text += f" HANDLER {_function_name(attrs['handler'])}"
    if attrs.get("validator"):
        text += f" VALIDATOR {_function_name(attrs['validator'])}"
    _refuse_secrets(key, pairs(p, key))
    p.add(key, "create", text + options_clause(pairs(p, key)))
    comment(p, key)
    privileges(p, key, created=True)


def drop_wrapper(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    p.add(key, "drop", f"DROP FOREIGN DATA WRAPPER {key.name}")


def alter_wrapper(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    attrs = p.target.attrs(key)
    clauses = []
    if "handler" in changed:
        handler = attrs.get("handler")
        clauses.append(f"HANDLER {_function_name(handler)}" if handler else "NO HANDLER")
    if "validator" in changed:
        validator = attrs.get("validator")
        clauses.append(f"VALIDATOR {_function_name(validator)}" if validator else "NO VALIDATOR")
    if "options" in changed:
        clauses.append(_options_change(p, key))
    if any(clauses):
        p.add(
            key,
            "create",
            f"ALTER FOREIGN DATA WRAPPER {key.name} {' '.join(filter(None, clauses))}",
        )
    alter_with_comment(p, key, changes)


# -- servers ------------------------------------------------------------------------------------


def create_server(p: Planner, key: ObjectKey) -> None:
    attrs = p.target.attrs(key)
    text = f"CREATE SERVER {key.name}"
    if attrs.get("type"):
        text += f" TYPE {literal(attrs['type'])}"
    if attrs.get("version"):
        text += f" VERSION {literal(attrs['version'])}"
    _refuse_secrets(key, pairs(p, key))
    text += f" FOREIGN DATA WRAPPER {attrs['wrapper']}{options_clause(pairs(p, key))}"
    p.add(key, "create", text, needs=[ObjectKey("foreign data wrapper", attrs["wrapper"])])
    comment(p, key)
    privileges(p, key, created=True)


def drop_server(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    wrapper = p.source.attrs(key).get("wrapper", "")
    p.add(
        key, "drop", f"DROP SERVER {key.name}", needs=[ObjectKey("foreign data wrapper", wrapper)]
    )


def alter_server(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    changed = {change.attribute for change in changes}
    if changed & {"type", "wrapper"}:
        users = sorted(str(user) for user in _users_of_server(p, key))
        if users:
            raise PlanError(
                f"server {key.name}: its TYPE or FOREIGN DATA WRAPPER cannot be changed in "
                "place, and re-creating the server would drop what uses it "
                f"({', '.join(users)}). Write this migration by hand."
            )
        drop_server(p, key)
        create_server(p, key)
        p.replaced.add(key)
        return
    attrs = p.target.attrs(key)
    clauses = []
    if "version" in changed:
        version = attrs.get("version")
        clauses.append(f"VERSION {literal(version) if version else 'NULL'}")
    if "options" in changed:
        clauses.append(_options_change(p, key))
    if any(clauses):
        p.add(key, "create", f"ALTER SERVER {key.name} {' '.join(filter(None, clauses))}")
    alter_with_comment(p, key, changes)


def _users_of_server(p: Planner, key: ObjectKey) -> Iterable[ObjectKey]:
    for other, attrs in p.source.snapshot.objects.items():
        if other.kind == _FOREIGN_TABLE and attrs.get("server") == key.name:
            yield other
        if other.kind == "user mapping" and other.name.endswith(f" SERVER {key.name}"):
            yield other


# -- user mappings ------------------------------------------------------------------------------


def _server_of_mapping(key: ObjectKey) -> ObjectKey:
    return ObjectKey("server", key.name.rsplit(" SERVER ", 1)[1])


def _options_change(p: Planner, key: ObjectKey) -> str:
    """The OPTIONS clause of an ALTER, refused when it would write a secret."""
    found, wanted = pairs(p, key, target=False), pairs(p, key)
    _refuse_secrets(key, (name for name in wanted if found.get(name) != wanted[name]))
    return options_change(found, wanted).strip()


def create_user_mapping(p: Planner, key: ObjectKey) -> None:
    wanted = pairs(p, key)
    _refuse_secrets(key, wanted)
    p.add(
        key,
        "create",
        f"CREATE USER MAPPING {key.name}{options_clause(wanted)}",
        needs=[_server_of_mapping(key)],
    )


def drop_user_mapping(p: Planner, key: ObjectKey) -> None:
    p.dropped.add(key)
    # Needing the server puts this drop before DROP SERVER, which refuses while it exists.
    p.add(key, "drop", f"DROP USER MAPPING {key.name}", needs=[_server_of_mapping(key)])


def alter_user_mapping(p: Planner, key: ObjectKey, changes: tuple[Change, ...]) -> None:
    change = _options_change(p, key)
    if change:
        p.add(key, "create", f"ALTER USER MAPPING {key.name} {change}")
