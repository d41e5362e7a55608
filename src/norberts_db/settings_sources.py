"""Where settings come from: the project's pyproject.toml and ``NORBERTS_DB_*`` variables.

Both are read here and checked for what would otherwise be silently ignored
(an unknown key, a misspelt variable); :func:`norberts_db.settings.load_settings`
parses their values and builds the one :class:`~norberts_db.settings.Settings`.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from norberts_db import settings_schema as schema
from norberts_db.errors import SettingsError

ENV_PREFIX = "NORBERTS_DB_"


def reason(exc: BaseException) -> str:
    """Why reading or writing a file failed, in words for a message."""
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


# NORBERTS_DB_* variables that are not settings. Any other name close to a
# setting's is taken for a misspelling of it; a new variable of the toolkit or
# its tests whose name is close to a setting's belongs here.
_NOT_SETTINGS = ("CONFIRM_REMOTE", "DEBUG")


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder upwards that holds a pyproject.toml with ``[tool.norberts_db]``.

    Read as bytes: a pyproject.toml that is not UTF-8 is reported by
    :func:`load_settings` with its name, not by a decoding error here.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        try:
            if candidate.is_file() and b"[tool.norberts_db]" in candidate.read_bytes():
                return folder
        except OSError:
            # An unreadable pyproject.toml is reported by load_settings if it is ours.
            return folder
    return here


def read_pyproject(path: Path) -> dict[str, Any]:
    """The ``[tool.norberts_db]`` table, or a SettingsError that names the file and the fix."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        if path.is_dir():
            raise SettingsError(f"{path} is a directory, not a file. Remove it.") from None
        raise SettingsError(
            f"{path} cannot be read ({reason(exc)}). Check its permissions."
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SettingsError(
            f"{path}:{line}: not valid UTF-8 (byte {exc.start}). TOML files are UTF-8: "
            "save it as UTF-8."
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc}). Fix the file.") from None
    tool = document.get("tool", {})
    table = tool.get("norberts_db", {}) if isinstance(tool, dict) else {}
    if not isinstance(tool, dict) or not isinstance(table, dict):
        raise SettingsError(
            f"{path}: [tool.norberts_db] must be a table of settings (key = value lines "
            "below a [tool.norberts_db] header)."
        )
    for key in table:
        if key in schema.RETIRED:
            continue  # schema.parse says what to do instead
        spec = schema.SPECS.get(key)
        if spec is None or not spec.in_pyproject:
            why = " (a secret: set it in the environment)" if spec is not None else ""
            raise SettingsError(
                f"{path}: unknown setting '{key}' in [tool.norberts_db]{why}."
                f"{_did_you_mean(key)} Known settings: {schema.known(pyproject=True)}."
            )
    return dict(table)


def _did_you_mean(key: str) -> str:
    close = difflib.get_close_matches(key.lower(), list(schema.SPECS), n=1, cutoff=0.75)
    return f" Did you mean '{close[0]}'?" if close else ""


def check_variable_names(env: Mapping[str, str]) -> None:
    """Refuse a NORBERTS_DB_* variable that looks like a misspelt setting: it would be ignored."""
    names = [key.upper() for key in (*schema.SPECS, *schema.RETIRED)]
    for variable in env:
        if not variable.startswith(ENV_PREFIX):
            continue
        rest = variable.removeprefix(ENV_PREFIX)
        if rest in names or rest in _NOT_SETTINGS or rest.startswith("TEST_"):
            continue
        if any(rest.startswith(name) for name in names):
            continue  # a longer name of its own (NORBERTS_DB_PG_VERSIONS), not a typo
        close = difflib.get_close_matches(rest, names, n=1, cutoff=0.7)
        if close:
            raise SettingsError(
                f"{variable} is not a setting, so it would be ignored. "
                f"Did you mean {ENV_PREFIX}{close[0]}? Rename or unset it."
            )
