"""Invoke tasks: the front door. Parse flags, call norberts_db, print, exit.

Defaults do not live in ``ns.configure``: they live in ``[tool.norberts_db]``
in pyproject.toml so that Nox, the tests and the benchmarks read the very same
settings through ``norberts_db.settings.load_settings`` (pyproject, then
``NORBERTS_DB_*`` variables, then the flags given here).

Imports of the library happen inside each task, so ``invoke --list`` and a
task against a running server do not pay for modules they do not use.
"""

from __future__ import annotations

import inspect
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task, task

if TYPE_CHECKING:
    from norberts_db.error_report import Failure, Kind


def _keep_bytecode() -> None:
    """Let this file and the library's modules keep their bytecode cache.

    Invoke turns off writing bytecode before it loads tasks.py (unless
    --write-pyc), so every run compiled this file, and every module a task
    imports, from source again. The interpreter's own choice (-B,
    PYTHONDONTWRITEBYTECODE) is restored; ``get_code`` then writes this
    file's cache if it is missing or stale, for invoke to load next time.
    """
    sys.dont_write_bytecode = bool(sys.flags.dont_write_bytecode)
    if not sys.dont_write_bytecode:
        SourceFileLoader(__name__, __file__).get_code(__name__)


_keep_bytecode()

HELP = {
    "backend": "auto | docker | embedded | external (default: auto)",
    "pg": "PostgreSQL major version: 15, 16, 17 or 18",
    "port": "port of the dev server on 127.0.0.1 (default: 54300 + major)",
    "url": "use the server and database at this URL (postgresql://...)",
    "image": "docker image, {major} is replaced (default: postgres:{major})",
    "network": "docker network mode: auto, bridge (port on 127.0.0.1) or host",
    "schema": "schema file (default: sql/norberts_schema.sql)",
    "drop_script": "drop script (default: sql/drop_all_tables.sql)",
    "seed": "seed file loaded after the schema (default: sql/seed.sql, when it exists)",
    "no_seed": "do not load the seed file",
    "allow_remote": "allow acting on a server that is not local (asks for confirmation)",
    "volumes": "also delete the server's data",
    "tail": "how many lines, 1 to 100000 (default: 100)",
    "json": "print a machine-readable JSON report (same as --format json)",
    "format": "text (default), json, or github (annotations for GitHub Actions)",
    "privileges": "also compare owners and grants",
    "tag": "image tag (default: norberts-db/postgres:<major>)",
    "if_missing": "build only when an engine answers and no image of the major can be had",
    "path": "file or folder, repeatable (default: sql/)",
    "migrations": "check that the migrations, applied to an empty database, build the schema file",
    "to_url": "diff against the database at this URL instead of the schema file",
    "allow_destructive": "include statements that lose data (each is marked in the output)",
    "concurrently": "build indexes of existing tables with CREATE INDEX CONCURRENTLY",
    "grants": "also make owners and grants match",
    "connect_subscriptions": "enable subscriptions the schema wants enabled (their workers "
    "connect to the publisher); without it the SQL never connects anywhere",
    "dry_run": "print the pending migrations, change nothing",
    "name": "what the migration does, e.g. add_user_avatars",
    "out": (
        "where to write (default: the file's setting; for all files, a folder for their "
        "paths; - prints the one file to stdout)"
    ),
    "gen_format": "text (default), json, or github (annotations for GitHub Actions)",
}
APPLY_FORMAT = "text (default) or json"
SERVER_FLAGS = ("backend", "pg", "port", "url", "image", "network")
MAX_LOG_LINES = 100_000


def helps(*names: str, server: bool = True) -> dict[str, str]:
    """The help texts of the named flags, plus the server flags unless ``server`` is False."""
    return {name: HELP[name] for name in (*names, *(SERVER_FLAGS if server else ()))}


def server_flags(made: Task[Any]) -> Task[Any]:
    """Give a task the flags that choose the server, collected in its ``**server``.

    Invoke reads a task's flags from its body's signature, so the six flags are
    declared once here instead of in every task. The signature is set on the
    body once the task is made (this decorator goes above ``@task``): copied
    into the task object, it would be deep-copied with it on every run.
    """
    body = made.body
    signature = inspect.signature(body)
    params = [p for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD]
    params += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None)
        for name in SERVER_FLAGS
    ]
    body.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    return made


