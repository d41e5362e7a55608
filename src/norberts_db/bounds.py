"""Keeping the toolkit's bounds on waiting whatever an SQL file sets.

Two settings bound how long a statement of the toolkit can wait:
``lock_timeout`` (for a lock) and ``statement_timeout`` (for the statement
itself). The toolkit sets both at the start of its transaction. A file may
set them too: every pg_dump header says ``SET statement_timeout = 0;``. Left
alone, such a line lifts the bounds for the rest of the file, and a reset
queued behind a held lock waits forever.

So a file's own setting never outlives the statement that made it: right
after every statement that may have changed them (a ``SET`` or ``RESET`` of
any kind, ``set_config(...)``, a ``DO`` block or ``CALL``, or any statement
that names one of these settings), the toolkit brings both back within its
bounds. A tighter value the file chose is kept; 0 ("no limit") or a looser
value gives way to the toolkit's. Such files keep working: the line is
neutralized, not refused.

Once a file defines something that can change them later (a function with
``SET lock_timeout``, a ``set_config`` call or dynamic SQL in its body, say),
every later statement is followed by the same check, since any of them may
call it. What stays out of sight is code the file did not define (a function
already in the database, an extension's) that lifts ``statement_timeout``
for the statements after the one that called it; lock waits stay bounded
even then, by the watch below.

A statement's own timer is armed when it starts, with the bound then in
force, so a statement cannot lift its own ``statement_timeout``. It can lift
its own ``lock_timeout`` (a ``DO`` block that sets it and then waits): for
that, :class:`norberts_db.blocking.Watch` cancels any lock wait of the
toolkit's session that has lasted past the bound, seen from a second
connection. ``transaction_timeout`` (PostgreSQL 17+) is none of the toolkit's
bounds: a file can use it to end the transaction sooner, never later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from psycopg import sql

from norberts_db import queries
from norberts_db.settings import Settings
from norberts_db.splitter import Statement


@dataclass(frozen=True)
class Limits:
    """How long an operation may wait for a lock, and run one statement; 0 means no limit."""

    lock_timeout: float = 30.0
    statement_timeout: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(settings.lock_timeout, settings.statement_timeout)

    @property
    def first_look(self) -> float:
        """When to start asking who blocks the operation: well before a limit runs out."""
        limits = [t for t in (self.lock_timeout, self.statement_timeout) if t > 0]
        return max(0.05, min([1.0, *(t / 2 for t in limits)]))

    def outside_transaction(self) -> Limits:
        """The limits of a migration statement that runs alone (CREATE INDEX CONCURRENTLY).

        Its lock waits stay bounded; its run time does not, since building an
        index concurrently may rightly take hours and blocks no one meanwhile.
        """
        return Limits(lock_timeout=self.lock_timeout, statement_timeout=0)

    def values(self) -> dict[str, str]:
        """The settings as the server takes them, by name."""
        return {
            "lock_timeout": milliseconds(self.lock_timeout),
            "statement_timeout": milliseconds(self.statement_timeout),
        }

    def reassert(self) -> str | None:
        """SQL that brings both settings back within these limits; None if there are none."""
        if not (self.lock_timeout > 0 or self.statement_timeout > 0):
            return None
        values = {name: sql.Literal(value) for name, value in self.values().items()}
        text = sql.SQL(_code_only(queries.load("reassert_limits")))
        return text.format(
            lock=values["lock_timeout"], statement=values["statement_timeout"]
        ).as_string()


def _code_only(text: str) -> str:
    """``text`` without its comment lines, on one line: it may be sent many times."""
    lines = (line.strip() for line in text.splitlines())
    return " ".join(line for line in lines if line and not line.startswith("--"))


def milliseconds(seconds: float) -> str:
    """Milliseconds for the server; a limit never rounds down to 0, which means none."""
    return f"{max(1, round(seconds * 1000)) if seconds > 0 else 0}ms"


# A statement that may change a bound as it runs: its first word, or what it names.
_CHANGING_FIRST_WORDS = frozenset({"SET", "RESET", "DO", "CALL"})
_NAMES = ("lock_timeout", "statement_timeout", "set_config")
_RESET_ALL = re.compile(r"reset\s+all")
# Dynamic SQL in a body can name a setting no reading of the text can see.
_DYNAMIC_SQL = re.compile(r"\bexecute\s+(?!function\b|procedure\b)")
_FIRST_WORD = re.compile(r"[A-Za-z]+")
# Statements that act only as they run. Any other that names a bound (CREATE
# FUNCTION ... SET lock_timeout, a body calling set_config) may act again later.
_RUN_ONCE = _CHANGING_FIRST_WORDS | {
    "SELECT",
    "WITH",
    "VALUES",
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "COMMENT",
}


def reasserted_after(statements: Iterable[Statement]) -> list[bool]:
    """For each statement, whether the bounds must be brought back right after it."""
    found: list[bool] = []
    everywhere = False
    for statement in statements:
        match = _FIRST_WORD.match(statement.text)
        first = match.group().upper() if match else ""
        names = _names_a_bound(statement.text)
        if first not in _RUN_ONCE:
            lowered = statement.text.lower()
            dynamic = "execute" in lowered and _DYNAMIC_SQL.search(lowered) is not None
            everywhere = everywhere or names or dynamic
        found.append(everywhere or names or first in _CHANGING_FIRST_WORDS)
    return found


def _names_a_bound(text: str) -> bool:
    # Substring tests on the lowered text: a regular expression over every statement
    # of a large file costs seconds.
    lowered = text.lower()
    if any(name in lowered for name in _NAMES):
        return True
    return "reset" in lowered and _RESET_ALL.search(lowered) is not None


def bounded_batch(statements: Sequence[Statement], limits: Limits | None) -> str:
    """All statements as one text, to send in one round trip, the bounds checked as needed.

    Each statement ends on its own line with a semicolon, so a trailing
    comment cannot swallow the separator.
    """
    reassert = limits.reassert() if limits is not None else None
    if reassert is None:
        return "\n;\n".join(statement.text for statement in statements)
    parts: list[str] = []
    for statement, after in zip(statements, reasserted_after(statements), strict=True):
        parts.append(statement.text)
        if after:
            parts.append(reassert)
    return "\n;\n".join(parts)
