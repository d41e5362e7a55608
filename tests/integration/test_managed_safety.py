"""The toolkit's own servers (docker, embedded) under hostile names, secrets and faults.

Each backend gets one throwaway dev server for the module, made and driven
only through ``invoke``, with a distinctive password and a database named
``"; DROP TABLE users; --``. Faults are made behind the tool's back (a
container removed or stopped, a server killed, a port taken, an engine that
does not answer) and the next task must cope, or say what to do.

Docker-specific faults already covered against the server object in
test_docker_server.py (another major's volume, a foreign container of the
same name, a missing image) are not repeated here; what is new here goes
through the command line and the warm path of servers/running.py.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docker.errors import NotFound

from norberts_db import pgbinaries
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import DockerUnavailableError
from norberts_db.servers._pgdata import read_postmaster
from norberts_db.servers.docker_engine import connect_engine, engine
from norberts_db.settings import load_settings
from tests.port_holders import free_port

from .conftest import PROJECT_ROOT, SCHEMA_FILE, reachable_tmpdir
from .safety_helpers import (
    Outcome,
    clean_environment,
    command_lines,
    execute,
    require_backend,
    run_process,
    run_tasks,
)

MAJOR = int(os.environ.get("NORBERTS_DB_PG_VERSION", "18"))
HOSTILE = '"; DROP TABLE users; --'
REPO_STATE = PROJECT_ROOT / ".norberts_db"


@dataclass
class DevServer:
    """A throwaway dev server of one backend, driven through the tasks."""

    backend: str
    env: dict[str, str]
    state_dir: Path
    password: str
    outputs: list[Outcome] = field(default_factory=list)

    def run(self, *args: str, process: bool = False, env: dict[str, str] | None = None) -> Outcome:
        """Run a task (in a new process if ``process``); outputs are kept for the secrets test."""
        merged = {**self.env, **(env or {})}
        outcome = run_process(*args, env=merged) if process else run_tasks(*args, env=merged)
        assert "Traceback" not in outcome.output, outcome.output
        self.outputs.append(outcome)
        return outcome

    def ok(self, *args: str, env: dict[str, str] | None = None) -> Outcome:
        outcome = self.run(*args, env=env)
        assert outcome.code == 0, outcome.output
        return outcome

    @property
    def port(self) -> int:
        return int(self.env["NORBERTS_DB_PORT"])

    @property
    def container(self) -> str:
        return self.env["NORBERTS_DB_CONTAINER_NAME"]

    def conninfo(self, database: str = HOSTILE) -> ConnInfo:
        return ConnInfo("127.0.0.1", self.port, "postgres", database, self.password)


def dev_environment(backend: str, state_dir: Path, password: str) -> dict[str, str]:
    tag = f"safety-{os.getpid()}-{secrets.token_hex(2)}"
    env = clean_environment(
        NORBERTS_DB_BACKEND=backend,
        NORBERTS_DB_PORT=str(free_port()),
        NORBERTS_DB_STATE_DIR=str(state_dir),
        NORBERTS_DB_CONTAINER_NAME=f"norberts-db-{tag}",
        NORBERTS_DB_VOLUME_NAME=f"norberts-db-{tag}-data",
        NORBERTS_DB_DATABASE=HOSTILE,
        NORBERTS_DB_PASSWORD=password,
        NORBERTS_DB_READY_TIMEOUT="120",
    )
    found = pgbinaries.find(MAJOR, state_dir=REPO_STATE)
    if backend == "embedded" and found is not None:
        env["NORBERTS_DB_PG_BIN_DIR"] = str(found.bin_dir)
    return env


@pytest.fixture(scope="module", params=["docker", "embedded"])
def dev(request: pytest.FixtureRequest) -> Iterator[DevServer]:
    backend: str = request.param
    state_dir = reachable_tmpdir(f"norberts-db-safety-{backend}-")
    password = "Pw-" + secrets.token_hex(12) + "-never-shown"
    env = dev_environment(backend, state_dir, password)
    try:
        require_backend(backend, env)
    except BaseException:
        shutil.rmtree(state_dir, ignore_errors=True)
        raise
    server = DevServer(backend, env, state_dir, password)
    try:
        server.ok("db.up")
        yield server
    finally:
        try:
            run_tasks("db.down", "--volumes", env=env)
            _remove_container_and_volume(env)
        finally:
            shutil.rmtree(state_dir, ignore_errors=True)


def _remove_container_and_volume(env: dict[str, str]) -> None:
    """Belt and braces for the docker backend: whatever a failed test left behind."""
    if env["NORBERTS_DB_BACKEND"] != "docker":
        return
    try:
        client = connect_engine()
    except DockerUnavailableError:
        return
    with closing(client):
        with suppress(NotFound):
            client.containers.get(env["NORBERTS_DB_CONTAINER_NAME"]).remove(force=True, v=True)
        with suppress(NotFound):
            client.volumes.get(env["NORBERTS_DB_VOLUME_NAME"]).remove(force=True)


def tables(info: ConnInfo) -> int:
    rows = execute(info, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    return int(str(rows[0][0]))


# -- hostile names and the development mark ---------------------------------------------


def test_a_hostile_database_name_is_created_reset_verified_and_dropped_and_nothing_else(
    dev: DevServer,
) -> None:
    maintenance = dev.conninfo("postgres")
    execute(maintenance, "CREATE TABLE IF NOT EXISTS users (id int); INSERT INTO users VALUES (1)")
    before = {str(r[0]) for r in execute(maintenance, "SELECT datname FROM pg_database")}

    dev.ok("db.reset")
    verified = dev.ok("db.verify")
    dev.ok("db.drop")
    emptied = tables(dev.conninfo())
    dev.ok("db.create")

    assert HOSTILE in before
    assert "matches" in verified.stdout
    assert emptied == 0
    assert tables(dev.conninfo()) == 9
    assert execute(maintenance, "SELECT count(*) FROM users") == [(1,)]
    after = {str(r[0]) for r in execute(maintenance, "SELECT datname FROM pg_database")}
    assert after == before


def test_the_dev_database_is_marked_and_a_production_mark_is_kept_and_refused(
    dev: DevServer,
) -> None:
    info = dev.conninfo()
    mark = "SELECT current_setting('norberts.environment', true)"
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    assert execute(info, mark) == [("development",)]
    execute(info, f"ALTER DATABASE {quoted} SET norberts.environment = 'production'")
    try:
        dev.run("db.down")  # the next up goes through the server, not the warm path
        dev.ok("db.up")
        kept = execute(info, mark)
        reset = dev.run("db.reset")
        wipe = dev.run("db.down", "--volumes")
        still_there = execute(info, mark)
    finally:
        execute(info, f"ALTER DATABASE {quoted} RESET norberts.environment")
        dev.ok("db.up")

    assert kept == [("production",)]
    assert reset.code == 1
    assert "marked norberts.environment = 'production'" in reset.stderr
    assert wipe.code == 1
    assert f"Refusing to delete the server holding database {HOSTILE!r}" in wipe.stderr
    assert still_there == [("production",)]


# -- secrets ------------------------------------------------------------------------------


class ProcessListing:
    """Samples every process's command line while tasks run: what ``ps -eo args`` shows.

    Read from /proc (as ps does) every 10 ms, plus ``ps -eo args`` itself every
    twentieth sample, so that sampling costs little next to the tasks.
    """

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        count = 0
        while not self._done.is_set():
            lines = [b" ".join(argv).decode("utf-8", "replace") for argv in command_lines()]
            self.seen.append("\n".join(lines))
            if count % 20 == 0:
                listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True)
                self.seen.append(listing.stdout)
            count += 1
            self._done.wait(0.01)

    def __enter__(self) -> ProcessListing:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()


def test_the_password_appears_in_no_output_report_log_inspect_or_process_listing(
    dev: DevServer, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.sql"
    broken.write_text("CREATE TABLE public.t (id int);\nCREATE TABLE oops (id nosuchtype);\n")
    drifted = tmp_path / "drifted.sql"
    drifted.write_text(SCHEMA_FILE.read_text() + "\nCREATE TABLE public.extra (id int);\n")
    wrong = "wrong-" + dev.password
    dev.ok("db.down")
    with ProcessListing() as listing:
        # Real processes where a process listing could show something: starting the
        # server (initdb, pg_ctl, the container) and the tasks that connect.
        runs = [
            dev.run("db.up", process=True),
            dev.run("db.status"),
            dev.run("db.reset", process=True),
            dev.run("db.verify", "--json"),
            dev.run("db.verify", "--json", "--schema", str(drifted)),
            dev.run("db.check-drop", "--json", process=True),
            dev.run("db.reset", "--schema", str(broken)),
            dev.run("db.logs", "--tail", "1000"),
            dev.run("db.reset", process=True, env={"NORBERTS_DB_PASSWORD": wrong}),
        ]
        url = dev.run("db.url")

    assert [r.code for r in runs] == [0, 0, 0, 0, 1, 0, 1, 0, 1], [r.stderr for r in runs]
    assert "Wrong credentials" in runs[-1].stderr
    # db.url prints it because it is asked for exactly that: the grep looks for the right thing.
    assert dev.password in url.stdout
    texts = [r.output for r in [*runs, *dev.outputs] if r is not url]
    texts += listing.seen
    texts += _server_side_texts(dev)
    leaks = [text[:300] for text in texts if dev.password in text]
    assert not leaks
    assert len(listing.seen) > 10
    if dev.backend == "embedded":
        # The server's log, configuration and recorded command line (test_embedded_server.py
        # scans every file of a fresh server).
        root = dev.state_dir / "embedded" / f"pg{MAJOR}"
        written = [root / "server.log", *root.glob("data/*.conf"), root / "data/postmaster.opts"]
        assert not [p for p in written if dev.password.encode() in p.read_bytes()]


def _server_side_texts(dev: DevServer) -> list[str]:
    """The container's command line and log (its environment is where the password goes)."""
    if dev.backend != "docker":
        return []
    with engine() as client:
        container = client.containers.get(dev.container)
        config = container.attrs["Config"]
        assert f"POSTGRES_PASSWORD={dev.password}" in config["Env"]
        return [
            str(config["Cmd"]),
            str(config["Entrypoint"]),
            str(container.attrs["Args"]),
            str(container.attrs["Path"]),
            container.logs().decode("utf-8", "replace"),
        ]


