"""What ``db.create``, ``db.drop``, ``db.reset`` and ``db.seed`` do: SQL files applied in one go.

Each runs its files in one transaction on the dev database (or ``--url``),
under the safety checks of :mod:`norberts_db.guard`, and records what the
migration history should now say. ``tasks.py`` calls these and prints what
they return.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from norberts_db import apply, seed
from norberts_db.commands import Note, _stderr, serving
from norberts_db.errors import SettingsError, SqlFileError
from norberts_db.servers import ServerInfo
from norberts_db.settings import Settings
from norberts_db.sqlfile import SqlScript, load_script

if TYPE_CHECKING:
    from norberts_db.migrations.proofs import ResetHistory


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
