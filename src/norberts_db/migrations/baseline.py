"""Where a database that db.migrate did not build stands in the migration history.

``db.reset`` builds the dev database from the schema file, not from the
migrations. Like Rails' ``db:schema:load``, it then records every migration
as applied, in the reset's own transaction, but only when the migrations are
known to build exactly that schema file. ``db.verify --migrations`` proves
it (and so does ``db.migrate``, below); the proof is remembered in the state
folder, keyed by the checksums of the schema file and of every migration and
by the server's major version, so a reset reads a small file and builds
nothing. Without a proof, the reset clears the history, which no longer
describes the database.

``db.migrate`` on a database that holds objects but no history (such a
reset, a database older than its migrations, one made by hand) works out
where it stands: it applies the migrations one by one to an empty scratch
database, comparing after each with the database object by object, as
``db.verify`` does. The longest run of first migrations that builds exactly
what the database holds is recorded as applied without running; the rest
are applied. When no run builds it, the migrations are applied as usual (the
first one may be written for just that database), and if one then finds an
object already there, the error says so, with the database's differences
from the closest run, instead of blaming the migration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from norberts_db.catalog.compare import compare
from norberts_db.catalog.model import Difference
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations import queries
from norberts_db.migrations.files import MigrationFile, checksum
from norberts_db.migrations.history import Connection, ensure_history, record

PROOFS_FILE = "migration-proofs.json"
_KEPT_PROOFS = 20
_SHOWN_DIFFERENCES = 8


@dataclass(frozen=True)
class Proofs:
    """Whether the migrations build the schema file, remembered per set of files and major."""

    path: Path

    @staticmethod
    def key(schema: Path, files: Sequence[MigrationFile], major: str) -> str:
        parts = [major, checksum(schema.read_bytes())]
        parts += [f"{m.filename}:{m.checksum()}" for m in files]
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    def get(self, key: str) -> bool | None:
        found = self._read().get(key)
        return found if isinstance(found, bool) else None

    def put(self, key: str, builds: bool) -> None:
        """Remember a proof; a state folder that cannot be written only costs a later proof."""
        known = {k: v for k, v in self._read().items() if k != key}
        kept = dict(list(known.items())[-(_KEPT_PROOFS - 1) :])
        kept[key] = builds
        with suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(kept, indent=1), encoding="utf-8")
            temporary.replace(self.path)

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class ResetHistory:
    """What a reset writes to the migration history, in its own transaction, and says of it."""

    record: tuple[MigrationFile, ...]
    summary: str

    def write(self, conn: Connection) -> None:
        row = conn.execute(queries.load("history_exists")).fetchone()
        if not self.record and not (row and row[0]):
            return
        conn.execute(queries.load("history_create"))
        conn.execute(queries.load("history_clear"))
        for migration in self.record:
            record(conn, migration, migration.checksum(), 0)


def reset_history(
    proofs: Proofs, schema: Path, files: Sequence[MigrationFile], major: str, schema_name: str
) -> ResetHistory:
    """The history a reset from ``schema`` leaves: every migration, if proven to build it."""
    if not files:
        return ResetHistory((), "")
    builds = proofs.get(Proofs.key(schema, files, major))
    if builds:
        return ResetHistory(
            tuple(files),
            f"migration history: {len(files)} migration(s) recorded as applied, up to "
            f"{files[-1].filename} (they build exactly {schema_name})",
        )
    if builds is None:
        return ResetHistory(
            (),
            "migration history: not recorded; the next db.migrate works out which migrations the "
            "database holds (`invoke db.verify --migrations` proves it ahead, and later resets "
            "then record them)",
        )
    return ResetHistory(
        (),
        f"migration history: not recorded; the migrations do not build {schema_name} "
        "(`invoke db.verify --migrations` shows how they differ): write the missing migration "
        "with `invoke migration.new NAME`, then reset again",
    )


def has_objects(conn: Connection) -> bool:
    row = conn.execute(queries.load("database_objects")).fetchone()
    return bool(row and row[0])


Build = Callable[[ConnInfo, int], None]


@dataclass(frozen=True)
class Placement:
    """How many first migrations build exactly what a database holds, and if none, why not."""

    matched: int
    unmatched: str = ""


def already_applied(
    info: ConnInfo, files: Sequence[MigrationFile], build: Build, note: Callable[[str], None]
) -> Placement:
    """Compare ``info`` with what the first 1, 2, ... migrations build in a scratch database.

    ``build(scratch, k)`` applies the first ``k`` migrations there. A migration
    that cannot be built from an empty database ends the search: those after it
    cannot be compared either.
    """
    from norberts_db.verify import temporary_database

    note(
        f"{info.dbname} holds objects but no migration history: comparing it with what the "
        "migrations build ..."
    )
    live = snapshot_database(info)
    matched = 0
    closest: tuple[int, tuple[Difference, ...]] | None = None
    with temporary_database(info, "norberts_migrations_") as scratch:
        for count in range(1, len(files) + 1):
            try:
                build(scratch, count)
            except NorbertsDbError:
                break
            found = tuple(compare(snapshot_database(scratch), live))
            if not found:
                matched = count
            elif closest is None or len(found) <= len(closest[1]):
                closest = (count, found)
    return Placement(matched, "" if matched else _unmatched(info, files, closest))


def adopt(conn: Connection, files: Sequence[MigrationFile], note: Callable[[str], None]) -> None:
    """Record ``files`` as applied without running them, in one transaction."""
    ensure_history(conn)
    with conn.transaction():
        for migration in files:
            record(conn, migration, migration.checksum(), 0)
    names = ", ".join(m.filename for m in files)
    note(
        f"recorded {names} as applied without running: the database already holds exactly "
        "what they build"
    )


def _unmatched(
    info: ConnInfo,
    files: Sequence[MigrationFile],
    closest: tuple[int, tuple[Difference, ...]] | None,
) -> str:
    """Why an object the first migration creates may already be there: said when it is."""
    situation = (
        f"Database {info.dbname!r} held objects but no migration history, and no run of the "
        "migrations builds what it holds (compared object by object, as db.verify does)"
    )
    if closest is None:
        situation += f"; {files[0].filename} cannot even be built in an empty database."
    else:
        count, found = closest
        shown = "\n".join(
            f"    - {d.kind} {d.name}: {_status(d)}"
            for d in sorted(found, key=Difference.sort_key)[:_SHOWN_DIFFERENCES]
        )
        more = len(found) - _SHOWN_DIFFERENCES
        if more > 0:
            shown += f"\n    ... and {more} more"
        situation += (
            f". Closest: the first {count} migration(s), up to {files[count - 1].filename}, "
            f"with {len(found)} difference(s):\n{shown}"
        )
    return (
        f"  {situation}\n  So the object was there before the migration ran, and the migration "
        "is not necessarily at fault. Built by db.reset from a schema file that has changed "
        "since the last migration: write that migration (`invoke migration.new NAME`), then "
        "run db.migrate again. Another development database: `invoke db.reset` rebuilds it "
        "from the schema file. Otherwise make it match what the migrations build up to one of "
        "them, and run db.migrate again."
    )


def _status(difference: Difference) -> str:
    if difference.status == "missing":
        return "the migrations build it, the database lacks it"
    if difference.status == "unexpected":
        return "in the database, not built by the migrations"
    changed = ", ".join(change.attribute for change in difference.changes)
    return f"differs ({changed})" if changed else "differs"


def major_of(version: str) -> str:
    """``18`` of ``18.1 (Debian 18.1-1)``: the proof key's part of the server version."""
    return version.split(".", 1)[0].split()[0]
