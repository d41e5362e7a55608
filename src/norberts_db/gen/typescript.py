"""Writing TypeScript source text: string and template literals, JSDoc, identifiers."""

from __future__ import annotations

import re

# Words TypeScript does not take as a variable name.
_RESERVED = frozenset(
    [
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "as",
        "implements",
        "interface",
        "let",
        "package",
        "private",
        "protected",
        "public",
        "static",
        "yield",
        "any",
        "boolean",
        "constructor",
        "declare",
        "get",
        "module",
        "require",
        "number",
        "set",
        "string",
        "symbol",
        "type",
        "from",
        "of",
        "await",
        "async",
        "sql",
        "relations",
    ]
)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
MAX_SAFE_INTEGER = 2**53 - 1


def string(text: str) -> str:
    """A single-quoted string literal whose value is exactly ``text``."""
    out = []
    for ch in text:
        if ch in "\\'":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ch in "\u2028\u2029\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "'" + "".join(out) + "'"


def sql(text: str) -> str:
    """A drizzle ``sql`` tagged template whose (cooked) text is exactly ``text``.

    Backslashes, backticks and ``${`` would otherwise be read by JavaScript:
    ``\\s`` in a regular expression would become ``s``.
    """
    escaped = text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
    return "sql`" + escaped + "`"


def number(value: str) -> str:
    """An integer as a number literal, or as a string where a JavaScript number would round."""
    return value if abs(int(value)) <= MAX_SAFE_INTEGER else string(value)


def jsdoc(text: str | None, indent: str = "") -> list[str]:
    """A JSDoc block holding ``text``; ``*/`` inside cannot end it early."""
    if not text:
        return []
    lines = text.replace("*/", "*\\/").splitlines() or [""]
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in lines), f"{indent} */"]


def camel(name: str) -> str:
    """``owner_user_id`` -> ``ownerUserId``; any character but a letter or digit splits words."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    if not words:
        return "_"
    head, *rest = words
    result = head[:1].lower() + head[1:] + "".join(w[:1].upper() + w[1:] for w in rest)
    return "_" + result if result[0].isdigit() else result


def property_name(name: str) -> str:
    """An object key: bare when it is an identifier, quoted otherwise."""
    return name if _IDENTIFIER.match(name) else string(name)


class Names:
    """Unique, valid variable names for one file, in the order they are asked for."""

    def __init__(self) -> None:
        self._taken: set[str] = set(_RESERVED)

    def take(self, wanted: str, suffix: str) -> str:
        name = wanted if _IDENTIFIER.match(wanted) else camel(wanted)
        if name in self._taken:
            name += suffix
        base, n = name, 2
        while name in self._taken:
            name, n = f"{base}{n}", n + 1
        self._taken.add(name)
        return name
