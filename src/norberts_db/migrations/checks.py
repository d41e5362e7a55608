"""Refusing migration files that would commit part of themselves behind the toolkit's back.

A migration runs in transactions the toolkit opens, and its history record
is written in the last of them. A ``COMMIT`` in the file would make what
precedes it permanent without a record, so every later run would apply it
again; a ``ROLLBACK`` or ``SAVEPOINT`` would undo or split the toolkit's own
work. So every pending file is checked before the first one runs, and one
that holds transaction control is refused with its file and line.

What a file cannot show is left to the server: a procedure that commits,
run by ``CALL``, is refused by PostgreSQL inside a transaction block
("invalid transaction termination"), and the part is rolled back whole.
"""

from __future__ import annotations

import re

from norberts_db.errors import SqlFileError
from norberts_db.migrations.history import MigrationError
from norberts_db.sqlfile import SqlScript, Statement, without_comments
from norberts_db.transactional import Rules, check_one_transaction

NOTHING_APPLIED = (
    "Nothing was applied: every pending migration is checked before the first one runs."
)
_TRANSACTION_CONTROL = (
    "each migration runs in transactions the toolkit begins and commits, and is recorded "
    "in the last of them; a COMMIT or ROLLBACK of its own would keep part of the file "
    "without a record, so the next run would apply that part again. Remove it (a file "
    "wrapped as a whole in BEGIN; ... COMMIT; is accepted). To commit between two steps, "
    "put them in two migrations."
)
_SAVEPOINTS = (
    "the toolkit manages the transactions a migration runs in, savepoints included. "
    "Remove it; to try something that may fail, use a DO block with an EXCEPTION clause."
)
_CLUSTER = (
    "a migration changes the database it runs in, not the server. Do this by hand, "
    "outside the migrations."
)
_COPY_DATA = (
    "the rows that follow it are for psql, and the toolkit sends the file to the server as "
    "it is. Load the rows with INSERT statements instead."
)
_RULES: Rules = tuple(
    (re.compile(pattern), advice)
    for pattern, advice in (
        (r"^(BEGIN|START TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b", _TRANSACTION_CONTROL),
        (r"^(SAVEPOINT|RELEASE|PREPARE TRANSACTION)\b", _SAVEPOINTS),
        (r"^(CREATE|DROP|ALTER) (DATABASE|TABLESPACE)\b", _CLUSTER),
        (r"^ALTER SYSTEM\b", _CLUSTER),
        (r"^COPY\b.*\b(FROM STDIN|TO STDOUT)\b", _COPY_DATA),
    )
)

_DO = re.compile(r"\s*DO\b", re.IGNORECASE)
_LANGUAGE = re.compile(r"\bLANGUAGE\s+(\w+|'[^']*')", re.IGNORECASE)
_BODY = re.compile(r"\$(\w*)\$(.*?)\$\1\$|'((?:[^']|'')*)'", re.DOTALL)
# What hides a word from PL/pgSQL: comments, quoted text, nested dollar quotes.
_HIDDEN = re.compile(
    r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\$(\w*)\$.*?\$\1\$", re.DOTALL
)
_ENDS_TRANSACTION = re.compile(r"\b(COMMIT|ROLLBACK)\b", re.IGNORECASE)


def check_migration(script: SqlScript) -> None:
    """Raise :class:`MigrationError`, naming file and line, if ``script`` controls transactions."""
    try:
        check_one_transaction(script, what="migration", rules=_RULES, outcome=NOTHING_APPLIED)
    except SqlFileError as exc:
        raise MigrationError(str(exc)) from None
    for statement in script.statements:
        line = _commit_in_do_block(statement)
        if line is not None:
            raise MigrationError(
                f"{script.name}:{line}: a COMMIT or ROLLBACK in a DO block cannot be in a "
                f"migration: {_TRANSACTION_CONTROL} {NOTHING_APPLIED}"
            )


def _commit_in_do_block(statement: Statement) -> int | None:
    """The file line of a COMMIT or ROLLBACK in the PL/pgSQL body of a ``DO``, if any."""
    text = statement.text
    if not _DO.match(text):
        return None
    language = _LANGUAGE.search(without_comments(text))
    if language and language.group(1).strip("'").lower() != "plpgsql":
        return None
    body = _BODY.search(text)
    if body is None:
        return None
    start = body.start(2) if body.group(2) is not None else body.start(3)
    code = body.group(2) if body.group(2) is not None else body.group(3)
    # Blank what PL/pgSQL does not run as code, keeping newlines for the line number.
    visible = _HIDDEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), code)
    found = _ENDS_TRANSACTION.search(visible)
    if found is None:
        return None
    return statement.line_of(start + found.start() + 1)
