"""``migration.prove``: run the pending migrations on a copy of the target, and say what happened.

The target (the dev database, or ``--url``) is only read. A copy of it is
made (:mod:`norberts_db.migrations.prove_copy`), the pending migrations are
applied to the copy by the runner ``db.migrate`` uses, watched statement by
statement (:mod:`norberts_db.migrations.prove_watch`), the copy is compared
with the schema file as ``db.verify`` compares, and the copy is dropped
however the run ends. :mod:`norberts_db.migrations.prove_report` says what
counts as a problem.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import psycopg

from norberts_db.bounds import Limits
from norberts_db.commands import Report, _format, _stderr, serve
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.outcome import MigrationInterrupted
from norberts_db.migrations.proofs import migrations_dir, relative
from norberts_db.migrations.prove_copy import copy_of
from norberts_db.migrations.prove_report import ProveResult, Thresholds, render
from norberts_db.migrations.prove_watch import Watch, table_rows
from norberts_db.migrations.runner import migrate
from norberts_db.settings import Settings
from norberts_db.sqlfile import load_script

Note = Callable[[str], None]


def prove_migrations(settings: Settings, *, fmt: str, note: Note = _stderr) -> Report:
    """Prove the pending migrations on a copy of the target; exit 0 proved, 1 problems, 2 not."""
    checked = _format(fmt)
    result = prove(settings, note=note)
    started = time.perf_counter()
    text = render(result, checked)
    result.seconds["report"] = time.perf_counter() - started
    if checked == "text":
        text += f"\nreport: {result.seconds['report']:.3f} s"
    elif checked == "json":
        text = render(result, checked)  # again, to carry the time it takes
    return Report(text, result.exit_code)


def prove(settings: Settings, *, note: Note = _stderr) -> ProveResult:
    """The :class:`ProveResult` of the pending migrations on a copy of the target."""
    thresholds = Thresholds(settings.prove_lock_threshold, settings.prove_rewrite_rows)
    started = time.perf_counter()
    schema = load_script(settings.schema_path, what="schema file")
    directory = migrations_dir(settings)
    _, target = serve(settings, note)
    result = ProveResult(target=target.redacted(), thresholds=thresholds)
    try:
        with copy_of(settings, target, note) as copy:
            result.copy_how, result.copy_why = copy.how, copy.why
            result.copy_name = copy.info.dbname
            result.seconds["copy"] = copy.seconds
            _apply(settings, copy.info, directory, result, note)
            if result.error is None and not any(s.error for s in result.statements):
                from norberts_db.verify import verify_database

                verifying = time.perf_counter()
                verified = verify_database(copy.info, schema)
                result.verify = replace(
                    verified,
                    schema_file=relative(settings, schema.path),
                    database=f"a copy of {result.target}",
                )
                result.seconds["verify"] = time.perf_counter() - verifying
                if result.verify.error is not None:
                    result.error = f"verify on the copy: {result.verify.error}"
    except (NorbertsDbError, psycopg.Error) as exc:
        result.error = str(exc).strip() or type(exc).__name__
    result.seconds["total"] = time.perf_counter() - started
    return result


def _apply(
    settings: Settings, copy: ConnInfo, directory: Path, result: ProveResult, note: Note
) -> None:
    """Apply the pending migrations to ``copy`` as ``db.migrate`` does, watched."""
    watch = Watch()
    applying = time.perf_counter()
    try:
        done = migrate(
            copy, directory, note=note, limits=Limits.from_settings(settings), observer=watch
        )
        result.applied = done.applied
    except MigrationInterrupted:
        raise KeyboardInterrupt from None
    except MigrationError as exc:
        if watch.failure is None:
            result.error = str(exc)
    finally:
        result.seconds["apply"] = time.perf_counter() - applying
        for record in watch.statements:
            record.file = relative(settings, Path(record.file))
        result.statements = watch.statements
    # What the copy holds now: a failed migration's own transaction was rolled back.
    result.rows_after = table_rows(copy)
    result.rows_before = dict(watch.initial) if watch.statements else dict(result.rows_after)
