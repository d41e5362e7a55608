"""Connection parameters, and the only places a password may be turned into text."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import psycopg.conninfo

from norberts_db.errors import SettingsError

LOCAL_HOSTS = frozenset({"localhost", ""})


def is_local_address(address: str) -> bool:
    """A loopback IP address, ``localhost``, a unix socket directory, or empty (the default)."""
    text = address.strip().lower().removeprefix("[").removesuffix("]")
    if text in LOCAL_HOSTS or text.startswith(("/", "@")):
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ConnInfo:
    """Where a database is and how to log in. ``repr`` and ``str`` never show the password."""

    host: str
    port: int
    user: str
    dbname: str
    password: str | None = field(default=None, repr=False)
    options: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.redacted()

    @classmethod
    def from_url(cls, url: str, *, source: str = "the URL") -> ConnInfo:
        """Parse a ``postgresql://`` URL or a ``key=value`` string; errors never echo the secret."""
        try:
            params = psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            raise SettingsError(
                f"{source} is not a valid PostgreSQL connection URL. "
                "Expected postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE."
            ) from None
        port_text = str(params.pop("port", "5432") or "5432")
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise SettingsError(f"{source}: port {port_text!r} is not a number from 1 to 65535.")
        user = str(params.pop("user", "") or "postgres")
        return cls(
            host=str(params.pop("host", "") or "localhost"),
            port=int(port_text),
            user=user,
            dbname=str(params.pop("dbname", "") or user),
            password=(str(params.pop("password")) if params.get("password") else None),
            options=tuple(sorted((k, str(v)) for k, v in params.items() if k != "password")),
        )

    def for_database(self, dbname: str) -> ConnInfo:
        return replace(self, dbname=dbname)

    @property
    def is_loopback(self) -> bool:
        """True when every address libpq may connect to is a loopback address or unix socket.

        ``host`` may list several hosts, and ``hostaddr`` (which libpq connects to
        instead of resolving ``host``) may point elsewhere, so all of them count. A
        ``service`` entry can name any host in a file this toolkit does not read, so
        it is never taken for local.
        """
        options = dict(self.options)
        if "service" in options:
            return False
        addresses = [*self.host.split(","), *options.get("hostaddr", "").split(",")]
        return all(is_local_address(address) for address in addresses)

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``psycopg.connect``: the password travels out of band."""
        kwargs: dict[str, Any] = dict(self.options)
        kwargs.update(host=self.host, port=self.port, user=self.user, dbname=self.dbname)
        if self.password is not None:
            kwargs["password"] = self.password
        kwargs.setdefault("application_name", "norberts_db")
        return kwargs

    def url(self, *, with_password: bool = False) -> str:
        """A ``postgresql://`` URL. Only ``db.url`` asks for the password to be included."""
        auth = quote(self.user, safe="")
        if with_password and self.password:
            auth += ":" + quote(self.password, safe="")
        host = f"[{self.host}]" if ":" in self.host else quote(self.host, safe="")
        query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in self.options)
        return f"postgresql://{auth}@{host}:{self.port}/{quote(self.dbname, safe='')}" + (
            f"?{query}" if query else ""
        )

    def redacted(self) -> str:
        """The URL with the password left out, for messages and logs."""
        return self.url(with_password=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"
