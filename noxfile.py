"""Nox sessions: lint, typecheck, unit tests, and integration tests per PostgreSQL major.

``nox`` runs them all. ``nox -s integration`` runs the integration suite once
per supported major; ``nox -s "integration(16)"`` runs one major alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nox

# Parallel sessions (allow_parallel, nox.options.parallel) arrived in this release.
nox.needs_version = ">=2026.10.20"
# uv makes a session's environment and installs the project into it in about
# 4 CPU-seconds where venv and pip take 17, and a fresh `nox` makes six of
# them. Without uv (it comes with the lint extra, beside nox) nox uses venv.
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_venv = "yes"
# The integration sessions of the four majors run at the same time, each with
# its own server on its own port. Each keeps about one core busy, so with a core
# per major four at once finish in little more than the time of the slowest
# (bench/nox_matrix_bench.py measures it). Lint and unit tests join them.
nox.options.parallel = 6

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYPROJECT_BYTES = Path("pyproject.toml").read_bytes()
MAJORS = ["15", "16", "17", "18"]


def install(session: nox.Session, *extras: str) -> None:
    """Install the project with the named extras declared in pyproject.toml."""
    declared = PYPROJECT["project"]["optional-dependencies"]
    unknown = [extra for extra in extras if extra not in declared]
    if unknown:
        session.error(f"pyproject.toml declares no extra named {', '.join(unknown)}")
    target = f".[{','.join(extras)}]" if extras else "."
    # The install is editable, so the sources need no reinstall; only what
    # pyproject.toml declares does. A reused venv that holds this very install
    # skips pip, which costs each session several CPU-seconds per run.
    digest = hashlib.sha256(PYPROJECT_BYTES + target.encode()).hexdigest()
    location = getattr(session.virtualenv, "location", None)
    stamp = Path(location, ".norberts-db-installed") if location else None
    if stamp is not None and stamp.is_file() and stamp.read_text(encoding="ascii") == digest:
        session.log(f"{target} is installed already and pyproject.toml is unchanged")
        return
    # uv writes no bytecode unless asked, and where the environment turns
    # writing it off (PYTHONDONTWRITEBYTECODE) every interpreter the suite
    # starts would compile its libraries from source. pip, which the venv
    # backend brings anyway, downloads the PostgreSQL client programs
    # (invoke pg.fetch).
    session.install("-e", target, "pip", env={"UV_COMPILE_BYTECODE": "1"})
    if stamp is not None:
        stamp.write_text(digest, encoding="ascii")


def keep_bytecode(session: nox.Session) -> None:
    """Let the interpreters a test session starts keep bytecode, in its environment's folder.

    The suite starts `invoke` and other Python programs as processes a hundred
    times per run. Where the environment turns writing bytecode off
    (PYTHONDONTWRITEBYTECODE), each compiled the toolkit's modules from source
    again: 0.45 instead of 0.33 CPU-seconds per `invoke db.verify`. The cache
    goes to the session's environment (PYTHONPYCACHEPREFIX), not the source tree.
    """
    location = getattr(session.virtualenv, "location", None)
    if location:
        session.env["PYTHONDONTWRITEBYTECODE"] = None
        session.env["PYTHONPYCACHEPREFIX"] = str(Path(location, "pycache"))


@nox.session(allow_parallel=True)
def lint(session: nox.Session) -> None:
    """Lint Python (ruff) and SQL (sqlfluff), and type-check (mypy)."""
    install(session, "lint", "test", "bench")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("invoke", "sql.lint")
    # The toolkit's own queries, with their settings in src/norberts_db/.sqlfluff.
    with session.chdir("src/norberts_db"):
        session.run("sqlfluff", "lint", ".")
    session.run("mypy")


@nox.session(allow_parallel=True)
def tests(session: nox.Session) -> None:
    """Unit tests: pure logic, no PostgreSQL server needed."""
    install(session, "test")
    keep_bytecode(session)
    session.run("pytest", "tests/unit", *session.posargs)


@nox.session(allow_parallel=True)
@nox.parametrize("pg", MAJORS, ids=MAJORS)
def integration(session: nox.Session, pg: str) -> None:
    """Integration tests against a real PostgreSQL server of one major.

    The suite's server comes the way a user's does (``auto``): a local or
    pulled image, else server binaries, and the report header says which.
    ``invoke pg.fetch`` runs first, as a user would run it: it finds server
    binaries and ``pg_dump``/``pg_restore`` already here or downloads them once
    into ``.norberts_db/pgbin/N`` (under a lock, so parallel sessions share one
    download); the embedded backend's own tests need the server binaries even
    where Docker serves the rest, and prove's dump path the client programs. Where
    it cannot (no npm), the session goes on: the suite then fails with what
    to do if no server at all can be had, rather than skipping every test.
    """
    install(session, "test")
    keep_bytecode(session)
    session.env["NORBERTS_DB_PG_VERSION"] = pg
    session.run("invoke", "pg.fetch", "--pg", pg, success_codes=[0, 1])
    # Where an engine answers but no image of this major can be had, the Docker
    # tests would have none: build it, as a user would (under a lock, once).
    session.run("invoke", "image.build", "--pg", pg, "--if-missing", success_codes=[0, 1])
    session.run("pytest", "tests/integration", *session.posargs)
