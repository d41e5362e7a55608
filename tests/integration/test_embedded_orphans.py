"""Embedded servers that outlive their files, and a ``db.up`` killed during initdb.

Real PostgreSQL processes, each test in its own throwaway project on its own
port. A state folder deleted while the server runs (``git clean -fdx``) is
deleted for real; PostgreSQL itself shuts such a server down once it sees
its lock file gone (it looks once a minute), so those tests ask their
questions right after the deletion. The variants where the folder is moved
instead leave the server running for good.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from norberts_db import commands, db_commands, pgbinaries
from norberts_db.errors import NorbertsDbError, ServerError
from norberts_db.servers import _processes
from norberts_db.servers._embedded_files import SYSTEM_STATE
from norberts_db.servers._pgdata import SHARED_MEMORY, Layout
from norberts_db.servers._serveruser import chown_to, reachable_binaries, run, server_user
from norberts_db.servers.embedded import EmbeddedServer
from tests.integration import conftest
from tests.integration.conftest import PROJECT_ROOT
from tests.integration.conftest import reachable_tmpdir as reachable_named_tmpdir
from tests.integration.safety_helpers import command_lines
from tests.integration.shm_helpers import (
    children_of,
    listed_segments,
    mapped_by,
    remove_left_by_dead_postmasters,
    sweep_lock,
)
from tests.integration.test_embedded_server import (
    MAJOR,
    Project,
    find_binaries,
    query_one,
    reachable_tmpdir,
)

pytestmark = pytest.mark.embedded


@pytest.fixture(scope="module")
def binaries() -> pgbinaries.PgBinaries:
    found = find_binaries(MAJOR)
    if found is None:
        pytest.skip(f"no PostgreSQL {MAJOR} server binaries (NORBERTS_DB_PG_VERSION)")
    return found


@pytest.fixture
def projects(binaries: pgbinaries.PgBinaries) -> Iterator[list[Project]]:
    """Makes throwaway projects; stops whatever runs in them, orphans included."""
    made: list[Project] = []
    yield made
    for project in made:
        project.destroy()
        root = str(project.root)
        for process in _processes.programs():
            started_here = (process.data or "").startswith(root + "/")
            if process.marked_project == root or started_here:
                _processes.stop(process, signal.SIGKILL, timeout=30)


def new_project(projects: list[Project], *, port: int | None = None) -> Project:
    project = Project.create(reachable_tmpdir())
    projects.append(project)
    if port is not None:
        config = project.root / "pyproject.toml"
        lines = config.read_text(encoding="utf-8").splitlines()
        config.write_text(
            "\n".join(f"port = {port}" if line.startswith("port =") else line for line in lines),
            encoding="utf-8",
        )
    return project


def started(project: Project) -> int:
    project.server().up()
    pid = project.postmaster_pid()
    assert pid is not None
    return pid


def alive(pid: int) -> bool:
    """Whether ``pid`` runs; a process that ended but is not yet reaped (a zombie) does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def ended(pid: int) -> bool:
    """Whether ``pid`` ends within 30 s (a stopped server is gone a moment after it says so)."""
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


def running_and_another_on_its_port(projects: list[Project]) -> tuple[Project, int, Project]:
    """A project with its server running (and its pid), and a second set to the same port."""
    first = new_project(projects)
    pid = started(first)
    return first, pid, new_project(projects, port=first.server().settings.effective_port)


def refused_by_up_then_status_then_down(project: Project) -> tuple[list[str], str]:
    """The error of ``db.up`` and the detail of ``db.status``; what ``db.down`` then says."""
    with pytest.raises(ServerError) as up_error:
        project.server().up()
    return [str(up_error.value), project.server().state().detail], project.server().down()


def git_clean(project: Project) -> None:
    """What ``git clean -fdx`` does to the git-ignored state folder."""
    shutil.rmtree(project.root / ".norberts_db")


# -- the state folder deleted while the server runs ------------------------------------