# -- docker faults --------------------------------------------------------------------------


@pytest.mark.parametrize("dev", ["docker"], indirect=True)
def test_docker_containers_listen_on_loopback_only(dev: DevServer) -> None:
    with engine() as client:
        attrs = client.containers.get(dev.container).attrs
    # The network setting's default takes the host network where the engine has no bridge.
    if attrs["HostConfig"]["NetworkMode"] == "host":
        assert "listen_addresses=127.0.0.1" in attrs["Config"]["Cmd"]
        assert execute(dev.conninfo(), "SHOW listen_addresses") == [("127.0.0.1",)]
    else:
        bindings = attrs["HostConfig"]["PortBindings"]["5432/tcp"]
        assert bindings == [{"HostIp": "127.0.0.1", "HostPort": str(dev.port)}]


@pytest.mark.parametrize("fault", ["removed", "stopped"])
@pytest.mark.parametrize("dev", ["docker"], indirect=True)
def test_a_container_removed_or_stopped_behind_the_tools_back_is_brought_back_by_reset(
    dev: DevServer, fault: str
) -> None:
    dev.ok("db.reset")
    with engine() as client:
        container = client.containers.get(dev.container)
        if fault == "removed":
            container.remove(force=True)
        else:
            container.stop(timeout=30)
    assert (dev.state_dir / f"running-pg{MAJOR}.json").exists()  # the stale note

    outcome = dev.ok("db.reset")

    # Chosen afresh, not "its dev server is running"; the reason may go on to name the image.
    assert "backend: docker (backend set to docker" in outcome.stderr
    assert "reset" in outcome.stdout
    assert tables(dev.conninfo()) == 9
    with engine() as client:
        assert client.containers.get(dev.container).status == "running"