INTERRUPTED = 130  # the exit code of a task stopped by Ctrl-C, SIGTERM or SIGHUP
# What a task interrupted by Ctrl-C or SIGTERM leaves; any other leaves nothing half-done.
LEFT_WHEN_INTERRUPTED = {
    **{
        name: f"nothing half-done was kept (an unfinished {name} is rolled back as a whole)"
        for name in ("db.reset", "db.create", "db.drop", "db.seed")
    },
    "migration.prove": "the target was only read and is as it was; the copy, if one was "
    "made, was dropped (a copy a killed run leaves is swept by the next run)",
}


@contextmanager
def reported(
    code: int | None = None, *, fmt: str = "text", kind: Kind = "task", task: str
) -> Iterator[Failure]:
    """Turn any failure into one message and a non-zero exit, never a traceback.

    An expected failure (:class:`NorbertsDbError`) prints its message. With
    ``fmt`` json or github, stdout also gets the task's report with status
    "error" (see :mod:`norberts_db.error_report`); the task records on the
    yielded object what it knows (its settings) as it learns it. An exception
    nobody expected is a bug and says so in one line; NORBERTS_DB_DEBUG=1 adds
    the traceback. SIGTERM and SIGHUP stop a task like Ctrl-C, so its cleanups
    run (rollback, removal of half-created containers and temporary databases),
    and the message names ``task`` and what it left.
    """
    from norberts_db import error_report
    from norberts_db.errors import NorbertsDbError
    from norberts_db.interrupts import interrupt_behind, terminate_as_interrupt

    failure = error_report.Failure(fmt=fmt, kind=kind)

    def interrupted(exc: KeyboardInterrupt) -> NoReturn:
        name = f" ({exc})" if str(exc) else ""
        left = LEFT_WHEN_INTERRUPTED.get(task, "nothing half-done was kept")
        fail(failure, f"interrupted{name}; {left}. Run `invoke {task}` again.", INTERRUPTED)

    try:
        with terminate_as_interrupt():
            yield failure
    except Exit:
        raise
    except KeyboardInterrupt as exc:
        interrupted(exc)
    except Exception as exc:
        # An error raised while an interrupt unwound is the interrupt, unless it is
        # the task's own report of it (exit 130, saying what the task kept).
        behind = interrupt_behind(exc)
        if behind is not None and getattr(exc, "exit_code", None) != INTERRUPTED:
            interrupted(behind)
        error_report.show_traceback(exc)
        if isinstance(exc, NorbertsDbError):
            fail(failure, str(exc), code or exc.exit_code)
        fail(failure, error_report.unexpected(exc), code or 1)


def fail(failure: Failure, message: str, code: int) -> NoReturn:
    document = failure.document(message)
    if document is not None:
        emit(document)
    raise Exit(f"error: {message}", code=code) from None


STDOUT_CLOSED = (
    "error: stdout was closed before all of the output was written (a pipe whose "
    "reader ended first); the output is incomplete."
)


def emit(text: str) -> None:
    """Print to stdout. A reader that went away (``| head``) ends the task with one message.

    stdout is pointed at /dev/null then, or the interpreter's last flush at exit
    would fail again and print a traceback of its own.
    """
    try:
        print(text, flush=True)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise Exit(STDOUT_CLOSED, code=128 + signal.SIGPIPE) from None


def _stdout_closed_hook(kind: type[BaseException], *rest: Any) -> None:
    """What invoke prints itself (``--list``, ``--help``) ends as a task's output does."""
    if not issubclass(kind, BrokenPipeError):
        _next_hook(kind, *rest)
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print(STDOUT_CLOSED, file=sys.stderr, flush=True)
    os._exit(128 + signal.SIGPIPE)  # no exit handlers: they would flush stdout again


_next_hook = sys.excepthook
sys.excepthook = _stdout_closed_hook


def settings(**flags: Any) -> Any:
    """The one Settings object: pyproject, then environment, then these flags."""
    from norberts_db.settings import load_settings

    renamed = {"pg_version" if k == "pg" else k: v for k, v in flags.items()}
    return load_settings(**renamed)


def finish(text: str, exit_code: int = 0) -> None:
    emit(text)
    if exit_code:
        raise Exit(code=exit_code)


