"""Linting the SQL files with sqlfluff (postgres dialect), as a library call.

sqlfluff's settings come from ``[tool.sqlfluff.*]`` in ``<root>/pyproject.toml``
and from nowhere else: not from the current directory, not from ``~/.sqlfluff``,
so that every machine and CI lints alike.

Exit codes a CI can branch on: 0 clean, 1 rule violations, 2 something could
not be linted (a missing or unreadable path, a templating, lexing or parsing
error, a file sqlfluff skipped). A file sqlfluff did not lint is never
reported as clean.

PL/pgSQL bodies: sqlfluff's postgres dialect reads a ``$$ ... $$`` function body
as one dollar-quoted string literal, so no rule looks inside it. The bodies
are checked by the server when the schema is applied (``invoke db.create``
and the integration tests), not here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlfluff.core import (
    FluffConfig,
    Linter,
    SQLBaseError,
    SQLFluffUserError,
    SQLLexError,
    SQLLintError,
    SQLParseError,
    SQLTemplaterError,
)
from sqlfluff.core.linter import LintedFile

from norberts_db.errors import SettingsError, SqlFileError
from norberts_db.sqlfile import read_sql_text

FORMATS = ("text", "github")
# Searched recursively, so sql/migrations/ is included once it exists.
DEFAULT_PATHS = ("sql",)
CLEAN, VIOLATIONS, NOT_LINTED = 0, 1, 2

# What to say in front of sqlfluff's own message when it could not get as far
# as applying the rules.
_CANNOT = {
    SQLTemplaterError: "sqlfluff cannot template this file",
    SQLLexError: "sqlfluff cannot lex this SQL",
    SQLParseError: "sqlfluff cannot parse this SQL",
}
_POSITION_PREFIX = re.compile(r"^Line \d+, Position \d+: ")


@dataclass(frozen=True)
class LintReport:
    """What to print, and the exit code (0 clean, 1 violations, 2 could not lint)."""

    text: str
    exit_code: int


@dataclass(frozen=True)
class Finding:
    """One thing to report. ``line`` 0: about the whole file (its message names it)."""

    file: str
    line: int
    column: int
    code: str
    message: str
    fatal: bool  # the file could not be linted, so it is not known to be clean


def lint_paths(paths: Sequence[Path], *, root: Path, fmt: str = "text") -> LintReport:
    """Lint the .sql files at ``paths`` (directories recursively; default ``sql/``)."""
    if fmt not in FORMATS:
        raise SettingsError(f"unknown lint format {fmt!r}: use one of {', '.join(FORMATS)}.")
    files, findings = _collect(paths, root)
    with _sqlfluff_log() as notes:
        findings += _findings(files, _run(files, root, fix=False), root)
    # Migration files are also checked for operations unsafe on a live database.
    from norberts_db.migrations.squawk import migration_findings

    findings += migration_findings(files, root)
    return _report(findings, notes, len(files), fmt=fmt)


def fix_paths(paths: Sequence[Path], *, root: Path) -> LintReport:
    """Apply the fixes sqlfluff can make, rewrite the files, and report what is left."""
    files, findings = _collect(paths, root)
    before = {file: file.read_bytes() for file in files}
    with _sqlfluff_log() as notes:
        fixing = _run(files, root, fix=True)
        # Linting again is the only sure way to know what the fixes left.
        findings += _findings(files, _run(files, root, fix=False), root)
    lines = [
        f"fixed {_display(file, root)}: {', '.join(_fixed_codes(fixing.get(file.resolve())))}"
        for file in files
        if file.read_bytes() != before[file]
    ]
    if any(f.fatal for f in findings):
        lines.append("A file sqlfluff cannot template or parse is left as it was.")
    report = _report(findings, notes, len(files), fmt="text")
    return LintReport("\n".join([*lines, report.text]), report.exit_code)


def _collect(paths: Sequence[Path], root: Path) -> tuple[list[Path], list[Finding]]:
    """The .sql files to lint, and a finding for each path that cannot be linted."""
    files: dict[Path, Path] = {}  # by resolved path, so a file named twice is linted once
    problems: list[Finding] = []
    for path in paths or [root / name for name in DEFAULT_PATHS]:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.sql") if p.is_file())
            if not found:
                problems.append(_problem(path, f"{path}: the directory holds no .sql files."))
        elif path.exists() and path.suffix.lower() != ".sql":
            problems.append(_problem(path, f"{path}: not a .sql file. Give .sql files only."))
            found = []
        else:
            found = [path]
        for file in found:
            try:
                read_sql_text(file)
            except SqlFileError as exc:
                problems.append(_problem(file, str(exc)))
            else:
                files.setdefault(file.resolve(), file)
    return list(files.values()), problems


def _problem(path: Path, message: str) -> Finding:
    return Finding(str(path), 0, 0, "", message, fatal=True)


# The violations of each file by resolved path; None: sqlfluff skipped the file.
Linted = dict[Path, list[SQLBaseError] | None]


def _run(files: list[Path], root: Path, *, fix: bool) -> Linted:
    """Lint ``files``; with ``fix``, also rewrite them with the fixes sqlfluff can make."""
    if not files:
        return {}
    try:
        result = Linter(config=_config(root)).lint_paths(
            tuple(str(file) for file in files),
            fix=fix,
            apply_fixes=fix,
            # The files were chosen above; .sqlfluffignore must not drop one silently.
            ignore_files=False,
        )
    except SQLFluffUserError as exc:
        raise SettingsError(f"sqlfluff cannot lint with these settings: {exc}") from None
    return {Path(lf.path).resolve(): _violations(lf) for d in result.paths for lf in d.files}


def _findings(files: list[Path], linted: Linted, root: Path) -> list[Finding]:
    findings: list[Finding] = []
    for file in files:
        violations = linted.get(file.resolve())
        if violations is None:
            findings.append(_not_linted(_display(file, root)))
        else:
            findings += [_finding(_display(file, root), v) for v in violations]
    return findings


def _fixed_codes(violations: list[SQLBaseError] | None) -> list[str]:
    return sorted({v.rule_code() for v in violations or () if v.fixable})


def _violations(linted: LintedFile) -> list[SQLBaseError] | None:
    """The file's violations, or None when sqlfluff skipped it.

    A file over ``large_file_skip_char_limit`` comes back with no tree, no
    templated text and no violations, which would otherwise read as clean.
    """
    skipped = linted.tree is None and linted.templated_file is None
    if skipped and all(isinstance(v, SQLLintError) for v in linted.violations):
        return None
    return linted.get_violations()


def _config(root: Path) -> FluffConfig:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise SettingsError(
            f"{pyproject}: not found. The lint settings live in its [tool.sqlfluff.*] sections."
        )
    try:
        return FluffConfig.from_path(
            str(root), extra_config_path=str(pyproject), ignore_local_config=True
        )
    except SQLFluffUserError as exc:
        raise SettingsError(f"{pyproject}: unusable [tool.sqlfluff] settings: {exc}") from None
    except KeyError as exc:
        # sqlfluff reports an unknown dialect this way, not as a user error.
        raise SettingsError(
            f"{pyproject}: unusable [tool.sqlfluff] settings: {exc.args[0] if exc.args else exc}. "
            "Check dialect in [tool.sqlfluff.core] (ours is postgres)."
        ) from None


def _finding(file: str, violation: SQLBaseError) -> Finding:
    message = " ".join(violation.desc().split())
    cannot = next((say for kind, say in _CANNOT.items() if isinstance(violation, kind)), None)
    if cannot:
        message = f"{cannot}: {_POSITION_PREFIX.sub('', message)}"
    line, column = max(violation.line_no, 1), max(violation.line_pos, 1)
    fatal = not isinstance(violation, SQLLintError)
    return Finding(file, line, column, violation.rule_code(), message, fatal)


def _not_linted(file: str) -> Finding:
    message = (
        f"{file}: sqlfluff did not lint this file (it skipped it or failed on it; "
        "see its note above), so it is not known to be clean."
    )
    return Finding(file, 0, 0, "", message, fatal=True)


def _display(path: Path, root: Path) -> str:
    """The path relative to the project root when it lies inside, else as given."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # The first line only: an internal error's note carries a whole traceback.
        self.messages.append(next(iter(record.getMessage().strip().splitlines()), ""))


