"""Reading SQL files and splitting them into statements with their line numbers.

Statements are run one at a time (inside one transaction) so that an error can
be pinned to the file and line of the statement the server rejected, even when
the server's error carries no position. The splitter understands what makes a
semicolon not end a statement: quotes, quoted identifiers, dollar quoting,
comments, and SQL-standard ``BEGIN ATOMIC ... END`` bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from norberts_db.errors import SqlFileError


@dataclass(frozen=True)
class Statement:
    """One statement of a file: its text, and where it starts (1-based line)."""

    text: str
    line: int
    offset: int

    def line_of(self, position: int) -> int:
        """The file line of a 1-based character position inside this statement."""
        return self.line + self.text.count("\n", 0, max(position - 1, 0))


@dataclass(frozen=True)
class SqlScript:
    path: Path
    statements: tuple[Statement, ...]

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def batch(self) -> str:
        """All statements as one text, to send in a single round trip.

        Each ends on its own line with a semicolon, so a trailing comment
        cannot swallow the separator.
        """
        return "\n;\n".join(statement.text for statement in self.statements)


def load_script(path: Path, *, what: str = "SQL file") -> SqlScript:
    """Read and split an SQL file, or raise :class:`SqlFileError` saying what to do.

    A file wrapped as a whole in ``BEGIN; ... COMMIT;`` loses the wrapper: the
    toolkit runs every file in a transaction of its own, which is what the
    wrapper asks for. Any other transaction control is left in, for
    :mod:`norberts_db.transactional` to refuse with its file and line.
    """
    text = read_sql_text(path, what=what)
    statements = _unwrapped(tuple(split_statements(text)))
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


_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)?\$")
_WORD = re.compile(r"[A-Za-z_][\w$]*")


def split_statements(text: str) -> list[Statement]:
    """Split SQL text at top-level semicolons. Empty statements are dropped."""
    statements: list[Statement] = []
    start = 0
    i = 0
    n = len(text)
    depth = 0  # BEGIN ATOMIC / CASE nesting inside CREATE FUNCTION or PROCEDURE
    first_word: str | None = None
    previous_word = ""
    while i < n:
        ch = text[i]
        if ch == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif ch == "/" and text.startswith("/*", i):
            i = _skip_block_comment(text, i)
        elif ch == "'":
            escaped = i > 0 and text[i - 1] in "eE" and not _is_word_char(text, i - 2)
            i = _skip_quoted(text, i, "'", backslash=escaped)
        elif ch == '"':
            i = _skip_quoted(text, i, '"', backslash=False)
        elif ch == "$" and (match := _DOLLAR_TAG.match(text, i)) and not _is_word_char(text, i - 1):
            end = text.find(match.group(0), match.end())
            i = n if end < 0 else end + len(match.group(0))
        elif ch == ";" and depth == 0:
            _append(statements, text, start, i + 1)
            start = i = i + 1
            first_word, previous_word = None, ""
        elif (match := _WORD.match(text, i)) and not _is_word_char(text, i - 1):
            word = match.group(0).upper()
            first_word = first_word or word
            if first_word == "CREATE":
                opens_body = word == "ATOMIC" and previous_word == "BEGIN"
                if opens_body or (word == "CASE" and depth > 0):
                    depth += 1
                elif word == "END" and depth > 0:
                    depth -= 1
            previous_word = word
            i = match.end()
        else:
            i += 1
    _append(statements, text, start, n)
    return statements


def _is_word_char(text: str, index: int) -> bool:
    return index >= 0 and (text[index].isalnum() or text[index] in "_$")


def _skip_block_comment(text: str, i: int) -> int:
    nesting = 0
    n = len(text)
    while i < n:
        if text.startswith("/*", i):
            nesting += 1
            i += 2
        elif text.startswith("*/", i):
            nesting -= 1
            i += 2
            if nesting == 0:
                return i
        else:
            i += 1
    return n


def _skip_quoted(text: str, i: int, quote: str, *, backslash: bool) -> int:
    i += 1
    n = len(text)
    while i < n:
        ch = text[i]
        if backslash and ch == "\\":
            i += 2
        elif ch == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
            else:
                return i + 1
        else:
            i += 1
    return n


def _append(statements: list[Statement], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    if not _has_code(chunk):
        return
    # A statement starts at its first line of code, not at the comments before it.
    begin = start
    while True:
        while begin < end and text[begin].isspace():
            begin += 1
        if text.startswith("--", begin):
            newline = text.find("\n", begin)
            begin = end if newline < 0 else newline
        elif text.startswith("/*", begin):
            begin = _skip_block_comment(text, begin)
        else:
            break
    statements.append(
        Statement(text=text[begin:end], line=text.count("\n", 0, begin) + 1, offset=begin)
    )


def _has_code(chunk: str) -> bool:
    return bool(without_comments(chunk).strip().strip(";").strip())
