"""What a failed or stopped db.migrate kept: the message that says so, file by file.

A statement the server rejects rolls back the part it is in, so the run
knows exactly what stays. A lost connection, a timeout or an interrupt may
strike while a part commits; then the database itself is asked, over a new
connection, what it recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError, SqlScriptError
from norberts_db.migrations.files import MigrationFile
from norberts_db.migrations.history import MigrationError, read_history, read_progress
from norberts_db.migrations.parts import Segment

_INVALID_TERMINATION = "2D000"
# The server's codes for "already exists".
_ALREADY_EXISTS = frozenset({"42P07", "42710", "42723", "42P06", "42701", "42P16"})
_NOT_IN_A_TRANSACTION = "25001"


class MigrationInterrupted(MigrationError):
    """Ctrl-C or SIGTERM stopped db.migrate; the message says what it kept."""

    exit_code = 130


@dataclass
class Run:
    """Where a run stands: the files it applied, and the parts done of the one under way."""

    done: list[str] = field(default_factory=list)
    current: MigrationFile | None = None
    parts: list[Segment] = field(default_factory=list)
    committed: int = 0
    alone_done: bool = False
    # Why the database, which had no history, may hold what a migration creates.
    unplaced: str = ""

    def begin(self, migration: MigrationFile, parts: list[Segment], start: int) -> None:
        self.current, self.parts, self.committed = migration, parts, start
        self.alone_done = False

    def part_done(self) -> None:
        self.committed += 1
        self.alone_done = False

    def finished(self) -> None:
        assert self.current is not None
        self.done.append(self.current.filename)
        self.current = None


def failed(exc: SqlScriptError, run: Run) -> str:
    """The message for a statement the server rejected: its part was rolled back."""
    assert run.current is not None
    text = str(exc).split("\nNothing was changed", 1)[0]
    # The advice apply.script_error gives is for schema files.
    text = text.split("\n  The file runs in one transaction", 1)[0]
    if exc.sqlstate == _INVALID_TERMINATION:
        text += (
            "\n  A procedure or DO block that commits or rolls back cannot run in a migration: "
            "each part of a migration runs in a transaction the toolkit commits, together "
            "with its record. Do the work without COMMIT, or split it over two migrations."
        )
    elif exc.sqlstate == _NOT_IN_A_TRANSACTION:
        text += (
            "\n  PostgreSQL refuses this statement in a transaction block. db.migrate runs "
            "outside one only the statements that need it (CREATE/DROP INDEX CONCURRENTLY, "
            "REINDEX, VACUUM, DETACH PARTITION ... CONCURRENTLY); do this one by hand."
        )
    part = run.parts[run.committed]
    if not part.transactional and part.statements[0].text.lstrip()[:6].upper() == "CREATE":
        text += (
            "\n  A CREATE INDEX CONCURRENTLY that fails leaves its index behind, invalid; the "
            "next run drops it and builds it again."
        )
    kept = _kept(run, recorded=False, parts_done=run.committed)
    if run.unplaced and exc.sqlstate in _ALREADY_EXISTS:
        return f"{text}\n{run.unplaced}\n{kept}"
    return f"{text}\n{kept} Fix the migration and run db.migrate again."


def ended(info: ConnInfo, run: Run, exc: BaseException) -> str:
    """The message for a run ended by the connection, the server or an interrupt."""
    if isinstance(exc, KeyboardInterrupt):
        reason = f"interrupted{f' ({exc})' if str(exc) else ''}"
    elif isinstance(exc, psycopg.Error):
        primary = exc.diag.message_primary or str(exc).strip() or type(exc).__name__
        reason = f"the server or the connection failed: {primary.splitlines()[0]}"
    else:
        reason = str(exc)
    if run.current is None:
        before = _before(run, "in this run")
        kept = f"{before} " if before else "Nothing was applied. "
        return f"db.migrate stopped ({reason}). {kept}Run db.migrate again."
    migration = run.current
    where = migration.filename
    if len(run.parts) > 1:
        where += f", part {run.committed + 1} of {len(run.parts)}"
    state = _ask(info, migration)
    if state is None:
        kept = (
            f"Whether {migration.filename} was committed could not be checked: the server "
            "does not answer. `invoke db.migrate --dry-run` shows where it stands once it does. "
            + _before(run)
        )
    else:
        kept = _kept(run, *state)
    part = run.parts[run.committed] if run.committed < len(run.parts) else None
    if part is not None and not part.transactional and not run.alone_done and state is not None:
        kept += (
            f" Part {run.committed + 1} runs outside a transaction: the server may still "
            "finish it; the next run checks what it left (an index it built is kept if it "
            "matches, rebuilt if invalid)."
        )
    return f"db.migrate stopped in {where} ({reason}).\n{kept} Run db.migrate again."


def _ask(info: ConnInfo, migration: MigrationFile) -> tuple[bool, int] | None:
    """Whether the database recorded ``migration``, and how many of its parts it marks done."""
    try:
        with connect(info, autocommit=True, connect_timeout=3) as conn:
            if migration.version in read_history(conn):
                return True, 0
            mark = read_progress(conn).get(migration.version)
            return False, mark.parts_done if mark else 0
    except (NorbertsDbError, psycopg.Error):
        return None


def _kept(run: Run, recorded: bool, parts_done: int) -> str:
    assert run.current is not None
    name = run.current.filename
    if recorded:
        kept = f"{name} was committed and recorded."
    elif parts_done:
        kept = (
            f"{name} is not recorded; parts 1-{parts_done} of its {len(run.parts)} are "
            "committed and marked done (norberts_db.migration_progress): the next run "
            f"resumes at part {parts_done + 1}, and the parts done must stay as they are."
        )
    else:
        kept = f"{name} was rolled back and not recorded."
    before = _before(run)
    return f"{kept} {before}" if before else kept


def _before(run: Run, when: str = "before it in this run") -> str:
    if not run.done:
        return ""
    return f"The {len(run.done)} migration(s) applied {when} stay applied: {', '.join(run.done)}."
