"""Where the temporary databases of verify and diff go (norberts_db.scratch)."""

from __future__ import annotations

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.verify import temporary_database

TABLESPACE_OF_CURRENT_DATABASE = """
SELECT t.spcname
FROM pg_catalog.pg_database AS d
JOIN pg_catalog.pg_tablespace AS t ON t.oid = d.dattablespace
WHERE d.datname = current_database()
"""

SCRATCH_LOCATION = """
SELECT pg_catalog.pg_tablespace_location(oid)
FROM pg_catalog.pg_tablespace
WHERE spcname = 'norberts_scratch'
"""


def tablespace_of_a_temporary_database(server: ConnInfo) -> str:
    """Make a temporary database as verify does, and say which tablespace it is in."""
    with (
        temporary_database(server, "norberts_test_scratch_") as temporary,
        connect(temporary) as conn,
    ):
        row = conn.execute(TABLESPACE_OF_CURRENT_DATABASE).fetchone()
    assert row is not None
    return str(row[0])


def scratch_location(server: ConnInfo) -> str | None:
    """Where the server's scratch tablespace points, None without one."""
    with connect(server, autocommit=True) as conn:
        row = conn.execute(SCRATCH_LOCATION).fetchone()
    return None if row is None else str(row[0])
