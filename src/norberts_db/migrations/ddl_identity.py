"""Identity columns: ADD GENERATED ... AS IDENTITY, SET GENERATED, their sequence options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from norberts_db.catalog.model import ObjectKey
from norberts_db.migrations.ddl_sequences import restart_clause
from norberts_db.migrations.planner import Planner
from norberts_db.migrations.quoting import last_of, literal, parent_of, unquote

_MAXVALUE = {"smallint": "32767", "integer": "2147483647", "bigint": "9223372036854775807"}


def identity_options(detail: Mapping[str, Any]) -> str:
    """`` (START WITH ...)`` of an identity column; empty when all are the defaults.

    The sequence's type is the column's, so ``AS type`` is left out.
    """
    words = str(detail.get("identity_options") or "").split()
    if words[:1] == ["AS"]:
        type_, words = words[1], words[2:]
    else:
        type_ = "bigint"
    options = " ".join(words)
    default = (
        f"START WITH 1 INCREMENT BY 1 MINVALUE 1 MAXVALUE {_MAXVALUE.get(type_, '')} "
        "CACHE 1 NO CYCLE"
    )
    return "" if options == default else f" ({options})"


def alter_identity(
    p: Planner, key: ObjectKey, old: Mapping[str, Any], new: Mapping[str, Any], alter: str
) -> None:
    if not new.get("identity"):
        return
    if not old.get("identity") or old.get("identity") == new.get("identity"):
        if not old.get("identity"):
            options = identity_options(new)
            p.add(key, "create", f"{alter} ADD GENERATED {new['identity']} AS IDENTITY{options}")
            if old.get("default") is not None:
                _continue_after_rows(p, key)
            return
    else:
        p.add(key, "create", f"{alter} SET GENERATED {new['identity']}")
    if old.get("identity_options") != new.get("identity_options"):
        settings = _sequence_settings(str(new["identity_options"]))
        restart, destructive = restart_clause(
            key,
            _identity_bounds(str(old.get("identity_options") or "")),
            _identity_bounds(str(new["identity_options"])),
        )
        p.add(key, "create", f"{alter} {settings}{restart}", destructive=destructive)


def _continue_after_rows(p: Planner, key: ObjectKey) -> None:
    """A column that had a default (a serial) gets an identity: it goes on after its rows' values.

    The new identity sequence starts at its start; the rows already hold the
    values the old sequence gave, so it is moved past the greatest (unless the
    sequence counts down, or the table is empty).
    """
    if (
        _identity_bounds(str(p.target.detail(key).get("identity_options") or ""))
        .get("increment", "")
        .startswith("-")
    ):
        return
    table, column = parent_of(key.name), last_of(key.name)
    sequence = f"pg_get_serial_sequence({literal(table)}, {literal(unquote(column))})"
    # Names as the catalog quoted them (quote_ident), like every statement of a plan.
    move = f"SELECT setval({sequence}, max({column})) FROM {table}"  # noqa: S608
    p.add(key, "create", f"{move} HAVING max({column}) IS NOT NULL")


def _identity_bounds(options: str) -> dict[str, str]:
    """START, MINVALUE and MAXVALUE of ``START WITH 1 ... MINVALUE 1 MAXVALUE 9 ...``."""
    words = options.split()
    found: dict[str, str] = {}
    for at, word in enumerate(words[:-1]):
        if word in ("MINVALUE", "MAXVALUE") and words[at - 1] != "NO":
            found[word.lower()] = words[at + 1]
        elif word in ("START", "INCREMENT") and at + 2 < len(words):
            found[word.lower()] = words[at + 2]
    return found


def _sequence_settings(options: str) -> str:
    """``AS t START WITH 1 INCREMENT BY 1 ...`` as ``SET START WITH 1 SET INCREMENT BY 1 ...``."""
    words = options.split()
    parts: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "AS":
            i += 2
        elif words[i] in ("START", "INCREMENT"):
            parts.append(f"SET {words[i]} {words[i + 1]} {words[i + 2]}")
            i += 3
        elif words[i] == "NO":
            parts.append(f"SET NO {words[i + 1]}")
            i += 2
        elif words[i] == "CYCLE":
            parts.append("SET CYCLE")
            i += 1
        else:
            parts.append(f"SET {words[i]} {words[i + 1]}")
            i += 2
    return " ".join(parts)
