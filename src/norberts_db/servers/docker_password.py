"""The generated password of a docker dev server, when the project and its container part.

Containers are named per machine, not per project, and outlive the project's
state folder, which holds the generated password. ``git clean -fdx`` deletes
that folder while the container and its volume keep the cluster made with
the password; a second checkout, or a new project where a deleted one was,
finds a container another project made. The container's environment holds
the password it was created with (``POSTGRES_PASSWORD``).
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from docker.models.containers import Container
from docker.models.volumes import Volume

from norberts_db.errors import ServerError
from norberts_db.servers.docker_engine import LABEL_PROJECT
from norberts_db.settings import Settings, write_secret

# The settings that give a project a dev server of its own, beside another project's.
OWN_SERVER = "NORBERTS_DB_CONTAINER_NAME, NORBERTS_DB_VOLUME_NAME and a free NORBERTS_DB_PORT"


def adopt(settings: Settings, container: Container) -> None:
    """Restore the project's lost password file from its own container."""
    if container.labels.get(LABEL_PROJECT) != str(settings.project_root):
        return
    password = container_password(container)
    if password:
        settings.state_path.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):
            write_secret(settings.password_file, password)


def check_known(settings: Settings, container: Container) -> None:
    """Say whose container it is when this project cannot have its password."""
    project = container.labels.get(LABEL_PROJECT)
    if settings.password or not project or project == str(settings.project_root):
        return
    if container_password(container) in (None, settings.dev_password()):
        return
    gone = "" if Path(project).exists() else ", which no longer exists"
    raise ServerError(
        f"Container {settings.container} was made for the project {project}{gone}, with that "
        "project's generated password, which this project does not have. Run the tasks "
        "there, set NORBERTS_DB_PASSWORD to that password, or give this project its own "
        f"server: {OWN_SERVER}."
    )


def check_volume_known(settings: Settings, volume: Volume) -> None:
    """Refuse a new container on a volume another project's container made, and say whose.

    Its cluster was made with that project's generated password: a container
    of this project would only fail to log in, and starting over with
    ``--volumes`` would delete the other project's data.
    """
    labels = volume.attrs.get("Labels") or {}
    project = labels.get(LABEL_PROJECT)
    if settings.password or not project or project == str(settings.project_root):
        return
    if Path(project).exists():
        advice = (
            "Run the tasks there, set NORBERTS_DB_PASSWORD to that project's password, or "
            f"give this project its own server: {OWN_SERVER}."
        )
    else:
        advice = (
            "That project no longer exists: set NORBERTS_DB_PASSWORD to its password to use "
            f"the data, give this project its own server ({OWN_SERVER}), or delete the "
            f"volume (docker volume rm {settings.volume}) to start over."
        )
    raise ServerError(
        f"Volume {settings.volume} holds the data of the project {project}, made with that "
        f"project's generated password, which this project does not have. {advice}"
    )


def container_password(container: Container) -> str | None:
    """The password the container was created with, if any."""
    for variable in container.attrs.get("Config", {}).get("Env") or []:
        name, _, value = variable.partition("=")
        if name == "POSTGRES_PASSWORD":
            return value or None
    return None
