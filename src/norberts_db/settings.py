"""One object that carries every setting from configuration to every call.

Precedence, lowest first: built-in defaults, ``[tool.norberts_db]`` in
pyproject.toml, environment variables ``NORBERTS_DB_<KEY>``, task flags.
Every value is checked against its type and bounds (:mod:`settings_schema`)
and an invalid one is reported with where it came from, so nothing further
down has to second-guess a setting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from norberts_db import settings_schema as schema
from norberts_db.errors import SettingsError
from norberts_db.settings_schema import BACKENDS, NETWORKS, SUPPORTED_MAJORS
from norberts_db.settings_sources import (
    ENV_PREFIX,
    check_variable_names,
    find_project_root,
    read_pyproject,
    reason,
)

__all__ = [
    "BACKENDS",
    "NETWORKS",
    "SUPPORTED_MAJORS",
    "Settings",
    "find_project_root",
    "load_settings",
]

# What the servers the toolkit runs (docker, embedded) get beyond PostgreSQL's defaults.
#
# max_locks_per_transaction: a reset drops and creates the whole schema in ONE
# transaction, and every table takes about 45 entries in the shared lock table
# on the way (its indexes, sequences, constraints, TOAST, the types, once to drop
# and once to create). The table has max_locks_per_transaction times about 120
# (the server's process slots) entries; PostgreSQL's 64 gives some 7,800, which a
# schema of 200 tables already fills ("out of shared memory"). 2048 gives about
# 250,000: a reset of 5,000 tables with a verify beside it. It costs about 100 MB
# of shared memory reserved at start (only what locks use is touched). A
# server_options value of the setting replaces it.
MANAGED_SERVER_DEFAULTS: tuple[tuple[str, str], ...] = (("max_locks_per_transaction", "2048"),)
STATE_DIRNAME = ".norberts_db"
# The value of the cluster_cache setting that keeps no cluster.
CACHE_OFF = "off"


@dataclass(frozen=True)
class Settings:
    """Everything a task needs to know, validated. Build it with :func:`load_settings`."""

    project_root: Path
    backend: str = "auto"
    pg_version: int = 18
    image: str = "postgres:{major}"
    network: str = "auto"
    port: int | None = None
    user: str = "postgres"
    password: str | None = field(default=None, repr=False)
    database: str = "norberts_spark"
    url: str | None = field(default=None, repr=False)
    schema: Path = Path("sql/norberts_schema.sql")
    drop_script: Path = Path("sql/drop_all_tables.sql")
    # Development data db.reset loads after the schema. Unset, it is seed.sql
    # beside the schema file (sql/seed.sql), used when it exists; a path set on
    # purpose must exist. So a reset from another schema file (--schema) does not
    # load the project's seed into it.
    seed: Path = Path("sql/seed.sql")
    # Files generated from the schema file by `invoke gen` (the drop script is one too).
    drizzle_schema: Path = Path("drizzle/schema.ts")
    schema_docs: Path = Path("docs/schema.md")
    ready_timeout: float = 60.0
    # Seconds db.reset/create/drop wait for a lock (the schema lock included), and
    # that one statement may run; 0 means no limit. Applied with SET LOCAL.
    lock_timeout: float = 30.0
    statement_timeout: float = 300.0
    # migration.prove: an ACCESS EXCLUSIVE lock on a non-empty table held longer than
    # this many seconds is a problem (0: any), and so is a table rewrite of more rows.
    prove_lock_threshold: float = 1.0
    prove_rewrite_rows: int = 100_000
    # PostgreSQL settings for the servers this toolkit runs (docker, embedded),
    # as space-separated name=value pairs, e.g. "shared_buffers=256MB fsync=off".
    server_options: str = ""
    container_name: str = "norberts-db-pg{major}"
    volume_name: str = "norberts-db-pg{major}-data"
    pg_bin_dir: Path | None = None
    state_dir: Path = Path(STATE_DIRNAME)
    # Where a copy of a new embedded cluster is kept per set of server programs, so
    # that the next new cluster needs no initdb; "off" never keeps or uses one.
    # Unset: $XDG_CACHE_HOME/norberts-db/clusters (~/.cache/norberts-db/clusters).
    cluster_cache: str = ""
    # Where each value came from, for error messages ("NORBERTS_DB_PORT", "pyproject.toml").
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def effective_port(self) -> int:
        """The port the dev server listens on: 54300 + major unless set."""
        return self.port if self.port is not None else 54300 + self.pg_version

    @property
    def server_settings(self) -> tuple[tuple[str, str], ...]:
        """What the servers the toolkit runs are started with: its own defaults
        (:data:`MANAGED_SERVER_DEFAULTS`), then ``server_options``, which win."""
        pairs = (item.split("=", 1) for item in self.server_options.split())
        return (*MANAGED_SERVER_DEFAULTS, *((name, value) for name, value in pairs))

    @property
    def image_ref(self) -> str:
        return self.image.format(major=self.pg_version)

    @property
    def container(self) -> str:
        return self.container_name.format(major=self.pg_version)

    @property
    def volume(self) -> str:
        return self.volume_name.format(major=self.pg_version)

    @property
    def schema_path(self) -> Path:
        return self._resolve(self.schema)

    @property
    def drop_script_path(self) -> Path:
        return self._resolve(self.drop_script)

    @property
    def seed_path(self) -> Path:
        if self.seed_is_explicit:
            return self._resolve(self.seed)
        return self.schema_path.parent / "seed.sql"

    @property
    def seed_is_explicit(self) -> bool:
        """Whether the seed path was set (pyproject, environment, flag) rather than defaulted."""
        return "seed" in self.sources

    @property
    def drizzle_schema_path(self) -> Path:
        return self._resolve(self.drizzle_schema)

    @property
    def schema_docs_path(self) -> Path:
        return self._resolve(self.schema_docs)

    @property
    def state_path(self) -> Path:
        return self._resolve(self.state_dir)

    @property
    def cluster_cache_path(self) -> Path | None:
        """The folder of kept clusters (:mod:`norberts_db.servers._cluster_cache`), or None."""
        if self.cluster_cache == CACHE_OFF:
            return None
        if self.cluster_cache:
            return self._resolve(Path(self.cluster_cache).expanduser())
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return Path(base) / "norberts-db" / "clusters"

    @property
    def password_file(self) -> Path:
        """Where the generated dev password is kept (see :meth:`dev_password`)."""
        return self.state_path / "password"

    def _resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.project_root / path

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with non-None overrides applied and validated (source: task flag)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if not given:
            return self
        flags = {k: _FLAG_NAMES.get(k, f"--{k.replace('_', '-')}") for k in given}
        parsed: dict[str, Any] = {k: schema.parse(k, v, flags[k]) for k, v in given.items()}
        return _validated(replace(self, **parsed, sources={**self.sources, **flags}))

    def dev_password(self) -> str:
        """The password of the dev server: the setting, or a secret generated once per project.

        The generated secret lives in the state directory with mode 0600, so it is
        never typed, logged or shown in a process listing.
        """
        if self.password:
            return self.password
        self.state_folder()
        secret_file = self.password_file
        try:
            value = secret_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return self._new_password(secret_file)
        except (OSError, UnicodeDecodeError) as exc:
            raise self._password_file_error(secret_file, reason(exc)) from None
        if not value:
            raise self._password_file_error(secret_file, "it is empty")
        return value

    def _new_password(self, secret_file: Path) -> str:
        import secrets  # only the first task of a checkout makes the password

        value = secrets.token_urlsafe(24)
        try:
            write_secret(secret_file, value)
        except OSError as exc:
            raise self._state_error(f"{secret_file} cannot be written ({reason(exc)})") from None
        return value

    def _password_file_error(self, secret_file: Path, reason: str) -> SettingsError:
        return SettingsError(
            f"{secret_file}: the generated password of the dev server cannot be read ({reason}). "
            "Make it a readable file holding the password, or set NORBERTS_DB_PASSWORD. "
            "Deleting it makes a new password, which a server created with the old one refuses."
        )

    def state_folder(self) -> Path:
        """The state directory, created if missing; if it cannot be, a SettingsError says why."""
        path = self.state_path
        try:
            path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise self._state_error(f"{path} is a file, not a folder") from None
        except OSError as exc:
            raise self._state_error(f"{path} cannot be created ({reason(exc)})") from None
        if not os.access(path, os.W_OK | os.X_OK):
            raise self._state_error(f"{path} is not writable")
        return path

    def _state_error(self, problem: str) -> SettingsError:
        where = self.sources.get("state_dir", "state_dir (default .norberts_db)")
        return SettingsError(
            f"{where}: {problem}. The state directory holds the generated password, the "
            "embedded server's data and fetched binaries: make it a writable folder, or set "
            "state_dir (NORBERTS_DB_STATE_DIR) to one."
        )


def write_secret(path: Path, value: str) -> None:
    """Create ``path`` holding ``value``, readable by its owner only; never overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")