@pytest.mark.parametrize("dev", ["docker"], indirect=True)
def test_an_engine_that_does_not_answer_is_named_with_what_to_do(dev: DevServer) -> None:
    dev.ok("db.up")
    dead = f"unix:///tmp/norberts-no-engine-{secrets.token_hex(4)}.sock"

    # The server still runs, and the warm path needs no engine to reach it.
    warm = dev.run("db.reset", env={"DOCKER_HOST": dead})
    status = dev.run("db.status", env={"DOCKER_HOST": dead})
    down = dev.run("db.down", env={"DOCKER_HOST": dead})
    cold = dev.run("db.reset", env={"DOCKER_HOST": dead})

    assert warm.code == 0, warm.output
    assert "(its dev server is running)" in warm.stderr
    assert status.code == 0
    assert f"not running - no Docker engine answers at {dead}" in status.stdout
    for failed in (down, cold):
        assert failed.code == 1
        assert failed.errors() == [
            f"error: No Docker engine answers at {dead} (No such file or directory). Start a "
            "Docker engine (Docker Desktop, `sudo systemctl start docker`, or `bash "
            ".ci/docker-engine.sh` on CI), or use NORBERTS_DB_BACKEND=embedded."
        ]
    with engine() as client:
        assert client.containers.get(dev.container).status == "running"