def test_a_server_whose_state_folder_was_deleted_is_named_and_stopped_by_down(
    projects: list[Project],
) -> None:
    project = new_project(projects)
    shutil.copytree(PROJECT_ROOT / "sql", project.root / "sql")
    pid = started(project)
    port = project.server().settings.effective_port
    git_clean(project)

    status = commands.status(project.settings(), note=lambda _: None)
    with pytest.raises(ServerError) as up_error:
        project.server().up()
    with pytest.raises(ServerError) as reset_error:
        db_commands.reset(project.settings(), allow_remote=False, note=lambda _: None)
    stopped = commands.down(project.settings(), volumes=False, allow_remote=False, note=print)

    for said in (status, str(up_error.value), str(reset_error.value)):
        assert f"pid {pid} on 127.0.0.1:{port}" in said
        assert "was deleted while it ran" in said
        assert "`invoke db.down`" in said
        assert "another program" not in said
        assert "not created" not in said
    assert f"Stopped the orphaned PostgreSQL server (pid {pid}" in stopped
    assert ended(pid)
    assert project.server().up().version.startswith(f"{MAJOR}.")
    assert query_one(project.server(), "SELECT 1") == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root caller keeps data in /var/lib")
def test_data_kept_in_var_lib_stays_reachable_after_the_state_folder_was_deleted(
    binaries: pgbinaries.PgBinaries,
) -> None:
    locked = Path(tempfile.mkdtemp(prefix="norberts-locked-", dir="/tmp"))  # mode 0700
    (locked / "project").mkdir()
    project = Project.create(locked / "project")
    server = project.server()
    try:
        server.up()
        pid = project.postmaster_pid()
        with psycopg.connect(**server.conninfo.connect_kwargs(), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (note text)")
            conn.execute("INSERT INTO kept VALUES ('still here')")
        git_clean(project)

        state = project.server().state()
        again = project.server()
        again.up()

        assert server.layout.root.is_relative_to(SYSTEM_STATE)
        assert state.running
        assert project.postmaster_pid() == pid
        assert query_one(again, "SELECT note FROM kept") == "still here"
    finally:
        with contextlib.suppress(NorbertsDbError):
            project.server().down(volumes=True)
        shutil.rmtree(server.layout.root.parents[1], ignore_errors=True)
        Project(locked).destroy()


def test_a_server_whose_data_directory_was_moved_away_is_named_and_stopped_cleanly(
    projects: list[Project],
) -> None:
    project = new_project(projects)
    pid = started(project)
    layout = project.server().layout
    elsewhere = reachable_tmpdir() / "kept"
    projects.append(Project(elsewhere.parent))
    shutil.move(layout.root, elsewhere)

    state = project.server().state()
    with pytest.raises(ServerError) as up_error:
        project.server().up()
    stopped = project.server().down()

    for said in (state.detail, str(up_error.value)):
        assert f"pid {pid}" in said
        assert f"moved from {layout.data} to {elsewhere / 'data'}" in said
        assert "`invoke db.down`" in said
    assert not state.running
    assert f"Stopped the orphaned PostgreSQL server (pid {pid}" in stopped
    assert ended(pid)
    # Fast shutdown: the moved cluster was closed cleanly and is whole.
    assert not (elsewhere / "data" / "postmaster.pid").exists()
    assert (elsewhere / "data" / "PG_VERSION").is_file()


def test_a_checkout_moved_while_its_server_runs_still_owns_that_server(
    projects: list[Project],
) -> None:
    project = new_project(projects)
    pid = started(project)
    moved = Project(reachable_tmpdir() / "checkout")
    projects.append(Project(moved.root.parent))
    shutil.move(project.root, moved.root)

    state = moved.server().state()
    moved.server().up()
    stopped = moved.server().down()

    assert state.running
    assert f"pid {pid}" in state.detail
    assert f"Stopped the embedded PostgreSQL {MAJOR} server (pid {pid})" in stopped
    assert ended(pid)


# -- someone else on the port ----------------------------------------------------------


def test_the_server_of_another_project_on_the_port_is_named_and_left_running(
    projects: list[Project],
) -> None:
    first, pid, second = running_and_another_on_its_port(projects)

    refusals, said_down = refused_by_up_then_status_then_down(second)

    for said in refusals:
        assert f"the embedded PostgreSQL server of the project {first.root} (pid {pid}" in said
        assert f"`invoke db.down` in {first.root}" in said
    assert "Stopped" not in said_down
    assert f"port {second.server().settings.effective_port} is in use by" in said_down
    assert f"`invoke db.down` in {first.root}" in said_down
    assert alive(pid)
    assert first.server().state().running


def test_an_orphan_of_a_deleted_project_on_the_port_is_stopped_by_down_here(
    projects: list[Project],
) -> None:
    gone, pid, here = running_and_another_on_its_port(projects)
    shutil.rmtree(gone.root)

    with pytest.raises(ServerError) as up_error:
        here.server().up()
    stopped = here.server().down()

    said = str(up_error.value)
    assert f"an orphaned embedded PostgreSQL server started for {gone.root} (pid {pid})" in said
    assert "`invoke db.down` here stops it" in said
    assert f"Stopped the orphaned PostgreSQL server (pid {pid}" in stopped
    assert ended(pid)
    assert here.server().up().version.startswith(f"{MAJOR}.")


def test_a_postgres_the_toolkit_did_not_start_is_named_and_never_stopped(
    projects: list[Project], binaries: pgbinaries.PgBinaries
) -> None:
    foreign = reachable_tmpdir()
    projects.append(Project(foreign))
    project = new_project(projects)
    port = project.server().settings.effective_port
    pg_ctl = _start_by_hand(foreign, port, project.server())
    try:
        pid = int((foreign / "by-hand" / "data" / "postmaster.pid").read_text().split()[0])

        refusals, said_down = refused_by_up_then_status_then_down(project)

        for said in refusals:
            assert f"a PostgreSQL server that this toolkit did not start (pid {pid}" in said
            assert "left alone" in said
        assert "Stopped" not in said_down
        assert alive(pid)
    finally:
        pg_ctl("stop", "-m", "immediate")


def _start_by_hand(folder: Path, port: int, server: EmbeddedServer) -> Callable[..., object]:
    """A PostgreSQL started without the toolkit: initdb and pg_ctl as a person would."""
    user = server_user()
    stage = folder / "pgbin"
    found = pgbinaries.require(MAJOR, state_dir=stage, explicit=server.settings.pg_bin_dir)
    binaries = reachable_binaries(found, user, stage)
    home = folder / "by-hand"
    home.mkdir(mode=0o700)
    chown_to(home, user)
    data = home / "data"

    def pg_program(name: str, *args: str) -> subprocess.CompletedProcess[str]:
        result = run(user, [str(binaries.program(name)), *args], cwd=home, timeout=120)
        assert result.returncode == 0, result.stderr
        return result

    pg_program("initdb", "-D", str(data), "--auth=trust", "-U", "someone")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
    pg_program("pg_ctl", "start", "-D", str(data), "-w", "-l", str(home / "log"), "-o", options)
    return lambda *args: pg_program("pg_ctl", *args, "-D", str(data), "-w")


# -- a db.up killed during initdb ------------------------------------------------------


@pytest.mark.parametrize("initdb_left", ["still-running", "ended"])
def test_kill_9_of_db_up_during_initdb_leaves_no_password_and_the_next_up_recovers(
    binaries: pgbinaries.PgBinaries, initdb_left: str
) -> None:
    state = reachable_named_tmpdir("norberts-orphan-initdb-")
    password = "pw-" + os.urandom(12).hex()
    settings = conftest.test_server_settings(state, backend="embedded", password=password)
    layout = EmbeddedServer(settings).layout
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORBERTS_DB_")}
    env |= {
        "NORBERTS_DB_BACKEND": "embedded",
        "NORBERTS_DB_PG_VERSION": str(MAJOR),
        "NORBERTS_DB_STATE_DIR": str(state),
        "NORBERTS_DB_PORT": str(settings.effective_port),
        "NORBERTS_DB_PASSWORD": password,
        "NORBERTS_DB_DATABASE": settings.database,
        "NORBERTS_DB_PG_BIN_DIR": str(settings.pg_bin_dir or binaries.bin_dir),
        # initdb itself is under test: no kept cluster stands in for it.
        "NORBERTS_DB_CLUSTER_CACHE": "off",
    }
    # Its own session, so that the kill below reaches the invoke process only.
    up = subprocess.Popen(
        [sys.executable, "-m", "invoke", "db.up"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        initdb = _wait_for_initdb(up, layout, password)
        if initdb_left == "still-running":
            # Frozen, it is certain to be still there when the next up starts.
            os.kill(initdb, signal.SIGSTOP)
        os.kill(up.pid, signal.SIGKILL)
        up.communicate(timeout=60)
        if initdb_left == "ended":  # its output goes nowhere now: SIGPIPE, or done
            assert ended(initdb)

        assert alive(initdb) == (initdb_left == "still-running")
        assert _files_holding(password, state) == []
        assert all(password.encode() not in b" ".join(argv) for argv in command_lines())

        again = subprocess.run(
            [sys.executable, "-m", "invoke", "db.up"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        server = EmbeddedServer(settings)

        assert again.returncode == 0, again.stderr
        assert f"embedded: PostgreSQL {MAJOR}." in again.stdout
        assert "interrupted while creating the cluster" in again.stderr
        stopped_it = f"stopping its initdb (pid {initdb}" in again.stderr
        assert stopped_it == (initdb_left == "still-running")
        assert "Traceback" not in again.stderr
        assert ended(initdb)
        assert _processes.marked_for(layout.data_in_progress) == []
        assert query_one(server, "SELECT current_user") == settings.user
        assert _files_holding(password, state) == []
    finally:
        for process in _processes.programs():
            if process.marked_data in (str(layout.data), str(layout.data_in_progress)):
                _processes.stop(process, signal.SIGKILL, timeout=30)
        with contextlib.suppress(NorbertsDbError):
            EmbeddedServer(settings).down(volumes=True)
        shutil.rmtree(state, ignore_errors=True)


def _wait_for_initdb(up: subprocess.Popen[bytes], layout: Layout, password: str) -> int:
    """The pid of the initdb that ``up`` runs, as soon as there is one.

    While it runs, no file beside the data directory holds the password.
    """
    work = str(layout.data_in_progress)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        for process in _processes.programs():
            if process.program == "initdb" and process.data == work:
                beside = [p for p in layout.root.iterdir() if p.is_file()]
                assert all(password.encode() not in p.read_bytes() for p in beside)
                return process.pid
        if up.poll() is not None:
            out, err = up.communicate()
            pytest.fail(f"db.up ended before its initdb was seen:\n{out!r}\n{err!r}")
        time.sleep(0.005)
    pytest.fail("no initdb was seen within 180 s")


def _files_holding(secret: str, folder: Path) -> list[Path]:
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink() and secret.encode() in path.read_bytes()
    ]


def test_what_a_postmaster_killed_with_sigkill_left_in_dev_shm_is_removed_and_nothing_live(
    projects: list[Project],
) -> None:
    since = time.time() - 1
    live_pid = started(new_project(projects))
    killed = new_project(projects)
    pid = started(killed)
    (control,) = mapped_by(pid)  # a postmaster maps its control segment only
    listed = listed_segments(SHARED_MEMORY / control)
    assert listed, "a running server has segments besides its control segment"
    children = children_of(pid)

    with sweep_lock():  # no other session's sweep takes what the kill leaves
        os.kill(pid, signal.SIGKILL)
        assert ended(pid) and all(ended(child) for child in children)
        assert all((SHARED_MEMORY / name).exists() for name in {control, *listed})  # left

        removed = remove_left_by_dead_postmasters(since)

    assert {control, *listed} <= set(removed)
    assert not any((SHARED_MEMORY / name).exists() for name in {control, *listed})
    live = mapped_by(live_pid)
    live_listed = listed_segments(SHARED_MEMORY / next(iter(live)))
    assert live_listed
    assert all((SHARED_MEMORY / name).exists() for name in {*live, *live_listed})
    assert query_one(projects[0].server(), "SELECT current_database()") == "norberts_test"
