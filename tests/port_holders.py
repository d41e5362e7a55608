"""Connections that take a given port of 127.0.0.1 as their own end, as any client's may."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import pytest


class Startable(Protocol):
    """A dev server: what ``up()`` returns has the address it listens on."""

    def up(self) -> object: ...


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def connection_from(port: int, *, ends_after: float) -> Iterator[socket.socket]:
    """A connection whose own end is 127.0.0.1:``port``, reset after ``ends_after`` seconds.

    Reset (SO_LINGER 0) rather than closed, so the port is free right after,
    not kept in TIME_WAIT for a minute.
    """
    with _connected(port) as (client, _):
        timer = threading.Timer(ends_after, _reset, (client,))
        timer.start()
        try:
            yield client
        finally:
            timer.cancel()
            _reset(client)


def left_in_time_wait(port: int) -> None:
    """Leave 127.0.0.1:``port`` as the TIME_WAIT end of a connection closed just now."""
    with _connected(port) as (client, _):
        client.close()  # the side that closes first keeps its end in TIME_WAIT


def up_while_a_connection_holds(
    server: Startable, port: int, caplog: pytest.LogCaptureFixture
) -> object:
    """``server.up()`` while a connection holds ``port`` for a second; it says it waited."""
    with connection_from(port, ends_after=1.0), caplog.at_level("WARNING"):
        info = server.up()
    waited = f"port {port} on 127.0.0.1 is the own end of 1 connection (1 ESTABLISHED)"
    assert waited in caplog.text
    return info


@contextmanager
def _connected(port: int) -> Iterator[tuple[socket.socket, socket.socket]]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        client = socket.socket()
        client.bind(("127.0.0.1", port))
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        with client, accepted:
            yield client, accepted


def _reset(client: socket.socket) -> None:
    if client.fileno() >= 0:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
