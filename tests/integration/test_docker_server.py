"""The Docker backend against a real engine and real PostgreSQL images.

Needs a Docker engine and an image of ``NORBERTS_DB_PG_VERSION`` (default 18),
found as the product finds it: ``postgres:N`` local or pulled, else
``norberts-db/postgres:N`` built offline by ``invoke image.build`` (or
``NORBERTS_DB_IMAGE``). ``NORBERTS_DB_NETWORK`` says how containers are reached
(``host`` on machines without a bridge network). Names are unique to this
process, ports free, and everything is removed afterwards, also when a test fails.

A new container runs initdb, which costs more than all the rest of a test. So
the tests that inspect a running container, or stop, restart or re-create it
on its volume, share one server (``shared_server``), and each finds it running
whatever the test before did to it. A test makes its own server where a new
volume or a failed first start is what it tests.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import docker
import psycopg
import pytest
from docker.errors import NotFound

from norberts_db import images
from norberts_db.connection import wait_ready
from norberts_db.errors import DockerUnavailableError, ServerError
from norberts_db.servers import choose_server
from norberts_db.servers.base import ServerInfo
from norberts_db.servers.docker import DockerServer
from norberts_db.servers.docker_engine import (
    BUILT_IMAGE,
    LABEL_MANAGED,
    LABEL_PG_VERSION,
    OFFICIAL_IMAGE,
    PULL_IDLE_TIMEOUT,
    connect_engine,
    usable_image,
)
from norberts_db.servers.docker_spec import SCRATCH_MOUNT
from norberts_db.settings import SUPPORTED_MAJORS, Settings, load_settings
from tests.integration.conftest import create_memory_volume
from tests.integration.scratch_helpers import scratch_location, tablespace_of_a_temporary_database
from tests.port_holders import free_port, up_while_a_connection_holds

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAJOR = int(os.environ.get("NORBERTS_DB_PG_VERSION", "18"))
# Names of everything these tests create start with this, so leftovers can be found.
PREFIX = f"norberts-db-dockertest-{os.getpid()}-"

docker_test = pytest.mark.docker
MakeServer = Callable[..., DockerServer]


def settings_for(state_dir: Path, **overrides: Any) -> Settings:
    """Settings of a throwaway server: the session's major, image and network, unique names."""
    env = {k: v for k, v in os.environ.items() if k.startswith("NORBERTS_DB_")}
    env.pop("NORBERTS_DB_URL", None)
    name = PREFIX + secrets.token_hex(3)
    values: dict[str, Any] = {
        "backend": "docker",
        "pg_version": MAJOR,
        "container_name": name,
        "volume_name": f"{name}-data",
        "port": free_port(),
        "state_dir": str(state_dir),
        "database": "norberts_docker_test",
        "ready_timeout": 90,
    }
    values.update(overrides)
    return load_settings(project_root=PROJECT_ROOT, environ=env, **values)


def remove_leftovers(client: docker.DockerClient) -> None:
    """Remove every container and volume this process's tests created."""
    for container in client.containers.list(all=True, filters={"name": PREFIX}):
        if container.name and container.name.startswith(PREFIX):
            container.remove(force=True, v=True)
    for volume in client.volumes.list(filters={"name": PREFIX}):
        if volume.name.startswith(PREFIX):
            volume.remove(force=True)


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    """The engine, or a skip that says what would provide the tests with one."""
    try:
        # The product's own probe: the SDK's leaves its socket open when no engine answers.
        engine = connect_engine(timeout=120)
    except DockerUnavailableError as exc:
        pytest.skip(
            f"no Docker engine answers ({exc}); start one (`bash .ci/docker-engine.sh`) "
            "to run the Docker tests"
        )
    try:
        yield engine
    finally:
        remove_leftovers(engine)
        engine.close()