@contextmanager
def _sqlfluff_log() -> Iterator[list[str]]:
    """Collect sqlfluff's logged warnings (a skipped file, say) instead of printing them."""
    logger = logging.getLogger("sqlfluff")
    handler, propagate = _Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _report(findings: list[Finding], notes: list[str], n_files: int, *, fmt: str) -> LintReport:
    findings = sorted(findings, key=lambda f: (f.line > 0, f.file, f.line, f.column))
    render = _github if fmt == "github" else _text
    lines = [render(note=note) for note in dict.fromkeys(notes)]  # fix_paths lints twice
    lines += [render(finding=f) for f in findings]
    lines.append(_summary(findings, n_files))
    if any(f.fatal for f in findings):
        return LintReport("\n".join(lines), NOT_LINTED)
    return LintReport("\n".join(lines), VIOLATIONS if findings else CLEAN)


def _text(*, finding: Finding | None = None, note: str = "") -> str:
    if finding is None:
        return f"sqlfluff: {note}"
    if finding.line == 0:
        return finding.message
    return f"{finding.file}:{finding.line}:{finding.column}: {finding.code} {finding.message}"


def _github(*, finding: Finding | None = None, note: str = "") -> str:
    """A GitHub Actions workflow command, escaped as GitHub's toolkit does."""
    if finding is None:
        return f"::warning title=sqlfluff::{_escape_data(note)}"
    props = {"file": finding.file}
    if finding.line:
        props |= {"line": str(finding.line), "col": str(finding.column)}
    props["title"] = f"sqlfluff {finding.code}".strip()
    joined = ",".join(f"{key}={_escape_property(value)}" for key, value in props.items())
    return f"::error {joined}::{_escape_data(finding.message)}"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _summary(findings: list[Finding], n_files: int) -> str:
    violations = [f for f in findings if not f.fatal]
    broken = {f.file for f in findings if f.fatal}
    parts = []
    if violations:
        in_files = _count(len({f.file for f in violations}), "file")
        parts.append(f"{_count(len(violations), 'violation')} in {in_files}")
    if broken:
        parts.append(f"{_count(len(broken), 'file')} could not be linted")
    return "; ".join(parts) or f"sql: {_count(n_files, 'file')} clean"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
