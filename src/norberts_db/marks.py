"""The environment mark of a database, read as PostgreSQL resolves ``norberts.environment``.

The application reads its environment with
``current_setting('norberts.environment', true)``. What that returns depends
on more than ``ALTER DATABASE ... SET``: setting names are case-insensitive,
and a session also applies the settings of its role in that database, of its
role everywhere, of every role (``ALTER ROLE ALL``), and the server's
configuration files. The guard therefore collects every such setting that
would apply to some session in the database, from the catalog and the
configuration files, so that a client option cannot mask one, and refuses if
any of them says anything but development (see :func:`norberts_db.guard.check_marks`).
The same reading serves ``db.reset``, ``db.drop``, ``db.down --volumes`` and
the sweep of temporary databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from norberts_db import queries

MARKER = "norberts.environment"
DEVELOPMENT = "development"

Connection = psycopg.Connection[tuple[object, ...]]

_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")


@dataclass(frozen=True)
class Mark:
    """One setting of ``norberts.environment`` that a session in ``database`` would see.

    ``level`` is ``database``, ``role in database``, ``role``, ``all roles``,
    ``configuration file`` or ``session``; ``name`` is the spelling as stored.
    """

    database: str
    level: str
    value: str
    name: str = MARKER
    role: str | None = None
    source: str | None = None

    @property
    def is_development(self) -> bool:
        return self.value.strip().lower() == DEVELOPMENT

    def describe(self) -> str:
        """``name = 'value'`` and where it is set."""
        where = {
            "database": "set on the database",
            "role in database": f"set for role {self.role!r} in this database",
            "role": f"set for role {self.role!r} in every database",
            "all roles": "set for every role in every database (ALTER ROLE ALL)",
            "configuration file": f"set in the server's configuration, {self.source}",
            "session": "seen by the session: a client option or the server's command line",
        }[self.level]
        return f"{self.name} = {self.value!r} ({where})"

    def removal(self) -> str:
        """The statement that removes this setting, or what to do where no statement can."""
        name = setting_name(self.name)
        database = _identifier(self.database)
        role = _identifier(self.role or "")
        return {
            "database": f"ALTER DATABASE {database} RESET {name};",
            "role in database": f"ALTER ROLE {role} IN DATABASE {database} RESET {name};",
            "role": f"ALTER ROLE {role} RESET {name};",
            "all roles": f"ALTER ROLE ALL RESET {name};",
            "configuration file": (
                f"ALTER SYSTEM RESET {name}; SELECT pg_reload_conf();"
                if str(self.source).split(":")[0].endswith("postgresql.auto.conf")
                else f"remove {self.source} and reload the server"
            ),
            "session": "remove the option from the server's command line or the client's options",
        }[self.level]


def setting_name(name: str) -> str:
    """``name`` as SQL writes it: plain when lower case, else each part quoted."""
    parts = name.split(".")
    if all(_PLAIN.fullmatch(part) for part in parts):
        return name
    return ".".join(_identifier(part) for part in parts)


def _identifier(name: str) -> str:
    return sql.Identifier(name).as_string()


def read_marks(conn: Connection, database: str, *, session: bool = False) -> tuple[Mark, ...]:
    """Every ``norberts.environment`` setting a session in ``database`` would apply.

    With ``session``, ``conn`` is connected to ``database`` and what this
    session itself sees counts too, when the catalog and files do not explain it.
    """
    marks = _catalog_marks(conn, database) + _file_marks(conn, database)
    if session:
        row = conn.execute(queries.load("environment_session")).fetchone()
        # Empty is also what a server shows once a mark left its configuration
        # file: the placeholder stays, without a value.
        seen = "" if row is None or row[0] is None else str(row[0])
        if seen and seen not in {mark.value for mark in marks}:
            marks += (Mark(database, "session", seen),)
    return marks


def marks_by_database(conn: Connection) -> dict[str, tuple[Mark, ...]]:
    """The marks of every database of ``conn``'s server that carries one."""
    found: dict[str, list[Mark]] = {}
    for mark in _catalog_marks(conn, None):
        found.setdefault(mark.database, []).append(mark)
    server_wide = _file_marks(conn, "")
    if server_wide:
        for (database,) in conn.execute(queries.load("database_names")).fetchall():
            found.setdefault(str(database), []).extend(
                Mark(str(database), m.level, m.value, m.name, source=m.source) for m in server_wide
            )
    return {database: tuple(marks) for database, marks in sorted(found.items())}


def non_development(marks: Iterable[Mark]) -> tuple[Mark, ...]:
    return tuple(mark for mark in marks if not mark.is_development)


def _catalog_marks(conn: Connection, database: str | None) -> tuple[Mark, ...]:
    rows = conn.execute(queries.load("environment_marks"), {"dbname": database}).fetchall()
    return tuple(
        Mark(
            str(db),
            str(level),
            str(value),
            str(name),
            role=None if role is None else str(role),
        )
        for db, level, role, name, value in rows
    )


def _file_marks(conn: Connection, database: str) -> tuple[Mark, ...]:
    """Marks in the configuration files, when this session may read them.

    Without that privilege (a user who is not a superuser), such a mark still
    shows in what the session itself sees (``read_marks(..., session=True)``).
    """
    readable = conn.execute(queries.load("environment_files_readable")).fetchone()
    if readable is None or not readable[0]:
        return ()
    rows = conn.execute(queries.load("environment_file_marks")).fetchall()
    return tuple(
        Mark(database, "configuration file", str(value), str(name), source=f"{file}:{line}")
        for file, line, name, value in rows
    )
