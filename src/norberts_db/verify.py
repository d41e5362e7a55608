"""``db.verify`` and ``db.check-drop``: prove a database matches the schema file, object by object.

The expected state is not parsed from SQL: the schema file is applied to a
temporary shadow database on the same server, so PostgreSQL normalizes both
sides the same way, and the two catalogs are compared. The shadow database is
always dropped, on success, on failure and on Ctrl-C.

The task layer calls :func:`verify_database` or :func:`check_drop_script`,
prints :func:`render` of the result, and exits with ``result.exit_code``:
0 matches (or clean), 1 drift (or leftovers), 2 could not verify.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import replace

import psycopg

from norberts_db import queries
from norberts_db.catalog.compare import compare, not_compared, objects_compared
from norberts_db.catalog.model import Difference, Snapshot
from norberts_db.catalog.report import (
    FORMATS,
    Format,
    render,
    render_github,
    render_json,
    render_text,
)
from norberts_db.catalog.results import (
    COULD_NOT_VERIFY,
    DRIFT,
    MATCHES,
    DropCheckResult,
    VerifyResult,
)
from norberts_db.catalog.snapshot import read_snapshot, snapshot_database
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.databases import Connection
from norberts_db.errors import NorbertsDbError
from norberts_db.shadow import SharedServer
from norberts_db.sqlfile import SqlScript
from norberts_db.temporary import DROP_CHECK_PREFIX, SHADOW_PREFIX, temporary_database
from norberts_db.transactional import check_one_transaction

__all__ = [
    "COULD_NOT_VERIFY",
    "DRIFT",
    "DROP_CHECK_PREFIX",
    "FORMATS",
    "MATCHES",
    "SHADOW_PREFIX",
    "Difference",
    "DropCheckResult",
    "Format",
    "VerifyResult",
    "built_schema",
    "check_drop_script",
    "compare_databases",
    "render",
    "render_github",
    "render_json",
    "render_text",
    "schema_snapshot",
    "shadow_snapshot",
    "temporary_database",
    "verify_database",
]


def verify_database(
    target: ConnInfo, schema: SqlScript, *, privileges: bool = False
) -> VerifyResult:
    """Compare the database ``target`` with what ``schema`` creates in an empty database.

    Owners and grants are compared only with ``privileges``. Never raises for an
    expected failure: an error in the schema file or an unreachable server is
    a result with ``error`` set and exit code 2.
    """
    started = time.perf_counter()
    result = VerifyResult(schema_file=schema.name, database=target.redacted(), script=schema)
    try:
        (expected, notes), actual = _read_shadow_and_target(target, schema, privileges=privileges)
    except (NorbertsDbError, psycopg.Error) as exc:
        return replace(result, error=_message(exc), seconds=time.perf_counter() - started)
    return replace(
        result,
        differences=tuple(compare(expected, actual)),
        objects_compared=objects_compared(expected, actual),
        notes=notes,
        not_compared=not_compared(expected, actual),
        seconds=time.perf_counter() - started,
    )


def _read_shadow_and_target(
    target: ConnInfo, schema: SqlScript, *, privileges: bool
) -> tuple[tuple[Snapshot, tuple[str, ...]], Snapshot]:
    """The expected snapshot with its notes, and the actual one, read while the shadow is built.

    Building the shadow is most of the time verify takes, and reading the
    target needs nothing from it, so the two overlap.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        actual = pool.submit(snapshot_database, target, privileges=privileges)
        try:
            expected = shadow_snapshot(target, schema, privileges=privileges)
        except (NorbertsDbError, psycopg.Error):
            # The target's own failure (unreachable, no such database) says more.
            target_error = actual.exception()
            if target_error is not None:
                raise target_error from None
            raise
        return expected, actual.result()


def _checkpoint_early(server: ConnInfo) -> None:
    """Start the checkpoint that dropping the shadow takes, while the shadow is built.

    ``DROP DATABASE`` makes the server take a checkpoint and waits for it. The
    shadow's own pages are discarded, not written, but whatever else is dirty
    is written then: right after a large schema was built, all of that build,
    seconds of writing on a busy disk, and the reason a first verify after a
    build took much longer than the next. Started here, those writes overlap
    the shadow's build, and the drop's own checkpoint finds little to do. A
    user who may not run CHECKPOINT (superuser or pg_checkpoint) just skips it.
    """
    with suppress(NorbertsDbError, psycopg.Error), connect(server, autocommit=True) as conn:
        conn.execute(queries.load("checkpoint_early"))


