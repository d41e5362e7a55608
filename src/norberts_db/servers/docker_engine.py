"""The Docker engine: reaching it, and making sure an image is there.

Shared by the docker server (:mod:`norberts_db.servers.docker`) and the
offline image builds (:mod:`norberts_db.images`). Every failure is a
:class:`Unusable` saying why and what to do.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import docker
from docker.errors import DockerException, ImageNotFound

from norberts_db.errors import DockerUnavailableError
from norberts_db.servers.docker_pulls import PullMemory

LABEL_MANAGED = "org.norberts-db.managed"
LABEL_PROJECT = "org.norberts-db.project"
LABEL_PG_VERSION = "org.norberts-db.pg-version"
LABEL_PORT = "org.norberts-db.port"
LABEL_NETWORK = "org.norberts-db.network"
LABEL_IMAGE = "org.norberts-db.image"

# The default image setting, and what `invoke image.build` makes where no registry answers.
OFFICIAL_IMAGE = "postgres:{major}"
BUILT_IMAGE = "norberts-db/postgres:{major}"

DEFAULT_ENGINE = "unix:///var/run/docker.sock"
# A local engine answers a ping in milliseconds; a missing socket fails at once.
PROBE_TIMEOUT = 3
# Engine calls that wait on the container (stop, remove) get this much on top.
API_TIMEOUT = 60
# A pull that reports no progress for this long is given up (no registry, a stuck proxy).
PULL_IDLE_TIMEOUT = 30.0

_ENGINE_ADVICE = (
    "Start a Docker engine (Docker Desktop, `sudo systemctl start docker`, or "
    "`bash .ci/docker-engine.sh` on CI), or use NORBERTS_DB_BACKEND=embedded."
)


class Unusable(DockerUnavailableError):
    """Docker cannot be used; ``reason`` is the short form ``unavailable_reason`` reports."""

    def __init__(self, reason: str, advice: str) -> None:
        super().__init__(f"{reason[:1].upper()}{reason[1:]}. {advice}")
        self.reason = reason


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_ENGINE


def connect_engine(timeout: int = API_TIMEOUT) -> docker.DockerClient:
    """A client of the engine ``DOCKER_HOST`` names, or DockerUnavailableError saying why not."""
    address = engine_address()
    problem = _unix_socket_problem(address, timeout)
    if problem is not None:
        raise Unusable(f"no Docker engine answers at {address} ({problem})", _ENGINE_ADVICE)
    try:
        client = docker.from_env(timeout=timeout)
    except DockerException as exc:
        raise Unusable(
            f"no Docker engine answers at {address} ({os_reason(exc)})", _ENGINE_ADVICE
        ) from None
    try:
        client.ping()
    except DockerException as exc:
        client.close()
        raise Unusable(
            f"no Docker engine answers at {address} ({os_reason(exc)})", _ENGINE_ADVICE
        ) from None
    return client


def _unix_socket_problem(address: str, timeout: float) -> str | None:
    """Why the engine's unix socket does not accept a connection, or None if it does.

    Checked before the SDK tries: when its connection fails, the SDK leaves the
    socket unclosed (a ResourceWarning), and this answers in microseconds.
    """
    if not address.startswith("unix://"):
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(timeout)
        try:
            probe.connect(address.removeprefix("unix://"))
        except OSError as exc:
            return exc.strerror or type(exc).__name__
    return None


@contextmanager
def engine(timeout: int = API_TIMEOUT) -> Iterator[docker.DockerClient]:
    """A connected client that is closed afterwards (an open pool warns when collected)."""
    client = connect_engine(timeout)
    try:
        yield client
    finally:
        client.close()


def ensure_image(client: docker.DockerClient, ref: str, major: int) -> None:
    """Make sure ``ref`` is local, pulling it if needed, or say how to get one."""
    if _present(client, ref):
        return
    problem = _pull(ref)
    if problem is None:
        if _present(client, ref):
            return
        problem = "the pull finished but the image is still missing"
    raise Unusable(
        f"image {ref} is not present and cannot be pulled: {problem}",
        f"Get it with `docker pull {ref}` where a registry is reachable, or build one "
        f"offline with `invoke image.build --pg {major}`: the default image setting "
        f"({OFFICIAL_IMAGE}) falls back to it, any other needs "
        "NORBERTS_DB_IMAGE=norberts-db/postgres:{major}.",
    )


def usable_image(
    client: docker.DockerClient, image: str, major: int, memory: PullMemory | None = None
) -> tuple[str, str]:
    """The image setting to run (``{major}`` unreplaced) and, when it is not ``image``, why.

    The official image is the default, and where no registry answers it can
    only be had by building ``norberts-db/postgres:N`` offline. So when the
    setting is the default and its image can be neither found nor pulled, a
    local build is used rather than giving up on Docker. An image set on
    purpose is never swapped for another. ``memory`` keeps a failed pull of
    the default image for a while, so the next tasks do not ask again.
    """
    ref, built = image.format(major=major), BUILT_IMAGE.format(major=major)
    fallback = image == OFFICIAL_IMAGE
    if fallback and memory is not None:
        failure = memory.recent_failure(ref)
        if failure is not None and not _present(client, ref) and _present(client, built):
            return BUILT_IMAGE, f"{failure.note()}; so {built}, {_BUILT_BY}, is used"
    try:
        ensure_image(client, ref, major)
    except Unusable as exc:
        if not fallback or not _present(client, built):
            raise
        if memory is not None:
            memory.failed(ref, exc.reason)
        return BUILT_IMAGE, f"{exc.reason}; so {built}, {_BUILT_BY}, is used"
    if fallback and memory is not None:
        memory.forget(ref)
    return image, ""


_BUILT_BY = "built by `invoke image.build`"


def _present(client: docker.DockerClient, ref: str) -> bool:
    try:
        client.images.get(ref)
    except ImageNotFound:
        return False
    return True


def _pull(ref: str) -> str | None:
    """Pull ``ref``; None on success, else why not.

    The SDK's pull has no timeout, so it runs in a thread that is given up when
    the engine reports no progress for PULL_IDLE_TIMEOUT. A slow pull that keeps
    reporting progress is allowed to finish.
    """
    outcome: dict[str, str] = {}
    last_progress = [time.monotonic()]

    def run() -> None:
        try:
            with engine() as client:
                for event in client.api.pull(ref, stream=True, decode=True):
                    last_progress[0] = time.monotonic()
                    if isinstance(event, dict) and event.get("error"):
                        outcome["error"] = str(event["error"])
                        return
        except DockerException as exc:
            outcome["error"] = api_reason(exc)
        except Exception as exc:  # a thread must not die with a traceback
            outcome["error"] = f"{type(exc).__name__}: {exc}"

    worker = threading.Thread(target=run, name=f"pull {ref}", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        if time.monotonic() - last_progress[0] > PULL_IDLE_TIMEOUT:
            return f"no progress for {PULL_IDLE_TIMEOUT:g} s"
    return outcome.get("error")


def api_reason(exc: DockerException) -> str:
    explanation = getattr(exc, "explanation", None)
    text = str(explanation or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def os_reason(exc: DockerException) -> str:
    """The operating-system error inside the SDK's nested connection errors, if any."""
    found = _find_os_error(exc, depth=0)
    return found.strerror if found is not None and found.strerror else api_reason(exc)


def _find_os_error(exc: BaseException, depth: int) -> OSError | None:
    if isinstance(exc, OSError) and exc.strerror:
        return exc
    if depth >= 6:
        return None
    nested = [a for a in exc.args if isinstance(a, BaseException)]
    nested += [e for e in (exc.__cause__, exc.__context__) if e is not None]
    for inner in nested:
        found = _find_os_error(inner, depth + 1)
        if found is not None:
            return found
    return None
