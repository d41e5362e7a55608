"""What the dev container is made of: its image, environment, arguments, volume and labels.

The options go to the docker SDK's ``containers.create`` as they are, so a
reader sees here, in one place, every property of the container the toolkit
makes: the port published on 127.0.0.1 only (or the host network with
PostgreSQL listening on 127.0.0.1), the password in the environment and never
on a command line, and the labels by which the toolkit finds its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from norberts_db.servers.base import LOOPBACK
from norberts_db.servers.docker_checks import data_mount
from norberts_db.servers.docker_engine import (
    LABEL_IMAGE,
    LABEL_MANAGED,
    LABEL_NETWORK,
    LABEL_PG_VERSION,
    LABEL_PORT,
    LABEL_PROJECT,
)
from norberts_db.settings import Settings

# A tmpfs in every container for the scratch tablespace (norberts_db.scratch). Below
# /var/run/postgresql because the image's entrypoint gives everything there to the
# postgres user at every start, as a tablespace directory must be; the official
# image's entrypoint does the same.
SCRATCH_MOUNT = "/var/run/postgresql/norberts-scratch"


def create_options(s: Settings, server_args: Sequence[str] = ()) -> dict[str, Any]:
    """The options of ``containers.create`` for the dev container of ``s``."""
    env = {
        "POSTGRES_USER": s.user,
        "POSTGRES_DB": s.database,
        # The environment is the one place the password goes: never a command line.
        "POSTGRES_PASSWORD": s.dev_password(),
    }
    args = [f"-c{name}={value}" for name, value in s.server_settings]
    args += server_args
    options: dict[str, Any] = {
        "image": s.image_ref,
        "name": s.container,
        "detach": True,
        "environment": env,
        "labels": labels(s, container=True),
        "volumes": {s.volume: {"bind": data_mount(s.pg_version), "mode": "rw"}},
        # Memory for the temporary databases of verify and diff (norberts_db.scratch);
        # a limit, not a reservation: only what those databases use is taken.
        "tmpfs": {SCRATCH_MOUNT: "rw,size=1g,mode=0700"},
    }
    if s.network == "host":
        options["network_mode"] = "host"
        args = ["-c", f"listen_addresses={LOOPBACK}", "-c", f"port={s.effective_port}", *args]
    else:
        options["ports"] = {"5432/tcp": (LOOPBACK, s.effective_port)}
    if args:
        options["command"] = ["postgres", *args]
    return options


def labels(s: Settings, *, container: bool) -> dict[str, str]:
    """The labels that mark the container (``container``) or the volume as this project's."""
    marks = {
        LABEL_MANAGED: "true",
        LABEL_PROJECT: str(s.project_root),
        LABEL_PG_VERSION: str(s.pg_version),
    }
    if container:
        marks |= {
            LABEL_PORT: str(s.effective_port),
            LABEL_NETWORK: s.network,
            LABEL_IMAGE: s.image_ref,
        }
    return marks
