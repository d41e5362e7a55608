"""The command line's plumbing for tasks.py: flag help, server flags, reports and exits.

Every task parses its flags, builds the one Settings object (:func:`settings`),
calls the library inside :func:`reported`, and prints with :func:`finish`.
:func:`reported` turns any failure into one message and a non-zero exit, never
a traceback; an interrupt (Ctrl-C, SIGTERM, SIGHUP) exits 130 and says what the
task left. Importing this module is cheap: the library's modules are imported
when a task needs them, so ``invoke --list`` pays for none of them.
"""

from __future__ import annotations

import inspect
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

from invoke.exceptions import Exit
from invoke.tasks import Task

if TYPE_CHECKING:
    from norberts_db.error_report import Failure, Kind
    from norberts_db.settings import Settings

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
        _stdout_to_devnull()
        raise Exit(STDOUT_CLOSED, code=128 + signal.SIGPIPE) from None


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def end_quietly_when_stdout_closes() -> None:
    """What invoke prints itself (``--list``, ``--help``) ends as a task's output does.

    A reader that went away gets one message and exit 141, not a traceback.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], *rest: Any) -> None:
        if not issubclass(kind, BrokenPipeError):
            previous(kind, *rest)
            return
        _stdout_to_devnull()
        print(STDOUT_CLOSED, file=sys.stderr, flush=True)
        os._exit(128 + signal.SIGPIPE)  # no exit handlers: they would flush stdout again

    sys.excepthook = hook


def settings(**flags: Any) -> Settings:
    """The one Settings object: pyproject, then environment, then these flags."""
    from norberts_db.settings import load_settings

    renamed = {"pg_version" if k == "pg" else k: v for k, v in flags.items()}
    return load_settings(**renamed)


def finish(text: str, exit_code: int = 0) -> None:
    emit(text)
    if exit_code:
        raise Exit(code=exit_code)
