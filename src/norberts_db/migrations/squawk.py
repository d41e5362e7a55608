"""Linting migration files with squawk (squawk-cli on PyPI): operations unsafe on a live database.

squawk flags what locks a busy table for long (a rewrite, a full-table
validation, an index built without CONCURRENTLY), a NOT NULL column added
without a default, and more. Its settings are in ``<root>/.squawk.toml``.
A file that the runner applies in one transaction is linted as such
(``--assume-in-transaction``), so that what it creates itself is not
flagged as a change to a live table.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from norberts_db.lint import Finding
from norberts_db.migrations.parts import segments
from norberts_db.sqlfile import split_statements

MIGRATIONS_DIR = Path("sql") / "migrations"
_INSTALL = "pip install -e '.[lint]' (it installs squawk-cli)"


def is_migration(path: Path, root: Path) -> bool:
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return relative.parent == MIGRATIONS_DIR


def migration_findings(files: Sequence[Path], root: Path) -> list[Finding]:
    """squawk's findings for the migration files among ``files``, as lint findings."""
    migrations = [file for file in files if is_migration(file, root)]
    if not migrations:
        return []
    program = shutil.which("squawk")
    if program is None:
        return [
            Finding(
                str(file),
                0,
                0,
                "",
                f"{file}: squawk is not installed, so this migration was "
                f"not checked for unsafe operations. Install it: {_INSTALL}.",
                fatal=True,
            )
            for file in migrations
        ]
    findings: list[Finding] = []
    for file in migrations:
        findings += _lint_one(program, file, root)
    return findings


def _lint_one(program: str, file: Path, root: Path) -> list[Finding]:
    command = [program, "--reporter", "json", "--no-error-on-unmatched-pattern"]
    config = root / ".squawk.toml"
    if config.is_file():
        command += ["--config", str(config)]
    text = file.read_text(encoding="utf-8")
    if all(part.transactional for part in segments(tuple(split_statements(text)))):
        command.append("--assume-in-transaction")
    shown = _display(file, root)
    try:
        result = subprocess.run(
            [*command, str(file)], capture_output=True, text=True, timeout=120, check=False
        )
        reports = json.loads(result.stdout or "[]")
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        message = f"{shown}: squawk could not lint this file ({exc}); it is not known to be safe."
        return [Finding(shown, 0, 0, "", message, fatal=True)]
    return [
        Finding(
            shown,
            # squawk counts lines and columns from 0.
            int(report.get("line", 0)) + 1,
            int(report.get("column", 0)) + 1,
            str(report.get("rule_name", "squawk")),
            _message(report),
            fatal=False,
        )
        for report in reports
    ]


def _message(report: dict[str, object]) -> str:
    message = " ".join(str(report.get("message", "")).split())
    help_text = report.get("help")
    return f"{message} ({' '.join(str(help_text).split())})" if help_text else message


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
