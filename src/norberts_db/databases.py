"""Creating and dropping whole databases over a maintenance connection.

``CREATE DATABASE`` and ``DROP DATABASE`` cannot run in a transaction block,
so these use an autocommit connection to the ``postgres`` database. Names are
always composed with :mod:`psycopg.sql`.

Databases the toolkit's own servers create are marked as development databases
with ``ALTER DATABASE ... SET norberts.environment = 'development'``. That mark
is a per-database setting kept in the catalog: it survives reconnects and
restarts, costs one indexed catalog read to check, shows in ``psql``'s
``\\drds``, is kept by ``pg_dump --create``, and the application can read it
with ``current_setting('norberts.environment', true)``. A ``COMMENT`` would do
the first two, but comments are free text people already use for other things.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.marks import DEVELOPMENT, MARKER, Mark, marks_by_database, read_marks

MAINTENANCE_DB = "postgres"

Connection = psycopg.Connection[tuple[object, ...]]


def database_exists(server: ConnInfo, name: str) -> bool:
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", [name])
        return row.fetchone() is not None


def create_statement(
    name: str, *, template: str | None = None, tablespace: str | None = None
) -> sql.Composed:
    """``CREATE DATABASE name [TEMPLATE template] [TABLESPACE tablespace]``."""
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
    if tablespace is not None:
        statement = sql.SQL("{} TABLESPACE {}").format(statement, sql.Identifier(tablespace))
    return statement


def drop_statement(name: str) -> sql.Composed:
    """``DROP DATABASE IF EXISTS name WITH (FORCE)``: see :func:`drop_database`."""
    return sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))


def create_database(server: ConnInfo, name: str, *, template: str | None = None) -> None:
    """Create database ``name``, optionally cloned from ``template``."""
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        conn.execute(create_statement(name, template=template))


def ensure_database(server: ConnInfo, name: str) -> bool:
    """Create ``name`` if it does not exist, and mark it as a development database.

    An existing database is marked only if it carries no mark yet at any level
    (:mod:`norberts_db.marks`), so a mark someone set on purpose
    (``production``) is never overwritten. Only the
    toolkit's own servers call this. Returns True when the database was created.
    """
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", [name])
        created = row.fetchone() is None
        if created:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if created or not read_marks(conn, name):
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    sql.Identifier(name),
                    sql.Identifier(*MARKER.split(".")),
                    sql.Literal(DEVELOPMENT),
                )
            )
    return created


def marked_databases(server: ConnInfo) -> dict[str, tuple[Mark, ...]]:
    """Every database of the server that carries a mark, and its marks."""
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        return marks_by_database(conn)


def drop_database(server: ConnInfo, name: str) -> None:
    """Drop ``name`` if it exists, even while others are connected to it.

    ``WITH (FORCE)`` (PostgreSQL 13+) terminates other sessions and refuses new
    ones atomically, so nobody can reconnect in between.
    """
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        conn.execute(drop_statement(name))
