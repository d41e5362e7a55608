"""The safety check in front of every destructive task (reset, drop, down --volumes).

It decides from the settings alone, before any connection is opened and
before any destructive statement is sent: a server this toolkit manages, or
one on a loopback address or unix socket, is a local development server.
Anything else needs ``--allow-remote`` and a typed confirmation, or, where no
one can type (CI), the database name in ``NORBERTS_DB_CONFIRM_REMOTE``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from norberts_db.conninfo import ConnInfo
from norberts_db.errors import GuardError

CONFIRM_ENV = "NORBERTS_DB_CONFIRM_REMOTE"


def check_destructive(
    action: str,
    info: ConnInfo,
    *,
    managed: bool,
    allow_remote: bool,
    environ: Mapping[str, str] | None = None,
    ask: Callable[[str], str] | None = None,
    interactive: bool | None = None,
) -> None:
    """Raise :class:`GuardError` unless ``action`` may run against ``info``."""
    if managed or info.is_loopback:
        return
    target = f"database {info.dbname!r} on host {info.host}:{info.port}"
    if not allow_remote:
        raise GuardError(
            f"Refusing to {action} {target}: it is not a local development server. "
            f"If you really mean it, pass --allow-remote and confirm the database name "
            f"(in a non-interactive run, set {CONFIRM_ENV}={info.dbname})."
        )
    env = os.environ if environ is None else environ
    if env.get(CONFIRM_ENV) == info.dbname:
        return
    is_tty = sys.stdin.isatty() if interactive is None else interactive
    if not is_tty:
        raise GuardError(
            f"Refusing to {action} {target} without confirmation: this run is not interactive. "
            f"Set {CONFIRM_ENV}={info.dbname} to confirm."
        )
    prompt = ask or input
    typed = prompt(f"This will {action} {target}. Type the database name to confirm: ")
    if typed.strip() != info.dbname:
        raise GuardError(f"Confirmation did not match {info.dbname!r}; nothing was changed.")
