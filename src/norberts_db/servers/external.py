"""A server the toolkit does not manage, given by ``DATABASE_URL`` or ``--url``."""

from __future__ import annotations

from norberts_db.connection import server_version
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError
from norberts_db.servers.base import Server, ServerInfo, ServerState


class ExternalServer(Server):
    """Any reachable PostgreSQL. It is never started, stopped or deleted by the toolkit."""

    kind = "external"

    @property
    def conninfo(self) -> ConnInfo:
        assert self.settings.url is not None  # Settings validation guarantees it
        source = self.settings.sources.get("url", "the URL")
        return ConnInfo.from_url(self.settings.url, source=source)

    @property
    def is_managed(self) -> bool:
        return False

    def up(self) -> ServerInfo:
        info = self.conninfo
        return ServerInfo(self.kind, server_version(info), info.address, info.dbname)

    def down(self, *, volumes: bool = False) -> str:
        return (
            f"Nothing to stop: {self.conninfo.address} is an external server "
            "that this toolkit does not manage."
        )

    def state(self) -> ServerState:
        info = self.conninfo
        try:
            version = server_version(info)
        except ServerError as exc:
            return ServerState(False, f"external server {info.address} does not answer: {exc}")
        return ServerState(True, f"external server {info.address}, PostgreSQL {version}")

    def logs(self, tail: int = 100) -> str:
        return (
            f"The log of the external server {self.conninfo.address} is not available to this "
            "toolkit; look at that server's own log."
        )

    def describe(self) -> str:
        return f"external server {self.conninfo.redacted()}"
