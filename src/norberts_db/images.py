"""Building PostgreSQL images without a registry: ``invoke image.build --pg N``.

Two steps. A base image, made once: a Debian bookworm root filesystem from
debootstrap that holds postgresql-15 and its client, imported into the engine.
Then, per major, ``docker/Dockerfile`` on top of it: major 15 runs from the
Debian package, the others from the server binaries :func:`pgbinaries.fetch`
provides. ``docker/docker-entrypoint.sh`` gives every image the official image's
contract, so :class:`~norberts_db.servers.docker.DockerServer` treats them alike.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import docker
from docker.errors import BuildError, DockerException

from norberts_db import pgbinaries
from norberts_db.base_image import (
    DEBIAN_MAJOR,
    LABEL_BUILT,
    ensure_base_image,
    scratch_dir,
    silent,
)
from norberts_db.errors import ServerError, SettingsError
from norberts_db.servers.docker_engine import (
    BUILT_IMAGE,
    LABEL_PG_VERSION,
    PROBE_TIMEOUT,
    Unusable,
    connect_engine,
    engine,
    usable_image,
)
from norberts_db.settings import SUPPORTED_MAJORS, Settings

DEFAULT_TAG = BUILT_IMAGE


def build_image(
    settings: Settings,
    major: int,
    tag: str | None = None,
    *,
    progress: Callable[[str], None] = silent,
) -> str:
    """Build the PostgreSQL ``major`` image offline and return its tag.

    The base image is reused when present, so building several majors costs one
    debootstrap. ``progress`` receives one line per step, with timings.
    """
    if major not in SUPPORTED_MAJORS:
        raise SettingsError(
            f"PostgreSQL {major} is not supported. Use one of: "
            f"{', '.join(map(str, SUPPORTED_MAJORS))}."
        )
    tag = tag or DEFAULT_TAG.format(major=major)
    with engine() as client, _build_lock(settings):
        base = ensure_base_image(client, settings, progress=progress)
        context = _prepare_context(settings, major, progress)
        started = time.monotonic()
        _docker_build(client, context, tag, major, base)
    shutil.rmtree(context, ignore_errors=True)
    progress(f"built {tag} in {time.monotonic() - started:.1f} s")
    return tag


def missing_image_reason(settings: Settings, major: int) -> str | None:
    """Why no build is needed for ``major``, or None when one is.

    None means an engine answers and the image the Docker backend would run
    (the image setting, or its local fallback) can be neither found nor pulled.
    Checked under the build lock, so a run that waited for another's build
    finds its image.
    """
    try:
        client = connect_engine(PROBE_TIMEOUT)
    except Unusable as exc:
        return f"{exc.reason}: nothing to build"
    try:
        with _build_lock(settings):
            image, _note = usable_image(client, settings.image, major)
    except Unusable:
        return None
    finally:
        client.close()
    return f"{image.format(major=major)} is there: nothing to build"


@contextmanager
def _build_lock(settings: Settings) -> Iterator[None]:
    """One build at a time per project: parallel builds would share one debootstrap folder."""
    folder = scratch_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with pgbinaries.locked(folder / ".build.lock"):
        yield


# -- the PostgreSQL image ---------------------------------------------------------------


def _prepare_context(settings: Settings, major: int, progress: Callable[[str], None]) -> Path:
    """A build context: the Dockerfile, the entrypoint and pg/ (server files, or empty)."""
    source = settings.project_root / "docker"
    context = scratch_dir(settings) / f"context-{major}"
    shutil.rmtree(context, ignore_errors=True)
    context.mkdir(parents=True)
    for name in ("Dockerfile", "docker-entrypoint.sh"):
        shutil.copy2(source / name, context / name)
    target = context / "pg"
    target.mkdir()
    if major != DEBIAN_MAJOR:
        binaries = pgbinaries.fetch(major, state_dir=settings.state_path)
        progress(f"PostgreSQL {major} server files from {binaries.source}")
        root = binaries.bin_dir.parent
        # Static libraries and pkg-config files are for building, not running.
        skip = shutil.ignore_patterns("*.a", "pkgconfig")
        for part in ("bin", "lib", "share"):
            shutil.copytree(root / part, target / part, symlinks=True, ignore=skip)
    return context


def _docker_build(
    client: docker.DockerClient, context: Path, tag: str, major: int, base: str
) -> None:
    pgdata = "/var/lib/postgresql/18/docker" if major >= 18 else "/var/lib/postgresql/data"
    volume = "/var/lib/postgresql" if major >= 18 else pgdata
    try:
        client.images.build(
            path=str(context),
            tag=tag,
            buildargs={
                "BASE_IMAGE": base,
                "PG_MAJOR": str(major),
                "PGDATA": pgdata,
                "DATA_VOLUME": volume,
            },
            labels={LABEL_BUILT: "postgres", LABEL_PG_VERSION: str(major)},
            # The RUN step needs no network, and "none" works on engines without a bridge.
            network_mode="none",
            rm=True,
            forcerm=True,
            pull=False,
        )
    except BuildError as exc:
        lines = [str(c.get("stream") or c.get("error") or "").rstrip() for c in exc.build_log]
        tail = "\n".join(line for line in lines if line)[-2000:]
        raise ServerError(f"Building {tag} failed: {exc.msg}\n{tail}") from None
    except DockerException as exc:
        raise ServerError(f"Building {tag} failed: {exc}") from None
