"""What each task does, as plain functions of the settings.

``tasks.py`` only parses flags, calls one of these, prints the text and turns
an expected error into an exit code. Keeping the work here lets tests and
benchmarks call exactly what the tasks call.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple, NoReturn

from norberts_db import apply, guard, seed
from norberts_db.apply import Connection
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError, SettingsError, SqlFileError
from norberts_db.servers import Choice, Server, ServerInfo, choose_server, running
from norberts_db.servers.base import managed_conninfo
from norberts_db.settings import Settings
from norberts_db.sqlfile import SqlScript, load_script

if TYPE_CHECKING:
    from norberts_db.catalog.report import Format
    from norberts_db.migrations.proofs import ResetHistory

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


def create(settings: Settings, note: Note = _stderr) -> str:
    started = time.perf_counter()
    schema = load_script(settings.schema_path, what="schema file")
    with serving(settings, note) as (info, target, conn):
        history = _history(settings, info)
        limits = apply.Limits.from_settings(settings)
        result = apply.create(target, schema, limits=limits, after=history.write, conn=conn)
    return (
        f"created {schema.path.name} in {info.database}: {_done(result, started, history.summary)}"
    )


def drop(settings: Settings, *, allow_remote: bool, fmt: str = "text", note: Note = _stderr) -> str:
    """Run the drop script; say what CASCADE took that the schema file does not create."""
    started = time.perf_counter()
    from norberts_db import applied

    checked = applied.apply_format(fmt)
    script = load_script(settings.drop_script_path, what="drop script")
    try:
        schema: SqlScript | None = load_script(settings.schema_path, what="schema file")
    except SqlFileError as exc:
        # The drop does not need the schema file; only telling its objects apart does.
        note(f"note: {exc}")
        schema = None
    action = "drop every schema object in"
    with serving(settings, note, destructive=action, allow_remote=allow_remote) as served:
        info, target, conn = served
        history = _history(settings, info, built=False)
        limits = apply.Limits.from_settings(settings)
        result = apply.drop(
            target, script, schema=schema, limits=limits, after=history.write, conn=conn
        )
    summary = f"dropped the schema objects of {info.database}: {_done(result, started)}"
    schema_file = None if schema is None else schema.name
    done = applied.Applied(
        "dropped", summary, info.database, schema_file, script.name, result, history.summary
    )
    return applied.render(done, checked)


def reset(
    settings: Settings,
    *,
    allow_remote: bool,
    use_seed: bool = True,
    fmt: str = "text",
    note: Note = _stderr,
) -> str:
    """Drop, create, then load the seed (when there is one), in one transaction, with the
    migration history."""
    started = time.perf_counter()
    from norberts_db import applied

    checked = applied.apply_format(fmt)
    drop_script = load_script(settings.drop_script_path, what="drop script")
    schema = load_script(settings.schema_path, what="schema file")
    seeding = seed.seeding_for(settings, schema, wanted=use_seed)
    with serving(settings, note, destructive="reset", allow_remote=allow_remote) as served:
        info, target, conn = served
        history = _history(settings, info)
        limits = apply.Limits.from_settings(settings)
        result = apply.reset(
            target,
            drop_script,
            schema,
            limits=limits,
            seeding=seeding,
            after=history.write,
            conn=conn,
        )
    where = f"{info.database} on {info.backend} (PostgreSQL {info.version})"
    summary = f"reset {where}: {_done(result, started)}"
    done = applied.Applied(
        "reset", summary, info.database, schema.name, drop_script.name, result, history.summary
    )
    return applied.render(done, checked)


def load_seed(settings: Settings, *, allow_remote: bool, note: Note = _stderr) -> str:
    """Load the seed alone into the current database, whose schema tables must be empty."""
    started = time.perf_counter()
    schema = load_script(settings.schema_path, what="schema file")
    seeding = seed.seeding_for(settings, schema, wanted=True)
    if seeding is None:
        raise SettingsError(
            f"{settings.seed_path}: there is no seed file. Write one (INSERT statements for "
            "the schema's tables), or point the seed setting or --seed at it."
        )
    action = "load the seed into"
    into_empty = replace(seeding, into_empty=True)
    limits = apply.Limits.from_settings(settings)
    with serving(settings, note, destructive=action, allow_remote=allow_remote) as served:
        info, target, conn = served
        result = apply.load_seed(target, into_empty, limits=limits, conn=conn)
    assert result.seeded is not None
    took = time.perf_counter() - started
    return f"{result.seeded.summary()} into {info.database} in {took:.3f} s"


def _history(settings: Settings, info: ServerInfo, *, built: bool = True) -> ResetHistory:
    """What the operation leaves in the migration history (norberts_db.migrations.proofs)."""
    from norberts_db.migrations.proofs import after_reset

    return after_reset(settings, settings.schema_path, info.version, built=built)


def _done(result: apply.ApplyResult, started: float, history: str = "") -> str:
    """What the database holds, the task's whole time (reading the files included), what
    the seed put in, and what the migration history now says."""
    done = f"{result.counts.summary()} in {time.perf_counter() - started:.3f} s"
    if result.seeded is not None:
        done = f"{done}; {result.seeded.summary()}"
    return f"{done}\n{history}" if history else done


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


def build_image(settings: Settings, major: int, tag: str | None) -> str:
    from norberts_db import images
    from norberts_db.settings_schema import image_tag

    if tag is not None:
        image_tag("--tag", tag)

    built = images.build_image(settings, major, tag, progress=_stderr)
    return f"built {built}"


def fetch_binaries(settings: Settings, major: int) -> str:
    """Make server binaries and the client programs of ``major`` available.

    Each is downloaded only when the machine has none: the server binaries
    for the embedded backend, ``pg_dump`` and ``pg_restore`` for
    ``migration.prove``'s copy.
    """
    from norberts_db import pgbinaries, pgclients, pgclients_fetch

    state, explicit = settings.state_path, settings.pg_bin_dir
    found = pgbinaries.find(major, state_dir=state, explicit=explicit)
    if found is None:
        found = pgbinaries.fetch(major, state_dir=state)
    clients = pgclients.find(major, state_dir=state, explicit=explicit)
    if clients is None:
        clients = pgclients_fetch.fetch(major, state_dir=state)
    return (
        f"PostgreSQL {major} server binaries: {found.source}\n"
        f"PostgreSQL {major} pg_dump and pg_restore: {clients.source}"
    )
