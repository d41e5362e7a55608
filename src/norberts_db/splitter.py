"""Splitting SQL text into statements, with the line each starts on, in one linear pass.

A semicolon ends a statement unless it sits inside something that holds
semicolons: a quoted string (``'...'``, ``E'...'`` with backslash escapes, and
plain strings after ``SET standard_conforming_strings = off``), a quoted
identifier, a dollar quote, a comment (block comments nest), the
``BEGIN ATOMIC ... END`` body of a SQL-standard function or procedure, or the
parenthesised action list of ``CREATE RULE ... DO (a; b)``. That list is the
only place PostgreSQL's grammar allows a semicolon inside parentheses; in any
other statement a semicolon inside parentheses still ends it, so a missing
``)`` cannot swallow the statements after it.

The text is scanned with regular expressions that jump from one character
that matters to the next, and line numbers are counted from the previous
statement on, so the cost grows with the length of the text and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

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


class SplitError(SqlFileError):
    """The text cannot be split into statements; the message starts with ``line N:``."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


# Identifier characters as the complement of the ASCII ones they are not: the same sets as
# [A-Za-z_\x80-\U0010ffff], [\w\x80-\U0010ffff$] and [\w\x80-\U0010ffff], but a range over
# all of Unicode costs milliseconds to compile each time, and these match no slower.
_IDENT_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"
_WORD_CHAR = r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
_TAG_CHAR = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
# Quoted strings and identifiers, and line comments, are matched whole; other tokens are
# those that can change how the rest of a statement is read. Everything between is skipped.
_STANDARD = r"'(?:[^']++|'')*+'?"
_ESCAPED = r"'(?:[^'\\]++|\\.|'')*+'?"
_COMMON = rf"[eE]{_ESCAPED}|\"(?:[^\"]++|\"\")*+\"?|--[^\n]*+|/\*|[$;]"


@cache
def _tokens(kind: str, backslash: bool) -> re.Pattern[str]:
    """The pattern of the next token that matters (``kind``: "words" or "parens").

    Compiled on first use, each once: the backslash variants are for files that
    turn standard_conforming_strings off, and compiling all of them up front
    would cost every warm reset a noticeable share of its start-up.
    """
    alternatives = [_COMMON, _ESCAPED if backslash else _STANDARD, r"[()]"]
    if kind == "words":
        alternatives.append(rf"{_IDENT_START}{_WORD_CHAR}*+")
    return re.compile("|".join(alternatives), re.DOTALL)


@cache
def _skipping(backslash: bool) -> re.Pattern[str]:
    """What a statement past its first words holds up to its next ``;``, ``$`` or ``/*``.

    Most of a large file is such text (rows of INSERTs), so this one match
    replaces a token-by-token walk there.
    """
    strings = _ESCAPED if backslash else _STANDARD
    e_string = rf"(?<!{_WORD_CHAR})[eE]{_ESCAPED}"
    quoted = rf"{e_string}|{strings}|\"(?:[^\"]++|\"\")*+\"?|--[^\n]*+"
    return re.compile(rf"(?:[^'\"$;/eE\-]++|{quoted}|/(?!\*)|-(?!-)|[eE])*+", re.DOTALL)


_DOLLAR_TAG = re.compile(rf"\$(?:{_IDENT_START}{_TAG_CHAR}*)?\$")
_COMMENT_MARK = re.compile(r"/\*|\*/")
_FIRST_WORD = re.compile(r"[A-Za-z_]\w*+")
_SPACE_AND_LINE_COMMENTS = re.compile(r"(?:\s++|--[^\n]*+)*+")
_CONFORMING = re.compile(
    r"SET\s+(?:SESSION\s+|LOCAL\s+)?standard_conforming_strings\s*(?:=|TO)\s*'?(\w+)",
    re.IGNORECASE,
)

# What the words of a statement mean for its semicolons.
_FIRST, _CREATE, _ROUTINE, _RULE, _OTHER = range(5)
_CREATE_MODIFIERS = frozenset({"OR", "REPLACE"})


def split_statements(text: str) -> list[Statement]:
    """Split SQL text at the semicolons that end statements. Empty statements are dropped.

    Raises :class:`SplitError` for a ``CREATE RULE`` whose action list is never closed.
    """
    return _Splitter(text).run()


