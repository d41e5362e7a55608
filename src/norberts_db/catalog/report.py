"""Rendering verify and drop-check results: text for people, JSON for programs, GitHub for CI.

Every renderer is a pure function of the result, and its output is
deterministic: differences are already sorted, and JSON keys are sorted too.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from typing import Any, Literal

from norberts_db.catalog.locate import locate
from norberts_db.catalog.model import Change, Difference, Status
from norberts_db.catalog.results import DropCheckResult, VerifyResult

Format = Literal["text", "json", "github"]
FORMATS: tuple[Format, ...] = ("text", "json", "github")
JSON_VERSION = 1

_VERIFY_SECTIONS: tuple[tuple[Status, str], ...] = (
    ("missing", "Missing in the database"),
    ("unexpected", "Unexpected in the database"),
    ("changed", "Changed"),
)
_DROP_SECTIONS: tuple[tuple[Status, str], ...] = (
    ("unexpected", "Left behind by the drop script"),
    ("missing", "Removed, although an empty database has them"),
    ("changed", "Changed from what an empty database has"),
)
# In a drop check the expected side is the empty database, so the words change.
_DROP_STATUS = {"unexpected": "left_behind", "missing": "removed", "changed": "changed"}
# "file:line:column: " at the start of an SqlScriptError message.
_SCRIPT_POSITION = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):\d+: ")


def render(result: VerifyResult | DropCheckResult, fmt: Format = "text") -> str:
    """The result in one of :data:`FORMATS`."""
    renderers = {"text": render_text, "json": render_json, "github": render_github}
    return renderers[fmt](result)


# -- text ---------------------------------------------------------------------------------------


def render_text(result: VerifyResult | DropCheckResult) -> str:
    text = _drop_text(result) if isinstance(result, DropCheckResult) else _verify_text(result)
    if result.error is None and result.notes:
        text += "\n\n" + "\n".join(f"note: {note}" for note in result.notes)
    return text


def _verify_text(result: VerifyResult) -> str:
    if result.error is not None:
        return (
            f"error: could not verify {result.database} against {result.schema_file}:\n"
            f"{result.error}"
        )
    if not result.differences:
        text = (
            f"matches: {result.database} matches {result.schema_file} "
            f"({result.objects_compared} objects compared)"
        )
        if result.not_compared:
            text = (
                f"matches, except what was not compared: {result.database} matches "
                f"{result.schema_file} in the {result.objects_compared} objects compared"
            )
        return "\n".join([text, *_not_compared_lines(result)])
    lines = [f"drift: {result.database} does not match {result.schema_file}"]
    lines += _sections(result.differences, _VERIFY_SECTIONS)
    lines += _not_compared_lines(result)
    lines += [
        "",
        f"{_plural(len(result.differences), 'difference')}: {result.count('missing')} missing, "
        f"{result.count('unexpected')} unexpected, {result.count('changed')} changed "
        f"({result.objects_compared} objects compared)",
    ]
    return "\n".join(lines)


def _not_compared_lines(result: VerifyResult) -> list[str]:
    """What could not be read: neither a match nor a drift, so said apart."""
    if not result.not_compared:
        return []
    title = f"Not compared ({len(result.not_compared)}):"
    return ["", title, *(f"  {item}" for item in result.not_compared)]


def _drop_text(result: DropCheckResult) -> str:
    if result.error is not None:
        return (
            f"error: could not check {result.drop_script} against {result.schema_file}:\n"
            f"{result.error}"
        )
    if result.status == "clean":
        return (
            f"clean: {result.drop_script} runs on an empty database and removes everything "
            f"{result.schema_file} creates ({result.objects_created} objects)"
        )
    lines = [f"dirty: {result.drop_script} does not undo {result.schema_file}"]
    failures = (
        ("The drop script fails on an empty database:", result.empty_run_error),
        ("The drop script fails after the schema was applied:", result.drop_error),
        ("The schema fails when run again after the drop script:", result.rerun_error),
    )
    for title, error in failures:
        if error is not None:
            lines += ["", title, *_indent(error.splitlines(), 2)]
    lines += _sections(result.leftovers, _DROP_SECTIONS)
    lines += ["", _drop_summary(result)]
    return "\n".join(lines)


def _drop_summary(result: DropCheckResult) -> str:
    parts = [
        f"{result.count('unexpected')} left behind",
        f"{result.count('missing')} removed",
        f"{result.count('changed')} changed",
    ]
    if result.empty_run_error:
        parts.append("fails on an empty database")
    if result.drop_error:
        parts.append("fails after the schema")
    if result.rerun_error:
        parts.append("the schema fails after it")
    return f"{', '.join(parts)} ({result.objects_created} objects created by the schema)"


def _sections(
    differences: Iterable[Difference], sections: tuple[tuple[Status, str], ...]
) -> list[str]:
    lines: list[str] = []
    grouped = list(differences)
    for status, title in sections:
        chosen = [d for d in grouped if d.status == status]
        if not chosen:
            continue
        lines += ["", f"{title} ({len(chosen)}):"]
        for difference in chosen:
            lines.append(f"  {difference.kind} {difference.name}")
            for change in difference.changes:
                lines += _change_lines(change)
    return lines


def _change_lines(change: Change) -> list[str]:
    expected, found = _shown(change.expected), _shown(change.found)
    if "\n" not in expected + found:
        return [f"    {change.attribute}: expected {expected}, found {found}"]
    # A function body or view definition: a diff says more than two long values.
    diff = difflib.unified_diff(
        expected.splitlines(), found.splitlines(), "expected", "found", lineterm="", n=2
    )
    return [f"    {change.attribute}: differs (- expected, + found):", *_indent(diff, 6)]


def _shown(value: str | None) -> str:
    return "(none)" if value is None else value


def _indent(lines: Iterable[str], width: int) -> list[str]:
    return [" " * width + line for line in lines]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


# -- JSON ---------------------------------------------------------------------------------------


def render_json(result: VerifyResult | DropCheckResult) -> str:
    document = _drop_json(result) if isinstance(result, DropCheckResult) else _verify_json(result)
    if result.error is not None:
        # Every error document of the toolkit carries the message under this name.
        document["message"] = result.error
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def _verify_json(result: VerifyResult) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "status": result.status,
        "schema_file": result.schema_file,
        "database": result.database,
        "objects_compared": result.objects_compared,
        "error": result.error,
        "notes": list(result.notes),
        "not_compared": list(result.not_compared),
        "summary": {status: result.count(status) for status, _ in _VERIFY_SECTIONS},
        "differences": [_difference_json(d, d.status) for d in result.differences],
    }


def _drop_json(result: DropCheckResult) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "status": result.status,
        "schema_file": result.schema_file,
        "drop_script": result.drop_script,
        "server": result.server,
        "objects_created": result.objects_created,
        "error": result.error,
        "empty_database": {"ok": result.empty_run_error is None, "error": result.empty_run_error},
        "after_schema": {"ok": result.drop_error is None, "error": result.drop_error},
        "schema_again": {"ok": result.rerun_error is None, "error": result.rerun_error},
        "notes": list(result.notes),
        "summary": {_DROP_STATUS[s]: result.count(s) for s, _ in _DROP_SECTIONS},
        "differences": [_difference_json(d, _DROP_STATUS[d.status]) for d in result.leftovers],
    }


def _difference_json(difference: Difference, status: str) -> dict[str, Any]:
    return {
        "kind": difference.kind,
        "object": difference.name,
        "status": status,
        "changes": [
            {"attribute": c.attribute, "expected": c.expected, "found": c.found}
            for c in difference.changes
        ],
    }


# -- GitHub workflow commands -------------------------------------------------------------------


def render_github(result: VerifyResult | DropCheckResult) -> str:
    """One ``::error`` workflow command per difference or failure; a ``::notice`` when clean."""
    if isinstance(result, DropCheckResult):
        return _drop_github(result)
    if result.error is not None:
        return error_annotation("Schema verify failed", result.error, result.schema_file)
    if not result.differences:
        return annotation("notice", "Schema verified", render_text(result), file=result.schema_file)
    lines = []
    for difference in result.differences:
        line = locate(result.script, difference.key) if result.script else None
        lines.append(
            annotation(
                "error",
                "Schema drift",
                _github_message(difference),
                file=result.schema_file,
                line=line,
            )
        )
    return "\n".join(lines)


def _drop_github(result: DropCheckResult) -> str:
    if result.error is not None:
        return error_annotation("Drop script check failed", result.error, result.drop_script)
    if result.status == "clean":
        return annotation(
            "notice", "Drop script checked", render_text(result), file=result.drop_script
        )
    lines = [
        error_annotation(title, error, result.drop_script)
        for title, error in (
            ("Drop script fails on an empty database", result.empty_run_error),
            ("Drop script fails after the schema", result.drop_error),
            ("Schema fails after the drop script", result.rerun_error),
        )
        if error is not None
    ]
    for difference in result.leftovers:
        verb = {"unexpected": "is left behind", "missing": "is removed", "changed": "is changed"}
        message = (
            f"{difference.kind} {difference.name} {verb[difference.status]} by the drop script"
        )
        lines.append(annotation("error", "Drop script leftover", message, file=result.drop_script))
    return "\n".join(lines)


def _github_message(difference: Difference) -> str:
    subject = f"{difference.kind} {difference.name}"
    if difference.status == "missing":
        return f"{subject} is missing in the database"
    if difference.status == "unexpected":
        return f"{subject} is in the database but not in the schema file"
    changes = [line.removeprefix("    ") for c in difference.changes for line in _change_lines(c)]
    return "\n".join([f"{subject} differs from the schema file:", *changes])


def error_annotation(title: str, message: str, default_file: str) -> str:
    """An ``::error`` at the file and line the message starts with, else at ``default_file``."""
    position = _SCRIPT_POSITION.match(message)
    if position is None:
        return annotation("error", title, message, file=default_file)
    return annotation("error", title, message, file=position["file"], line=int(position["line"]))


def annotation(
    level: str, title: str, message: str, *, file: str | None = None, line: int | None = None
) -> str:
    """A GitHub Actions workflow command, escaped as the runner requires."""
    properties = []
    if file:
        properties.append(f"file={escape_property(file)}")
    if line is not None:
        properties.append(f"line={line}")
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
