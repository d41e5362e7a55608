"""Invoke tasks: the front door. Parse flags, call norberts_db, print, exit.

Defaults do not live in ``ns.configure``: they live in ``[tool.norberts_db]``
in pyproject.toml so that Nox, the tests and the benchmarks read the very same
settings through ``norberts_db.settings.load_settings`` (pyproject, then
``NORBERTS_DB_*`` variables, then the flags given here).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

HELP = {
    "backend": "auto | docker | embedded | external (default: auto)",
    "pg": "PostgreSQL major version: 15, 16, 17 or 18",
    "port": "port of the dev server on 127.0.0.1 (default: 54300 + major)",
    "url": "use the server and database at this URL (postgresql://...)",
    "image": "docker image, {major} is replaced (default: postgres:{major})",
    "network": "docker network mode: bridge (port on 127.0.0.1) or host",
    "schema": "schema file (default: sql/norberts_schema.sql)",
    "drop_script": "drop script (default: sql/drop_all_tables.sql)",
    "allow_remote": "allow acting on a server that is not local (asks for confirmation)",
    "volumes": "also delete the server's data",
    "tail": "how many lines (default: 100)",
    "json": "print a machine-readable JSON report (same as --format json)",
    "format": "text (default), json, or github (annotations for GitHub Actions)",
    "privileges": "also compare owners and grants",
}
SERVER = ("backend", "pg", "port", "url", "image", "network")


def helps(*names: str) -> dict[str, str]:
    """The help texts of the named flags plus the server flags every task takes."""
    return {name: HELP[name] for name in (*names, *SERVER)}


@contextmanager
def reported(code: int | None = None) -> Iterator[None]:
    """Turn an expected failure into one message and a non-zero exit, never a traceback."""
    from norberts_db.errors import NorbertsDbError

    try:
        yield
    except NorbertsDbError as exc:
        raise Exit(f"error: {exc}", code=code or exc.exit_code) from None


def settings(**flags: Any) -> Any:
    from norberts_db.settings import load_settings

    renamed = {"pg_version" if k == "pg" else k: v for k, v in flags.items()}
    return load_settings(**renamed)


@task(help=helps())
def up(
    c: Context,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Start the dev server (idempotent) and wait until it answers."""
    flags = locals_but_c(locals())
    from norberts_db import commands

    with reported():
        print(commands.up(settings(**flags)))


