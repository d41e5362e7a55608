"""Whether a dev server can listen on its port of 127.0.0.1, and waiting while it cannot for now.

A port is not only taken by a program that listens on it. Every outgoing TCP
connection has a port of its own, picked from the machine's range for them
(``/proc/sys/net/ipv4/ip_local_port_range``, 32768-60999 by default), and
the dev ports (54300 + major) lie in that range. A connection to any
server on 127.0.0.1 (a test suite makes thousands) may get the dev port as
its own end; once closed, it keeps the port in TIME_WAIT for a minute, and
neither PostgreSQL nor Docker can listen on it meanwhile, though
``SO_REUSEADDR`` is set. Such a hold always ends by itself, so a start
waits for it, saying so, instead of blaming "another program".
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from norberts_db.servers.base import LOOPBACK

# Linux keeps a closed connection in TIME_WAIT for 60 s; a little more for the rest.
WAIT_SECONDS = 75.0
POLL_SECONDS = 0.25
LISTEN = "0A"
# The states of /proc/net/tcp (include/net/tcp_states.h), by their hex codes.
STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    LISTEN: "LISTEN",
    "0B": "CLOSING",
}
# Own ends that keep 127.0.0.1:port from being listened on: it, or any address.
_BLOCKING_ADDRESSES = {
    "0100007F",
    "00000000",
    "00000000000000000000000000000000",
    "0000000000000000FFFF00000100007F",
    "0000000000000000FFFF000000000000",
}
_PROC_NET = Path("/proc/net")

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Socket:
    """One TCP socket of this machine's network namespace, as /proc/net/tcp shows it."""

    address: str  # the own end's address, in /proc's hex
    port: int
    state: str  # hex, as in STATES
    inode: str


def tcp_sockets() -> Iterator[Socket]:
    """Every TCP socket on IPv4 and IPv6, whoever owns it."""
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC_NET / table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9:
                address, _, port = fields[1].rpartition(":")
                yield Socket(address, int(port, 16), fields[3], fields[9])


def bind_error(port: int) -> OSError | None:
    """Why a server could not listen on 127.0.0.1:``port`` now, or None if it could."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As PostgreSQL and Docker's proxy do, so a TIME_WAIT end of their own does not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError as exc:
            return exc
    return None


def connections_holding(port: int) -> list[str]:
    """The states of the connections whose own end holds 127.0.0.1:``port``, if none listens.

    Empty when a socket listens there (a server, which does not go away by
    itself) or when nothing holds the port at all.
    """
    held = [s for s in tcp_sockets() if s.port == port and s.address in _BLOCKING_ADDRESSES]
    if any(s.state == LISTEN for s in held):
        return []
    return [STATES.get(s.state, s.state) for s in held]


def taken_by_a_program(port: int) -> bool:
    """Whether a program (not a passing connection) keeps a server from listening there."""
    exc = bind_error(port)
    if exc is None or exc.errno != errno.EADDRINUSE or connections_holding(port):
        return False
    # The last connection may have ended after the bind failed: only a port
    # still taken with no connection on it is a program's.
    return bind_error(port) is not None


def wait_until_free(
    port: int,
    *,
    timeout: float = WAIT_SECONDS,
    note: Callable[[str], None] = _log.warning,
) -> str | None:
    """None once a server can listen on 127.0.0.1:``port``, else why it cannot.

    While only connections hold the port, waits up to ``timeout`` seconds for
    the system to free it, and says so once through ``note``.
    """
    deadline = time.monotonic() + timeout
    said = False
    while True:
        exc = bind_error(port)
        if exc is None:
            return None
        if exc.errno != errno.EADDRINUSE:
            return f"port {port} on {LOOPBACK} cannot be used: {exc.strerror}"
        holding = connections_holding(port)
        if not holding:
            # As in taken_by_a_program: the last connection may have ended meanwhile.
            if bind_error(port) is None:
                return None
            return f"port {port} on {LOOPBACK} is already in use by another program"
        if time.monotonic() >= deadline:
            return (
                f"port {port} on {LOOPBACK} is still the own end of {_connections(holding)} "
                f"after {timeout:g} s, not of a server; it lies in this machine's range of "
                f"ports for outgoing connections ({_local_range()}, "
                "/proc/sys/net/ipv4/ip_local_port_range), where any connection may get it"
            )
        if not said:
            note(
                f"port {port} on {LOOPBACK} is the own end of {_connections(holding)}, not of "
                f"a server; waiting for the system to free it (up to {timeout:g} s)"
            )
            said = True
        time.sleep(POLL_SECONDS)


def _connections(states: list[str]) -> str:
    counts = {state: states.count(state) for state in sorted(set(states))}
    listed = ", ".join(f"{n} {state}" for state, n in counts.items())
    return f"{len(states)} connection{'s' if len(states) != 1 else ''} ({listed})"


def _local_range() -> str:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    except (OSError, ValueError):
        return "unknown"
    return f"{low}-{high}"
