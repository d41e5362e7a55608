"""The type and the bounds of every setting, checked in one place.

A value reaches a setting typed (a TOML value of ``[tool.norberts_db]``, or a
Python value a caller passes) or as text (an environment variable, a task
flag: invoke hands over untyped flags as strings). Text is parsed; a typed
value must already have the right type, so a TOML ``true`` is not taken for
1 second and ``"5432"`` in quotes is not taken for a port. Whatever is wrong
is said once, with where the value came from, by :class:`SettingsError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from norberts_db.errors import SettingsError
from norberts_db.settings_values import (
    Invalid,
    Parser,
    a_string,
    label,
    name,
    one_of,
    path,
    seconds,
    secret,
    whole_number,
)

BACKENDS = ("auto", "docker", "embedded", "external")
NETWORKS = ("auto", "bridge", "host")
SUPPORTED_MAJORS = (15, 16, 17, 18)
# PostgreSQL keeps lock_timeout and statement_timeout in milliseconds in an int.
MAX_SERVER_TIMEOUT = 2_147_483.0
# Waiting longer than a day for a server to start is a typo, not a wish.
MAX_READY_TIMEOUT = 86_400.0
_DOCKER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
# A docker image reference: [registry[:port]/]path[:tag][@digest], as the engine parses it.
_IMAGE_REF = re.compile(
    r"(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+:[a-f0-9]{32,})?"
)
_SERVER_OPTION = re.compile(r"[a-z_][a-z0-9_.]*=[A-Za-z0-9_.:/+-]+")


@dataclass(frozen=True)
class Spec:
    """One setting: how its value is parsed and checked, and where it may come from."""

    name: str
    parse: Parser
    in_pyproject: bool = True  # secrets never: pyproject.toml is committed
    numeric: bool = False


def template(name: str, pattern: re.Pattern[str], what: str) -> Callable[[object], str]:
    """A docker name or image in which ``{major}`` stands for the PostgreSQL major."""

    def parse(value: object) -> str:
        text = a_string(name, value, what)
        try:
            filled = text.format(major=SUPPORTED_MAJORS[-1])
        except (KeyError, IndexError, ValueError, AttributeError):
            raise Invalid(
                f"{text!r} is not a valid {label(name)}: only {{major}} may stand in braces."
            ) from None
        if not pattern.fullmatch(filled):
            raise Invalid(f"{text!r} is not a valid {label(name)}; expected {what}.")
        return text

    return parse


def server_options(value: object) -> str:
    text = a_string("server_options", value, "name=value pairs")
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
            f"{where}: {value!r} is not a valid {label(key)}; expected a number, not a "
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
