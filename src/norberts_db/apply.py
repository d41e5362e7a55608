"""Running the schema and the drop script: create, drop and reset, each atomic.

Every operation runs in ONE transaction under a transaction-scoped advisory
lock, so concurrent runs on one database go one after the other, and a failure
or a killed process leaves the previous schema exactly as it was. Waiting for
a lock and running a statement are bounded by :class:`Limits`; when one runs
out, the message names the sessions that were in the way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

from norberts_db import cascade, guard, queries, seed
from norberts_db.apply_errors import (
    NOTHING_CHANGED,
    interrupted_error,
    is_interruption,
    is_timeout,
    timeout_error,
)
from norberts_db.bounds import Limits as Limits  # re-exported: callers know it as apply.Limits
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError, SqlScriptError
from norberts_db.marks import read_marks
from norberts_db.script_run import Connection, run_script, set_limits
from norberts_db.sqlfile import SqlScript
from norberts_db.transactional import check_one_transaction

# The server's codes for "already exists": a drop script that leaves an object behind.
_ALREADY_EXISTS = frozenset({"42P07", "42710", "42723", "42P06", "42701", "42P16"})


# Runs in the operation's transaction after its scripts (the migration history of a reset).
After = Callable[[Connection], None]


@dataclass(frozen=True)
class ObjectCounts:
    tables: int
    views: int
    indexes: int
    types: int
    functions: int
    triggers: int
    constraints: int

    def summary(self) -> str:
        parts = [
            f"{count} {name}"
            for name, count in vars(self).items()
            if count or name in ("tables", "functions", "triggers")
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class ApplyResult:
    """What an operation did: the objects the database holds afterwards, and the time taken."""

    counts: ObjectCounts
    seconds: float
    # What a drop removed that the schema file does not create (cascade.py), and
    # why that could not be told apart from the schema's own objects, if it could not.
    cascaded: tuple[cascade.TakenObject, ...] = ()
    cascade_unknown: str | None = None
    seeded: seed.SeedResult | None = None


def lock_schema(conn: Connection) -> None:
    """Take the per-database schema lock for the rest of the current transaction."""
    conn.execute(queries.load("schema_lock"))


def count_objects(conn: Connection) -> ObjectCounts:
    row = conn.execute(queries.load("object_counts")).fetchone()
    assert row is not None
    return ObjectCounts(*(int(str(value)) for value in row))


def apply_scripts(
    info: ConnInfo,
    *scripts: SqlScript,
    limits: Limits | None = None,
    destructive: str | None = None,
    follow: cascade.Watch | None = None,
    seeding: seed.Seeding | None = None,
    after: After | None = None,
    conn: Connection | None = None,
) -> ApplyResult:
    """Run ``scripts`` in order, then the seed, in one transaction, under the schema lock.

    Every script is checked before anything is sent (see
    :mod:`norberts_db.transactional`). ``destructive`` names the action for the
    database's marks (:func:`norberts_db.guard.check_marks`), which is read in
    the same transaction, before the first statement of the scripts. ``follow``
    notes what the drop script takes with it, before and after it runs.
    ``after`` runs in that transaction too, after the scripts and the seed.
    ``conn``, an idle connection to ``info`` (the login that found the dev
    server running), is used and closed instead of a new login.
    """
    for script in scripts:
        check_one_transaction(script)
    if seeding is not None:
        check_one_transaction(seeding.script, what="seed file")
    # Only applying watches for blocking sessions; reading a script or running it
    # in someone else's transaction (verify's shadow) does not need it loaded.
    from norberts_db import blocking

    limits = limits or Limits()
    started = time.perf_counter()
    with connect(info) if conn is None else conn as conn:
        running = "the schema lock"
        watch = blocking.Watch(
            info,
            conn.info.backend_pid,
            first_look=limits.first_look,
            lock_timeout=limits.lock_timeout,
        )
        try:
            with watch, conn.transaction():
                set_limits(conn, limits)
                if destructive is not None:
                    marks = read_marks(conn, info.dbname, session=True)
                    guard.check_marks(destructive, info, marks)
                lock_schema(conn)
                if follow is not None:
                    follow.start(conn)
                for script in scripts:
                    running = script.name
                    run_script(conn, script, limits)
                    if follow is not None:
                        follow.ran(conn, script)

                def bounded(conn: Connection, script: SqlScript) -> None:
                    run_script(conn, script, limits)

                taken = () if follow is None else follow.taken(conn, bounded)
                seeded = None
                if seeding is not None:
                    running = seeding.script.name
                    seeded = seed.load(conn, seeding, bounded)
                if after is not None:
                    running = "the migration history"
                    after(conn)
                counts = count_objects(conn)
                running = "COMMIT"
        except psycopg.Error as exc:
            if is_timeout(exc) or watch.ended_lock_wait:
                raise timeout_error(
                    exc,
                    info,
                    limits,
                    running,
                    watch.sessions,
                    lock=watch.ended_lock_wait,
                    looked=watch.looked,
                ) from None
            if conn.broken or is_interruption(exc):
                raise interrupted_error(exc, info, running) from None
            reason = (exc.diag.message_primary or str(exc)).strip()
            raise ServerError(
                f"PostgreSQL refused {running} on database {info.dbname!r} at {info.address}: "
                f"{reason}. {NOTHING_CHANGED}"
            ) from None
    unknown = None if follow is None else follow.unknown
    return ApplyResult(counts, time.perf_counter() - started, taken, unknown, seeded)


def reset(
    info: ConnInfo,
    drop_script: SqlScript,
    schema: SqlScript,
    *,
    limits: Limits | None = None,
    seeding: seed.Seeding | None = None,
    after: After | None = None,
    conn: Connection | None = None,
) -> ApplyResult:
    """Drop, create, then seed, as one atomic step, unless the database is marked
    non-development. ``conn`` as for :func:`apply_scripts`."""
    try:
        follow = cascade.Watch(drop_script, schema)
        return apply_scripts(
            info,
            drop_script,
            schema,
            limits=limits,
            destructive="reset",
            follow=follow,
            seeding=seeding,
            after=after,
            conn=conn,
        )
    except SqlScriptError as exc:
        if exc.path != schema.name or exc.sqlstate not in _ALREADY_EXISTS:
            raise
        # Only a failed reset needs it: the warm path does not pay for its patterns.
        from norberts_db.cluster_objects import role_exists_advice

        before, _, rest = str(exc).partition(f"\n{NOTHING_CHANGED}")
        advice = role_exists_advice(before) or (
            "If the database held it before the reset, the drop script "
            f"{drop_script.name} does not remove it: add a DROP ... IF EXISTS for it there "
            "(`invoke db.check-drop` lists what the drop script leaves behind). Otherwise the "
            "schema file creates it twice."
        )
        raise SqlScriptError(
            f"{before}\n  {advice}\n{NOTHING_CHANGED}{rest}",
            sqlstate=exc.sqlstate,
            path=exc.path,
        ) from None


def create(
    info: ConnInfo,
    schema: SqlScript,
    *,
    limits: Limits | None = None,
    after: After | None = None,
    conn: Connection | None = None,
) -> ApplyResult:
    return apply_scripts(info, schema, limits=limits, after=after, conn=conn)


def load_seed(
    info: ConnInfo,
    seeding: seed.Seeding,
    *,
    limits: Limits | None = None,
    conn: Connection | None = None,
) -> ApplyResult:
    """Load the seed alone, into a schema whose tables are empty (see :mod:`norberts_db.seed`)."""
    return apply_scripts(info, limits=limits, destructive="seed", seeding=seeding, conn=conn)


def drop(
    info: ConnInfo,
    drop_script: SqlScript,
    *,
    schema: SqlScript | None = None,
    limits: Limits | None = None,
    after: After | None = None,
    conn: Connection | None = None,
) -> ApplyResult:
    """Run the drop script, unless the database is marked as non-development.

    ``schema`` tells the objects CASCADE took apart from the schema's own;
    without it, every object the drop removed is listed.
    """
    follow = cascade.Watch(drop_script, schema)
    if schema is None:
        follow.unknown = "no schema file to compare with"
    action = "drop every schema object in"
    return apply_scripts(
        info, drop_script, limits=limits, destructive=action, follow=follow, after=after, conn=conn
    )
