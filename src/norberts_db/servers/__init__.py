"""Choosing the PostgreSQL server for a task: docker, embedded, or external."""

from __future__ import annotations

from dataclasses import dataclass

from norberts_db.errors import ServerError
from norberts_db.servers.base import Server, ServerInfo, ServerState
from norberts_db.settings import Settings

__all__ = ["Choice", "Server", "ServerInfo", "ServerState", "choose_server"]


@dataclass(frozen=True)
class Choice:
    server: Server
    reason: str  # why this backend, e.g. "docker engine not reachable: ..."


def choose_server(settings: Settings) -> Choice:
    """The server for ``settings``, and why it was chosen.

    ``auto`` takes an external server when a URL is given, else Docker when an
    engine answers and the image can be had, else the embedded server.
    """
    # Backends are imported only when chosen: the docker SDK alone costs more
    # import time than a whole reset against a running server.
    backend = settings.backend
    if backend == "external" or (backend == "auto" and settings.url):
        from norberts_db.servers.external import ExternalServer

        return Choice(ExternalServer(settings), "a server URL was given")
    from norberts_db.servers.docker import DockerServer
    from norberts_db.servers.embedded import EmbeddedServer

    if backend == "docker":
        return Choice(DockerServer(settings), "backend set to docker")
    if backend == "embedded":
        return Choice(EmbeddedServer(settings), "backend set to embedded")

    docker_problem = DockerServer.unavailable_reason(settings)
    if docker_problem is None:
        return Choice(
            DockerServer(settings), f"a Docker engine answers and {settings.image_ref} is available"
        )
    embedded_problem = EmbeddedServer.unavailable_reason(settings)
    if embedded_problem is None:
        return Choice(EmbeddedServer(settings), f"docker is not usable: {docker_problem}")
    raise ServerError(
        "No PostgreSQL server can be had on this machine.\n"
        f"  docker: {docker_problem}\n"
        f"  embedded: {embedded_problem}\n"
        "Start a Docker engine, provide server binaries (`invoke pg.fetch`), "
        "or point DATABASE_URL at a server."
    )
