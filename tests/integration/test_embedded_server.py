"""The embedded backend, against real PostgreSQL processes of ``NORBERTS_DB_PG_VERSION`` (18).

Every test works in its own throwaway project: a folder (in /dev/shm, else /tmp) that the
unprivileged server user can enter when the tests run as root (pytest's
tmp_path is mode 0700), a free port, and its own state directory. The
developer's dev server is never touched, and every server started is stopped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest

from norberts_db import pgbinaries
from norberts_db.errors import ServerError
from norberts_db.servers import _serveruser
from norberts_db.servers._embedded_files import SYSTEM_STATE
from norberts_db.servers._pgdata import (
    SCRATCH_OWNER_NOTE,
    SCRATCH_PREFIX,
    SHARED_MEMORY,
    Layout,
    read_postmaster,
)
from norberts_db.servers.base import ServerInfo
from norberts_db.servers.embedded import EmbeddedServer
from norberts_db.settings import SUPPORTED_MAJORS, Settings, load_settings
from tests.integration.conftest import CLUSTER_CACHE, reachable_for_tests, throwaway_root
from tests.integration.conftest import reachable_tmpdir as reachable_named_tmpdir
from tests.integration.safety_helpers import command_lines
from tests.integration.scratch_helpers import scratch_location, tablespace_of_a_temporary_database
from tests.port_holders import free_port, up_while_a_connection_holds

pytestmark = pytest.mark.embedded

MAJOR = int(os.environ.get("NORBERTS_DB_PG_VERSION", "18"))
REPO_STATE = Path(__file__).resolve().parents[2] / ".norberts_db"
IS_ROOT = os.geteuid() == 0

# Run in a new Python process: bring the project's server up, print the postmaster pid.
UP_IN_NEW_PROCESS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from norberts_db.errors import NorbertsDbError
    from norberts_db.servers._pgdata import read_postmaster
    from norberts_db.servers.embedded import EmbeddedServer
    from norberts_db.settings import load_settings

    server = EmbeddedServer(load_settings(project_root=Path(sys.argv[1])))
    try:
        print(server.up())
    except NorbertsDbError as exc:
        sys.exit(str(exc))
    print(read_postmaster(server.layout.data).pid)
    """
)


def find_binaries(major: int) -> pgbinaries.PgBinaries | None:
    """The binaries of ``major`` the server user can run: the run's one copy if need be."""
    explicit = os.environ.get("NORBERTS_DB_PG_BIN_DIR")
    found = pgbinaries.find(
        major,
        state_dir=REPO_STATE,
        explicit=Path(explicit) if explicit and major == MAJOR else None,
    )
    return reachable_for_tests(found) if found else None


def reachable_tmpdir() -> Path:
    """A throwaway folder the server user can enter, in memory where there is room."""
    return reachable_named_tmpdir("norberts-embedded-")


