"""Where a database that db.migrate did not build stands in the migration history.

``db.migrate`` on a database that holds objects but no history (a reset
without a proof, see :mod:`norberts_db.migrations.proofs`, a database older
than its migrations, one made by hand) works out where it stands: it applies
the migrations one by one to an empty scratch database, comparing after each
with the database object by object, as ``db.verify`` does. The longest run
of first migrations that builds exactly what the database holds is recorded
as applied without running; the rest are applied. When no run builds it,
the migrations are applied as usual (the first one may be written for just
that database), and if one then finds an object already there, the error
says so, with the database's differences from the closest run, instead of
blaming the migration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from norberts_db.catalog.compare import compare
from norberts_db.catalog.model import Difference
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations import queries
from norberts_db.migrations.files import MigrationFile
from norberts_db.migrations.history import Connection, ensure_history, record

_SHOWN_DIFFERENCES = 8


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
