"""One object that carries every setting from configuration to every call.

Precedence, lowest first: built-in defaults, ``[tool.norberts_db]`` in
pyproject.toml, environment variables ``NORBERTS_DB_<KEY>``, task flags.
Every value is validated here, and an invalid one is reported with where it
came from, so nothing further down has to second-guess a setting.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from norberts_db.errors import SettingsError

BACKENDS = ("auto", "docker", "embedded", "external")
NETWORKS = ("bridge", "host")
SUPPORTED_MAJORS = (15, 16, 17, 18)
ENV_PREFIX = "NORBERTS_DB_"
STATE_DIRNAME = ".norberts_db"


@dataclass(frozen=True)
class Settings:
    """Everything a task needs to know, validated. Build it with :func:`load_settings`."""

    project_root: Path
    backend: str = "auto"
    pg_version: int = 18
    image: str = "postgres:{major}"
    network: str = "bridge"
    host: str = "127.0.0.1"
    port: int | None = None
    user: str = "postgres"
    password: str | None = field(default=None, repr=False)
    database: str = "norberts_spark"
    url: str | None = field(default=None, repr=False)
    schema: Path = Path("sql/norberts_schema.sql")
    drop_script: Path = Path("sql/drop_all_tables.sql")
    # Files generated from the schema file by `invoke gen` (the drop script is one too).
    drizzle_schema: Path = Path("drizzle/schema.ts")
    schema_docs: Path = Path("docs/schema.md")
    ready_timeout: float = 60.0
    # Seconds db.reset/create/drop wait for a lock (the schema lock included), and
    # that one statement may run; 0 means no limit. Applied with SET LOCAL.
    lock_timeout: float = 30.0
    statement_timeout: float = 300.0
    # PostgreSQL settings for the servers this toolkit runs (docker, embedded),
    # as space-separated name=value pairs, e.g. "shared_buffers=256MB fsync=off".
    server_options: str = ""
    container_name: str = "norberts-db-pg{major}"
    volume_name: str = "norberts-db-pg{major}-data"
    pg_bin_dir: Path | None = None
    state_dir: Path = Path(STATE_DIRNAME)
    # Where each value came from, for error messages ("NORBERTS_DB_PORT", "pyproject.toml").
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def effective_port(self) -> int:
        """The port the dev server listens on: 54300 + major unless set."""
        return self.port if self.port is not None else 54300 + self.pg_version

    @property
    def server_settings(self) -> tuple[tuple[str, str], ...]:
        """``server_options`` as (name, value) pairs, validated when the settings were built."""
        pairs = (item.split("=", 1) for item in self.server_options.split())
        return tuple((name, value) for name, value in pairs)

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
    def drizzle_schema_path(self) -> Path:
        return self._resolve(self.drizzle_schema)

    @property
    def schema_docs_path(self) -> Path:
        return self._resolve(self.schema_docs)

    @property
    def state_path(self) -> Path:
        return self._resolve(self.state_dir)

    def _resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.project_root / path

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with non-None overrides applied and validated (source: task flag)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if not given:
            return self
        flags = {k: _FLAG_NAMES.get(k, f"--{k.replace('_', '-')}") for k in given}
        converted = _convert(given, flags)
        return _validated(replace(self, **converted, sources={**self.sources, **flags}))

    def dev_password(self) -> str:
        """The password of the dev server: the setting, or a secret generated once per project.

        The generated secret lives in the state directory with mode 0600, so it is
        never typed, logged or shown in a process listing.
        """
        if self.password:
            return self.password
        secret_file = self.state_path / "password"
        try:
            return secret_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            pass
        self.state_path.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(24)
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        return value


_FIELD_TYPES: dict[str, str] = {f.name: str(f.type) for f in fields(Settings)}
_CONFIGURABLE = tuple(name for name in _FIELD_TYPES if name not in ("project_root", "sources"))
_SERVER_OPTION = re.compile(r"[a-z_][a-z0-9_.]*=[A-Za-z0-9_.:/+-]+")
# Task flags whose names differ from the setting they set.
_FLAG_NAMES = {"pg_version": "--pg"}
# Secrets are never read from pyproject.toml: it is committed.
_NOT_IN_PYPROJECT = ("password", "url")


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder upwards that holds a pyproject.toml with ``[tool.norberts_db]``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.norberts_db]" in candidate.read_text(encoding="utf-8"):
            return folder
    return here


def load_settings(
    project_root: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from pyproject.toml, then ``NORBERTS_DB_*`` variables, then ``overrides``."""
    root = project_root or find_project_root()
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    sources: dict[str, str] = {}

    for key, value in _read_pyproject(root).items():
        raw[key] = value
        sources[key] = f"[tool.norberts_db] {key} in {root / 'pyproject.toml'}"
    for key in _CONFIGURABLE:
        env_name = ENV_PREFIX + key.upper()
        if env.get(env_name, "") != "":
            raw[key] = env[env_name]
            sources[key] = env_name
    if "url" not in raw and env.get("DATABASE_URL"):
        raw["url"] = env["DATABASE_URL"]
        sources["url"] = "DATABASE_URL"

    settings = _validated(Settings(project_root=root, **_convert(raw, sources), sources=sources))
    return settings.with_overrides(**overrides)


