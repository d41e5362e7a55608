"""Docker dev servers and projects that part: the container outlives the state folder.

``git clean -fdx`` deletes the project's state folder, and with it the generated
password the container's cluster was made with. Containers are named per
machine, so another project can also find a container it did not make.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from norberts_db.errors import ServerError
from norberts_db.servers.docker import DockerServer
from tests.integration.test_docker_server import (  # noqa: F401 - fixtures
    PROJECT_ROOT,
    MakeServer,
    client,
    image,
    make_server,
    query,
)

pytestmark = pytest.mark.docker


def test_a_container_is_used_again_after_the_state_folder_was_deleted(
    make_server: MakeServer,  # noqa: F811 - the fixture
) -> None:
    server = make_server(in_memory=True)  # the container is under test, not its volume
    server.up()
    query(server, "CREATE TABLE kept (note text)")
    query(server, "INSERT INTO kept VALUES ('still here')")
    shutil.rmtree(server.settings.state_path)

    again = DockerServer(server.settings)
    info = again.up()

    assert info.database == server.settings.database
    assert query(again, "SELECT note FROM kept") == "still here"
    assert server.settings.password_file.is_file()


def test_the_container_of_another_project_is_named_when_its_password_is_not_known(
    make_server: MakeServer,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    server = make_server(in_memory=True)  # the container is under test, not its volume
    server.up()
    elsewhere = tmp_path / "another-checkout"
    elsewhere.mkdir()
    other = replace(server.settings, project_root=elsewhere, state_dir=elsewhere / "state")

    with pytest.raises(ServerError) as caught:
        DockerServer(other).up()

    said = str(caught.value)
    assert f"Container {server.settings.container} was made for the project {PROJECT_ROOT}" in said
    assert "NORBERTS_DB_CONTAINER_NAME" in said
    assert server.settings.dev_password() not in said
    assert query(server, "SELECT 1") == 1
