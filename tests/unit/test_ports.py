"""Telling a server on a port from connections that merely use it as their own end.

Real sockets of this machine; no server is started.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from norberts_db.servers import ports
from tests.port_holders import connection_from, free_port, left_in_time_wait


def test_a_port_a_connection_uses_as_its_own_end_is_waited_for_until_it_ends() -> None:
    port = free_port()
    notes: list[str] = []
    with connection_from(port, ends_after=1.0):
        assert ports.connections_holding(port) == ["ESTABLISHED"]

        problem = ports.wait_until_free(port, timeout=120, note=notes.append)

    assert problem is None
    assert notes == [
        f"port {port} on 127.0.0.1 is the own end of 1 connection (1 ESTABLISHED), not of "
        "a server; waiting for the system to free it (up to 120 s)"
    ]


def test_a_port_a_server_listens_on_is_not_waited_for() -> None:
    notes: list[str] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])

        problem = ports.wait_until_free(port, timeout=120, note=notes.append)
        holding = ports.connections_holding(port)

    assert problem == f"port {port} on 127.0.0.1 is already in use by another program"
    assert holding == []
    assert notes == []


def test_a_time_wait_end_that_outlasts_the_wait_is_named_with_the_range_it_came_from() -> None:
    port = free_port()
    left_in_time_wait(port)
    notes: list[str] = []

    problem = ports.wait_until_free(port, timeout=0.3, note=notes.append)

    assert problem is not None
    assert problem.startswith(
        f"port {port} on 127.0.0.1 is still the own end of 1 connection (1 TIME_WAIT) after "
        "0.3 s, not of a server; it lies in this machine's range of ports for outgoing "
        "connections ("
    )
    assert "/proc/sys/net/ipv4/ip_local_port_range" in problem
    assert len(notes) == 1


def test_a_free_port_is_free() -> None:
    assert ports.wait_until_free(free_port(), timeout=0) is None


@contextmanager
def ending_at_the_look(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A port a connection holds until its connections are first read, when it ends.

    A loaded machine can run the connection's end just after a failed bind and
    before the connections are read: then nothing holds the port any more, and
    no program took it.
    """
    port = free_port()
    looked = ports.connections_holding
    with connection_from(port, ends_after=120.0) as client:

        def ended_just_before(at: int) -> list[str]:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            return looked(at)

        monkeypatch.setattr(ports, "connections_holding", ended_just_before)
        yield port


def test_a_connection_that_ends_between_the_bind_and_the_look_leaves_the_port_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ending_at_the_look(monkeypatch) as port:
        problem = ports.wait_until_free(port, timeout=120, note=lambda _: None)

    assert problem is None


def test_a_connection_that_ends_between_the_bind_and_the_look_is_no_program(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with ending_at_the_look(monkeypatch) as port:
        taken = ports.taken_by_a_program(port)

    assert taken is False
