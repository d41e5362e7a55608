"""The copy ``migration.prove`` runs the migrations on: the target's schema and data.

Two ways, the first when it can be taken:

- ``CREATE DATABASE copy TEMPLATE target`` on the target's own server, when
  this user may (superuser, or CREATEDB and owner of the target) and nobody
  else is connected to the target: PostgreSQL refuses a template in use, and
  while the copy is made new sessions on the target wait.
- otherwise ``pg_dump | pg_restore``, with the client programs of the
  target's major, into a scratch database on the toolkit's own server of that
  major (the server ``db.up`` runs: docker or embedded).

Either copy is a temporary database of :mod:`norberts_db.temporary`: dropped
however the run ends, swept by the next run if the process was killed. The
target is only read: the template copy reads its files, pg_dump reads its rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

import psycopg

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo
from norberts_db.databases import MAINTENANCE_DB
from norberts_db.errors import NorbertsDbError, ServerError
from norberts_db.migrations import queries
from norberts_db.migrations.progress import Progress
from norberts_db.migrations.prove_dump import find_client_tools, restore_dump
from norberts_db.servers import choose_server
from norberts_db.settings import Settings
from norberts_db.settings_schema import SUPPORTED_MAJORS
from norberts_db.temporary import PROVE_PREFIX, temporary_database

Note = Callable[[str], None]
SETTLE = 0.5


@dataclass(frozen=True)
class Copy:
    """Where the copy is, how it was made and why that way, and how long it took."""

    info: ConnInfo
    how: str  # "template" or "dump"
    why: str
    seconds: float


@dataclass(frozen=True)
class _Rights:
    may_clone: bool
    others: int
    major: int


@contextmanager
def copy_of(settings: Settings, target: ConnInfo, say: Note) -> Iterator[Copy]:
    """A temporary copy of ``target``, dropped when the block ends; see the module."""
    started = time.perf_counter()
    rights, why = _rights(target)
    if rights is not None and rights.may_clone and not rights.others:
        stack = ExitStack()
        try:
            with Progress(f"copying {target.dbname} with CREATE DATABASE ... TEMPLATE"):
                info = stack.enter_context(
                    temporary_database(target, PROVE_PREFIX, template=target.dbname)
                )
        except psycopg.errors.ObjectInUse:
            why = "another session connected to the target as the copy began"
        else:
            with stack:
                why = "this user may create databases there and no one else is connected"
                say(f"copy: CREATE DATABASE ... TEMPLATE {target.dbname} on its server ({why})")
                yield Copy(info, "template", why, time.perf_counter() - started)
            return
    elif rights is not None:
        why = _why_not_template(rights)
    major = rights.major if rights is not None else _major(target)
    say(
        f"copy: pg_dump | pg_restore into a scratch database on a PostgreSQL {major} server ({why})"
    )
    _check_supported(major)
    tools = find_client_tools(settings, major)  # before a server is started for nothing
    say(f"pg_dump and pg_restore: {tools.source}")
    server = _scratch_server(settings, major, say)
    with temporary_database(server, PROVE_PREFIX) as info:
        restore_dump(tools, target, info)
        yield Copy(info, "dump", why, time.perf_counter() - started)


def _rights(target: ConnInfo) -> tuple[_Rights | None, str]:
    """What the template copy needs, read on the target server's maintenance database.

    A session that just closed can still be listed for a few milliseconds while
    its backend exits, so other sessions are asked about for up to :data:`SETTLE`
    seconds before they count.
    """
    try:
        with connect(target.for_database(MAINTENANCE_DB), autocommit=True) as conn:
            deadline = time.monotonic() + SETTLE
            while True:
                row = conn.execute(
                    queries.load("prove_clone_rights"), {"name": target.dbname}
                ).fetchone()
                if row is None or not row[1] or time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
    except (NorbertsDbError, psycopg.Error) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"the {MAINTENANCE_DB} database of the target's server cannot be read: {first}"
    if row is None:
        raise ServerError(f"Database {target.dbname!r} does not exist at {target.address}.")
    return _Rights(bool(row[0]), int(str(row[1])), int(str(row[2]))), ""


def _why_not_template(rights: _Rights) -> str:
    if not rights.may_clone:
        return "this user may not copy the target with CREATE DATABASE ... TEMPLATE"
    plural = "s are" if rights.others != 1 else " is"
    return f"{rights.others} other session{plural} connected to the target"


def _major(target: ConnInfo) -> int:
    with connect(target, autocommit=True) as conn:
        row = conn.execute("SELECT current_setting('server_version_num')::int / 10000").fetchone()
        return int(str(row[0])) if row else 0


def _check_supported(major: int) -> None:
    if major not in SUPPORTED_MAJORS:
        raise ServerError(
            f"The target runs PostgreSQL {major}; the toolkit runs servers of "
            f"{', '.join(map(str, SUPPORTED_MAJORS))} only, so it cannot restore a copy of "
            "that major. Give a target it can copy with CREATE DATABASE ... TEMPLATE "
            "(a user that may create databases, and no other session connected)."
        )


def _scratch_server(settings: Settings, major: int, say: Note) -> ConnInfo:
    """The toolkit's own server of ``major`` (the one ``db.up --pg major`` runs), started."""
    backend = settings.backend if settings.backend in ("docker", "embedded") else "auto"
    choice = choose_server(replace(settings, backend=backend, url=None, pg_version=major))
    say(f"scratch server: {choice.server.kind} ({choice.reason})")
    choice.server.up()
    return choice.server.conninfo
