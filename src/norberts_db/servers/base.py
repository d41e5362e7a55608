"""The one interface every kind of PostgreSQL server implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from norberts_db.conninfo import ConnInfo
from norberts_db.settings import Settings


@dataclass(frozen=True)
class ServerState:
    """What ``db.status`` shows about a server."""

    running: bool
    detail: str  # one line: "running since ...", "stopped", "not created", ...


@dataclass(frozen=True)
class ServerInfo:
    """What ``db.up`` prints once the server answers a query."""

    backend: str
    version: str
    address: str
    database: str
    # What starting it took beyond the usual, e.g. a half-created cluster cleared.
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return (
            f"{self.backend}: PostgreSQL {self.version} at {self.address}, database {self.database}"
        )


class Server(ABC):
    """A PostgreSQL server the tasks can start, stop, inspect and connect to.

    ``up`` is idempotent and returns only when a real query over TCP succeeds
    and the dev database exists. Implementations raise
    :class:`norberts_db.errors.ServerError` (or a subclass) with a message that
    says what to do; they never leave a half-created server behind.
    """

    kind: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    @abstractmethod
    def conninfo(self) -> ConnInfo:
        """How to reach the dev database on this server."""

    @abstractmethod
    def up(self) -> ServerInfo:
        """Start the server if it is not running, wait until it answers, ensure the database."""

    @abstractmethod
    def down(self, *, volumes: bool = False) -> str:
        """Stop the server; with ``volumes`` also delete its data. Returns what was done."""

    @abstractmethod
    def state(self) -> ServerState:
        """Whether the server runs, without starting it."""

    @abstractmethod
    def logs(self, tail: int = 100) -> str:
        """The last ``tail`` lines of the server's log."""

    @property
    def is_managed(self) -> bool:
        """True when this toolkit created the server on this machine (docker, embedded)."""
        return True

    def describe(self) -> str:
        """One line naming the backend and what it runs, for messages."""
        return self.kind


LOOPBACK = "127.0.0.1"


def managed_conninfo(settings: Settings) -> ConnInfo:
    """How to reach the dev database on a server this toolkit runs on this machine."""
    return ConnInfo(
        host=LOOPBACK,
        port=settings.effective_port,
        user=settings.user,
        dbname=settings.database,
        password=settings.dev_password(),
    )


class ManagedServer(Server):
    """A server this toolkit creates on this machine (docker, embedded), on 127.0.0.1."""

    @property
    def conninfo(self) -> ConnInfo:
        return managed_conninfo(self.settings)
