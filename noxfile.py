"""Nox sessions: lint, typecheck, unit tests, and integration tests per PostgreSQL major.

``nox`` runs them all. ``nox -s integration`` runs the integration suite once
per supported major; ``nox -s "integration(16)"`` runs one major alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "venv"
nox.options.reuse_venv = "yes"

PYPROJECT = nox.project.load_toml("pyproject.toml")
MAJORS = ["15", "16", "17", "18"]
ROOT = Path(__file__).resolve().parent
LOG_DIR = ROOT / ".nox" / "integration-logs"


def install(session: nox.Session, *extras: str) -> None:
    """Install the project with the named extras declared in pyproject.toml."""
    declared = PYPROJECT["project"]["optional-dependencies"]
    unknown = [extra for extra in extras if extra not in declared]
    if unknown:
        session.error(f"pyproject.toml declares no extra named {', '.join(unknown)}")
    session.install("-e", f".[{','.join(extras)}]" if extras else ".")


@nox.session
def lint(session: nox.Session) -> None:
    """Lint Python (ruff) and SQL (sqlfluff), and type-check (mypy)."""
    install(session, "lint", "test", "bench")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("invoke", "sql.lint")
    session.run("mypy")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests: pure logic, no PostgreSQL server needed."""
    install(session, "test")
    session.run("pytest", "tests/unit", *session.posargs)


# One nox process runs sessions one after another. So that `nox -s integration`
# takes about as long as its slowest major instead of the sum, the first
# integration session of a run starts pytest for every integration session
# still queued, each against its own server on its own port, and every session
# then waits for its own run and reports it. Selecting one major starts only that one.
_RUNS: dict[str, tuple[subprocess.Popen[bytes], Path, float]] = {}


@nox.session
@nox.parametrize("pg", MAJORS, ids=MAJORS)
def integration(session: nox.Session, pg: str) -> None:
    """Integration tests against a real PostgreSQL server of one major."""
    install(session, "test")
    for major in [pg, *_queued_integration_majors(session)]:
        if major not in _RUNS:
            _RUNS[major] = _start_pytest(session, major)
    process, log, started = _RUNS.pop(pg)
    code = process.wait()
    session.log(f"PostgreSQL {pg}: pytest finished in {time.monotonic() - started:.1f} s")
    sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
    if code not in (0, 5):
        session.error(f"integration tests against PostgreSQL {pg} failed (pytest exit {code})")
    if code == 5:
        session.error(f"no integration test ran against PostgreSQL {pg}")


def _start_pytest(session: nox.Session, major: str) -> tuple[subprocess.Popen[bytes], Path, float]:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"pg{major}.log"
    env = {**os.environ, "NORBERTS_DB_PG_VERSION": major}
    env.update({k: v for k, v in session.env.items() if v is not None})
    python = Path(session.virtualenv.bin) / "python"
    command = [str(python), "-m", "pytest", "tests/integration", *session.posargs]
    handle: IO[bytes] = log.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    return process, log, time.monotonic()


def _queued_integration_majors(session: nox.Session) -> list[str]:
    """Majors of the integration sessions this nox run has still queued.

    Reads nox's session manifest, which has no public accessor from inside a
    session; if that ever changes, each session simply runs its own major.
    """
    manifest = getattr(getattr(session, "_runner", None), "manifest", None)
    if manifest is None:
        return []
    majors = []
    for runner, queued in manifest.list_all_sessions():
        call_spec = getattr(runner.func, "call_spec", {})
        if queued and runner.name.startswith("integration") and "pg" in call_spec:
            majors.append(str(call_spec["pg"]))
    return [m for m in majors if m in MAJORS]
