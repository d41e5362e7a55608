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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import psycopg

from norberts_db.apply import apply_scripts, run_script
from norberts_db.catalog.compare import compare, objects_compared
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
from norberts_db.errors import NorbertsDbError, SqlScriptError
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
    "check_drop_script",
    "compare_databases",
    "render",
    "render_github",
    "render_json",
    "render_text",
    "schema_snapshot",
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
        expected, actual = _read_shadow_and_target(target, schema, privileges=privileges)
    except (NorbertsDbError, psycopg.Error) as exc:
        return replace(result, error=_message(exc), seconds=time.perf_counter() - started)
    return replace(
        result,
        differences=tuple(compare(expected, actual)),
        objects_compared=objects_compared(expected, actual),
        seconds=time.perf_counter() - started,
    )


def _read_shadow_and_target(
    target: ConnInfo, schema: SqlScript, *, privileges: bool
) -> tuple[Snapshot, Snapshot]:
    """The expected and the actual snapshot; the target is read while the shadow is built.

    Building the shadow is most of the time verify takes, and reading the
    target needs nothing from it, so the two overlap.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        actual = pool.submit(snapshot_database, target, privileges=privileges)
        try:
            expected = schema_snapshot(target, schema, privileges=privileges)
        except (NorbertsDbError, psycopg.Error):
            # The target's own failure (unreachable, no such database) says more.
            target_error = actual.exception()
            if target_error is not None:
                raise target_error from None
            raise
        return expected, actual.result()


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
        seconds=time.perf_counter() - started,
    )


def schema_snapshot(server: ConnInfo, schema: SqlScript, *, privileges: bool = False) -> Snapshot:
    """The snapshot of a shadow database on ``server`` holding just ``schema``.

    The schema is applied and read in one transaction that is rolled back:
    the shadow is dropped anyway, so nothing of it needs to be committed and
    flushed, and nobody else can see or change it meanwhile.
    """
    check_one_transaction(schema)
    with (
        temporary_database(server, SHADOW_PREFIX) as shadow,
        connect(shadow) as conn,
        conn.transaction(force_rollback=True),
    ):
        run_script(conn, schema)
        return read_snapshot(conn, privileges=privileges)


def check_drop_script(server: ConnInfo, schema: SqlScript, drop: SqlScript) -> DropCheckResult:
    """Check in a scratch database that ``drop`` runs when empty and undoes ``schema`` fully.

    Objects are compared with owners and grants, so a drop script that changes
    the privileges of what an empty database has is caught too.
    """
    started = time.perf_counter()
    result = DropCheckResult(
        schema_file=schema.name, drop_script=drop.name, server=server.redacted(), script=schema
    )
    try:
        with temporary_database(server, DROP_CHECK_PREFIX) as scratch:
            empty = snapshot_database(scratch, privileges=True)
            empty_run_error = _dry_run(scratch, drop)
            apply_scripts(scratch, schema)
            created = snapshot_database(scratch, privileges=True)
            drop_error = _run_or_error(scratch, drop)
            after = snapshot_database(scratch, privileges=True)
    except (NorbertsDbError, psycopg.Error) as exc:
        return replace(result, error=_message(exc), seconds=time.perf_counter() - started)
    return replace(
        result,
        empty_run_error=empty_run_error,
        drop_error=drop_error,
        leftovers=tuple(compare(empty, after)),
        objects_created=len(created.objects.keys() - empty.objects.keys()),
        seconds=time.perf_counter() - started,
    )


def _dry_run(info: ConnInfo, script: SqlScript) -> str | None:
    """Run ``script`` and roll it back; the error message if the server rejected it."""
    with connect(info) as conn:
        try:
            with conn.transaction(force_rollback=True):
                run_script(conn, script)
        except SqlScriptError as exc:
            return str(exc)
    return None


def _run_or_error(info: ConnInfo, script: SqlScript) -> str | None:
    try:
        apply_scripts(info, script)
    except SqlScriptError as exc:
        return str(exc)
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, NorbertsDbError):
        return str(exc)
    return f"PostgreSQL error: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
