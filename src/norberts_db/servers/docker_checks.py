"""Checks of a Docker server's surroundings, made before anything is created.

The image's major, the network, the port and the data volume: each failure is
a :class:`~norberts_db.errors.ServerError` saying what to change. Also the
hints read from a failed start's log.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import docker
from docker.errors import DockerException, NotFound
from docker.models.volumes import Volume

from norberts_db.errors import ServerError
from norberts_db.servers import docker_password, ports
from norberts_db.servers.base import LOOPBACK
from norberts_db.servers.docker_engine import (
    LABEL_MANAGED,
    LABEL_PG_VERSION,
    LABEL_PORT,
    engine_address,
)
from norberts_db.settings import Settings


def preflight(client: docker.DockerClient, s: Settings, labels: dict[str, str]) -> None:
    """Everything that can be checked before anything is created."""
    image_major = client.images.get(s.image_ref).labels.get(LABEL_PG_VERSION)
    if image_major and image_major != str(s.pg_version):
        raise ServerError(
            f"Image {s.image_ref} holds PostgreSQL {image_major}, but PostgreSQL "
            f"{s.pg_version} was asked for. Set NORBERTS_DB_PG_VERSION={image_major} "
            "or choose another image with NORBERTS_DB_IMAGE."
        )
    if lacks_bridge(client, s):
        raise ServerError(
            f"The Docker engine at {engine_address()} has no bridge network (it runs with "
            "--bridge=none), so port 5432 cannot be published. Set NORBERTS_DB_NETWORK=host "
            f"(or auto, the default) to run the container on the host network, listening on "
            f"{LOOPBACK}."
        )
    check_port_free(client, s.effective_port)
    volume = find_volume(client, s.volume)
    if volume is not None:
        docker_password.check_volume_known(s, volume)
        check_volume_major(client, s, volume, labels)


def check_port_free(client: docker.DockerClient, port: int) -> None:
    """Raise unless the container can listen there; connections holding it are waited for."""
    problem = ports.wait_until_free(port)
    if problem is None:
        return
    if ports.connections_holding(port):
        raise ServerError(
            f"Cannot start the container: {problem}. Run the task again once those "
            "connections have ended, or choose a port outside that range with NORBERTS_DB_PORT."
        )
    users = client.containers.list(
        filters={"label": [f"{LABEL_MANAGED}=true", f"{LABEL_PORT}={port}"]}
    )
    by = f" by docker container {users[0].name}" if users else ""
    raise ServerError(port_message(port, by))


def check_volume_major(
    client: docker.DockerClient, s: Settings, volume: Volume, labels: dict[str, str]
) -> None:
    """A volume of another major is refused with the fix; ``labels`` are the new ones."""
    found_labels = volume.attrs.get("Labels") or {}
    found = found_labels.get(LABEL_PG_VERSION) or probe_volume_major(client, s, labels)
    if found and found != str(s.pg_version):
        raise ServerError(volume_message(s, found))


def probe_volume_major(
    client: docker.DockerClient, s: Settings, labels: dict[str, str]
) -> str | None:
    """PG_VERSION in a volume this toolkit did not label, read by a throw-away container."""
    # Mounted where the image declares its VOLUME, so no anonymous volume is made.
    mount = data_mount(s.pg_version)
    script = f"cat {mount}/PG_VERSION {mount}/*/docker/PG_VERSION 2>/dev/null; true"
    try:
        output = client.containers.run(
            s.image_ref,
            entrypoint=["sh", "-c", script],
            volumes={s.volume: {"bind": mount, "mode": "ro"}},
            network_mode="none",
            labels=labels,
            remove=True,
        )
    except DockerException:
        return None  # an image without sh: the server's own check has to do
    majors = re.findall(rb"\d+", output if isinstance(output, bytes) else b"")
    return majors[0].decode() if majors else None


def data_mount(major: int) -> str:
    """Where the volume goes: PGDATA below 18; from 18 on the parent, which 18 insists on."""
    return "/var/lib/postgresql" if major >= 18 else "/var/lib/postgresql/data"


def find_volume(client: docker.DockerClient, name: str) -> Volume | None:
    try:
        return client.volumes.get(name)
    except NotFound:
        return None


def port_message(port: int, by: str) -> str:
    return (
        f"Port {port} on {LOOPBACK} is already in use{by}. Stop what listens there, "
        "or choose another port with NORBERTS_DB_PORT."
    )


def volume_message(settings: Settings, found: str) -> str:
    return (
        f"Volume {settings.volume} holds data of PostgreSQL {found}, but PostgreSQL "
        f"{settings.pg_version} was asked for. Set NORBERTS_DB_PG_VERSION={found} to use it, "
        "or delete it with `invoke db.down --volumes` to start over (its data is lost)."
    )


_HINTS: tuple[tuple[tuple[str, ...], Callable[[Settings], str]], ...] = (
    (
        ("Address already in use", "could not bind"),
        lambda s: port_message(s.effective_port, ""),
    ),
    (
        ("incompatible with server", "holds a PostgreSQL", "initialized by PostgreSQL"),
        lambda s: (
            f"The volume {s.volume} holds data of another PostgreSQL major. Delete it with "
            "`invoke db.down --volumes` (its data is lost), or set NORBERTS_DB_PG_VERSION "
            "to the major that wrote it."
        ),
    ),
)


def hint(log: str, settings: Settings) -> str:
    for needles, advice in _HINTS:
        if any(needle in log for needle in needles):
            return advice(settings)
    return "The log below says why; `invoke db.logs` shows more."


def lacks_bridge(client: docker.DockerClient, settings: Settings) -> bool:
    """True when the settings want the bridge network and the engine has none."""
    return settings.network == "bridge" and not has_bridge(client)


def has_bridge(client: docker.DockerClient) -> bool:
    # The name filter matches substrings ("my-bridge"); only the network "bridge" will do.
    return any(n.name == "bridge" for n in client.networks.list(names=["bridge"]))


def chosen_network(
    client: docker.DockerClient, settings: Settings, made_with: str | None
) -> tuple[str, str]:
    """The network a container of ``settings`` runs on, and why when ``auto`` chose the host.

    ``auto`` keeps the network of a container that exists (``made_with``, its
    label), and otherwise takes the bridge where the engine has one. An engine
    run with ``--bridge=none`` has none, and the host network is the one left:
    PostgreSQL then listens on 127.0.0.1 only, as a published port would.
    """
    if settings.network != "auto":
        return settings.network, ""
    if made_with in ("bridge", "host"):
        return made_with, ""
    if has_bridge(client):
        return "bridge", ""
    return "host", (
        f"the engine at {engine_address()} has no bridge network, so the container runs "
        f"on the host network, listening on {LOOPBACK} only"
    )
