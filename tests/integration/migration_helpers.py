"""Round trips for the migration tests: build A and B, plan A -> B, apply the plan to A, compare.

Creating a database costs a few hundred milliseconds (PostgreSQL 15 and
later copy the template through the WAL), so the round trips reuse two
databases per test process and empty them between pairs instead.

Reading a catalog costs the server more than the rest of a round trip, and
the pairs come back to the same schemas (each pair runs both ways). A fresh
database holding a schema has the same catalog whichever database it is
(``test_a_schema_has_the_same_catalog_in_every_fresh_database`` pins that), so
``round_trip`` given ``CatalogsByText`` reads each schema's catalog once.

A new server session fills its catalog caches before it can plan a catalog
query: on the project schema a snapshot costs the server about 41 ms of CPU on
a new connection and 18 ms on one that has read the catalog before. Round
trips build, read and read back the same two databases again and again, so
the helpers do that on one kept session per database (``HeldSessions``); the
product's own commands (``migrate``) connect as they always do.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from norberts_db import databases
from norberts_db.catalog.compare import compare
from norberts_db.catalog.model import Difference, Snapshot
from norberts_db.catalog.snapshot import read_snapshot, snapshot_database
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.migrations.catalog import Catalog, catalog_of, read_catalog
from norberts_db.migrations.plan import PlanOptions, plan_migration, render_plan
from norberts_db.migrations.runner import migrate

from .conftest import PROJECT_ROOT, unique_db_name
from .kept_session import Connection, KeptSession


def child_path() -> str:
    """PYTHONPATH for a child process: the caller's first, then this checkout's sources."""
    given = os.environ.get("PYTHONPATH")
    return os.pathsep.join([*([given] if given else []), str(PROJECT_ROOT / "src")])


Read = TypeVar("Read")


class HeldSessions:
    """One kept session per database of a pair, for the helpers' SQL and reads.

    Each script ends with ``DISCARD ALL``, so what a schema text sets for its
    session (a search_path, a role) reaches no later step, as with a new
    connection; after a failure the session is a new one anyway. Reads run in
    a read-only, repeatable-read transaction of their own, as ``read_catalog``
    and ``snapshot_database`` read theirs.
    """

    def __init__(self) -> None:
        self._held: dict[ConnInfo, KeptSession] = {}

    def hold(self, info: ConnInfo) -> None:
        self._held.setdefault(info, KeptSession(info))

    def release(self, info: ConnInfo) -> None:
        session = self._held.pop(info, None)
        if session is not None:
            session.close()

    def holds(self, info: ConnInfo) -> bool:
        return info in self._held

    def run(self, info: ConnInfo, text: str) -> None:
        def script(conn: Connection) -> None:
            conn.execute(text)
            conn.execute("DISCARD ALL")

        self._held[info].use(script)

    def read(self, info: ConnInfo, reader: Callable[[Connection], Read]) -> Read:
        def transaction(conn: Connection) -> Read:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return reader(conn)

        return self._held[info].use(transaction)


HELD = HeldSessions()


def run_sql(info: ConnInfo, text: str) -> None:
    """Run ``text`` in ``info``'s database: on its held session, else on a new connection."""
    if not text.strip():
        return
    if HELD.holds(info):
        HELD.run(info, text)
        return
    with connect(info, autocommit=True) as conn:
        conn.execute(text)


def pair_catalog(info: ConnInfo, *, privileges: bool = False) -> Catalog:
    """``read_catalog(info)``, on the held session when ``info`` is a pair's database."""
    if not HELD.holds(info):
        return read_catalog(info, privileges=privileges)
    return HELD.read(info, lambda conn: catalog_of(conn, privileges=privileges))


def pair_snapshot(info: ConnInfo, *, privileges: bool = False) -> Snapshot:
    """``snapshot_database(info)``, on the held session when ``info`` is a pair's database."""
    if not HELD.holds(info):
        return snapshot_database(info, privileges=privileges)
    return HELD.read(info, lambda conn: read_snapshot(conn, privileges=privileges))


@dataclass(frozen=True)
class RoundTrip:
    sql: str
    differences: tuple[Difference, ...]


