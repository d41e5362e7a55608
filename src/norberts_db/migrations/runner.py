"""Applying migration files: in order, each in its own transaction, under the schema lock.

A file runs in one transaction, recorded in the history in that same
transaction, so a failure leaves the database as before that file. Some
statements end a transaction (:mod:`norberts_db.migrations.parts`); a file
holding them runs in parts, and each part commits with a mark of the parts
done, so a run that stops half-way is resumed after them, never repeated
(:mod:`norberts_db.migrations.concurrent` for a concurrent index build that
was cut off).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from norberts_db.apply_errors import is_timeout, timeout_reason
from norberts_db.bounds import Limits
from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import SqlScriptError
from norberts_db.interrupts import interrupt_behind
from norberts_db.migrations import baseline, outcome, queries
from norberts_db.migrations.checks import check_migration
from norberts_db.migrations.concurrent import still_to_build
from norberts_db.migrations.files import MigrationFile, checksum, discover
from norberts_db.migrations.history import (
    Connection,
    MigrationError,
    Progress,
    ensure_history,
    pending,
    read_history,
    read_progress,
    record,
    save_progress,
)
from norberts_db.migrations.migrate_lock import migrate_lock
from norberts_db.migrations.observer import Observer, run_alone, run_observed
from norberts_db.migrations.outcome import MigrationInterrupted, Run
from norberts_db.migrations.parts import Segment, segments
from norberts_db.script_run import run_script, set_limits
from norberts_db.sqlfile import SqlScript, load_script

Note = Callable[[str], None]


@dataclass(frozen=True)
class MigrateResult:
    applied: tuple[str, ...]
    pending: tuple[str, ...]
    seconds: float
    dry_run: bool = False
    text: str = ""
    adopted: tuple[str, ...] = ()


def migrate(
    info: ConnInfo,
    directory: Path,
    *,
    dry_run: bool = False,
    note: Note = lambda _: None,
    upto: int | None = None,
    place: bool = True,
    limits: Limits | None = None,
    observer: Observer | None = None,
) -> MigrateResult:
    """Apply the pending migrations of ``directory`` to ``info``; see the module docstring.

    Every pending file is checked (:mod:`norberts_db.migrations.checks`) before
    the first one runs. A database with objects but no history is first
    placed in the history (:mod:`norberts_db.migrations.baseline`). Whatever
    ends a run, the error says what is committed and what is recorded
    (:mod:`norberts_db.migrations.outcome`). ``upto`` applies only the first
    migrations; ``place=False`` skips the placement, for a database the caller
    knows the first migration was written for. With ``limits``, every statement runs
    within them, whatever the files set. ``observer`` watches every statement.
    """
    started = time.perf_counter()
    files = discover(directory)[:upto]
    scripts = {m.version: load_script(m.path, what="migration") for m in files}
    run = Run()
    try:
        with connect(info, autocommit=True) as conn, migrate_lock(conn, info, note, limits):
            applied = read_history(conn)
            todo = pending(files, applied)
            for migration in todo:
                check_migration(scripts[migration.version])
            adopted: list[MigrationFile] = []
            if place and todo and not applied and baseline.has_objects(conn):
                adopted = _place(info, directory, files, run, note)
                todo = todo[len(adopted) :]
            starts = resume_points(todo, scripts, read_progress(conn))
            if dry_run:
                return _dry_run(todo, scripts, starts, adopted, time.perf_counter() - started)
            if adopted:
                baseline.adopt(conn, adopted, note)
            if todo:
                ensure_history(conn)
            for position, migration in enumerate(todo, 1):
                note(f"[{position}/{len(todo)}] applying {migration.filename} ...")
                script = scripts[migration.version]
                start = starts.get(migration.version, 0)
                seconds = _apply_one(conn, migration, script, start, run, note, limits, observer)
                note(f"[{position}/{len(todo)}] applied {migration.filename} in {seconds:.3f} s")
                run.finished()
    except psycopg.Error as exc:
        behind = interrupt_behind(exc)  # psycopg's error in place of an interrupt
        if behind is not None:
            raise MigrationInterrupted(outcome.ended(info, run, behind)) from None
        raise MigrationError(outcome.ended(info, run, exc)) from None
    except KeyboardInterrupt as exc:
        raise MigrationInterrupted(outcome.ended(info, run, exc)) from None
    names = tuple(m.filename for m in adopted)
    return MigrateResult(tuple(run.done), (), time.perf_counter() - started, adopted=names)


def _place(
    info: ConnInfo, directory: Path, files: list[MigrationFile], run: Run, note: Note
) -> list[MigrationFile]:
    """The first migrations a database without history already holds; why, if none."""

    def build(scratch: ConnInfo, count: int) -> None:
        migrate(scratch, directory, upto=count)

    placed = baseline.already_applied(info, files, build, note)
    run.unplaced = placed.unmatched
    return files[: placed.matched]


def _dry_run(
    todo: list[MigrationFile],
    scripts: dict[int, SqlScript],
    starts: dict[int, int],
    adopted: list[MigrationFile],
    seconds: float,
) -> MigrateResult:
    text = _describe(todo, scripts, starts, adopted)
    waiting = tuple(m.filename for m in todo)
    return MigrateResult((), waiting, seconds, True, text, tuple(m.filename for m in adopted))


def resume_points(
    todo: list[MigrationFile], scripts: dict[int, SqlScript], progress: dict[int, Progress]
) -> dict[int, int]:
    """The part each pending migration starts at: after the parts an earlier run committed.

    Refuses a file whose committed parts changed since: running the rest of
    it after them would build something no file describes.
    """
    starts: dict[int, int] = {}
    for migration in todo:
        mark = progress.get(migration.version)
        if mark is None:
            continue
        parts = segments(scripts[migration.version].statements)
        if mark.parts_done >= len(parts) or done_checksum(parts[: mark.parts_done]) != (
            mark.done_checksum
        ):
            raise MigrationError(
                f"{migration.path}: parts 1-{mark.parts_done} of it were committed on "
                f"{mark.updated_at:%Y-%m-%d %H:%M} by a run that stopped before the rest, and "
                "the file has changed in those parts since. Restore them as they were (git "
                "checkout), so that the rest can be applied after them. If they must change, "
                f"undo by hand what they did, then clear the mark: {_clear(migration)} "
                "Nothing was applied."
            )
        starts[migration.version] = mark.parts_done
    return starts


def _clear(migration: MigrationFile) -> str:
    """The statement that forgets the parts done of ``migration``: printed, never run."""
    table = "norberts_db.migration_progress"
    return f"DELETE FROM {table} WHERE version = {migration.version};"  # noqa: S608


def done_checksum(parts: list[Segment]) -> str:
    """SHA-256 of the text of ``parts``: what a resumed run must find unchanged."""
    text = "\n;\n".join(s.text for part in parts for s in part.statements)
    return checksum(text.encode("utf-8"))


def _apply_one(
    conn: Connection,
    migration: MigrationFile,
    script: SqlScript,
    start: int,
    run: Run,
    note: Note,
    limits: Limits | None = None,
    observer: Observer | None = None,
) -> float:
    started = time.perf_counter()
    parts = segments(script.statements)
    run.begin(migration, parts, start)
    if start:
        note(f"  resuming at part {start + 1} of {len(parts)}: an earlier run committed the rest")

    def mark(index: int) -> None:
        """Record the file after its last part, else the parts done, in the open transaction."""
        if index == len(parts) - 1:
            record(conn, migration, migration.checksum(), time.perf_counter() - started)
        else:
            done = done_checksum(parts[: index + 1])
            save_progress(conn, migration, index + 1, len(parts), done)

    for index in range(start, len(parts)):
        part = parts[index]
        try:
            if part.transactional:
                with conn.transaction():
                    if limits is not None:
                        set_limits(conn, limits)
                    if observer is None:
                        run_script(conn, SqlScript(script.path, part.statements), limits)
                    else:
                        run_observed(conn, script, part.statements, limits, observer)
                    mark(index)
                    if observer is not None:
                        observer.committing(alone=False)
            else:
                statement = part.statements[0]
                if still_to_build(conn, script, statement, note):
                    if limits is not None:
                        set_limits(conn, limits.outside_transaction(), local=False)
                    if observer is None:
                        run_alone(conn, script, statement)
                    else:
                        run_observed(conn, script, part.statements, None, observer, alone=True)
                run.alone_done = True
                if observer is not None:
                    observer.committing(alone=True)
                with conn.transaction():
                    mark(index)
            if observer is not None:
                observer.committed()
        except SqlScriptError as exc:
            raise MigrationError(outcome.failed(exc, run)) from None
        except psycopg.Error as exc:
            if limits is None or not is_timeout(exc):
                raise
            ran_out = SqlScriptError(f"{script.name}: {timeout_reason(exc, limits)}")
            raise MigrationError(outcome.failed(ran_out, run)) from None
        run.part_done()
    return time.perf_counter() - started


def _describe(
    todo: list[MigrationFile],
    scripts: dict[int, SqlScript],
    starts: dict[int, int],
    adopted: list[MigrationFile],
) -> str:
    lines = []
    if adopted:
        names = ", ".join(m.filename for m in adopted)
        lines.append(
            f"dry run: {names} would be recorded as applied without running: the database "
            "already holds exactly what they build."
        )
    if not todo:
        lines.append("dry run: no pending migration; the database is up to date.")
        return "\n".join(lines)
    lines.append(f"dry run: {len(todo)} pending migration(s) would be applied, in this order:")
    for migration in todo:
        parts = segments(scripts[migration.version].statements)
        statements = sum(len(part.statements) for part in parts)
        outside = sum(1 for part in parts if not part.transactional)
        how = "in one transaction" if len(parts) == 1 else f"in {len(parts)} parts"
        extra = f", {outside} outside a transaction" if outside else ""
        start = starts.get(migration.version, 0)
        resume = f", resuming at part {start + 1} (parts before it are done)" if start else ""
        lines.append(f"  {migration.filename}: {statements} statement(s) {how}{extra}{resume}")
    lines.append("Nothing was changed.")
    return "\n".join(lines)


@contextmanager
def database_from_migrations(server: ConnInfo, directory: Path) -> Iterator[ConnInfo]:
    """A temporary database on ``server`` holding what the migrations of ``directory`` build."""
    from norberts_db.temporary import MIGRATIONS_PREFIX, temporary_database

    with temporary_database(server, MIGRATIONS_PREFIX) as scratch:
        try:
            migrate(scratch, directory)
            yield scratch
        finally:
            _release_subscriptions(scratch)


def _release_subscriptions(scratch: ConnInfo) -> None:
    """Drop the subscriptions the migrations made, which would keep the database from going."""
    with contextlib.suppress(psycopg.Error), connect(scratch, autocommit=True) as conn:
        conn.execute(queries.load("subscriptions_release"))
