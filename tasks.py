"""Invoke tasks: the front door. Parse flags, call norberts_db, print, exit.

Defaults do not live in ``ns.configure``: they live in ``[tool.norberts_db]``
in pyproject.toml so that Nox, the tests and the benchmarks read the very same
settings through ``norberts_db.settings.load_settings`` (pyproject, then
``NORBERTS_DB_*`` variables, then the flags given here).

The plumbing every task shares (flag help, the server flags, the one-message
failures and exit codes) is ``norberts_db.cli``. Other imports of the library
happen inside each task, so ``invoke --list`` and a task against a running
server do not pay for modules they do not use.
"""

from __future__ import annotations

import sys
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import Any

from invoke.collection import Collection
from invoke.context import Context
from invoke.tasks import task


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

# After _keep_bytecode, so the library's modules keep their bytecode too.
from norberts_db.cli import (  # noqa: E402
    APPLY_FORMAT,
    HELP,
    MAX_LOG_LINES,
    end_quietly_when_stdout_closes,
    finish,
    helps,
    reported,
    server_flags,
    settings,
)

end_quietly_when_stdout_closes()


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
    from norberts_db.settings_values import flag_number

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
