"""Choosing the PostgreSQL server for a task: docker, embedded, or external."""

from __future__ import annotations

from dataclasses import dataclass

from norberts_db.errors import ServerError, SettingsError
from norberts_db.servers.base import Server, ServerInfo, ServerState
from norberts_db.settings import Settings

__all__ = ["Choice", "Server", "ServerInfo", "ServerState", "choose_server"]


@dataclass(frozen=True)
class Choice:
    server: Server
    reason: str  # why this backend, e.g. "docker engine not reachable: ..."


def wants_external(settings: Settings) -> bool:
    """Whether the settings name an external server by URL.

    A ``--url`` flag always does: it is the most explicit thing a user can say,
    and acting on another server than the one named would be the worst mistake.
    A URL from the environment or pyproject does unless the backend is set to
    docker or embedded (an application's DATABASE_URL often stays exported).
    """
    if settings.backend == "external":
        return True
    if not settings.url:
        return False
    if settings.sources.get("url") == "--url":
        if settings.sources.get("backend") == "--backend" and settings.backend != "auto":
            raise SettingsError(
                f"--url names an external server but --backend is {settings.backend}. "
                "Give one of the two."
            )
        return True
    return settings.backend == "auto"


def choose_server(settings: Settings) -> Choice:
    """The server for ``settings``, and why it was chosen.

    ``auto`` takes an external server when a URL is given, else the project's
    embedded server while it runs, else Docker when an engine answers and the
    image can be had, else the embedded server. An embedded server started while
    Docker could not be used keeps serving once it can (``nox`` builds the images
    the first ``db.reset`` lacked): the tasks never lose sight of it, and
    ``db.down`` stops it, after which the choice is made anew.
    """
    # Backends are imported only when chosen: the docker SDK alone costs more
    # import time than a whole reset against a running server.
    backend = settings.backend
    if wants_external(settings):
        from norberts_db.servers.external import ExternalServer

        return Choice(ExternalServer(settings), "a server URL was given")
    unused = f"; {settings.sources.get('url', 'the URL')} is not used" if settings.url else ""
    from norberts_db.servers.embedded import EmbeddedServer

    if backend == "embedded":
        return Choice(EmbeddedServer(settings), f"backend set to embedded{unused}")
    if backend == "auto" and EmbeddedServer.runs_for(settings):
        return Choice(
            EmbeddedServer(settings),
            f"its dev server is running{unused}; after `invoke db.down` the backend is chosen anew",
        )
    from norberts_db.servers.docker import DockerServer

    docker = DockerServer.probe(settings)
    if backend == "docker":
        note = f"; {docker.note}" if docker.note else ""
        return Choice(DockerServer(docker.settings), f"backend set to docker{unused}{note}")

    docker_problem = docker.problem
    if docker_problem is None:
        image = docker.note or f"{docker.settings.image_ref} is available"
        return Choice(DockerServer(docker.settings), f"a Docker engine answers and {image}")
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
