"""The dev server as a Docker container with a named volume, driven by the docker SDK.

The same code serves the official ``postgres:N`` images and the images that
``invoke image.build`` makes offline, because both follow the official image's
contract (``POSTGRES_*`` environment, PGDATA, volume location, stop signal).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress

import docker
from docker.errors import APIError, DockerException, NotFound
from docker.models.containers import Container
from docker.models.volumes import Volume

from norberts_db import scratch
from norberts_db.connection import wait_ready
from norberts_db.conninfo import ConnInfo
from norberts_db.databases import ensure_database
from norberts_db.errors import ServerError
from norberts_db.servers import docker_password
from norberts_db.servers.base import LOOPBACK, ManagedServer, ServerInfo, ServerState
from norberts_db.servers.docker_checks import (
    check_port_free,
    find_volume,
    hint,
    port_message,
    preflight,
)
from norberts_db.servers.docker_engine import (
    LABEL_IMAGE,
    LABEL_MANAGED,
    LABEL_NETWORK,
    LABEL_PG_VERSION,
    LABEL_PORT,
    PROBE_TIMEOUT,
    Unusable,
    api_reason,
    engine,
)
from norberts_db.servers.docker_probe import Probe, existing, probe, resolved
from norberts_db.servers.docker_spec import SCRATCH_MOUNT, create_options, labels
from norberts_db.settings import Settings

# PostgreSQL's fast shutdown (SIGINT, the image's STOPSIGNAL) finishes in about a second.
STOP_TIMEOUT = 30
LOG_TAIL = 40


class DockerServer(ManagedServer):
    """PostgreSQL in a labelled container with a labelled named volume."""

    kind = "docker"

    def __init__(self, settings: Settings, *, server_args: Sequence[str] = ()) -> None:
        """``server_args`` are extra PostgreSQL arguments, for example ``("-c", "fsync=off")``."""
        super().__init__(settings)
        self.server_args = tuple(server_args)

    @classmethod
    def probe(cls, settings: Settings) -> Probe:
        """Whether an engine answers, an image can be had and the network exists."""
        return probe(settings)

    @classmethod
    def unavailable_reason(cls, settings: Settings) -> str | None:
        """None when an engine answers, an image is local or can be pulled, and the network
        exists; else why not."""
        return cls.probe(settings).problem

    @property
    def conninfo(self) -> ConnInfo:
        if not self.settings.password and not self.settings.password_file.exists():
            self._adopt_password()
        return super().conninfo

    def _adopt_password(self) -> None:
        """Take back the password of this project's container when the state folder lost it.

        ``git clean -fdx`` deletes the generated password, while the container and
        its volume keep the cluster made with it; a new password would lock the
        project out of its own data. The container's environment still holds it.
        """
        try:
            with engine(PROBE_TIMEOUT) as client:
                container = self._container(client)
        except (Unusable, ServerError):
            return
        if container is not None:
            docker_password.adopt(self.settings, container)

    def describe(self) -> str:
        s = self.settings
        network = ", host network" if s.network == "host" else ""
        return (
            f"docker container {s.container} "
            f"(image {s.image_ref}, {LOOPBACK}:{s.effective_port}{network})"
        )

    # -- up ---------------------------------------------------------------------------

    def up(self) -> ServerInfo:
        with engine() as client:
            container = self._container(client)
            # Also for an existing container, whose labels name the image it was made from.
            self.settings = resolved(client, self.settings, container).settings
            if container is None:
                version = self._create_and_start(client)
            else:
                self._check_matches_settings(container)
                docker_password.check_known(self.settings, container)
                if container.status != "running":
                    check_port_free(client, self.settings.effective_port)
                    _start(container, self.settings.effective_port)
                version = self._wait_ready(container)
        info = self.conninfo
        ensure_database(info, info.dbname)
        scratch.provide(info, SCRATCH_MOUNT)
        return ServerInfo(self.kind, version, info.address, info.dbname)

    def _create_and_start(self, client: docker.DockerClient) -> str:
        """Create, start and wait; on any failure remove what this call created."""
        preflight(client, self.settings, labels(self.settings, container=False))
        volume_existed = self._ensurevolume(client)
        container: Container | None = None
        try:
            container = client.containers.create(**create_options(self.settings, self.server_args))
            _start(container, self.settings.effective_port)
            return self._wait_ready(container)
        except BaseException:
            if container is not None:
                with suppress(DockerException):
                    container.remove(force=True, v=True)
            if not volume_existed:
                with suppress(DockerException):
                    client.volumes.get(self.settings.volume).remove(force=True)
            raise

    def _ensurevolume(self, client: docker.DockerClient) -> bool:
        """Create the named volume unless it exists. Returns True when it existed."""
        if find_volume(client, self.settings.volume) is not None:
            return True
        client.volumes.create(self.settings.volume, labels=labels(self.settings, container=False))
        return False

    def _wait_ready(self, container: Container) -> str:
        return wait_ready(
            self.conninfo,
            timeout=self.settings.ready_timeout,
            diagnostics=lambda: self._log_tail(container),
            still_starting=lambda: self._raise_if_exited(container),
        )

    def _raise_if_exited(self, container: Container) -> None:
        try:
            container.reload()
            state = container.attrs.get("State", {})
        except NotFound:
            state = {"Status": "removed", "ExitCode": "unknown"}
        if state.get("Status") in ("running", "created", "restarting"):
            return
        log = self._log_tail(container)
        raise ServerError(
            f"Container {self.settings.container} stopped during start-up "
            f"(status {state.get('Status')}, exit code {state.get('ExitCode')}). "
            f"{hint(log, self.settings)}\n{log}"
        )

    # -- checks -----------------------------------------------------------------------

    def _container(self, client: docker.DockerClient) -> Container | None:
        """Our container, None if there is none, ServerError if the name is taken by another."""
        name = self.settings.container
        container = existing(client, self.settings)
        if container is None:
            return None
        if container.labels.get(LABEL_MANAGED) != "true":
            raise ServerError(
                f"A container named {name} exists but was not created by this toolkit; it is "
                "left alone. Remove or rename it, or set NORBERTS_DB_CONTAINER_NAME."
            )
        return container

    def _check_matches_settings(self, container: Container) -> None:
        """An existing container keeps its image, port and network; say so if they changed."""
        wanted = labels(self.settings, container=True)
        changed = [
            f"{key.rsplit('.', 1)[-1]} {container.labels.get(key)} (now {wanted[key]})"
            for key in (LABEL_IMAGE, LABEL_PORT, LABEL_NETWORK, LABEL_PG_VERSION)
            if container.labels.get(key) != wanted[key]
        ]
        if changed:
            raise ServerError(
                f"Container {self.settings.container} was created with {', '.join(changed)}. "
                "Run `invoke db.down` (the data volume is kept) and then `invoke db.up` "
                "to recreate it with the current settings."
            )

    # -- down, state, logs ------------------------------------------------------------

    def down(self, *, volumes: bool = False) -> str:
        s = self.settings
        done: list[str] = []
        with engine() as client:
            container = self._container(client)
            if container is None:
                done.append(f"No container {s.container}.")
            else:
                if container.status == "running":
                    container.stop(timeout=STOP_TIMEOUT)
                # v=True: anonymous volumes only; the named data volume is kept.
                container.remove(v=True)
                done.append(f"Stopped and removed container {s.container}.")
            volume = find_volume(client, s.volume)
            if volume is None:
                done.append(f"No volume {s.volume}.")
            elif not volumes:
                done.append(f"Kept volume {s.volume} (--volumes deletes it).")
            else:
                done.append(self._removevolume(volume))
        return " ".join(done)

    def _removevolume(self, volume: Volume) -> str:
        name = self.settings.volume
        if (volume.attrs.get("Labels") or {}).get(LABEL_MANAGED) != "true":
            return f"Kept volume {name}: it was not created by this toolkit (`docker volume rm`)."
        try:
            volume.remove()
        except APIError as exc:
            raise ServerError(
                f"Cannot delete volume {name}: {api_reason(exc)}. Stop the containers using it."
            ) from None
        return f"Deleted volume {name}."

    def state(self) -> ServerState:
        """The detail leaves out what :meth:`describe` already says (callers show both)."""
        try:
            with engine(PROBE_TIMEOUT) as client:
                container = self._container(client)
                if container is None:
                    return ServerState(False, "not created")
                state = container.attrs.get("State", {})
        except Unusable as exc:
            return ServerState(False, exc.reason)
        if container.status == "running":
            since = str(state.get("StartedAt", ""))[:19].replace("T", " ")
            return ServerState(True, f"running since {since} UTC")
        return ServerState(False, f"{container.status} (exit code {state.get('ExitCode')})")

    def logs(self, tail: int = 100) -> str:
        with engine() as client:
            container = self._container(client)
            if container is None:
                return f"No container {self.settings.container}."
            return self._redact(container.logs(tail=tail).decode("utf-8", "replace"))

    def _log_tail(self, container: Container) -> str:
        try:
            text = container.logs(tail=LOG_TAIL).decode("utf-8", "replace").rstrip()
        except DockerException as exc:
            return f"(the container log cannot be read: {api_reason(exc)})"
        body = self._redact(text) or "(empty)"
        return f"Last lines of the log of container {self.settings.container}:\n{body}"

    def _redact(self, text: str) -> str:
        """Belt and braces: a log line quoting a statement must not leak the password."""
        return text.replace(self.settings.dev_password(), "********")


def _start(container: Container, port: int) -> None:
    try:
        container.start()
    except APIError as exc:
        reason = api_reason(exc)
        if "port is already allocated" in reason or "address already in use" in reason:
            raise ServerError(port_message(port, "")) from None
        raise ServerError(f"Docker could not start container {container.name}: {reason}") from None
