"""The type and the bounds of every setting, checked in one place.

A value reaches a setting typed (a TOML value of ``[tool.norberts_db]``, or a
Python value a caller passes) or as text (an environment variable, a task
flag: invoke hands over untyped flags as strings). Text is parsed; a typed
value must already have the right type, so a TOML ``true`` is not taken for
1 second and ``"5432"`` in quotes is not taken for a port. Whatever is wrong
is said once, with where the value came from, by :class:`SettingsError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from norberts_db.errors import SettingsError

BACKENDS = ("auto", "docker", "embedded", "external")
NETWORKS = ("auto", "bridge", "host")
SUPPORTED_MAJORS = (15, 16, 17, 18)
# PostgreSQL keeps lock_timeout and statement_timeout in milliseconds in an int.
MAX_SERVER_TIMEOUT = 2_147_483.0
# Waiting longer than a day for a server to start is a typo, not a wish.
MAX_READY_TIMEOUT = 86_400.0
# PostgreSQL cuts longer names to 63 bytes, so the toolkit would act on another name.
MAX_NAME_BYTES = 63
_DOCKER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
# A docker image reference: [registry[:port]/]path[:tag][@digest], as the engine parses it.
_IMAGE_REF = re.compile(
    r"(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+:[a-f0-9]{32,})?"
)
_SERVER_OPTION = re.compile(r"[a-z_][a-z0-9_.]*=[A-Za-z0-9_.:/+-]+")
_WHOLE = re.compile(r"[+-]?[0-9]+")


class Invalid(ValueError):
    """A value a setting cannot take; the message says why, without where it came from."""


Parser = Callable[[object], object]


@dataclass(frozen=True)
class Spec:
    """One setting: how its value is parsed and checked, and where it may come from."""

    name: str
    parse: Parser
    in_pyproject: bool = True  # secrets never: pyproject.toml is committed
    numeric: bool = False


def shown(value: object) -> str:
    """A value as the user wrote it: TOML booleans in TOML spelling, anything else as repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _label(name: str) -> str:
    return name.replace("_", " ")


def _text(name: str, value: object, what: str, *, empty: bool = True) -> str:
    """``value`` if it is a string without NUL (and not blank unless ``empty``)."""
    if not isinstance(value, str):
        raise Invalid(f"{shown(value)} is not a valid {_label(name)}; expected {what} (a string).")
    if "\x00" in value:
        raise Invalid(f"the {_label(name)} holds a NUL character; expected {what}.")
    if not empty and not value.strip():
        raise Invalid(f"the {_label(name)} is empty; expected {what}.")
    return value


def whole_number(
    name: str, *, low: int, high: int, out_of_range: str | None = None
) -> Callable[[object], int]:
    """A whole number from ``low`` to ``high``; text is parsed, a bool or float refused."""

    def parse(value: object) -> int:
        if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            number = int(value.strip())
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            raise Invalid(f"{shown(value)} is not a valid {_label(name)}; expected a whole number.")
        if not low <= number <= high:
            raise Invalid(
                (
                    out_of_range or "{value} is out of range. Use a number from {low} to {high}."
                ).format(value=number, low=low, high=high)
            )
        return number

    return parse


def seconds(name: str, *, zero_means_no_limit: bool, high: float) -> Callable[[object], float]:
    """A finite number of seconds, positive (or 0 when that means no limit), at most ``high``."""
    allowed = "0 or more (0 means no limit)" if zero_means_no_limit else "more than 0"

    def parse(value: object) -> float:
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                raise Invalid(
                    f"{value!r} is not a valid {_label(name)}; expected a number of seconds."
                ) from None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            raise Invalid(
                f"{shown(value)} is not a valid {_label(name)}; expected a number of seconds."
            )
        if not math.isfinite(number):
            raise Invalid(
                f"{number!r} is not a positive number of seconds. Give a finite number, {allowed}."
            )
        if number < 0 or (number == 0 and not zero_means_no_limit):
            problem = "is negative" if number < 0 else "is not a positive number of seconds"
            raise Invalid(f"{number!r} {problem}. Give a number of seconds, {allowed}.")
        if number > high:
            raise Invalid(f"{number:g} s is too long. Give at most {high:.0f} seconds, {allowed}.")
        return number

    return parse


def one_of(name: str, choices: Sequence[object]) -> Parser:
    """One of ``choices``; text is parsed for numeric choices (``--pg 16``)."""
    listed = ", ".join(map(str, choices))

    def parse(value: object) -> object:
        if all(isinstance(c, int) for c in choices):
            number = whole_number("PostgreSQL major", low=-(2**63), high=2**63)(value)
            if number not in choices:
                raise Invalid(f"PostgreSQL {number} is not supported. Use one of: {listed}.")
            return number
        text = _text(name, value, f"one of {listed}")
        if text not in choices:
            raise Invalid(f"unknown {_label(name)} {text!r}. Use one of: {listed}.")
        return text

    return parse


def name(name: str) -> Callable[[object], str]:
    """A PostgreSQL role or database name: any text PostgreSQL keeps whole."""

    def parse(value: object) -> str:
        text = _text(name, value, "a name", empty=False)
        if len(text.encode("utf-8")) > MAX_NAME_BYTES:
            raise Invalid(
                f"{text[:20]!r}... is {len(text.encode('utf-8'))} bytes long; PostgreSQL keeps "
                f"only {MAX_NAME_BYTES} bytes of a name. Use a shorter {_label(name)}."
            )
        return text

    return parse