@dataclass
class Project:
    """A throwaway project whose pyproject.toml selects the embedded server of one major."""

    root: Path

    @classmethod
    def create(cls, root: Path, major: int = MAJOR) -> Project:
        binaries = find_binaries(major)
        assert binaries is not None
        lines = [
            "[tool.norberts_db]",
            'backend = "embedded"',
            f"pg_version = {major}",
            f"port = {free_port()}",
            'database = "norberts_test"',
            "ready_timeout = 60",
            f'cluster_cache = "{CLUSTER_CACHE}"',
            # Binaries from the repository's own cache would not be found from a tmp
            # project, and the run's copy of unreachable ones is made only once.
            f'pg_bin_dir = "{binaries.bin_dir}"',
        ]
        (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return cls(root)

    def settings(self, **overrides: object) -> Settings:
        return load_settings(project_root=self.root, environ={}, **overrides)

    def server(self, **overrides: object) -> EmbeddedServer:
        return EmbeddedServer(self.settings(**overrides))

    def postmaster_pid(self) -> int | None:
        running = read_postmaster(self.server().layout.data)
        return running.pid if running else None

    def up_in_new_process(self, **env: str) -> subprocess.Popen[str]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("NORBERTS_DB_")}
        return subprocess.Popen(
            [sys.executable, "-c", UP_IN_NEW_PROCESS, str(self.root)],
            cwd=self.root,
            env={**clean, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def destroy(self) -> None:
        """Stop every server of this project, whatever state it is in, and delete it.

        Signals the postmaster directly rather than trusting ``down()``, which is
        under test: a broken ``down()`` must not leave servers running.
        """
        for major_dir in (self.root / ".norberts_db" / "embedded").glob("pg[0-9]*"):
            if major_dir.is_dir():
                _stop_postmaster(major_dir / "data")
                shutil.rmtree(Layout(major_dir, MAJOR).scratch, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)


def _stop_postmaster(data: Path) -> None:
    running = read_postmaster(data)
    if running is None:
        return
    os.kill(running.pid, signal.SIGINT)  # fast shutdown
    wait_until_gone(running.pid, timeout=30)


def wait_until_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def communicate(process: subprocess.Popen[str]) -> tuple[str, str]:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    return out, err


def query_one(server: EmbeddedServer, statement: str) -> object:
    with psycopg.connect(**server.conninfo.connect_kwargs(), autocommit=True) as conn:
        row = conn.execute(statement).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture(scope="module")
def binaries() -> pgbinaries.PgBinaries:
    found = find_binaries(MAJOR)
    if found is None:
        pytest.skip(
            f"no PostgreSQL {MAJOR} server binaries (NORBERTS_DB_PG_VERSION): "
            f"`invoke pg.fetch --pg {MAJOR}`, Debian's postgresql-{MAJOR}, or "
            "NORBERTS_DB_PG_BIN_DIR would provide them"
        )
    return found


@pytest.fixture
def project(binaries: pgbinaries.PgBinaries) -> Iterator[Project]:
    made = Project.create(reachable_tmpdir())
    try:
        yield made
    finally:
        made.destroy()


@pytest.fixture(scope="module")
def running(binaries: pgbinaries.PgBinaries) -> Iterator[Project]:
    """One running server, shared by the tests that only look at it."""
    made = Project.create(reachable_tmpdir())
    try:
        made.server().up()
        yield made
    finally:
        made.destroy()


# -- starting and reusing -------------------------------------------------------------


def test_up_from_nothing_initialises_a_cluster_and_reports_its_version(project: Project) -> None:
    server = project.server()
    assert not server.state().running

    info = server.up()

    assert info.backend == "embedded"
    assert info.version.startswith(f"{MAJOR}.")
    assert info.address == f"127.0.0.1:{server.settings.effective_port}"
    assert info.database == "norberts_test"
    data = project.root / ".norberts_db" / "embedded" / f"pg{MAJOR}" / "data"
    assert (data / "PG_VERSION").read_text().strip() == str(MAJOR)
    assert (data.parent / "server.log").is_file()
    assert query_one(server, "SELECT current_database()") == "norberts_test"


def system_identifier(server: EmbeddedServer) -> object:
    return query_one(server, "SELECT system_identifier FROM pg_control_system()")


def files_holding(secret: str, folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@dataclass
class SharedCache:
    """Two projects whose embedded servers share one cluster cache; the first is up."""

    cache: Path
    made: EmbeddedServer
    second: EmbeddedServer


@pytest.fixture(scope="module")
def first_of_a_cache(binaries: pgbinaries.PgBinaries) -> Iterator[tuple[Path, EmbeddedServer]]:
    """A running server whose cluster initdb made, and the new cache that kept a copy of it."""
    cache = reachable_tmpdir()
    first = Project.create(reachable_tmpdir())
    try:
        made = first.server(cluster_cache=str(cache))
        made.up()
        yield cache, made
    finally:
        first.destroy()
        shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture
def shared_cache(first_of_a_cache: tuple[Path, EmbeddedServer]) -> Iterator[SharedCache]:
    """The first server's cache as it kept the cluster, copied, for a test to use or damage.

    One initdb serves the module: a copy of the cache, with owners and modes
    (``cp -a``), is what the cache was when the first server had just made it.
    """
    kept, made = first_of_a_cache
    cache = reachable_tmpdir()
    subprocess.run(["cp", "-a", f"{kept}/.", str(cache)], check=True)
    second = Project.create(reachable_tmpdir())
    try:
        yield SharedCache(cache, made, second.server(cluster_cache=str(cache)))
    finally:
        second.destroy()
        shutil.rmtree(cache, ignore_errors=True)


def test_a_second_new_cluster_is_a_copy_of_the_kept_one_and_takes_only_its_own_password(
    shared_cache: SharedCache,
) -> None:
    cache, made, copied = shared_cache.cache, shared_cache.made, shared_cache.second
    kept = list(cache.iterdir())
    copied.up()

    assert len(kept) == 1 and (kept[0] / "PG_VERSION").read_text().strip() == str(MAJOR)
    assert list(cache.iterdir()) == kept
    # A copy shares the system identifier of the cluster initdb made; a new initdb would not.
    assert system_identifier(made) == system_identifier(copied)
    passwords = [made.settings.dev_password(), copied.settings.dev_password()]
    assert passwords[0] != passwords[1]
    wrong = replace(copied.conninfo, password=passwords[0])
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(**wrong.connect_kwargs()).close()
    assert query_one(copied, "SELECT current_user") == copied.settings.user
    # The kept copy was taken before the first project's password was set.
    stored = "SELECT rolpassword FROM pg_authid WHERE rolname = current_user"
    verifiers = [str(query_one(server, stored)) for server in (made, copied)]
    assert all(v.startswith("SCRAM-SHA-256$4096:") for v in verifiers)
    assert [files_holding(verifier, cache) for verifier in verifiers] == [[], []]
    assert files_holding(verifiers[0], made.layout.data) != []  # where a copy would hold it


@pytest.mark.parametrize("damage", ["pg_control", "catalog"])
def test_a_damaged_kept_cluster_is_set_aside_and_initdb_makes_the_new_one(
    shared_cache: SharedCache, damage: str
) -> None:
    cache, made, copied = shared_cache.cache, shared_cache.made, shared_cache.second
    (kept,) = cache.iterdir()
    if damage == "pg_control":
        (kept / "global" / "pg_control").write_bytes(b"")
    else:  # pg_authid, which setting the password reads and writes
        (kept / "global" / "1260").write_bytes(b"\xff" * 8192)
    info = copied.up()

    assert query_one(copied, "SELECT current_user") == copied.settings.user
    # Made by initdb, not copied: a system identifier of its own.
    assert system_identifier(made) != system_identifier(copied)
    assert any(str(kept) in note and "initdb" in note for note in info.notes), info.notes
    # The damaged copy is gone; a sound one of the new cluster is kept in its place.
    (again,) = cache.iterdir()
    assert again.name == kept.name and (again / "global" / "pg_control").stat().st_size > 0


def test_with_the_cluster_cache_off_every_new_cluster_is_made_by_initdb(
    binaries: pgbinaries.PgBinaries,
) -> None:
    projects = [Project.create(reachable_tmpdir()) for _ in range(2)]
    try:
        servers = [project.server(cluster_cache="off") for project in projects]
        for server in servers:
            server.up()

        assert system_identifier(servers[0]) != system_identifier(servers[1])
    finally:
        for project in projects:
            project.destroy()


def test_up_again_with_a_new_server_object_reuses_the_running_server(running: Project) -> None:
    before = running.postmaster_pid()

    running.server().up()

    assert before is not None
    assert running.postmaster_pid() == before


def test_up_in_a_new_process_reuses_the_running_server(running: Project) -> None:
    before = running.postmaster_pid()

    out, _ = communicate(running.up_in_new_process())

    assert out.split()[-1] == str(before)
    assert running.postmaster_pid() == before


def test_server_listens_on_loopback_only_with_the_configured_port(running: Project) -> None:
    server = running.server()

    assert query_one(server, "SHOW listen_addresses") == "127.0.0.1"
    assert query_one(server, "SHOW port") == str(server.settings.effective_port)
    assert query_one(server, "SHOW fsync") == "on"


@pytest.mark.skipif(not IS_ROOT, reason="the server runs as the current user when not root")
def test_server_runs_as_the_unprivileged_postgres_user_when_called_as_root(
    running: Project,
) -> None:
    pid = running.postmaster_pid()
    status = Path(f"/proc/{pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    data = running.server().layout.data

    assert uid != 0
    assert uid == pwd.getpwnam("postgres").pw_uid
    assert data.stat().st_uid == uid
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_state_logs_and_describe_tell_about_the_running_server(running: Project) -> None:
    server = running.server()

    state = server.state()

    assert state.running
    assert f"pid {running.postmaster_pid()}" in state.detail
    assert "database system is ready to accept connections" in server.logs(50)
    assert server.describe().startswith(f"embedded PostgreSQL {MAJOR} from ")
    assert f".norberts_db/embedded/pg{MAJOR}" in server.describe()


# -- secrets ---------------------------------------------------------------------------


def test_wrong_password_is_reported_as_wrong_credentials_without_echoing_it(
    running: Project,
) -> None:
    server = running.server(password="not-the-right-one")

    with pytest.raises(ServerError, match="Wrong credentials") as caught:
        server.up()

    assert "not-the-right-one" not in str(caught.value)


def test_password_appears_in_no_output_log_file_or_process_listing(project: Project) -> None:
    password = "pw-" + os.urandom(12).hex()
    out, err = communicate(project.up_in_new_process(NORBERTS_DB_PASSWORD=password))
    server = project.server(password=password)
    pid = project.postmaster_pid()
    assert pid is not None
    assert query_one(server, "SELECT 1") == 1  # the password is the one the server uses

    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    cmdlines = [b" ".join(argv) for argv in command_lines()]
    texts = [out, err, listing.stdout, str(server.up()), server.describe(), server.logs(10_000)]
    texts.append(server.state().detail)

    assert all(password not in text for text in texts)
    assert all(password.encode() not in cmdline for cmdline in cmdlines)
    # Nothing the server wrote holds it in clear, and the environment it was started
    # from (which held NORBERTS_DB_PASSWORD) did not reach the server process.
    server_files = [p for p in server.layout.root.rglob("*") if p.is_file()]
    assert all(password.encode() not in p.read_bytes() for p in server_files)
    assert password.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
    assert not list(server.layout.root.glob(".pwfile-*"))


# -- stopping, deleting, restarting ----------------------------------------------------


def test_data_survives_down_and_up(project: Project) -> None:
    server = project.server()
    server.up()
    with psycopg.connect(**server.conninfo.connect_kwargs(), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (note text)")
        conn.execute("INSERT INTO kept VALUES ('still here')")

    assert "Stopped" in server.down()
    assert not server.state().running
    assert "not running" in server.down()
    project.server().up()

    assert query_one(server, "SELECT note FROM kept") == "still here"


def test_down_with_volumes_deletes_the_data_directory(project: Project) -> None:
    server = project.server()
    server.up()

    message = server.down(volumes=True)

    assert "Deleted" in message
    assert not server.layout.root.exists()
    assert not server.layout.scratch.exists()
    assert not server.state().running
    assert "never created" in server.down(volumes=True)


def test_temporary_databases_live_in_memory_even_after_the_memory_was_emptied(
    project: Project,
) -> None:
    server = project.server()
    server.up()
    scratch = server.layout.scratch
    assert scratch.parent == SHARED_MEMORY
    assert scratch_location(server.conninfo) == str(scratch)
    assert tablespace_of_a_temporary_database(server.conninfo) == "norberts_scratch"

    # As after a reboot: the folder is there (up makes it) but empty.
    for entry in scratch.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()

    assert tablespace_of_a_temporary_database(server.conninfo) == "norberts_scratch"
    assert any(scratch.iterdir())


def test_starting_removes_scratch_folders_of_deleted_projects_only(
    project: Project, tmp_path: Path
) -> None:
    def scratch_folder(name: str, serves: Path) -> Path:
        folder = SHARED_MEMORY / f"{SCRATCH_PREFIX}test-{os.getpid()}-{name}"
        folder.mkdir()
        (folder / SCRATCH_OWNER_NOTE).write_text(str(serves), encoding="utf-8")
        return folder

    orphan = scratch_folder("orphan", tmp_path / "deleted-project" / "data")
    kept = scratch_folder("kept", tmp_path)
    try:
        project.server().up()

        assert not orphan.exists()
        assert kept.is_dir()
    finally:
        shutil.rmtree(orphan, ignore_errors=True)
        shutil.rmtree(kept, ignore_errors=True)


def test_a_scratch_folder_someone_else_made_is_not_used(project: Project) -> None:
    """Shared memory is everyone's: what was planted at the scratch path must not be trusted."""
    scratch = project.server().layout.scratch
    scratch.symlink_to(project.root)
    try:
        server = project.server()
        server.up()

        assert scratch_location(server.conninfo) is None
        assert tablespace_of_a_temporary_database(server.conninfo) == "pg_default"
    finally:
        scratch.unlink()


def test_up_after_kill_9_of_the_postmaster_starts_the_server_again(project: Project) -> None:
    server = project.server()
    server.up()
    # An open connection leaves a backend orphaned by the kill, as a crash would.
    with psycopg.connect(**server.conninfo.connect_kwargs(), autocommit=True):
        killed = project.postmaster_pid()
        assert killed is not None
        os.kill(killed, signal.SIGKILL)
        wait_until_gone(killed)

    info = project.server().up()

    assert info.version.startswith(f"{MAJOR}.")
    assert project.postmaster_pid() not in (None, killed)
    assert query_one(server, "SELECT 1") == 1


def test_concurrent_up_from_two_processes_starts_one_server(project: Project) -> None:
    first, second = project.up_in_new_process(), project.up_in_new_process()

    pids = {communicate(first)[0].split()[-1], communicate(second)[0].split()[-1]}

    data = str(project.server().layout.data).encode()
    postmasters = [argv for argv in command_lines() if data in argv]
    assert pids == {str(project.postmaster_pid())}
    assert len(postmasters) == 1


def test_a_changed_port_takes_effect_after_down_and_up(project: Project) -> None:
    project.server().up()
    new_port = free_port()
    moved = project.server(port=new_port)

    with pytest.raises(ServerError, match="the port setting is now"):
        moved.up()
    project.server().down()
    info = moved.up()

    assert info.address == f"127.0.0.1:{new_port}"


def test_a_port_a_connection_holds_as_its_own_end_is_waited_for_and_the_server_starts(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    """Any client's connection may get the dev port as its own end; it is no server."""
    server = project.server()
    port = server.settings.effective_port

    info = up_while_a_connection_holds(server, port, caplog)

    assert isinstance(info, ServerInfo)
    assert info.address == f"127.0.0.1:{port}"
    assert query_one(server, "SELECT 1") == 1


# -- failures that must be one clear message -------------------------------------------


def test_port_in_use_is_reported_and_leaves_nothing_running(project: Project) -> None:
    server = project.server()
    port = server.settings.effective_port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()

        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            server.up()

    assert project.postmaster_pid() is None
    assert not server.state().running


def test_data_directory_of_another_major_is_refused_with_what_to_do(project: Project) -> None:
    other = next((m for m in SUPPORTED_MAJORS if m != MAJOR and find_binaries(m)), None)
    if other is None:
        pytest.skip(f"needs server binaries of a major other than {MAJOR}")
    elsewhere = Project.create(reachable_tmpdir(), major=other)
    try:
        elsewhere.server().up()
        elsewhere.server().down()
        mine = project.server().layout.root
        mine.parent.mkdir(parents=True)
        shutil.move(elsewhere.server().layout.root, mine)
    finally:
        elsewhere.destroy()

    with pytest.raises(ServerError, match=f"holds PostgreSQL {other} data") as caught:
        project.server().up()

    assert "invoke db.down --volumes" in str(caught.value)
    assert project.postmaster_pid() is None


@pytest.mark.skipif(not IS_ROOT, reason="only a root caller hands the server to another user")
def test_a_project_the_server_user_cannot_enter_keeps_its_server_in_var_lib(
    binaries: pgbinaries.PgBinaries,
) -> None:
    locked = Path(tempfile.mkdtemp(prefix="norberts-locked-", dir="/tmp"))  # mode 0700
    inner = locked / "project"
    inner.mkdir()
    project = Project.create(inner)
    server = project.server()
    try:
        info = server.up()

        assert info.version.startswith(f"{MAJOR}.")
        assert server.layout.root.is_relative_to(SYSTEM_STATE)
        assert (server.layout.data / "PG_VERSION").is_file()
        assert query_one(server, "SELECT current_database()") == "norberts_test"
        assert stat.S_IMODE(locked.stat().st_mode) == 0o700  # left as it was
        server.down(volumes=True)
        assert not server.layout.root.exists()
    finally:
        _stop_postmaster(server.layout.data)
        # The project's folder there: the server's, its lock and its staged binaries.
        shutil.rmtree(server.layout.root.parents[1], ignore_errors=True)
        Project(locked).destroy()


@pytest.mark.skipif(not IS_ROOT, reason="only a root caller hands the server to another user")
def test_a_state_folder_set_where_the_server_user_cannot_enter_is_named_with_the_fix(
    binaries: pgbinaries.PgBinaries,
) -> None:
    locked = Path(tempfile.mkdtemp(prefix="norberts-locked-", dir="/tmp"))  # mode 0700
    inner = locked / "project"
    inner.mkdir()
    try:
        with pytest.raises(ServerError) as caught:
            Project.create(inner).server(state_dir=str(inner / "state")).up()
    finally:
        Project(locked).destroy()

    message = str(caught.value)
    assert f"cannot enter {locked} (mode 0700, owner root)" in message
    assert f"chmod o+x {locked}" in message
    assert "NORBERTS_DB_STATE_DIR" in message


@pytest.mark.skipif(not IS_ROOT, reason="only a root caller hands the server to another user")
def test_binaries_the_server_user_cannot_enter_are_copied_into_the_state_folder_once(
    project: Project, binaries: pgbinaries.PgBinaries
) -> None:
    # Where pip and `invoke pg.fetch` put them under root's home: mode 0700.
    locked = Path(tempfile.mkdtemp(prefix="norberts-locked-", dir=throwaway_root()))
    # A copy laid out as the installation is (a wheel's libraries beside it), in there.
    server = project.server(pg_bin_dir=str(_serveruser._stage(binaries, locked / "pg")))
    try:
        server.up()
        staged = server.layout.staged_binaries
        postgres = next(staged.rglob("bin/postgres"))
        running = read_postmaster(server.layout.data)
        assert running is not None
        assert Path(f"/proc/{running.pid}/exe").resolve() == postgres.resolve()
        assert query_one(server, "SELECT current_database()") == "norberts_test"
        copied = postgres.stat().st_ino
        server.down()

        server.up()  # the copy is kept while the binaries it came from are the same

        assert next(staged.rglob("bin/postgres")).stat().st_ino == copied
        assert stat.S_IMODE(locked.stat().st_mode) == 0o700  # left as it was
        server.down(volumes=True)
    finally:
        _stop_postmaster(server.layout.data)
        shutil.rmtree(locked, ignore_errors=True)


# -- availability ----------------------------------------------------------------------


def test_unavailable_reason_is_none_when_binaries_of_the_major_exist(project: Project) -> None:
    assert EmbeddedServer.unavailable_reason(project.settings()) is None


def test_unavailable_reason_names_what_would_provide_missing_binaries(project: Project) -> None:
    # The project's pg_bin_dir names this session's binaries: without it, every source counts.
    settings = replace(project.settings(), pg_bin_dir=None)
    missing = next(
        (
            major
            for major in SUPPORTED_MAJORS
            if not pgbinaries.find(major, state_dir=settings.state_path)
        ),
        None,
    )
    if missing is None:
        pytest.skip("every supported major has binaries on this machine")

    reason = EmbeddedServer.unavailable_reason(replace(settings, pg_version=missing))

    assert reason is not None
    assert f"invoke pg.fetch --pg {missing}" in reason
    assert f"postgresql-{missing}" in reason
    assert "NORBERTS_DB_PG_BIN_DIR" in reason


def test_a_pg_bin_dir_of_another_major_is_the_reason_given(project: Project) -> None:
    settings = project.settings()
    found = pgbinaries.require(
        settings.pg_version, state_dir=settings.state_path, explicit=settings.pg_bin_dir
    )
    other = next(m for m in SUPPORTED_MAJORS if m != settings.pg_version)

    reason = EmbeddedServer.unavailable_reason(
        replace(settings, pg_bin_dir=found.bin_dir, pg_version=other)
    )

    assert reason is not None
    assert reason.startswith(
        f"pg_bin_dir ({found.bin_dir}) holds PostgreSQL {settings.pg_version}, not {other} "
        "(the pg_version setting)."
    )