def _read_pyproject(root: Path) -> dict[str, Any]:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc}). Fix the file.") from None
    table = data.get("tool", {}).get("norberts_db", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.norberts_db] must be a table.")
    for key in table:
        if key not in _CONFIGURABLE or key in _NOT_IN_PYPROJECT:
            allowed = ", ".join(k for k in _CONFIGURABLE if k not in _NOT_IN_PYPROJECT)
            raise SettingsError(
                f"{path}: unknown setting '{key}' in [tool.norberts_db]. Known settings: {allowed}."
            )
    return dict(table)


def _convert(raw: Mapping[str, Any], sources: Mapping[str, str]) -> dict[str, Any]:
    """Turn raw values (TOML values, environment strings, flags) into field types."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _FIELD_TYPES or key in ("project_root", "sources"):
            raise SettingsError(f"Unknown setting '{key}' (from {sources.get(key, key)}).")
        kind = _FIELD_TYPES[key]
        where = sources.get(key, key)
        try:
            if "int" in kind:
                out[key] = _to_int(value)
            elif "float" in kind:
                out[key] = float(value)
            elif "Path" in kind:
                out[key] = Path(str(value))
            else:
                out[key] = str(value)
        except (TypeError, ValueError):
            raise SettingsError(
                f"{where}: {value!r} is not a valid {key.replace('_', ' ')}; "
                f"expected {'a whole number' if 'int' in kind else 'a number'}."
            ) from None
    return out


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise ValueError(value)
    return int(text)


def _validated(settings: Settings) -> Settings:
    def where(key: str) -> str:
        return settings.sources.get(key, f"default {key}")

    if settings.backend not in BACKENDS:
        raise SettingsError(
            f"{where('backend')}: unknown backend {settings.backend!r}. "
            f"Use one of: {', '.join(BACKENDS)}."
        )
    if settings.pg_version not in SUPPORTED_MAJORS:
        raise SettingsError(
            f"{where('pg_version')}: PostgreSQL {settings.pg_version} is not supported. "
            f"Use one of: {', '.join(map(str, SUPPORTED_MAJORS))}."
        )
    if settings.network not in NETWORKS:
        raise SettingsError(
            f"{where('network')}: unknown network mode {settings.network!r}. "
            f"Use one of: {', '.join(NETWORKS)}."
        )
    if settings.port is not None and not 1 <= settings.port <= 65535:
        raise SettingsError(
            f"{where('port')}: port {settings.port} is out of range. Use a number from 1 to 65535."
        )
    for item in settings.server_options.split():
        if not _SERVER_OPTION.fullmatch(item):
            raise SettingsError(
                f"{where('server_options')}: {item!r} is not a PostgreSQL setting. "
                "Write space-separated name=value pairs, e.g. 'fsync=off work_mem=64MB'."
            )
    if not math.isfinite(settings.ready_timeout) or settings.ready_timeout <= 0:
        raise SettingsError(
            f"{where('ready_timeout')}: {settings.ready_timeout!r} is not a positive number "
            "of seconds."
        )
    for key in ("lock_timeout", "statement_timeout"):
        value = getattr(settings, key)
        if not math.isfinite(value) or value < 0:
            problem = "is negative" if value < 0 else "is not a finite number"
            raise SettingsError(
                f"{where(key)}: {value!r} {problem}. Give a number of seconds, 0 or more "
                "(0 means no limit)."
            )
    for key in ("user", "database", "host"):
        value = getattr(settings, key)
        if not value or "\x00" in value:
            raise SettingsError(f"{where(key)}: {key} must be a non-empty name.")
    if settings.backend == "external" and not settings.url:
        raise SettingsError(
            "backend 'external' needs a server: set DATABASE_URL or NORBERTS_DB_URL, or pass --url."
        )
    return settings
