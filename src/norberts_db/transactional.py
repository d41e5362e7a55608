"""Refusing SQL files that cannot run inside the one transaction of reset, create and drop.

``db.reset`` is atomic because the toolkit opens one transaction, runs every
statement in it, and commits once. A ``COMMIT`` or ``ROLLBACK`` inside a file
would end that transaction half-way (what ran before it would stay, what runs
after it would run outside any transaction), so such files are refused before
anything is sent. So are statements PostgreSQL refuses inside a transaction,
``COPY ... FROM STDIN`` data sections and psql meta-commands, which the server
would only report as a puzzling syntax error.
"""

from __future__ import annotations

import re

from norberts_db.errors import SqlFileError
from norberts_db.sqlfile import SqlScript, Statement, without_comments

_TRANSACTION_CONTROL = (
    "it would end the one transaction the file runs in (db.reset, db.create and db.drop "
    "are atomic that way) and leave the database half-changed. Remove it: the toolkit "
    "begins and commits the transaction itself."
)
_SAVEPOINTS = (
    "the toolkit manages the one transaction the file runs in, savepoints included (it "
    "uses its own to find a failing statement). Remove it."
)
_OUTSIDE_TRANSACTION = (
    "PostgreSQL refuses it inside a transaction, and the file runs in one. Remove it, or "
    "move it to a migration (sql/migrations/), which runs such statements on their own."
)
_CONCURRENTLY = (
    "PostgreSQL refuses CONCURRENTLY inside a transaction, and the file runs in one. Leave "
    "out CONCURRENTLY (it buys nothing while the schema is built), or move the statement "
    "to a migration (sql/migrations/)."
)
_DATABASES = (
    "the file runs inside the database it builds. Remove the statement; `invoke db.up` "
    "creates the dev database."
)
_COPY_DATA = (
    "the rows that follow it are for psql, and the toolkit sends the file to the server as "
    "it is. Load the rows with INSERT statements instead."
)

# (pattern over the statement's words, why it cannot run and what to do)
Rules = tuple[tuple[re.Pattern[str], str], ...]
_RULES: Rules = tuple(
    (re.compile(pattern), advice)
    for pattern, advice in (
        (r"^(BEGIN|START TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b", _TRANSACTION_CONTROL),
        (r"^(SAVEPOINT|RELEASE|PREPARE TRANSACTION)\b", _SAVEPOINTS),
        (r"^(CREATE (UNIQUE )?INDEX|DROP INDEX) CONCURRENTLY\b", _CONCURRENTLY),
        (r"^REINDEX (\( [^)]* \) )?[A-Z]+ CONCURRENTLY\b", _CONCURRENTLY),
        (r"^ALTER TABLE\b.*\bDETACH PARTITION\b.*\bCONCURRENTLY$", _CONCURRENTLY),
        (r"^(VACUUM|ALTER SYSTEM)\b", _OUTSIDE_TRANSACTION),
        (r"^REINDEX (\( [^)]* \) )?(SYSTEM|DATABASE|SCHEMA)\b", _OUTSIDE_TRANSACTION),
        (r"^(CREATE|DROP) (DATABASE|TABLESPACE)\b", _DATABASES),
        (r"^COPY\b.*\b(FROM STDIN|TO STDOUT)\b", _COPY_DATA),
    )
)
_BACKSLASH_LINE = re.compile(r"^[ \t]*\\", re.MULTILINE)
# The first words the rules start with: a statement starting with any other word
# (the INSERTs of a large seed file) is passed without building its word list.
_RULED_FIRST_WORDS = frozenset(
    {
        *("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"),
        *("PREPARE", "CREATE", "DROP", "REINDEX", "ALTER", "VACUUM", "COPY"),
    }
)
_FIRST_WORD = re.compile(r"[A-Za-z_]+")
_WORDS = re.compile(r"[A-Za-z_][A-Za-z_0-9$]*|\(|\)")


def check_one_transaction(
    script: SqlScript,
    *,
    what: str = "file",
    rules: Rules = _RULES,
    outcome: str = "Nothing was changed.",
) -> None:
    """Raise :class:`SqlFileError`, naming file and line, unless all of ``script`` can run in
    one transaction. ``rules`` replace the checks (migrations have their own), and
    ``outcome`` ends the message."""
    for statement in script.statements:
        meta = _meta_command_line(statement)
        if meta is not None:
            line, text = meta
            raise SqlFileError(
                f"{script.name}:{line}: {text.split()[0]} is a psql meta-command, not SQL, and "
                f"the toolkit sends the {what} to the server as it is. Write out the SQL it "
                f"stands for (for \\i, the included file's content) or remove the line. {outcome}"
            )
        leading = _FIRST_WORD.match(statement.text)
        if leading is not None and leading.group().upper() not in _RULED_FIRST_WORDS:
            continue
        words = " ".join(_WORDS.findall(without_comments(statement.text[:800])[:400])).upper()
        for pattern, advice in rules:
            if pattern.search(words):
                first = statement.text.splitlines()[0].strip()[:80]
                raise SqlFileError(
                    f"{script.name}:{statement.line}: `{first}` cannot be in this {what}: "
                    f"{advice} {outcome}"
                )


def _meta_command_line(statement: Statement) -> tuple[int, str] | None:
    """The file line and text of a line starting with a backslash outside quotes, if any."""
    text = statement.text
    if not _BACKSLASH_LINE.search(text):
        return None  # the common case, decided without walking the text
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        ch = text[i]
        if ch == "\n":
            at_line_start = True
            i += 1
            continue
        if ch in " \t\r":
            i += 1
            continue
        if ch == "\\" and at_line_start:
            end = text.find("\n", i)
            return statement.line_of(i + 1), text[i : n if end < 0 else end].strip()
        at_line_start = False
        i = _skip_token(text, i)
    return None


_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z_0-9]*)?\$")


def _skip_token(text: str, i: int) -> int:
    """The index after the quoted string, comment or character starting at ``i``."""
    n = len(text)
    if text.startswith("--", i):
        end = text.find("\n", i)
        return n if end < 0 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return n if end < 0 else end + 2
    if text[i] in "'\"":
        quote = text[i]
        # E'...' strings escape with backslashes; others double the quote.
        escapes = quote == "'" and i > 0 and text[i - 1] in "eE" and not _word_char(text, i - 2)
        j = i + 1
        while j < n:
            doubled = text.startswith(quote * 2, j)
            if (escapes and text[j] == "\\") or (text[j] == quote and doubled):
                j += 2
            elif text[j] == quote:
                return j + 1
            else:
                j += 1
        return n
    match = _DOLLAR.match(text, i)
    if text[i] == "$" and match and not _word_char(text, i - 1):
        end = text.find(match.group(0), match.end())
        return n if end < 0 else end + len(match.group(0))
    return i + 1


def _word_char(text: str, index: int) -> bool:
    return index >= 0 and (text[index].isalnum() or text[index] in "_$")
