"""Connections that take a given port of 127.0.0.1 as their own end, as any client's may."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager


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
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        client = socket.socket()
        client.bind(("127.0.0.1", port))
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        timer = threading.Timer(ends_after, _reset, (client,))
        timer.start()
        try:
            yield client
        finally:
            timer.cancel()
            _reset(client)
            accepted.close()


def left_in_time_wait(port: int) -> None:
    """Leave 127.0.0.1:``port`` as the TIME_WAIT end of a connection closed just now."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        client = socket.socket()
        client.bind(("127.0.0.1", port))
        client.connect(server.getsockname())
        accepted, _ = server.accept()
        client.close()  # the side that closes first keeps its end in TIME_WAIT
        accepted.close()


def _reset(client: socket.socket) -> None:
    if client.fileno() >= 0:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