@server_flags
@task(help=helps())
def up(c: Context, **server: Any) -> None:
    """Start the dev server (idempotent) and wait until it answers."""
    from norberts_db import commands

    with reported(task="db.up"):
        finish(commands.up(settings(**server)))


@server_flags
@task(help=helps("volumes", "allow_remote"))
def down(c: Context, volumes: bool = False, allow_remote: bool = False, **server: Any) -> None:
    """Stop the dev server; --volumes also deletes its data."""
    from norberts_db import commands

    with reported(task="db.down"):
        s = settings(**server)
        finish(commands.down(s, volumes=volumes, allow_remote=allow_remote))


@server_flags
@task(help=helps())
def status(c: Context, **server: Any) -> None:
    """Show whether the dev server runs, and where."""
    from norberts_db import commands

    with reported(task="db.status"):
        finish(commands.status(settings(**server)))


@server_flags
@task(help=helps("tail"))
def logs(c: Context, tail: str | None = None, **server: Any) -> None:
    """Print the last lines of the dev server's log."""
    from norberts_db import commands
    from norberts_db.settings_schema import flag_number

    with reported(task="db.logs"):
        lines = flag_number(
            "--tail",
            "100" if tail is None else tail,
            what="number of lines",
            low=1,
            high=MAX_LOG_LINES,
        )
        finish(commands.logs(settings(**server), tail=lines))


@server_flags
@task(help=helps())
def url(c: Context, **server: Any) -> None:
    """Print the connection URI: psql "$(invoke db.url)"."""
    from norberts_db import commands

    with reported(task="db.url"):
        finish(commands.url(settings(**server)))


@server_flags
@task(help=helps())
def psql(c: Context, **server: Any) -> None:
    """Open an interactive psql on the dev database."""
    from norberts_db import commands

    with reported(task="db.psql"):
        commands.psql(settings(**server))


@server_flags
@task(help=helps("schema"))
def create(c: Context, schema: str | None = None, **server: Any) -> None:
    """Run the schema file in one transaction."""
    from norberts_db import db_commands

    with reported(task="db.create"):
        finish(db_commands.create(settings(schema=schema, **server)))


@server_flags
@task(help={**helps("schema", "drop_script", "allow_remote", "json"), "format": APPLY_FORMAT})
def drop(
    c: Context,
    schema: str | None = None,
    drop_script: str | None = None,
    allow_remote: bool = False,
    json: bool = False,
    format: str = "text",
    **server: Any,
) -> None:
    """Run the drop script in one transaction; list what CASCADE took beyond the schema."""
    from norberts_db import db_commands

    fmt = "json" if json else format
    with reported(fmt=fmt, task="db.drop") as failure:
        s = failure.settings = settings(schema=schema, drop_script=drop_script, **server)
        finish(db_commands.drop(s, allow_remote=allow_remote, fmt=fmt))


@server_flags
@task(
    help={
        **helps("schema", "drop_script", "seed", "no_seed", "allow_remote", "json"),
        "format": APPLY_FORMAT,
    }
)
def reset(
    c: Context,
    schema: str | None = None,
    drop_script: str | None = None,
    seed: str | None = None,
    no_seed: bool = False,
    allow_remote: bool = False,
    json: bool = False,
    format: str = "text",
    **server: Any,
) -> None:
    """Drop, create, then load the seed file, in one atomic step; list what CASCADE took."""
    from norberts_db import db_commands

    fmt = "json" if json else format
    with reported(fmt=fmt, task="db.reset") as failure:
        s = failure.settings = settings(schema=schema, drop_script=drop_script, seed=seed, **server)
        finish(db_commands.reset(s, allow_remote=allow_remote, use_seed=not no_seed, fmt=fmt))


@server_flags
@task(name="seed", help=helps("schema", "seed", "allow_remote"))
def load_seed(
    c: Context,
    schema: str | None = None,
    seed: str | None = None,
    allow_remote: bool = False,
    **server: Any,
) -> None:
    """Load the seed file into the current database, whose schema tables must be empty."""
    from norberts_db import db_commands

    with reported(task="db.seed"):
        s = settings(schema=schema, seed=seed, **server)
        finish(db_commands.load_seed(s, allow_remote=allow_remote))


