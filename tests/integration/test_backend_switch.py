"""A dev server keeps serving the tasks when what ``auto`` would choose changes under it.

The Quickstart's first command resets on the embedded server when no Docker
image can be had. The second, ``nox``, builds the images, so ``auto`` would
choose Docker from then on: the project's own embedded server, still running
on the dev port, must not be left behind by ``db.down``, nor block ``db.reset``
with "port already in use".
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from norberts_db.servers.docker import DockerServer
from norberts_db.settings import load_settings

from .conftest import PROJECT_ROOT, reachable_tmpdir
from .safety_helpers import clean_environment, project_environment, require_backend, run_tasks


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    """A project of its own whose ``auto`` would choose Docker: an engine and an image answer."""
    state_dir = reachable_tmpdir("norberts-db-switch-")
    tag = f"switch-{os.getpid()}"
    values = project_environment(clean_environment(), state_dir, tag, "norberts_switch")
    try:
        require_backend("docker", values)
        require_backend("embedded", values)
        settings = load_settings(project_root=PROJECT_ROOT, environ=values)
        assert DockerServer.probe(settings).problem is None
        yield values
    finally:
        for backend in ("embedded", "docker"):
            run_tasks("db.down", "--volumes", "--backend", backend, env=values)
        shutil.rmtree(state_dir, ignore_errors=True)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_auto_keeps_to_the_projects_running_embedded_server_until_it_is_stopped(
    env: dict[str, str],
) -> None:
    port = int(env["NORBERTS_DB_PORT"])
    assert run_tasks("db.up", "--backend", "embedded", env=env).code == 0
    # What the first task left behind may be gone (`git clean`, a new checkout).
    for note in Path(env["NORBERTS_DB_STATE_DIR"]).glob("running-pg*.json"):
        note.unlink()

    status = run_tasks("db.status", env=env)
    assert status.code == 0, status.output
    assert "backend: embedded (its dev server is running" in status.stderr
    reset = run_tasks("db.reset", env=env)
    assert reset.code == 0, reset.output
    assert "on embedded (PostgreSQL" in reset.stdout

    down = run_tasks("db.down", env=env)
    assert down.code == 0, down.output
    assert "backend: embedded (its dev server is running" in down.stderr
    assert not listening(port)

    # Stopped, the choice is made anew: Docker, which answers here.
    up = run_tasks("db.up", env=env)
    assert up.code == 0, up.output
    assert up.stderr.startswith("backend: docker (")
