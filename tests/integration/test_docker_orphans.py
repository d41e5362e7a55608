"""A docker dev server outlives the project's state folder: ``git clean -fdx`` deletes it.

The container and its volume stay in the engine, and hold the cluster made
with the project's generated password, which was in that folder.
"""

from __future__ import annotations

import shutil

import pytest

from norberts_db.servers.docker import DockerServer
from tests.integration.test_docker_server import (  # noqa: F401 - fixtures
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
    server = make_server()
    server.up()
    query(server, "CREATE TABLE kept (note text)")
    query(server, "INSERT INTO kept VALUES ('still here')")
    shutil.rmtree(server.settings.state_path)

    again = DockerServer(server.settings)
    info = again.up()

    assert info.database == server.settings.database
    assert query(again, "SELECT note FROM kept") == "still here"
    assert server.settings.password_file.is_file()