@task(help=helps("volumes", "allow_remote"))
def down(
    c: Context,
    volumes: bool = False,
    allow_remote: bool = False,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Stop the dev server; --volumes also deletes its data."""
    flags = locals_but_c(locals(), "volumes", "allow_remote")
    from norberts_db import commands

    with reported():
        print(commands.down(settings(**flags), volumes=volumes, allow_remote=allow_remote))


@task(help=helps())
def status(
    c: Context,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Show whether the dev server runs, and where."""
    flags = locals_but_c(locals())
    from norberts_db import commands

    with reported():
        print(commands.status(settings(**flags)))


@task(help=helps("tail"))
def logs(
    c: Context,
    tail: int = 100,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Print the last lines of the dev server's log."""
    flags = locals_but_c(locals(), "tail")
    from norberts_db import commands

    with reported():
        print(commands.logs(settings(**flags), tail=tail))


@task(help=helps())
def url(
    c: Context,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Print the connection URI: psql "$(invoke db.url)"."""
    flags = locals_but_c(locals())
    from norberts_db import commands

    with reported():
        print(commands.url(settings(**flags)))


@task(help=helps())
def psql(
    c: Context,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Open an interactive psql on the dev database."""
    flags = locals_but_c(locals())
    from norberts_db import commands

    with reported():
        commands.psql(settings(**flags))


@task(help=helps("schema"))
def create(
    c: Context,
    schema: str | None = None,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Run the schema file in one transaction."""
    flags = locals_but_c(locals())
    from norberts_db import commands

    with reported():
        print(commands.create(settings(**flags)))


@task(help=helps("drop_script", "allow_remote"))
def drop(
    c: Context,
    drop_script: str | None = None,
    allow_remote: bool = False,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Run the drop script in one transaction."""
    flags = locals_but_c(locals(), "allow_remote")
    from norberts_db import commands

    with reported():
        print(commands.drop(settings(**flags), allow_remote=allow_remote))


@task(help=helps("schema", "drop_script", "allow_remote"))
def reset(
    c: Context,
    schema: str | None = None,
    drop_script: str | None = None,
    allow_remote: bool = False,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Drop, then create, in one atomic step."""
    flags = locals_but_c(locals(), "allow_remote")
    from norberts_db import commands

    with reported():
        print(commands.reset(settings(**flags), allow_remote=allow_remote))


@task(help=helps("schema", "json", "format", "privileges"))
def verify(
    c: Context,
    schema: str | None = None,
    json: bool = False,
    format: str = "text",
    privileges: bool = False,
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Prove the database matches the schema file (exit 0/1/2)."""
    flags = locals_but_c(locals(), "json", "format", "privileges")
    from norberts_db import commands

    with reported(code=2):
        fmt = "json" if json else format
        report = commands.verify(settings(**flags), privileges=privileges, fmt=fmt)
    print(report.text)
    if report.exit_code:
        raise Exit(code=report.exit_code)


@task(name="check-drop", help=helps("schema", "drop_script", "json", "format"))
def check_drop(
    c: Context,
    schema: str | None = None,
    drop_script: str | None = None,
    json: bool = False,
    format: str = "text",
    backend: str | None = None,
    pg: int | None = None,
    port: int | None = None,
    url: str | None = None,
    image: str | None = None,
    network: str | None = None,
) -> None:
    """Prove the drop script removes all the schema creates."""
    flags = locals_but_c(locals(), "json", "format")
    from norberts_db import commands

    with reported(code=2):
        report = commands.check_drop(settings(**flags), fmt="json" if json else format)
    print(report.text)
    if report.exit_code:
        raise Exit(code=report.exit_code)


@task(
    help={
        "pg": "PostgreSQL major version: 15, 16, 17 or 18",
        "tag": "image tag (default: norberts-db/postgres:<major>)",
    }
)
def build(c: Context, pg: int | None = None, tag: str | None = None) -> None:
    """Build a PostgreSQL image with no registry, from docker/."""
    from norberts_db import commands

    with reported():
        s = settings(pg=pg)
        print(commands.build_image(s, s.pg_version, tag))


@task(help={"pg": "PostgreSQL major version: 15, 16, 17 or 18"})
def fetch(c: Context, pg: int | None = None) -> None:
    """Provide PostgreSQL server binaries for the embedded backend."""
    from norberts_db import commands

    with reported():
        s = settings(pg=pg)
        print(commands.fetch_binaries(s, s.pg_version))


@task(
    iterable=["path"],
    help={
        "path": "file or folder to lint, repeatable (default: sql/)",
        "format": "text (default) or github (annotations)",
    },
)
def lint(c: Context, path: list[str] | None = None, format: str = "text") -> None:
    """Lint the SQL with sqlfluff (postgres dialect)."""
    from pathlib import Path

    from norberts_db import lint as sql_lint
    from norberts_db.settings import find_project_root

    with reported():
        root = find_project_root()
        report = sql_lint.lint_paths([Path(p) for p in path or []], root=root, fmt=format)
        print(report.text)
        if report.exit_code:
            raise Exit(code=report.exit_code)


@task(iterable=["path"], help={"path": "file or folder to fix, repeatable (default: sql/)"})
def fix(c: Context, path: list[str] | None = None) -> None:
    """Apply the fixes sqlfluff can make to the SQL files."""
    from pathlib import Path

    from norberts_db import lint as sql_lint
    from norberts_db.settings import find_project_root

    with reported():
        report = sql_lint.fix_paths([Path(p) for p in path or []], root=find_project_root())
        print(report.text)
        if report.exit_code:
            raise Exit(code=report.exit_code)


def locals_but_c(values: dict[str, Any], *skip: str) -> dict[str, Any]:
    """The flags of a task, without the context and the named non-setting flags."""
    return {k: v for k, v in values.items() if k != "c" and k not in skip}


db = Collection("db", up, down, status, logs, url, psql, create, drop, reset, verify, check_drop)
pg_collection = Collection("pg", fetch)
sql_collection = Collection("sql", lint, fix)
image_collection = Collection("image", build)
ns = Collection(db, pg_collection, sql_collection, image_collection)
