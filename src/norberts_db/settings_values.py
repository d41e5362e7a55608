"""Parsers of setting values: whole numbers, seconds, choices, names, paths and secrets.

Each parser takes a value as it came (typed, from TOML or a caller, or as text,
from an environment variable or a flag) and returns it checked, or raises
:class:`Invalid` with a message that says what is wrong and what is expected.
Where the value came from is added by :mod:`norberts_db.settings_schema`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from norberts_db.errors import SettingsError

# PostgreSQL cuts longer names to 63 bytes, so the toolkit would act on another name.
MAX_NAME_BYTES = 63
_WHOLE = re.compile(r"[+-]?[0-9]+")


class Invalid(ValueError):
    """A value a setting cannot take; the message says why, without where it came from."""


Parser = Callable[[object], object]


def shown(value: object) -> str:
    """A value as the user wrote it: TOML booleans in TOML spelling, anything else as repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def label(name: str) -> str:
    """A setting's name as words: ``ready_timeout`` -> ready timeout."""
    return name.replace("_", " ")


def a_string(name: str, value: object, what: str, *, empty: bool = True) -> str:
    """``value`` if it is a string without NUL (and not blank unless ``empty``)."""
    if not isinstance(value, str):
        raise Invalid(f"{shown(value)} is not a valid {label(name)}; expected {what} (a string).")
    if "\x00" in value:
        raise Invalid(f"the {label(name)} holds a NUL character; expected {what}.")
    if not empty and not value.strip():
        raise Invalid(f"the {label(name)} is empty; expected {what}.")
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
            raise Invalid(f"{shown(value)} is not a valid {label(name)}; expected a whole number.")
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
                    f"{value!r} is not a valid {label(name)}; expected a number of seconds."
                ) from None
        elif isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            raise Invalid(
                f"{shown(value)} is not a valid {label(name)}; expected a number of seconds."
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
        text = a_string(name, value, f"one of {listed}")
        if text not in choices:
            raise Invalid(f"unknown {label(name)} {text!r}. Use one of: {listed}.")
        return text

    return parse


def name(name: str) -> Callable[[object], str]:
    """A PostgreSQL role or database name: any text PostgreSQL keeps whole."""

    def parse(value: object) -> str:
        text = a_string(name, value, "a name", empty=False)
        if len(text.encode("utf-8")) > MAX_NAME_BYTES:
            raise Invalid(
                f"{text[:20]!r}... is {len(text.encode('utf-8'))} bytes long; PostgreSQL keeps "
                f"only {MAX_NAME_BYTES} bytes of a name. Use a shorter {label(name)}."
            )
        return text

    return parse


def path(name: str) -> Callable[[object], Path]:
    def parse(value: object) -> Path:
        return Path(a_string(name, value, "a path", empty=False))

    return parse


def secret(name: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        # The message never shows the value: it is a password or a URL carrying one.
        if not isinstance(value, str):
            raise Invalid(f"the {label(name)} must be a string.")
        if "\x00" in value:
            raise Invalid(f"the {label(name)} holds a NUL character.")
        return value

    return parse


def flag_number(flag: str, value: object, *, what: str, low: int, high: int) -> int:
    """A whole-number task option that is not a setting (``--tail``), checked like one."""
    try:
        return whole_number(what, low=low, high=high)(value)
    except Invalid as exc:
        raise SettingsError(f"{flag}: {exc}") from None
