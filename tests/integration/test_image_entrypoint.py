"""The entrypoint of the locally built image (``docker/docker-entrypoint.sh``) on new data.

With the defaults the toolkit uses, a new container copies the cluster the
image was built with instead of running initdb, and sets its own password; any
other initdb option still runs initdb, and init scripts still run on a
temporary server. Each case is a real container of ``norberts-db/postgres:N``,
its data directory empty at the start, in memory: what the entrypoint does
does not depend on where the data lives, and on some disks making a cluster's
thousand files costs the kernel twice what the rest of a start costs.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import psycopg
import pytest
from docker.models.containers import Container

from norberts_db.errors import DockerUnavailableError
from norberts_db.servers.docker_checks import data_mount
from norberts_db.servers.docker_engine import BUILT_IMAGE, connect_engine
from tests.port_holders import free_port

MAJOR = int(os.environ.get("NORBERTS_DB_PG_VERSION", "18"))
IMAGE = BUILT_IMAGE.format(major=MAJOR)
PREFIX = f"norberts-db-entrypointtest-{os.getpid()}-"

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    try:
        engine = connect_engine(timeout=120)
    except DockerUnavailableError as exc:
        pytest.skip(f"no Docker engine answers ({exc}); start one (`bash .ci/docker-engine.sh`)")
    if not engine.images.list(name=IMAGE):
        engine.close()
        pytest.skip(f"{IMAGE} is not built here: `invoke image.build --pg {MAJOR}`")
    try:
        yield engine
    finally:
        for container in engine.containers.list(all=True, filters={"name": PREFIX}):
            container.remove(force=True, v=True)
        engine.close()


def start(
    client: docker.DockerClient,
    env: dict[str, str],
    mounts: dict[str, dict[str, str]] | None = None,
) -> tuple[Container, int]:
    """A container with an empty data directory in memory, on 127.0.0.1 only, once ready."""
    port = free_port()
    container = client.containers.run(
        IMAGE,
        ["postgres", "-c", "listen_addresses=127.0.0.1", "-p", str(port)],
        name=PREFIX + secrets.token_hex(3),
        environment=env,
        volumes=mounts or {},
        # Where the image's volume would be, so no anonymous volume is made.
        tmpfs={data_mount(MAJOR): ""},
        network_mode="host",
        detach=True,
    )
    deadline = time.monotonic() + 120
    while not ready(container.logs()):
        container.reload()
        assert container.status == "running", container.logs().decode()
        assert time.monotonic() < deadline, container.logs().decode()
        time.sleep(0.1)
    return container, port


def ready(logs: bytes) -> bool:
    """The entrypoint finished, and the server it then started accepts connections."""
    _, done, after = logs.partition(b"init process complete; ready for start up.")
    return bool(done) and b"ready to accept connections" in after


def login(
    port: int, password: str, dbname: str = "postgres"
) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", password=password, dbname=dbname
    )


def test_defaults_copy_the_image_cluster_and_take_only_the_given_password(
    client: docker.DockerClient,
) -> None:
    password = 'it\'s "quoted" \\ ' + secrets.token_hex(4)
    container, port = start(client, {"POSTGRES_PASSWORD": password, "POSTGRES_DB": 'app"db'})

    logs = container.logs().decode()
    assert "from the image's own (no initdb)" in logs
    assert password not in logs
    with login(port, password, 'app"db') as conn:
        row = conn.execute(
            "SELECT current_database(), rolpassword FROM pg_authid WHERE rolname = 'postgres'"
        ).fetchone()
    assert row is not None and row[0] == 'app"db'
    assert str(row[1]).startswith("SCRAM-SHA-256$")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        login(port, password + "x").close()


def test_initdb_options_run_initdb_with_them(client: docker.DockerClient) -> None:
    password = secrets.token_hex(8)
    container, port = start(
        client,
        {"POSTGRES_PASSWORD": password, "POSTGRES_INITDB_ARGS": "--encoding=LATIN1 --locale=C"},
    )

    logs = container.logs().decode()
    assert "initializing a PostgreSQL" in logs and "no initdb" not in logs
    with login(port, password) as conn:
        assert conn.execute("SHOW server_encoding").fetchone() == ("LATIN1",)


def test_init_scripts_still_run_on_a_temporary_server(
    client: docker.DockerClient, tmp_path: Path
) -> None:
    scripts = tmp_path / "initdb.d"
    scripts.mkdir()
    (scripts / "01_table.sql").write_text("CREATE TABLE made_by_script (id int);\n")
    scripts.chmod(0o755)
    password = secrets.token_hex(8)
    mounts = {str(scripts): {"bind": "/docker-entrypoint-initdb.d", "mode": "ro"}}
    container, port = start(client, {"POSTGRES_PASSWORD": password, "POSTGRES_DB": "app"}, mounts)

    assert "running /docker-entrypoint-initdb.d/01_table.sql" in container.logs().decode()
    with login(port, password, "app") as conn:
        assert conn.execute("SELECT to_regclass('made_by_script')::text").fetchone() == (
            "made_by_script",
        )
