"""Creating and dropping whole databases over a maintenance connection.

``CREATE DATABASE`` and ``DROP DATABASE`` cannot run in a transaction block,
so these use an autocommit connection to the ``postgres`` database. Names are
always composed with :mod:`psycopg.sql`.
"""

from __future__ import annotations

from psycopg import sql

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo

MAINTENANCE_DB = "postgres"


def database_exists(server: ConnInfo, name: str) -> bool:
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", [name])
        return row.fetchone() is not None


def create_database(server: ConnInfo, name: str, *, template: str | None = None) -> None:
    """Create database ``name``, optionally cloned from ``template``."""
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        conn.execute(statement)


def ensure_database(server: ConnInfo, name: str) -> bool:
    """Create ``name`` if it does not exist. Returns True when it was created."""
    if database_exists(server, name):
        return False
    create_database(server, name)
    return True


def drop_database(server: ConnInfo, name: str) -> None:
    """Drop ``name`` if it exists, even while others are connected to it.

    ``WITH (FORCE)`` (PostgreSQL 13+) terminates other sessions and refuses new
    ones atomically, so nobody can reconnect in between.
    """
    with connect(server.for_database(MAINTENANCE_DB), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