# Task flags whose names differ from the setting they set.
_FLAG_NAMES = {"pg_version": "--pg"}


def load_settings(
    project_root: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from pyproject.toml, then ``NORBERTS_DB_*`` variables, then ``overrides``."""
    root = project_root or find_project_root()
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}

    pyproject = root / "pyproject.toml"
    for key, value in read_pyproject(pyproject).items():
        where = f"[tool.norberts_db] {key} in {pyproject}"
        values[key] = schema.parse(key, value, where, typed=True)
        sources[key] = where
    check_variable_names(env)
    for key in (*schema.SPECS, *schema.RETIRED):
        env_name = ENV_PREFIX + key.upper()
        if env.get(env_name, "") != "":
            values[key] = schema.parse(key, env[env_name], env_name)
            sources[key] = env_name
    if "url" not in values and env.get("DATABASE_URL"):
        values["url"] = schema.parse("url", env["DATABASE_URL"], "DATABASE_URL")
        sources["url"] = "DATABASE_URL"

    settings = _validated(Settings(project_root=root, **values, sources=sources))
    return settings.with_overrides(**overrides)


def _validated(settings: Settings) -> Settings:
    """Rules between settings, and the state directory a file may already be in the way of."""
    if settings.backend == "external" and not settings.url:
        raise SettingsError(
            "backend 'external' needs a server: set DATABASE_URL or NORBERTS_DB_URL, or pass --url."
        )
    state = settings.state_path
    try:
        existing = next((p for p in (state, *state.parents) if p.exists()), None)
    except OSError as exc:
        raise settings._state_error(f"{state} cannot be used ({reason(exc)})") from None
    if existing is not None and not existing.is_dir():
        problem = f"{state} is a file" if existing == state else f"{existing} is a file"
        raise settings._state_error(f"{problem}, not a folder")
    return settings