# Everything a pair can create, gone; public as a new database has it.
EMPTY_DATABASE = """
DO $$
DECLARE r record; i integer;
BEGIN
    FOR r IN SELECT evtname FROM pg_event_trigger LOOP
        EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
    END LOOP;
    FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
        EXECUTE format('DROP EXTENSION %I CASCADE', r.extname);
    END LOOP;
    -- Objects of the database outside any schema: subscriptions (let go of
    -- their slot first, so DROP connects nowhere), publications, wrappers with
    -- their servers and user mappings, casts and languages (extensions' went
    -- with them; a type's own casts go with the type).
    FOR r IN
        SELECT s.subname FROM pg_subscription AS s
        INNER JOIN pg_database AS d ON s.subdbid = d.oid
        WHERE d.datname = current_database()
    LOOP
        EXECUTE format('ALTER SUBSCRIPTION %I DISABLE', r.subname);
        EXECUTE format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', r.subname);
        EXECUTE format('DROP SUBSCRIPTION %I', r.subname);
    END LOOP;
    FOR r IN SELECT pubname FROM pg_publication LOOP
        EXECUTE format('DROP PUBLICATION %I', r.pubname);
    END LOOP;
    FOR r IN SELECT fdwname FROM pg_foreign_data_wrapper LOOP
        EXECUTE format('DROP FOREIGN DATA WRAPPER %I CASCADE', r.fdwname);
    END LOOP;
    FOR r IN
        SELECT c.oid FROM pg_cast AS c
        WHERE c.oid >= 16384 AND NOT EXISTS (
            SELECT 1 FROM pg_depend AS d
            WHERE d.classid = 'pg_cast'::regclass AND d.objid = c.oid AND d.deptype = 'i'
        )
    LOOP
        EXECUTE format(
            'DROP CAST IF EXISTS (%s AS %s) CASCADE',
            (SELECT format_type(castsource, NULL) FROM pg_cast WHERE oid = r.oid),
            (SELECT format_type(casttarget, NULL) FROM pg_cast WHERE oid = r.oid)
        );
    END LOOP;
    FOR r IN SELECT lanname FROM pg_language WHERE oid >= 16384 AND lanname <> 'plpgsql' LOOP
        EXECUTE format('DROP LANGUAGE %I CASCADE', r.lanname);
    END LOOP;
    -- Default privileges for all schemas, back to PostgreSQL's defaults (the
    -- entry then goes); those in a schema go with it.
    FOR r IN
        SELECT
            pg_get_userbyid(a.defaclrole) AS role,
            CASE a.defaclobjtype
                WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS'
            END AS objects,
            ARRAY(
                SELECT DISTINCT x.grantee::regrole::text FROM aclexplode(a.defaclacl) AS x
                WHERE x.grantee NOT IN (0, a.defaclrole)
            ) AS grantees
        FROM pg_default_acl AS a WHERE a.defaclnamespace = 0
    LOOP
        EXECUTE format(
            'ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON %s FROM PUBLIC', r.role, r.objects
        );
        FOR i IN 1 .. coalesce(array_length(r.grantees, 1), 0) LOOP
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE ALL ON %s FROM %s',
                r.role, r.objects, r.grantees[i]
            );
        END LOOP;
        EXECUTE format(
            'ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT ALL ON %s TO %I', r.role, r.objects, r.role
        );
        IF r.objects IN ('FUNCTIONS', 'TYPES') THEN
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT ALL ON %s TO PUBLIC', r.role, r.objects
            );
        END IF;
    END LOOP;
    FOR r IN
        SELECT nspname FROM pg_namespace
        WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
            AND nspname NOT LIKE 'pg\\_%'
    LOOP
        EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
    END LOOP;
END
$$;
DROP SCHEMA public CASCADE;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
COMMENT ON SCHEMA public IS 'standard public schema';
GRANT USAGE ON SCHEMA public TO PUBLIC;
"""


@contextmanager
def database_pair(server: ConnInfo) -> Iterator[tuple[ConnInfo, ConnInfo]]:
    """Two scratch databases for round trips, each with a held session, dropped at the end."""
    names = unique_db_name("rta"), unique_db_name("rtb")
    for name in names:
        databases.create_database(server, name)
    pair = server.for_database(names[0]), server.for_database(names[1])
    for info in pair:
        HELD.hold(info)
    try:
        yield pair
    finally:
        for info in pair:
            try:
                # A database that holds a subscription cannot be dropped.
                run_sql(info, EMPTY_DATABASE)
            finally:
                HELD.release(info)
            databases.drop_database(server, info.dbname)


class CatalogsByText:
    """The catalog of a fresh database holding each schema text, read the first time."""

    def __init__(self) -> None:
        self._read: dict[tuple[str, bool], Catalog] = {}

    def of(self, text: str, holding: ConnInfo, *, build: bool, privileges: bool = False) -> Catalog:
        """The catalog of ``text``; ``holding`` is a database that holds it, or is built to.

        ``privileges``: with owners and grants.
        """
        if (text, privileges) not in self._read:
            if build:
                run_sql(holding, EMPTY_DATABASE + text)
            self._read[text, privileges] = pair_catalog(holding, privileges=privileges)
        return self._read[text, privileges]


def round_trip(
    pair: tuple[ConnInfo, ConnInfo],
    a: str,
    b: str,
    *,
    allow_destructive: bool = True,
    catalogs: CatalogsByText | None = None,
    **options: bool,
) -> RoundTrip:
    """Apply the migration from schema ``a`` to schema ``b`` to a database holding ``a``."""
    source, target = pair
    privileges = options.get("privileges", False)
    run_sql(source, EMPTY_DATABASE + a)
    if catalogs is None:
        run_sql(target, EMPTY_DATABASE + b)
        wanted = pair_catalog(target, privileges=privileges)
        held = pair_catalog(source, privileges=privileges)
    else:
        wanted = catalogs.of(b, target, build=True, privileges=privileges)
        held = catalogs.of(a, source, build=False, privileges=privileges)
    plan = plan_migration(held, wanted, PlanOptions(**options))
    if not allow_destructive:
        assert not plan.destructive, render_plan(plan)
    text = render_plan(plan)
    if plan:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "0001_roundtrip.sql").write_text(text, encoding="utf-8")
            # The migration is written for this very database: nothing to place.
            migrate(source, Path(folder), place=False)
    found = compare(wanted.snapshot, pair_snapshot(source, privileges=privileges))
    return RoundTrip(text, tuple(found))