@server_flags
@task(help=helps("schema", "json", "format", "privileges", "migrations"))
def verify(
    c: Context,
    schema: str | None = None,
    json: bool = False,
    format: str = "text",
    privileges: bool = False,
    migrations: bool = False,
    **server: Any,
) -> None:
    """Prove the database (or, with --migrations, the migrations) matches the schema file."""
    if migrations:
        from norberts_db.migrations.commands import verify_migrations as check
    else:
        from norberts_db.commands import verify as check

    fmt = "json" if json else format
    with reported(code=2, fmt=fmt, kind="verify", task="db.verify") as failure:
        s = failure.settings = settings(schema=schema, **server)
        report = check(s, privileges=privileges, fmt=fmt)
    finish(report.text, report.exit_code)


@server_flags
@task(
    help=helps(
        "schema", "to_url", "allow_destructive", "concurrently", "grants", "connect_subscriptions"
    )
)
def diff(
    c: Context,
    schema: str | None = None,
    to_url: str | None = None,
    allow_destructive: bool = False,
    concurrently: bool = False,
    grants: bool = False,
    connect_subscriptions: bool = False,
    **server: Any,
) -> None:
    """Print the SQL that makes the database match the schema file (exit 0 same, 1 differs)."""
    from norberts_db.migrations import commands as migration_commands

    options = migration_commands.DiffOptions(
        allow_destructive, concurrently, grants, connect_subscriptions
    )
    with reported(code=2, task="db.diff"):
        s = settings(schema=schema, **server)
        report = migration_commands.diff(s, to_url=to_url, options=options)
    finish(report.text, report.exit_code)


@server_flags
@task(help=helps("dry_run"))
def migrate(c: Context, dry_run: bool = False, **server: Any) -> None:
    """Apply the pending migrations of sql/migrations/ in order, under the schema lock."""
    from norberts_db.migrations import commands as migration_commands

    with reported(task="db.migrate"):
        finish(migration_commands.apply_migrations(settings(**server), dry_run=dry_run))


@server_flags
@task(
    name="new",
    positional=["name"],
    help=helps(
        "name",
        "schema",
        "allow_destructive",
        "concurrently",
        "grants",
        "connect_subscriptions",
    ),
)
def new_migration(
    c: Context,
    name: str,
    schema: str | None = None,
    allow_destructive: bool = False,
    concurrently: bool = False,
    grants: bool = False,
    connect_subscriptions: bool = False,
    **server: Any,
) -> None:
    """Write sql/migrations/NNNN_name.sql: what the migrations build -> the schema file."""
    from norberts_db.migrations import commands as migration_commands

    options = migration_commands.DiffOptions(
        allow_destructive, concurrently, grants, connect_subscriptions
    )
    with reported(task="migration.new"):
        s = settings(schema=schema, **server)
        finish(migration_commands.new_migration(s, name, options=options))


@server_flags
@task(name="prove", help=helps("schema", "json", "format"))
def prove_migrations(
    c: Context,
    schema: str | None = None,
    json: bool = False,
    format: str = "text",
    **server: Any,
) -> None:
    """Run the pending migrations on a copy of the target: failures, lost rows, locks, drift."""
    from norberts_db.migrations.prove import prove_migrations as prove

    fmt = "json" if json else format
    with reported(code=2, fmt=fmt, task="migration.prove") as failure:
        s = failure.settings = settings(schema=schema, **server)
        report = prove(s, fmt=fmt)
    finish(report.text, report.exit_code)


@server_flags
@task(name="check-drop", help=helps("schema", "drop_script", "json", "format"))
def check_drop(
    c: Context,
    schema: str | None = None,
    drop_script: str | None = None,
    json: bool = False,
    format: str = "text",
    **server: Any,
) -> None:
    """Prove the drop script removes all the schema creates."""
    from norberts_db import commands

    fmt = "json" if json else format
    with reported(code=2, fmt=fmt, kind="check-drop", task="db.check-drop") as failure:
        s = failure.settings = settings(schema=schema, drop_script=drop_script, **server)
        report = commands.check_drop(s, fmt=fmt)
    finish(report.text, report.exit_code)


