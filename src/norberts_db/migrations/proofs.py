"""Whether the migrations build the schema file, remembered, and what a reset records.

``db.reset`` builds the dev database from the schema file, not from the
migrations. Like Rails' ``db:schema:load``, it then records every migration
as applied, in the reset's own transaction, but only when the migrations are
known to build exactly that schema file. ``db.verify --migrations`` proves
it, and so does a ``db.migrate`` that finds all migrations already in the
database; the proof is remembered in the state folder, keyed by the
checksums of the schema file and of every migration and by the server's
major version, so a reset reads one small file and builds nothing. Without
a proof, the reset clears the history, which no longer describes the
database, and the next ``db.migrate`` works out where it stands
(:mod:`norberts_db.migrations.baseline`).

Kept apart from the rest of the migration tool: db.reset imports it, and
must stay quick.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from norberts_db import state_files
from norberts_db.migrations import files, queries
from norberts_db.migrations.files import MigrationFile, checksum
from norberts_db.settings import Settings

if TYPE_CHECKING:
    from norberts_db.migrations.history import Connection

PROOFS_FILE = "migration-proofs.json"
_KEPT_PROOFS = 20


def migrations_dir(settings: Settings) -> Path:
    return settings.project_root / "sql" / "migrations"


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
        state_files.write_object(self.path, dict(kept))

    def _read(self) -> dict[str, object]:
        return state_files.read_object(self.path)


@dataclass
class ResetHistory:
    """What a reset writes to the migration history, in its own transaction, and says of it.

    ``summary`` is what the task prints; a drop's "cleared" is said only when
    ``write`` found migrations recorded there.
    """

    record: tuple[MigrationFile, ...]
    summary: str
    only_if_found: bool = False

    def write(self, conn: Connection) -> None:
        row = conn.execute(queries.load("history_tables")).fetchone()
        history, progress = (bool(row[0]), bool(row[1])) if row else (False, False)
        if not self.record and not history:
            if self.only_if_found:
                self.summary = ""
            return
        if not (history and progress):
            conn.execute(queries.load("history_create"))
        cursor = conn.execute(queries.load("history_clear"))
        cleared = max(cursor.rowcount, 0)
        while cursor.nextset():
            cleared += max(cursor.rowcount, 0)
        if self.only_if_found and not cleared:
            self.summary = ""
        if self.record:
            # Only a proven history is written row by row: a reset without one skips the module.
            from norberts_db.migrations.history import record

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


def after_reset(
    settings: Settings, schema: Path, version: str, *, built: bool = True
) -> ResetHistory:
    """What db.reset and db.create (``built``) or db.drop leave in the migration history."""
    if not built:
        return ResetHistory((), "migration history: cleared", only_if_found=True)
    try:
        found = files.discover(migrations_dir(settings))
    except files.MigrationFileError as exc:
        return ResetHistory((), f"migration history: not recorded; {exc}")
    return reset_history(
        _proofs(settings), schema, found, major_of(version), relative(settings, schema)
    )


def remember(settings: Settings, schema: Path, version: str, builds: bool) -> None:
    """Keep whether the migrations build ``schema``, for the resets to come."""
    found = files.discover(migrations_dir(settings))
    _proofs(settings).put(Proofs.key(schema, found, major_of(version)), builds)


def _proofs(settings: Settings) -> Proofs:
    return Proofs(settings.state_path / PROOFS_FILE)


def relative(settings: Settings, path: Path) -> str:
    """``path`` as the user reads it: from the project root when it lies inside."""
    try:
        return str(path.resolve().relative_to(settings.project_root.resolve()))
    except ValueError:
        return str(path)


def major_of(version: str) -> str:
    """``18`` of ``18.1 (Debian 18.1-1)``: the proof key's part of the server version."""
    return version.split(".", 1)[0].split()[0]
