"""Reading SQL files and splitting them into statements with their line numbers.

Statements are run one at a time (inside one transaction) so that an error can
be pinned to the file and line of the statement the server rejected, even when
the server's error carries no position. :mod:`norberts_db.splitter` knows what
makes a semicolon not end a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from norberts_db.errors import SqlFileError
from norberts_db.splitter import SplitError, Statement, split_statements

__all__ = ["SqlScript", "Statement", "load_script", "read_sql_text", "split_statements"]


@dataclass(frozen=True)
class SqlScript:
    path: Path
    statements: tuple[Statement, ...]

    @property
    def name(self) -> str:
        return str(self.path)


def load_script(path: Path, *, what: str = "SQL file") -> SqlScript:
    """Read and split an SQL file, or raise :class:`SqlFileError` saying what to do.

    A file wrapped as a whole in ``BEGIN; ... COMMIT;`` loses the wrapper: the
    toolkit runs every file in a transaction of its own, which is what the
    wrapper asks for. Any other transaction control is left in, for
    :mod:`norberts_db.transactional` to refuse with its file and line.
    """
    text = read_sql_text(path, what=what)
    try:
        statements = _unwrapped(tuple(split_statements(text)))
    except SplitError as exc:
        raise SqlFileError(f"{path}:{exc.line}: {exc.reason}") from None
    if not statements:
        raise SqlFileError(
            f"{path}: the {what} holds no SQL statements. Add some, or fix the path."
        )
    return SqlScript(path=path, statements=statements)


_OPENS_TRANSACTION = re.compile(r"(BEGIN|START\s+TRANSACTION)\b(?!\s+ATOMIC\b)", re.IGNORECASE)
_COMMITS = re.compile(r"(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*;?\s*", re.IGNORECASE)


def _unwrapped(statements: tuple[Statement, ...]) -> tuple[Statement, ...]:
    """``statements`` without a ``BEGIN`` first and a ``COMMIT`` last that wrap them all."""
    if len(statements) < 2:
        return statements
    first, last = (without_comments(s.text).strip() for s in (statements[0], statements[-1]))
    if _OPENS_TRANSACTION.match(first) and _COMMITS.fullmatch(last):
        return statements[1:-1]
    return statements


def without_comments(text: str) -> str:
    """``text`` with its comments blanked out (quoted text is kept as it is)."""
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.DOTALL)


def read_sql_text(path: Path, *, what: str = "SQL file") -> str:
    if not path.exists():
        raise SqlFileError(f"{path}: the {what} does not exist. Check the path or the setting.")
    if path.is_dir():
        raise SqlFileError(f"{path}: the {what} is a directory. Give the path of a .sql file.")
    if not path.is_file():
        # A FIFO or a device would block the read, or never end it.
        raise SqlFileError(
            f"{path}: the {what} is not a regular file. Give the path of a .sql file."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SqlFileError(
            f"{path}: the {what} cannot be read ({exc.strerror}). Check its permissions."
        ) from None
    if b"\x00" in data:
        raise SqlFileError(f"{path}: the {what} is binary, not SQL text. Give a .sql file.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SqlFileError(
            f"{path}:{line}: the {what} is not valid UTF-8 (byte {exc.start}). Save it as UTF-8."
        ) from None
    return text.removeprefix("\ufeff")