class _Splitter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.statements: list[Statement] = []
        self.backslash_strings = False  # standard_conforming_strings = off
        self._line = 1
        self._line_offset = 0

    def run(self) -> list[Statement]:
        text, n = self.text, len(self.text)
        i = 0
        while (begin := _code_start(text, i, n)) < n:
            first = _FIRST_WORD.match(text, begin)
            if first is not None and first.group().upper() != "CREATE":
                i = self._plain_end(first.end())  # the common case: no word matters
            else:
                i = self._walk(begin)
            if text[begin] != ";":
                self._append(begin, i)
        return self.statements

    def _plain_end(self, i: int) -> int:
        """The end of a statement from ``i`` on, where only quotes and comments matter."""
        text, n = self.text, len(self.text)
        skip = _skipping(self.backslash_strings)
        while True:
            i = skip.match(text, i).end()  # type: ignore[union-attr]  # it matches empty text
            if i >= n:
                return n
            if text[i] == ";":
                return i + 1
            is_dollar = text[i] == "$"
            i = _skip_dollar_quote(text, i) if is_dollar else _skip_block_comment(text, i)

    def _walk(self, begin: int) -> int:
        """The end of the statement at ``begin``, reading its words as long as they matter."""
        text = self.text
        state, depth, previous, paren = _FIRST, 0, "", 0
        pattern = _tokens("words", self.backslash_strings)
        i = begin
        while (match := pattern.search(text, i)) is not None:
            token = match.group()
            i = match.end()
            first = token[0]
            if first == ";":
                if depth:
                    continue
                return i
            if first == "-":
                continue  # a line comment, matched whole
            if first == "/":
                i = _skip_block_comment(text, match.start())
                continue  # BEGIN /* comment */ ATOMIC is still BEGIN ATOMIC
            if first == "$":
                i = _skip_dollar_quote(text, match.start())
            elif first == "(":
                if state == _RULE:
                    depth += 1
                    paren = paren if depth > 1 else match.start()
            elif first == ")":
                if state == _RULE and depth:
                    depth -= 1
            elif first in "'\"":
                if state in (_FIRST, _CREATE):
                    return self._plain_end(i)
            elif len(token) > 1 and token[1] == "'":
                if _is_word_char(text, match.start() - 1):
                    i = match.start() + 1  # date'...': the quote opens a standard string
                    continue
            elif _is_word_char(text, match.start() - 1):
                continue  # the tail of a number (1e5) or of a name with digits
            else:
                state, depth = _next_state(state, depth, previous, token.upper())
                previous = token.upper()
                if state == _OTHER:
                    return self._plain_end(i)
                if state == _RULE:
                    pattern = _tokens("parens", self.backslash_strings)
                continue
            previous = ""
        if depth:
            raise SplitError(
                self._line_at(paren),
                "the `(` that opens the action list of this CREATE RULE is never closed, so "
                "every statement after it would be taken for one of its actions. Add the `)`.",
            )
        return len(text)

    def _line_at(self, offset: int) -> int:
        """The line of ``offset``; offsets asked for never go backwards."""
        self._line += self.text.count("\n", self._line_offset, offset)
        self._line_offset = offset
        return self._line

    def _append(self, begin: int, end: int) -> None:
        line = self._line_at(begin)
        statement = Statement(text=self.text[begin:end], line=line, offset=begin)
        self.statements.append(statement)
        if statement.text[:3].upper() == "SET" and (found := _CONFORMING.match(statement.text)):
            self.backslash_strings = _is_off(found.group(1).lower())


def _next_state(state: int, depth: int, previous: str, word: str) -> tuple[int, int]:
    """The state after ``word``, and the BEGIN ATOMIC / CASE nesting of a routine body."""
    if state == _FIRST:
        return (_CREATE if word == "CREATE" else _OTHER), depth
    if state == _CREATE:
        if word in _CREATE_MODIFIERS:
            return state, depth
        if word in ("FUNCTION", "PROCEDURE"):
            return _ROUTINE, depth
        return (_RULE if word == "RULE" else _OTHER), depth
    if state == _ROUTINE:
        if word == "ATOMIC" and previous == "BEGIN" and depth == 0:
            return state, 1
        if word == "CASE" and depth:
            return state, depth + 1
        if word == "END" and depth:
            return state, depth - 1
    return state, depth


def _is_off(value: str) -> bool:
    """Whether PostgreSQL reads ``value`` as a boolean false (it takes unique prefixes)."""
    return value in ("0", "of", "off") or "false".startswith(value) or "no".startswith(value)


def _is_word_char(text: str, index: int) -> bool:
    return index >= 0 and (text[index].isalnum() or text[index] in "_$")


def _skip_dollar_quote(text: str, i: int) -> int:
    match = _DOLLAR_TAG.match(text, i)
    if match is None or _is_word_char(text, i - 1):
        return i + 1  # $1, or a $ inside a name
    close = text.find(match.group(), match.end())
    return len(text) if close < 0 else close + len(match.group())


def _skip_block_comment(text: str, i: int) -> int:
    """The index after the block comment at ``i``, its nested comments included."""
    nesting = 0
    for mark in _COMMENT_MARK.finditer(text, i):
        nesting += 1 if mark.group() == "/*" else -1
        if nesting == 0:
            return mark.end()
    return len(text)


def _code_start(text: str, start: int, end: int) -> int:
    """Where the code of ``text[start:end]`` starts: after leading space and comments."""
    begin = start
    while True:
        skipped = _SPACE_AND_LINE_COMMENTS.match(text, begin, end)
        begin = skipped.end() if skipped else begin
        if not text.startswith("/*", begin):
            return min(begin, end)
        begin = min(_skip_block_comment(text, begin), end)
