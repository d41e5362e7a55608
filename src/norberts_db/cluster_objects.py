"""Recognising statements about roles, which belong to the server rather than to one database.

A role created by the schema file outlives ``db.reset`` of the database, is
seen from every other database of the server, and is shared by the throwaway
databases of ``db.verify`` and ``db.check-drop``. Those need to know which
statements create or drop roles (:mod:`norberts_db.shadow`), and what to
advise when a role turns out to exist already. Only the statement's first
words are read, so this costs nothing for the statements it does not concern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from norberts_db.sqlfile import without_comments

# A role name: a quoted identifier, or a bare word that the server folds to lower case.
# Non-ASCII as a negated class: a range up to \uffff costs milliseconds to compile each time.
_NAME = r'"(?:[^"]|"")+"|(?:[A-Za-z_]|[^\x00-\x7f])(?:[\w$]|[^\x00-\x7f])*'
# Only the keywords ignore case: IGNORECASE over the whole pattern would fold the
# wide character ranges of _NAME, which costs most of a warm reset's import time.
_CREATE = re.compile(rf"(?i:\s*CREATE\s+(?:ROLE|USER|GROUP)\s+)(?P<name>{_NAME})")
_DROP = re.compile(
    rf"(?i:\s*DROP\s+(?:ROLE|USER|GROUP)\s+)(?P<if_exists>(?i:IF\s+EXISTS\s+))?"
    rf"(?P<names>(?:{_NAME})(?:\s*,\s*(?:{_NAME}))*)\s*;?\s*$",
)
_EACH_NAME = re.compile(_NAME)
# CREATE USER MAPPING and DROP USER MAPPING are about foreign servers, not roles.
_USER_MAPPING = re.compile(r"\s*(?:CREATE|DROP)\s+USER\s+MAPPING\s+(?:FOR|IF)\b", re.IGNORECASE)
_ROLE_EXISTS = re.compile(r'role "(?P<name>(?:[^"]|"")+)" already exists')
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# CREATE ROLE and DROP ROLE start with one of these words; everything else is skipped at once.
_FIRST_WORD = re.compile(r"\s*(?:CREATE|DROP)\b", re.IGNORECASE)
_HEAD = 4096


@dataclass(frozen=True)
class RoleStatement:
    """A ``CREATE ROLE`` (also ``USER``, ``GROUP``) or ``DROP ROLE`` and the roles it names."""

    verb: Literal["create", "drop"]
    names: tuple[str, ...]


def role_statement(text: str) -> RoleStatement | None:
    """What ``text`` does to roles, if it is a ``CREATE ROLE`` or ``DROP ROLE`` statement.

    Names come back as the server stores them: bare names folded to lower case
    (ASCII only, as PostgreSQL does), quoted names as written.
    """
    if not _FIRST_WORD.match(text):
        return None
    # The role names come first: a long CREATE TABLE or function body need not be read.
    code = without_comments(text[:_HEAD])
    if _USER_MAPPING.match(code):
        return None
    if created := _CREATE.match(code):
        return RoleStatement("create", (role_name(created["name"]),))
    if len(text) <= _HEAD and (dropped := _DROP.match(code)):
        names = tuple(role_name(name) for name in _EACH_NAME.findall(dropped["names"]))
        return RoleStatement("drop", names)
    return None


def role_name(token: str) -> str:
    """The name a role identifier stands for."""
    if token.startswith('"'):
        return token[1:-1].replace('""', '"')
    return token.translate(_LOWER)


def quoted(name: str) -> str:
    """``name`` as an identifier in SQL text meant for a reader to copy."""
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


def role_exists_advice(message: str) -> str | None:
    """What to do about an error saying a role already exists; None for any other error."""
    found = _ROLE_EXISTS.search(message)
    if found is None:
        return None
    name = found["name"].replace('""', '"')
    literal = "'" + name.replace("'", "''") + "'"
    return (
        f"Roles belong to the server, not to a database: {quoted(name)} outlives a reset of "
        "the database, and every database of the server (the throwaway ones of db.verify "
        "and db.check-drop too) sees it. Create it only where it is missing:\n"
        f"    DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {literal}) "
        f"THEN CREATE ROLE {quoted(name)}; END IF; END $$;\n"
        "  and leave it out of the drop script (docs/cluster-objects.md)."
    )