@pytest.mark.parametrize("dev", ["docker"], indirect=True)
def test_a_container_that_exits_during_startup_shows_its_log_and_leaves_nothing(
    dev: DevServer,
) -> None:
    image = f"norberts-db/test-fails-at-start:{os.getpid()}"
    from norberts_db.servers.docker import DockerServer

    settings = load_settings(project_root=PROJECT_ROOT, environ=dev.env)
    base = DockerServer.probe(settings).settings.image_ref  # the image the dev server runs
    dockerfile = (
        f"FROM {base}\n"
        'ENTRYPOINT ["sh", "-c", "echo FATAL: data directory is damaged >&2; exit 3"]\n'
    )
    tag = f"norberts-db-failing-{os.getpid()}-{secrets.token_hex(2)}"
    env = {
        "NORBERTS_DB_IMAGE": image,
        "NORBERTS_DB_CONTAINER_NAME": tag,
        "NORBERTS_DB_VOLUME_NAME": f"{tag}-data",
        "NORBERTS_DB_PORT": str(free_port()),
        "NORBERTS_DB_STATE_DIR": str(dev.state_dir / "failing"),
    }
    with engine() as client:
        client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=image, rm=True)
        try:
            outcome = dev.run("db.up", env=env)
            containers = client.containers.list(all=True, filters={"name": tag})
            volumes = client.volumes.list(filters={"name": tag})
        finally:
            client.images.remove(image, force=True)

    assert outcome.code == 1
    message = outcome.stderr
    assert f"Container {tag} stopped during start-up (status exited, exit code 3)" in message
    assert "FATAL: data directory is damaged" in message
    assert [c.name for c in containers] == []
    assert [v.name for v in volumes] == []


# -- embedded faults --------------------------------------------------------------------------


@pytest.mark.parametrize("dev", ["embedded"], indirect=True)
def test_an_embedded_server_killed_behind_the_tools_back_is_started_by_reset(
    dev: DevServer,
) -> None:
    dev.ok("db.up")
    data = dev.state_dir / "embedded" / f"pg{MAJOR}" / "data"
    running = read_postmaster(data)
    assert running is not None
    os.kill(running.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{running.pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)

    outcome = dev.ok("db.reset")

    assert "backend: embedded (backend set to embedded)" in outcome.stderr
    assert tables(dev.conninfo()) == 9


# -- both -------------------------------------------------------------------------------------


def test_a_port_taken_by_another_program_is_named_and_nothing_is_left_running(
    dev: DevServer,
) -> None:
    dev.ok("db.down")
    with socket.socket() as squatter:
        # The server's last connections may linger in TIME_WAIT on the port.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", dev.port))
        squatter.listen()
        outcome = dev.run("db.up")
        status = dev.run("db.status")
    restarted = dev.run("db.up")

    assert outcome.code == 1
    assert len(outcome.errors()) == 1
    assert f"ort {dev.port} on 127.0.0.1 is already in use" in outcome.stderr
    assert "NORBERTS_DB_PORT" in outcome.stderr
    assert "not running" in status.stdout
    assert restarted.code == 0, restarted.output