@task(help=helps("pg", "tag", "if_missing", server=False))
def build(
    c: Context, pg: int | None = None, tag: str | None = None, if_missing: bool = False
) -> None:
    """Build a PostgreSQL image with no registry, from docker/."""
    from norberts_db import commands

    with reported(task="image.build"):
        s = settings(pg=pg)
        finish(commands.build_image(s, s.pg_version, tag, if_missing=if_missing))


@task(help=helps("pg", server=False))
def fetch(c: Context, pg: int | None = None) -> None:
    """Provide PostgreSQL server binaries, and pg_dump and pg_restore, of a major."""
    from norberts_db import commands

    with reported(task="pg.fetch"):
        s = settings(pg=pg)
        finish(commands.fetch_binaries(s, s.pg_version))


@task(iterable=["path"], help=helps("path", "format", server=False))
def lint(c: Context, path: list[str] | None = None, format: str = "text") -> None:
    """Lint the SQL with sqlfluff (postgres dialect)."""
    from norberts_db import lint as sql_lint
    from norberts_db.settings import find_project_root

    with reported(code=2, fmt=format, task="sql.lint"):
        paths = [Path(p) for p in path or []]
        report = sql_lint.lint_paths(paths, root=find_project_root(), fmt=format)
    finish(report.text, report.exit_code)


@task(iterable=["path"], help=helps("path", server=False))
def fix(c: Context, path: list[str] | None = None) -> None:
    """Apply the fixes sqlfluff can make to the SQL files."""
    from norberts_db import lint as sql_lint
    from norberts_db.settings import find_project_root

    with reported(code=2, task="sql.fix"):
        report = sql_lint.fix_paths([Path(p) for p in path or []], root=find_project_root())
    finish(report.text, report.exit_code)


def _generate(names: tuple[str, ...], schema: str | None, out: str | None, server: Any) -> None:
    from norberts_db.gen import commands as gen_commands

    with reported(task="gen" if len(names) > 1 else f"gen.{names[0]}"):
        finish(gen_commands.write(settings(schema=schema, **server), names, out=out))


@server_flags
@task(name="drizzle", help=helps("schema", "out"))
def gen_drizzle(
    c: Context, schema: str | None = None, out: str | None = None, **server: Any
) -> None:
    """Write the Drizzle ORM schema (drizzle/schema.ts) from the schema file."""
    _generate(("drizzle",), schema, out, server)


@server_flags
@task(name="drop-script", help=helps("schema", "out"))
def gen_drop_script(
    c: Context, schema: str | None = None, out: str | None = None, **server: Any
) -> None:
    """Write the drop script (sql/drop_all_tables.sql) from the schema file."""
    _generate(("drop-script",), schema, out, server)


@server_flags
@task(name="docs", help=helps("schema", "out"))
def gen_docs(c: Context, schema: str | None = None, out: str | None = None, **server: Any) -> None:
    """Write the schema reference (docs/schema.md) from the schema file."""
    _generate(("docs",), schema, out, server)


@server_flags
@task(name="all", default=True, help=helps("schema", "out"))
def gen_all(c: Context, schema: str | None = None, out: str | None = None, **server: Any) -> None:
    """Write every generated file: the Drizzle schema, the drop script, the schema docs."""
    from norberts_db.gen.files import GENERATED

    _generate(tuple(g.name for g in GENERATED), schema, out, server)


@server_flags
@task(name="check", help={**helps("schema", "out"), "format": HELP["gen_format"]})
def gen_check(
    c: Context,
    schema: str | None = None,
    out: str | None = None,
    format: str = "text",
    **server: Any,
) -> None:
    """Regenerate every generated file in memory; exit 1 with a diff for each stale one."""
    from norberts_db.gen import commands as gen_commands

    with reported(code=2, task="gen.check"):
        report = gen_commands.check(settings(schema=schema, **server), fmt=format, out=out)
    finish(report.text, report.exit_code)


db = Collection(
    "db",
    up,
    down,
    status,
    logs,
    url,
    psql,
    create,
    drop,
    reset,
    load_seed,
    verify,
    check_drop,
    diff,
    migrate,
)
ns = Collection(
    db,
    Collection("gen", gen_all, gen_drizzle, gen_drop_script, gen_docs, gen_check),
    Collection("image", build),
    Collection("migration", new_migration, prove_migrations),
    Collection("pg", fetch),
    Collection("sql", lint, fix),
)