@pytest.fixture(scope="module")
def image(client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The image the product would run; where an engine answers and none can be had, a failure."""
    probe = DockerServer.probe(settings_for(tmp_path_factory.mktemp("probe")))
    if probe.problem is not None:
        pytest.fail(
            f"the Docker tests need an image of PostgreSQL {MAJOR}: {probe.problem}. Build "
            f"one with `invoke image.build --pg {MAJOR}`, or pull {probe.settings.image_ref}",
            pytrace=False,
        )
    return probe.settings.image_ref


def remove_server(client: docker.DockerClient, server: DockerServer, *, volume: bool) -> None:
    # Container first: a volume cannot be removed while a container uses it.
    with suppress(NotFound):
        client.containers.get(server.settings.container).remove(force=True, v=True)
    if volume:
        with suppress(NotFound):
            client.volumes.get(server.settings.volume).remove(force=True)


@pytest.fixture
def make_server(client: docker.DockerClient, image: str, tmp_path: Path) -> Iterator[MakeServer]:
    """Builds DockerServers with unique names; removes their containers and volumes after.

    ``own_volume=False`` leaves the volume alone: it belongs to another server.
    ``in_memory=True`` gives the server a tmpfs volume made beforehand, for a
    test in which neither the volume nor its data is under test: a new cluster
    on a disk volume costs some disks three times the CPU of one in memory.
    """
    made: list[tuple[DockerServer, bool]] = []

    def make(
        *,
        server_args: tuple[str, ...] = (),
        own_volume: bool = True,
        in_memory: bool = False,
        **overrides: Any,
    ) -> DockerServer:
        state_dir = tmp_path / f"state-{len(made)}"
        server = DockerServer(settings_for(state_dir, **overrides), server_args=server_args)
        made.append((server, own_volume))
        if in_memory:
            create_memory_volume(server.settings.volume)
        return server

    yield make
    for server, own_volume in made:
        remove_server(client, server, volume=own_volume)


@dataclass(frozen=True)
class Shared:
    server: DockerServer
    created: ServerInfo  # what the up that created its container reported


@pytest.fixture(scope="module")
def shared(
    client: docker.DockerClient, image: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shared]:
    """One server of the module, with a password of its own; removed with its volume at the end."""
    settings = settings_for(
        tmp_path_factory.mktemp("shared"), password="pw-" + secrets.token_hex(12)
    )
    server = DockerServer(settings)
    try:
        yield Shared(server, server.up())
    finally:
        remove_server(client, server, volume=True)


@pytest.fixture
def shared_server(shared: Shared) -> DockerServer:
    """The shared server, running: a test before may have stopped it or deleted its volume."""
    shared.server.up()
    return shared.server


def query(server: DockerServer, sql: str) -> Any:
    with psycopg.connect(**server.conninfo.connect_kwargs(), autocommit=True) as conn:
        cursor = conn.execute(sql)
        row = cursor.fetchone() if cursor.description else None
    return row[0] if row else None


def container_exists(client: docker.DockerClient, name: str) -> bool:
    try:
        client.containers.get(name)
    except NotFound:
        return False
    return True


def volume_exists(client: docker.DockerClient, name: str) -> bool:
    try:
        client.volumes.get(name)
    except NotFound:
        return False
    return True


def other_major_image(client: docker.DockerClient, settings: Settings) -> int:
    """A major other than the session's whose image the product can run, or skip."""
    for major in SUPPORTED_MAJORS:
        if major == MAJOR:
            continue
        try:
            usable_image(client, settings.image, major)
        except DockerUnavailableError:
            continue
        return major
    pytest.skip(f"needs an image of a major other than {MAJOR} ({settings.image})")


# -- up, down and data -------------------------------------------------------------------


@docker_test
def test_up_twice_reuses_the_running_container_and_reports_the_version(
    client: docker.DockerClient, shared: Shared, shared_server: DockerServer
) -> None:
    server = shared_server
    first = shared.created
    container_id = client.containers.get(server.settings.container).id
    second = server.up()

    assert first.version.split(".")[0] == str(MAJOR)
    assert second == first
    assert first.address == f"127.0.0.1:{server.settings.effective_port}"
    assert client.containers.get(server.settings.container).id == container_id
    assert str(query(server, "SHOW server_version")).split(".")[0] == str(MAJOR)
    assert query(server, "SELECT current_database()") == server.settings.database


@docker_test
def test_container_and_volume_carry_the_toolkit_labels(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server
    container = client.containers.get(server.settings.container)
    volume = client.volumes.get(server.settings.volume)

    for labels in (container.labels, volume.attrs["Labels"]):
        assert labels[LABEL_MANAGED] == "true"
        assert labels[LABEL_PG_VERSION] == str(MAJOR)
        assert labels["org.norberts-db.project"] == str(PROJECT_ROOT)


@docker_test
def test_the_container_mounts_only_the_named_volume(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server
    mounts = client.containers.get(server.settings.container).attrs["Mounts"]

    expected = "/var/lib/postgresql" if MAJOR >= 18 else "/var/lib/postgresql/data"
    assert [(m["Type"], m["Name"], m["Destination"]) for m in mounts] == [
        ("volume", server.settings.volume, expected)
    ]


@docker_test
def test_temporary_databases_live_in_memory_even_after_an_outside_restart(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server
    container = client.containers.get(server.settings.container)
    assert SCRATCH_MOUNT in container.attrs["HostConfig"]["Tmpfs"]
    assert scratch_location(server.conninfo) == SCRATCH_MOUNT
    assert tablespace_of_a_temporary_database(server.conninfo) == "norberts_scratch"

    # Restarted behind the toolkit's back: the tmpfs is empty, the catalog still names it.
    container.restart()
    wait_ready(server.conninfo, timeout=60)
    listing = container.exec_run(["ls", "-A", SCRATCH_MOUNT], user="postgres")
    assert (listing.exit_code, listing.output) == (0, b"")

    assert tablespace_of_a_temporary_database(server.conninfo) == "norberts_scratch"


@docker_test
def test_down_then_up_keeps_the_data(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server
    query(server, "CREATE TABLE kept AS SELECT 42 AS answer")

    said = server.down()
    assert not container_exists(client, server.settings.container)
    assert volume_exists(client, server.settings.volume)
    assert f"Kept volume {server.settings.volume}" in said
    server.up()

    assert query(server, "SELECT answer FROM kept") == 42


@docker_test
def test_down_with_volumes_deletes_the_data(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server
    query(server, "CREATE TABLE doomed AS SELECT 1 AS n")

    said = server.down(volumes=True)
    assert f"Deleted volume {server.settings.volume}" in said
    assert not volume_exists(client, server.settings.volume)
    server.up()

    assert query(server, "SELECT to_regclass('doomed') IS NULL") is True


@docker_test
def test_down_is_idempotent(make_server: MakeServer) -> None:
    server = make_server()
    server.up()
    server.down(volumes=True)

    said = server.down(volumes=True)

    assert said == (
        f"No container {server.settings.container}. No volume {server.settings.volume}."
    )


@docker_test
def test_a_stopped_container_is_started_again_with_its_data(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server
    query(server, "CREATE TABLE survivor AS SELECT 7 AS n")
    client.containers.get(server.settings.container).stop()
    stopped = server.state()
    assert stopped.running is False
    assert stopped.detail == "exited (exit code 0)"

    server.up()

    assert server.state().running is True
    assert query(server, "SELECT n FROM survivor") == 7


@docker_test
def test_state_logs_and_describe_follow_the_container(shared_server: DockerServer) -> None:
    server = shared_server
    server.down()  # the volume stays: the up below makes a container, not a cluster
    before = server.state()
    assert before.running is False
    assert before.detail == "not created"

    server.up()

    after = server.state()
    assert after.running is True
    assert after.detail.startswith("running since ")
    assert "database system is ready to accept connections" in server.logs(tail=200)
    assert server.describe().startswith(
        f"docker container {server.settings.container} (image {server.settings.image_ref}, "
        f"127.0.0.1:{server.settings.effective_port}"
    )


@docker_test
def test_the_server_listens_on_loopback_only(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server

    if server.settings.network == "host":
        assert query(server, "SHOW listen_addresses") == "127.0.0.1"
        assert query(server, "SHOW port") == str(server.settings.effective_port)
    else:
        bindings = client.containers.get(server.settings.container).attrs["HostConfig"][
            "PortBindings"
        ]
        assert bindings == {
            "5432/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(server.settings.effective_port)}]
        }


# -- failures ----------------------------------------------------------------------------


@docker_test
def test_a_port_taken_by_another_container_is_reported_and_nothing_is_left_behind(
    client: docker.DockerClient, shared_server: DockerServer, make_server: MakeServer
) -> None:
    first = shared_server
    second = make_server(port=first.settings.effective_port)

    with pytest.raises(ServerError) as caught:
        second.up()

    assert str(caught.value) == (
        f"Port {first.settings.effective_port} on 127.0.0.1 is already in use by docker "
        f"container {first.settings.container}. Stop what listens there, or choose another "
        "port with NORBERTS_DB_PORT."
    )
    assert not container_exists(client, second.settings.container)
    assert not volume_exists(client, second.settings.volume)


@docker_test
def test_a_port_taken_by_any_program_is_reported_before_a_container_is_made(
    client: docker.DockerClient, make_server: MakeServer
) -> None:
    server = make_server()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", server.settings.effective_port))
        listener.listen()
        with pytest.raises(ServerError, match=r"is already in use\. Stop what listens there"):
            server.up()

    assert not container_exists(client, server.settings.container)


@docker_test
def test_a_port_a_connection_holds_as_its_own_end_is_waited_for_and_the_container_starts(
    make_server: MakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Any client's connection may get the dev port as its own end; it is no server."""
    server = make_server(in_memory=True)
    port = server.settings.effective_port

    info = up_while_a_connection_holds(server, port, caplog)

    assert isinstance(info, ServerInfo)
    assert info.address == f"127.0.0.1:{port}"
    assert query(server, "SELECT 1") == 1


@docker_test
def test_a_missing_image_says_how_to_get_one(
    client: docker.DockerClient, make_server: MakeServer
) -> None:
    server = make_server(image="norberts-db/no-such-image:{major}")
    started = time.monotonic()

    with pytest.raises(DockerUnavailableError) as caught:
        server.up()

    message = str(caught.value)
    assert message.startswith(
        f"Image norberts-db/no-such-image:{MAJOR} is not present and cannot be pulled: "
    )
    assert f"`docker pull norberts-db/no-such-image:{MAJOR}`" in message
    assert f"`invoke image.build --pg {MAJOR}`" in message
    assert "NORBERTS_DB_IMAGE=norberts-db/postgres:{major}" in message
    # Given up once the pull makes no progress, not after the SDK's own, unbounded wait.
    assert time.monotonic() - started < PULL_IDLE_TIMEOUT + 60
    assert DockerServer.unavailable_reason(server.settings) == (
        message[0].lower() + message[1:].split(". Get it with")[0]
    )
    assert not container_exists(client, server.settings.container)


@docker_test
def test_a_container_that_exits_during_startup_shows_its_log_and_is_removed(
    client: docker.DockerClient, make_server: MakeServer
) -> None:
    server = make_server(server_args=("-c", "no_such_setting=1"))

    with pytest.raises(ServerError) as caught:
        server.up()

    message = str(caught.value)
    assert f"Container {server.settings.container} stopped during start-up" in message
    assert 'unrecognized configuration parameter "no_such_setting"' in message
    assert server.settings.dev_password() not in message
    assert not container_exists(client, server.settings.container)
    assert not volume_exists(client, server.settings.volume)


@docker_test
def test_a_failed_start_keeps_a_volume_that_existed_before(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    good = shared_server
    query(good, "CREATE TABLE precious AS SELECT 1 AS n")
    good.down()
    broken = DockerServer(good.settings, server_args=("-c", "no_such_setting=1"))

    with pytest.raises(ServerError, match="stopped during start-up"):
        broken.up()

    assert not container_exists(client, good.settings.container)
    assert volume_exists(client, good.settings.volume)
    good.up()
    assert query(good, "SELECT n FROM precious") == 1


@docker_test
def test_a_volume_of_another_major_is_refused_with_the_fix(
    client: docker.DockerClient, make_server: MakeServer
) -> None:
    current = make_server()
    other = other_major_image(client, current.settings)
    old = make_server(pg_version=other)
    old.up()
    old.down()
    same_volume = make_server(volume_name=old.settings.volume)

    with pytest.raises(ServerError) as caught:
        same_volume.up()

    assert str(caught.value) == (
        f"Volume {old.settings.volume} holds data of PostgreSQL {other}, but PostgreSQL "
        f"{MAJOR} was asked for. Set NORBERTS_DB_PG_VERSION={other} to use it, or delete it "
        "with `invoke db.down --volumes` to start over (its data is lost)."
    )
    assert not container_exists(client, same_volume.settings.container)
    assert volume_exists(client, old.settings.volume)


@docker_test
def test_an_unlabelled_volume_of_another_major_is_detected_by_reading_pg_version(
    client: docker.DockerClient, make_server: MakeServer
) -> None:
    current = make_server()
    other = other_major_image(client, current.settings)
    volume = current.settings.volume
    client.volumes.create(volume)  # made by hand: no labels to go by
    old = make_server(pg_version=other, volume_name=volume)
    old.up()
    old.down()

    with pytest.raises(ServerError, match=f"holds data of PostgreSQL {other}, but PostgreSQL"):
        current.up()


@docker_test
def test_a_wrong_password_is_reported_as_wrong_credentials(
    client: docker.DockerClient, shared_server: DockerServer, make_server: MakeServer
) -> None:
    first = shared_server
    first.down()
    second = make_server(
        password="second-" + secrets.token_hex(8),
        volume_name=first.settings.volume,
        own_volume=False,
    )

    with pytest.raises(ServerError) as caught:
        second.up()

    message = str(caught.value)
    assert message.startswith(f"Wrong credentials for user {second.settings.user!r}")
    assert "`invoke db.down --volumes`" in message
    assert first.settings.dev_password() not in message
    assert second.settings.dev_password() not in message
    assert volume_exists(client, first.settings.volume)


@docker_test
def test_a_volume_another_checkout_made_is_refused_naming_it_and_nothing_is_made(
    client: docker.DockerClient,
    shared_server: DockerServer,
    make_server: MakeServer,
    tmp_path: Path,
) -> None:
    """A second checkout finds the first's volume: its password is not this one's to know.

    Starting a container on it would only fail to log in, and "start over with
    --volumes" would delete the other checkout's data.
    """
    first = shared_server
    first.down()
    made = make_server(volume_name=first.settings.volume, own_volume=False)
    other = tmp_path / "second-checkout"
    other.mkdir()
    second = DockerServer(replace(made.settings, project_root=other))

    with pytest.raises(ServerError) as caught:
        second.up()

    message = str(caught.value)
    assert f"Volume {first.settings.volume} holds the data of the project {PROJECT_ROOT}" in message
    assert "NORBERTS_DB_VOLUME_NAME" in message
    assert "--volumes" not in message
    assert first.settings.dev_password() not in message
    assert not container_exists(client, second.settings.container)
    assert volume_exists(client, first.settings.volume)


@docker_test
def test_the_password_is_only_in_the_container_environment(
    client: docker.DockerClient, shared_server: DockerServer
) -> None:
    server = shared_server
    password = server.settings.dev_password()
    assert password.startswith("pw-")
    info = server.up()
    container = client.containers.get(server.settings.container)
    config = container.attrs["Config"]
    # Every process's command line, as the kernel has it.
    listing = container.exec_run(["sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"])
    assert isinstance(listing.output, bytes)
    processes = listing.output.decode("utf-8", "replace")

    assert f"POSTGRES_PASSWORD={password}" in config["Env"]
    shown = [
        str(config["Cmd"]),
        str(config["Entrypoint"]),
        str(container.attrs["Args"]),
        str(container.attrs["Path"]),
        processes,
        container.logs().decode("utf-8", "replace"),
        server.logs(),
        server.describe(),
        server.state().detail,
        str(info),
        str(server.conninfo),
        repr(server.conninfo),
        server.down(),
    ]
    for text in shown:
        assert password not in text


@docker_test
def test_a_container_of_that_name_not_made_by_the_toolkit_is_left_alone(
    client: docker.DockerClient, image: str, make_server: MakeServer
) -> None:
    server = make_server()
    foreign = client.containers.create(image, ["true"], name=server.settings.container)

    for action in (server.up, server.down):
        with pytest.raises(ServerError, match="exists but was not created by this toolkit"):
            action()

    foreign.reload()
    assert foreign.status == "created"


def skip_where_the_engine_has_a_bridge(client: docker.DockerClient) -> None:
    if any(n.name == "bridge" for n in client.networks.list(names=["bridge"])):
        pytest.skip("this engine has a bridge network")


@docker_test
def test_bridge_network_on_an_engine_without_one_asks_for_host_networking(
    client: docker.DockerClient, make_server: MakeServer
) -> None:
    skip_where_the_engine_has_a_bridge(client)
    server = make_server(network="bridge")

    with pytest.raises(ServerError, match=r"has no bridge network .* Set NORBERTS_DB_NETWORK=host"):
        server.up()

    assert not container_exists(client, server.settings.container)
    # So auto does not choose Docker only to fail: it names the reason and falls back.
    reason = DockerServer.unavailable_reason(server.settings)
    assert reason is not None
    assert "has no bridge network" in reason
    assert "NORBERTS_DB_NETWORK=host" in reason
    assert DockerServer.unavailable_reason(replace(server.settings, network="host")) is None


@docker_test
def test_the_default_network_on_an_engine_without_a_bridge_is_the_host_network_on_loopback(
    client: docker.DockerClient, make_server: MakeServer
) -> None:
    """``auto`` (the default) runs where the engine can: the host network, 127.0.0.1 only."""
    skip_where_the_engine_has_a_bridge(client)
    server = make_server(network="auto", in_memory=True)
    configured = server.settings

    probe = DockerServer.probe(server.settings)
    assert probe.problem is None
    assert probe.settings.network == "host"
    assert "has no bridge network, so the container runs on the host network" in probe.note
    choice = choose_server(replace(server.settings, backend="auto"))
    assert choice.server.kind == "docker"
    assert "on the host network, listening on 127.0.0.1 only" in choice.reason

    server.up()
    container = client.containers.get(server.settings.container)
    assert container.attrs["HostConfig"]["NetworkMode"] == "host"
    assert query(server, "SHOW listen_addresses") == "127.0.0.1"
    assert ", host network" in server.describe()
    # The container keeps its network: a second start finds it as it was made.
    again = DockerServer(configured)
    again.up()
    assert again.settings.network == "host"


@docker_test
def test_the_default_image_not_to_be_had_falls_back_to_the_local_build(
    client: docker.DockerClient, make_server: MakeServer, tmp_path: Path
) -> None:
    """No registry, no ``postgres:N``: ``auto`` and ``docker`` run ``norberts-db/postgres:N``."""
    official, built = OFFICIAL_IMAGE.format(major=MAJOR), BUILT_IMAGE.format(major=MAJOR)
    try:
        client.images.get(built)
    except NotFound:
        pytest.skip(f"needs {built} (`invoke image.build --pg {MAJOR}`)")
    settings = settings_for(tmp_path, image=OFFICIAL_IMAGE)
    if DockerServer.probe(settings).settings.image_ref == official:
        pytest.skip(f"{official} is present or can be pulled here")

    for backend in ("auto", "docker"):
        choice = choose_server(replace(settings, backend=backend))
        assert choice.server.kind == "docker"
        assert choice.server.settings.image_ref == built
        assert f"image {official} is not present and cannot be pulled" in choice.reason
        assert f"so {built}, built by `invoke image.build`, is used" in choice.reason
        # The probe's failed pull above is remembered: no task asks the registry again.
        assert "when last tried at" in choice.reason

    server = make_server(image=OFFICIAL_IMAGE, in_memory=True)
    server.up()
    assert client.containers.get(server.settings.container).attrs["Config"]["Image"] == built
    assert built in server.describe()


# -- no engine ---------------------------------------------------------------------------


def test_no_engine_is_reported_at_once_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    address = f"unix://{tmp_path}/no-engine.sock"
    monkeypatch.setenv("DOCKER_HOST", address)
    server = DockerServer(settings_for(tmp_path))

    # At once: the missing socket is seen before any client dials it, so no
    # connection attempt, with its minute-long API timeout, is ever made.
    def dialled(*args: object, **kwargs: object) -> None:
        raise AssertionError("a Docker client was made for an engine that has no socket")

    monkeypatch.setattr(docker, "from_env", dialled)
    monkeypatch.setattr(docker, "DockerClient", dialled)
    reason = DockerServer.unavailable_reason(server.settings)
    with pytest.raises(DockerUnavailableError) as caught:
        server.up()
    state = server.state()

    assert reason == f"no Docker engine answers at {address} (No such file or directory)"
    assert str(caught.value).startswith(f"No Docker engine answers at {address}")
    assert "NORBERTS_DB_BACKEND=embedded" in str(caught.value)
    assert state.running is False
    assert state.detail == reason


@docker_test
def test_image_build_if_missing_builds_only_where_no_image_of_the_major_can_be_had(
    client: docker.DockerClient, image: str, tmp_path: Path
) -> None:
    """What ``invoke image.build --if-missing`` (run by each nox session) decides."""
    present = settings_for(tmp_path, image=image)
    before = client.images.get(image).id
    reason = images.missing_image_reason(present, MAJOR)
    assert reason == f"{image} is there: nothing to build"
    assert client.images.get(image).id == before
    # An image set on purpose is never swapped for the local build: this one must be built.
    absent = settings_for(tmp_path, image=f"norberts-db/absent-{secrets.token_hex(3)}:{{major}}")
    assert images.missing_image_reason(absent, MAJOR) is None
