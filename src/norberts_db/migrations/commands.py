"""What the migration tasks do (``db.diff``, ``migration.new``, ``db.migrate``, ``db.verify
--migrations``), as plain functions of the settings, like ``norberts_db.commands``."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg

from norberts_db.catalog.compare import compare, objects_compared
from norberts_db.catalog.results import VerifyResult
from norberts_db.catalog.snapshot import snapshot_database
from norberts_db.commands import Note, Report, _format, _stderr, pick
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import NorbertsDbError
from norberts_db.migrations import baseline, files, squawk
from norberts_db.migrations.catalog import read_catalogs
from norberts_db.migrations.history import MigrationError
from norberts_db.migrations.plan import Plan, PlanOptions, plan_migration, render_plan
from norberts_db.migrations.runner import database_from_migrations, migrate
from norberts_db.settings import Settings
from norberts_db.sqlfile import SqlScript, load_script

MATCHES, DIFFERENT = 0, 1


@dataclass(frozen=True)
class DiffOptions:
    allow_destructive: bool = False
    concurrently: bool = False
    privileges: bool = False

    @property
    def plan(self) -> PlanOptions:
        return PlanOptions(concurrently=self.concurrently, privileges=self.privileges)


def migrations_dir(settings: Settings) -> Path:
    return settings.project_root / "sql" / "migrations"


def _proofs(settings: Settings) -> baseline.Proofs:
    return baseline.Proofs(settings.state_path / baseline.PROOFS_FILE)


def reset_history(
    settings: Settings, schema: Path, version: str, *, built: bool = True
) -> baseline.ResetHistory:
    """What db.reset and db.create (``built``) or db.drop leave in the migration history."""
    if not built:
        return baseline.ResetHistory((), "migration history: cleared")
    try:
        found = files.discover(migrations_dir(settings))
    except files.MigrationFileError as exc:
        return baseline.ResetHistory((), f"migration history: not recorded; {exc}")
    name = _relative(settings, schema)
    return baseline.reset_history(
        _proofs(settings), schema, found, baseline.major_of(version), name
    )


def _remember_proof(
    settings: Settings, schema: SqlScript, version: str, result: VerifyResult, privileges: bool
) -> None:
    """Keep what a comparison of the migrations with the schema file proved, for db.reset."""
    if result.error is not None or (result.differences and privileges):
        return
    directory = migrations_dir(settings)
    found = files.discover(directory)
    key = baseline.Proofs.key(schema.path, found, baseline.major_of(version))
    _proofs(settings).put(key, not result.differences)


def diff(
    settings: Settings, *, to_url: str | None, options: DiffOptions, note: Note = _stderr
) -> Report:
    """The SQL that turns the database into the schema file (or into ``to_url``)."""
    server = pick(settings, note)
    server.up()
    source = server.conninfo
    if to_url:
        target_info = ConnInfo.from_url(to_url, source="--to-url")
        found, wanted = read_catalogs(source, target_info, privileges=options.privileges)
        target_name = target_info.redacted()
    else:
        schema = load_script(settings.schema_path, what="schema file")
        with _shadow(source, schema) as shadow:
            found, wanted = read_catalogs(source, shadow, privileges=options.privileges)
        target_name = schema.name
    plan = plan_migration(
        found, wanted, options.plan, source_name=source.redacted(), target_name=target_name
    )
    if not plan:
        return Report(f"-- {source.redacted()} already matches {target_name}.", MATCHES)
    refuse_destructive(plan, options, "db.diff")
    header = f"-- Turns {source.redacted()} into {target_name}."
    return Report(render_plan(plan, header=header).rstrip("\n"), DIFFERENT)


def new_migration(
    settings: Settings, name: str, *, options: DiffOptions, note: Note = _stderr
) -> str:
    """Write the next migration: from what the existing migrations build to the schema file."""
    directory = migrations_dir(settings)
    path = files.next_path(directory, name)
    schema = load_script(settings.schema_path, what="schema file")
    server = pick(settings, note)
    server.up()
    with (
        database_from_migrations(server.conninfo, directory) as built,
        _shadow(server.conninfo, schema) as shadow,
    ):
        plan = plan_migration(
            *read_catalogs(built, shadow, privileges=options.privileges), options.plan
        )
    relative = _relative(settings, schema.path)
    if not plan:
        folder = _relative(settings, directory)
        return f"nothing to write: the migrations in {folder} already build {relative}."
    refuse_destructive(plan, options, "migration.new")
    header = (
        f"-- {path.stem}: generated by `invoke migration.new` from {relative}.\n"
        "-- Review it before committing: a migration is applied as written."
    )
    files.write_new(path, render_plan(plan, header=header))
    lines = [f"wrote {_relative(settings, path)}: {len(plan.steps)} statement(s)"]
    if plan.destructive:
        lines.append(f"  {len(plan.destructive)} destructive, marked -- DESTRUCTIVE")
    findings = squawk.migration_findings([path], settings.project_root)
    for finding in findings:
        where = f"{finding.file}:{finding.line}:{finding.column}: " if finding.line else ""
        lines.append(f"  {where}{finding.code} {finding.message}".rstrip())
    if findings:
        lines.append("  squawk: review these before applying the migration to a busy database.")
    return "\n".join(lines)


def apply_migrations(settings: Settings, *, dry_run: bool, note: Note = _stderr) -> str:
    """Apply the pending migrations to the database; ``dry_run`` only says what would run."""
    server = pick(settings, note)
    info = server.up()
    directory = migrations_dir(settings)
    result = migrate(server.conninfo, directory, dry_run=dry_run, note=note)
    if dry_run:
        return result.text
    if result.adopted and not result.applied:
        # The database was what the migrations build: whether that is also the schema
        # file is worth proving once, so that the next db.reset records the history itself.
        with contextlib.suppress(NorbertsDbError):
            schema = load_script(settings.schema_path, what="schema file")
            proof = migrations_result(server.conninfo, schema, directory)
            _remember_proof(settings, schema, info.version, proof, privileges=False)
    adopted = (
        f"recorded {len(result.adopted)} migration(s) as applied without running them (the "
        f"database already held what they build): {', '.join(result.adopted)}\n"
        if result.adopted
        else ""
    )
    if not result.applied:
        return f"{adopted}{info.database} is up to date: no pending migration."
    return (
        f"{adopted}applied {len(result.applied)} migration(s) to {info.database} "
        f"in {result.seconds:.3f} s: {', '.join(result.applied)}"
    )


def verify_migrations(
    settings: Settings, *, privileges: bool, fmt: str, note: Note = _stderr
) -> Report:
    """Apply every migration to an empty database and compare it with the schema file."""
    from norberts_db import verify as verifying

    checked = _format(fmt)
    schema = load_script(settings.schema_path, what="schema file")
    directory = migrations_dir(settings)
    server = pick(settings, note)
    info = server.up()
    result = migrations_result(server.conninfo, schema, directory, privileges=privileges)
    _remember_proof(settings, schema, info.version, result, privileges)
    built = f"{_relative(settings, directory)} (applied to an empty database)"
    result = replace(result, database=built)
    return Report(verifying.render(result, checked), result.exit_code)


def migrations_result(
    server: ConnInfo, schema: SqlScript, directory: Path, *, privileges: bool = False
) -> VerifyResult:
    """Whether the migrations, applied to an empty database, build exactly ``schema``."""
    from norberts_db.verify import schema_snapshot

    started = time.perf_counter()
    result = VerifyResult(schema_file=schema.name, database=str(directory), script=schema)
    try:
        expected = schema_snapshot(server, schema, privileges=privileges)
        with database_from_migrations(server, directory) as built:
            actual = snapshot_database(built, privileges=privileges)
    except (NorbertsDbError, psycopg.Error) as exc:
        message = str(exc) if isinstance(exc, NorbertsDbError) else f"PostgreSQL error: {exc}"
        return replace(result, error=message, seconds=time.perf_counter() - started)
    return replace(
        result,
        differences=tuple(compare(expected, actual)),
        objects_compared=objects_compared(expected, actual),
        seconds=time.perf_counter() - started,
    )


def refuse_destructive(plan: Plan, options: DiffOptions, task: str) -> None:
    if not plan.destructive or options.allow_destructive:
        return
    listed = "\n".join(
        f"  - {step.sql.splitlines()[0][:100]}  ({step.destructive})" for step in plan.destructive
    )
    raise MigrationError(
        f"{task} refuses {len(plan.destructive)} destructive statement(s):\n{listed}\n"
        "Nothing was written. If that data may go, run again with --allow-destructive; "
        "each such statement is then marked -- DESTRUCTIVE in the output."
    )


@contextmanager
def _shadow(server: ConnInfo, schema: SqlScript) -> Iterator[ConnInfo]:
    from norberts_db.apply import apply_scripts
    from norberts_db.verify import SHADOW_PREFIX, temporary_database

    with temporary_database(server, SHADOW_PREFIX) as shadow:
        apply_scripts(shadow, schema)
        yield shadow


def _relative(settings: Settings, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(settings.project_root.resolve()))
    except ValueError:
        return str(path)