def template(name: str, pattern: re.Pattern[str], what: str) -> Callable[[object], str]:
    """A docker name or image in which ``{major}`` stands for the PostgreSQL major."""

    def parse(value: object) -> str:
        text = _text(name, value, what)
        try:
            filled = text.format(major=SUPPORTED_MAJORS[-1])
        except (KeyError, IndexError, ValueError, AttributeError):
            raise Invalid(
                f"{text!r} is not a valid {_label(name)}: only {{major}} may stand in braces."
            ) from None
        if not pattern.fullmatch(filled):
            raise Invalid(f"{text!r} is not a valid {_label(name)}; expected {what}.")
        return text

    return parse


def path(name: str) -> Callable[[object], Path]:
    def parse(value: object) -> Path:
        return Path(_text(name, value, "a path", empty=False))

    return parse


def secret(name: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        # The message never shows the value: it is a password or a URL carrying one.
        if not isinstance(value, str):
            raise Invalid(f"the {_label(name)} must be a string.")
        if "\x00" in value:
            raise Invalid(f"the {_label(name)} holds a NUL character.")
        return value

    return parse


def server_options(value: object) -> str:
    text = _text("server_options", value, "name=value pairs")
    for item in text.split():
        if not _SERVER_OPTION.fullmatch(item):
            raise Invalid(
                f"{item!r} is not a PostgreSQL setting. "
                "Write space-separated name=value pairs, e.g. 'fsync=off work_mem=64MB'."
            )
    return text


_SPECS = (
    Spec("backend", one_of("backend", BACKENDS)),
    Spec("pg_version", one_of("pg_version", SUPPORTED_MAJORS), numeric=True),
    Spec("image", template("image", _IMAGE_REF, "a docker image such as postgres:{major}")),
    Spec("network", one_of("network mode", NETWORKS)),
    Spec(
        "port",
        whole_number(
            "port",
            low=1,
            high=65535,
            out_of_range="port {value} is out of range. Use a number from {low} to {high}.",
        ),
        numeric=True,
    ),
    Spec("user", name("user")),
    Spec("password", secret("password"), in_pyproject=False),
    Spec("database", name("database")),
    Spec("url", secret("url"), in_pyproject=False),
    Spec("schema", path("schema")),
    Spec("drop_script", path("drop_script")),
    Spec("seed", path("seed")),
    Spec("drizzle_schema", path("drizzle_schema")),
    Spec("schema_docs", path("schema_docs")),
    Spec(
        "ready_timeout",
        seconds("ready_timeout", zero_means_no_limit=False, high=MAX_READY_TIMEOUT),
        numeric=True,
    ),
    Spec(
        "lock_timeout",
        seconds("lock_timeout", zero_means_no_limit=True, high=MAX_SERVER_TIMEOUT),
        numeric=True,
    ),
    Spec(
        "statement_timeout",
        seconds("statement_timeout", zero_means_no_limit=True, high=MAX_SERVER_TIMEOUT),
        numeric=True,
    ),
    Spec(
        "prove_lock_threshold",
        seconds("prove_lock_threshold", zero_means_no_limit=True, high=MAX_SERVER_TIMEOUT),
        numeric=True,
    ),
    Spec(
        "prove_rewrite_rows",
        whole_number("prove_rewrite_rows", low=0, high=2**63 - 1),
        numeric=True,
    ),
    Spec("server_options", server_options),
    Spec(
        "container_name",
        template("container_name", _DOCKER_NAME, "letters, digits, '_', '.' and '-'"),
    ),
    Spec("volume_name", template("volume_name", _DOCKER_NAME, "letters, digits, '_', '.' and '-'")),
    Spec("pg_bin_dir", path("pg_bin_dir")),
    Spec("state_dir", path("state_dir")),
    Spec("cluster_cache", lambda value: str(path("cluster_cache")(value))),
)
SPECS = {spec.name: spec for spec in _SPECS}
# Settings that were dropped, with what to do instead; named so that an old value is not ignored.
RETIRED = {
    "host": (
        "the toolkit's own servers listen on 127.0.0.1 only, and clients connect there; "
        "there is no other address to choose. To use a server elsewhere, give its URL "
        "(NORBERTS_DB_URL, DATABASE_URL or --url). Remove the setting."
    ),
}


def parse(key: str, value: object, where: str, *, typed: bool = False) -> object:
    """The value of setting ``key`` from ``value``, or a SettingsError naming ``where``.

    ``typed``: the value comes from a typed source (TOML), where a number in
    quotes is a mistake rather than the only way to write it.
    """
    if key in RETIRED:
        raise SettingsError(f"{where}: '{key}' is no longer a setting: {RETIRED[key]}")
    spec = SPECS.get(key)
    if spec is None:
        raise SettingsError(f"{where}: unknown setting '{key}'. Known settings: {known()}.")
    if typed and spec.numeric and isinstance(value, str):
        raise SettingsError(
            f"{where}: {value!r} is not a valid {_label(key)}; expected a number, not a "
            "string. Write it without quotes."
        )
    try:
        return spec.parse(value)
    except Invalid as exc:
        raise SettingsError(f"{where}: {exc}") from None


def known(*, pyproject: bool = False) -> str:
    return ", ".join(s.name for s in _SPECS if s.in_pyproject or not pyproject)


def image_tag(flag: str, value: str) -> str:
    """A docker image reference given as a task option (``--tag``), checked before any build."""
    if not _IMAGE_REF.fullmatch(value):
        raise SettingsError(
            f"{flag}: {value!r} is not a valid docker image reference, such as "
            "norberts-db/postgres:16 (lowercase name, no spaces, optional :tag)."
        )
    return value


def flag_number(flag: str, value: object, *, what: str, low: int, high: int) -> int:
    """A whole-number task option that is not a setting (``--tail``), checked like one."""
    try:
        return whole_number(what, low=low, high=high)(value)
    except Invalid as exc:
        raise SettingsError(f"{flag}: {exc}") from None
