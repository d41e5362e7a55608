"""What a Docker dev server would run: the image, the network, and whether it can.

:func:`probe` answers before anything is created, so ``auto`` can choose
another backend; :func:`resolved` gives the settings with the image and the
network filled in, which :class:`~norberts_db.servers.docker.DockerServer`
runs with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import docker
from docker.errors import NotFound
from docker.models.containers import Container

from norberts_db.servers.docker_checks import chosen_network, lacks_bridge
from norberts_db.servers.docker_engine import (
    LABEL_NETWORK,
    PROBE_TIMEOUT,
    Unusable,
    engine,
    engine_address,
    usable_image,
)
from norberts_db.servers.docker_pulls import PullMemory
from norberts_db.settings import Settings


@dataclass(frozen=True)
class Probe:
    """What :meth:`DockerServer.probe` found."""

    settings: Settings  # with the image that would run
    note: str  # why that image, when it is not the one the settings named
    problem: str | None  # why Docker cannot be used; None when it can


def resolved(client: docker.DockerClient, settings: Settings, container: Container | None) -> Probe:
    """``settings`` with the image that would run and the network it would run on."""
    memory = PullMemory.in_state_dir(settings.state_path)
    image, image_note = usable_image(client, settings.image, settings.pg_version, memory)
    made_with = container.labels.get(LABEL_NETWORK) if container is not None else None
    network, network_note = chosen_network(client, settings, made_with)
    sources = dict(settings.sources)
    if image != settings.image:
        sources["image"] = f"the fallback for {settings.image}"
    if network != settings.network:
        sources["network"] = f"{sources.get('network', 'the default')} (auto)"
    note = "; ".join(part for part in (image_note, network_note) if part)
    return Probe(replace(settings, image=image, network=network, sources=sources), note, None)


def existing(client: docker.DockerClient, settings: Settings) -> Container | None:
    """The container of ``settings`` if there is one, whoever made it."""
    try:
        container = client.containers.get(settings.container)
    except NotFound:
        return None
    # A lookup by name also matches an id prefix.
    return container if container.name == settings.container else None


def probe(settings: Settings) -> Probe:
    """Whether an engine answers, an image can be had and the network exists.

    The settings it returns name the image that would run (see
    :func:`~norberts_db.servers.docker_engine.usable_image`) and the network
    (see :func:`~norberts_db.servers.docker_checks.chosen_network`).
    """
    try:
        with engine(PROBE_TIMEOUT) as client:
            usable = resolved(client, settings, existing(client, settings))
            if lacks_bridge(client, usable.settings):
                problem = (
                    f"the engine at {engine_address()} has no bridge network (it runs "
                    "with --bridge=none); NORBERTS_DB_NETWORK=host would use it"
                )
                return Probe(usable.settings, usable.note, problem)
    except Unusable as exc:
        return Probe(settings, "", exc.reason)
    return usable
