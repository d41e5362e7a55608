"""An interrupted login closes its socket before any cleanup runs.

A fake server plays the first step of a login (it asks for a password) and
then never answers, so the client is certain to be waiting inside the login
when the interrupt arrives. The server then watches for the client to hang
up. PostgreSQL itself is not needed: what is under test is our side of the
socket.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import threading
from collections.abc import Iterator
from types import FrameType

import pytest

from norberts_db.connection import connect
from norberts_db.conninfo import ConnInfo

ASK_FOR_PASSWORD = b"R" + struct.pack("!ii", 8, 3)  # AuthenticationCleartextPassword


class StalledLogin:
    """Accepts one client, asks it for a password, reads it, and answers nothing more."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.waiting = threading.Event()  # the client sent its password and waits
        self.hung_up = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        client, _ = self._listener.accept()
        with client:
            client.recv(4096)  # the startup packet
            client.sendall(ASK_FOR_PASSWORD)
            client.recv(4096)  # the password message
            self.waiting.set()
            client.settimeout(5)
            try:
                if client.recv(4096) == b"":
                    self.hung_up.set()
            except OSError:
                pass

    def close(self) -> None:
        self._listener.close()
        self._thread.join(timeout=10)


@pytest.fixture
def stalled_login() -> Iterator[StalledLogin]:
    server = StalledLogin()
    yield server
    server.close()


class Interrupt(KeyboardInterrupt):
    pass


def interrupt_when_waiting(server: StalledLogin) -> None:
    assert server.waiting.wait(timeout=10), "the client never sent its password"
    os.kill(os.getpid(), signal.SIGUSR1)


def raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise Interrupt


def test_an_interrupted_login_hangs_up_while_the_interrupt_is_still_handled(
    stalled_login: StalledLogin,
) -> None:
    info = ConnInfo(
        host="127.0.0.1",
        port=stalled_login.port,
        user="app",
        dbname="app",
        password="secret",
        options=(("sslmode", "disable"),),
    )
    previous = signal.signal(signal.SIGUSR1, raise_interrupt)
    sender = threading.Thread(target=interrupt_when_waiting, args=(stalled_login,))
    try:
        sender.start()
        with pytest.raises(Interrupt) as raised:
            connect(info, connect_timeout=10)
        # ``raised`` still holds the exception and its traceback, as a cleanup
        # running in an ``except`` block would: the socket must be closed anyway.
        hung_up = stalled_login.hung_up.wait(timeout=5)
    finally:
        sender.join(timeout=10)
        signal.signal(signal.SIGUSR1, previous)

    assert raised.value.__traceback__ is not None
    assert hung_up, "the half-open login stayed open while the interrupt was handled"