def compare_databases(
    expected: ConnInfo, actual: ConnInfo, *, privileges: bool = False
) -> VerifyResult:
    """Compare two live databases; ``schema_file`` of the result names the expected one."""
    started = time.perf_counter()
    result = VerifyResult(schema_file=expected.redacted(), database=actual.redacted())
    try:
        wanted = snapshot_database(expected, privileges=privileges)
        found = snapshot_database(actual, privileges=privileges)
    except (NorbertsDbError, psycopg.Error) as exc:
        return replace(result, error=_message(exc), seconds=time.perf_counter() - started)
    return replace(
        result,
        differences=tuple(compare(wanted, found)),
        objects_compared=objects_compared(wanted, found),
        not_compared=not_compared(wanted, found),
        seconds=time.perf_counter() - started,
    )


def schema_snapshot(server: ConnInfo, schema: SqlScript, *, privileges: bool = False) -> Snapshot:
    """The snapshot of a shadow database on ``server`` holding just ``schema``."""
    return shadow_snapshot(server, schema, privileges=privileges)[0]


def shadow_snapshot(
    server: ConnInfo, schema: SqlScript, *, privileges: bool = False
) -> tuple[Snapshot, tuple[str, ...]]:
    """The snapshot of a shadow database holding ``schema``, and notes on its role statements.

    The schema is applied and read in one transaction that is rolled back:
    the shadow is dropped anyway, so nothing of it needs to be committed and
    flushed, and nobody else can see or change it meanwhile. Roles it creates
    are rolled back too (:mod:`norberts_db.shadow`). The checkpoint the
    shadow's drop waits for starts while it is built (:func:`_checkpoint_early`).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_checkpoint_early, server)
        with built_schema(server, schema) as (conn, notes):
            return read_snapshot(conn, privileges=privileges), notes


@contextmanager
def built_schema(
    server: ConnInfo, schema: SqlScript
) -> Iterator[tuple[Connection, tuple[str, ...]]]:
    """A session in a shadow database holding ``schema``, and the notes on its role statements.

    All of it is in a transaction rolled back at the end of the block.
    """
    check_one_transaction(schema)
    with _rolled_back(server, SHADOW_PREFIX) as (conn, shared):
        shared.run(conn, schema)
        yield conn, tuple(shared.notes)


def check_drop_script(server: ConnInfo, schema: SqlScript, drop: SqlScript) -> DropCheckResult:
    """Check in a scratch database that ``drop`` runs when empty and undoes ``schema`` fully.

    Objects are compared with owners and grants, so a drop script that changes
    the privileges of what an empty database has is caught too. When nothing
    is left behind, the schema is run once more after the drop script, as the
    next ``db.reset`` would: what the drop script leaves outside the database
    (a role) shows there. All of it happens in one transaction that is rolled
    back, so none of it reaches the rest of the server.
    """
    started = time.perf_counter()
    result = DropCheckResult(
        schema_file=schema.name, drop_script=drop.name, server=server.redacted(), script=schema
    )
    try:
        check_one_transaction(schema)
        check_one_transaction(drop)
        with _rolled_back(server, DROP_CHECK_PREFIX) as (conn, shared):
            empty = read_snapshot(conn, privileges=True)
            empty_run_error = shared.error_of(conn, drop, keep=False)
            shared.run(conn, schema, as_committed=True)
            created = read_snapshot(conn, privileges=True)
            drop_error = shared.error_of(conn, drop, keep=True)
            leftovers = tuple(compare(empty, read_snapshot(conn, privileges=True)))
            clean = drop_error is None and not leftovers
            rerun_error = (
                shared.error_of(conn, schema, keep=False, as_committed=True) if clean else None
            )
    except (NorbertsDbError, psycopg.Error) as exc:
        return replace(result, error=_message(exc), seconds=time.perf_counter() - started)
    return replace(
        result,
        empty_run_error=empty_run_error,
        drop_error=drop_error,
        rerun_error=rerun_error,
        leftovers=leftovers,
        objects_created=len(created.objects.keys() - empty.objects.keys()),
        notes=tuple(shared.notes),
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _rolled_back(server: ConnInfo, prefix: str) -> Iterator[tuple[Connection, SharedServer]]:
    """A session in a new temporary database, in a transaction that is rolled back.

    With it come the roles of the server as the transaction began.
    """
    with (
        temporary_database(server, prefix) as database,
        connect(database) as conn,
        conn.transaction(force_rollback=True),
    ):
        yield conn, SharedServer.read(conn)


def _message(exc: BaseException) -> str:
    if isinstance(exc, NorbertsDbError):
        return str(exc)
    return f"PostgreSQL error: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
