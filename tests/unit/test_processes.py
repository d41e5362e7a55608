"""Reading PostgreSQL programs from /proc: the parts that need no server."""

from __future__ import annotations

import os
import socket

import pytest

from norberts_db.servers import _processes


@pytest.mark.parametrize(
    ("argv", "data"),
    [
        (["postgres", "-D", "/srv/data"], "/srv/data"),
        (["postgres", "-D/srv/data", "-c", "port=5"], "/srv/data"),
        (["initdb", "--pgdata=/srv/data", "-U", "x"], "/srv/data"),
        (["initdb", "--pgdata", "/srv/data"], "/srv/data"),
        (["postgres", "--boot", "-F"], None),
        (["postgres", "-D"], None),
    ],
)
def test_the_data_directory_is_read_from_every_spelling_of_the_option(
    argv: list[str], data: str | None
) -> None:
    assert _processes._data_argument(argv) == data


def test_the_listener_of_a_port_is_found_with_its_pid() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        assert _processes.listening_on(port) == os.getpid()


def test_a_port_nobody_listens_on_has_no_listener() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))  # bound, not listening
        port = bound.getsockname()[1]

        assert _processes.listening_on(port) is None


def test_a_program_other_than_postgres_or_initdb_is_not_read() -> None:
    assert _processes.read(os.getpid()) is None
    assert all(p.program in ("postgres", "initdb") for p in _processes.programs())
