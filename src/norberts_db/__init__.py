"""Database toolkit for the Norbert's Spark backend.

The SQL schema file is the source of truth. This package starts a PostgreSQL
server (Docker, embedded, or any server given by URL), resets a database from
the schema atomically, and proves that a live database matches the schema.
"""

from __future__ import annotations

__version__ = "0.1.0"
