"""The safety checks in front of every destructive task (reset, drop, down --volumes).

Two checks, at two moments:

- :func:`check_destructive` decides from the settings alone, before any
  connection is opened: a server this toolkit manages, or one whose every
  address is a loopback address or unix socket, is a local development server.
  Anything else needs ``--allow-remote`` and the database name, typed at a
  prompt or, where no one can type (CI), given in ``NORBERTS_DB_CONFIRM_REMOTE``.
- :func:`check_marks` runs on the connection, inside the transaction and
  before any destructive statement: a database marked
  ``norberts.environment`` with anything but ``development``, at any level a
  session would apply (:mod:`norberts_db.marks`), is refused, on any host.
  There is no flag to override it: whoever really means to wipe such a
  database removes the mark first, as its owner, in SQL.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping

from norberts_db.conninfo import ConnInfo, is_local_address
from norberts_db.errors import GuardError
from norberts_db.marks import Mark, non_development

CONFIRM_ENV = "NORBERTS_DB_CONFIRM_REMOTE"


def is_local(info: ConnInfo, *, managed: bool, environ: Mapping[str, str]) -> bool:
    """Whether ``info`` certainly reaches a server on this machine.

    libpq reads PGHOSTADDR and PGSERVICE when the connection parameters do not
    say otherwise, and either can send a connection to "127.0.0.1" elsewhere.
    """
    options = dict(info.options)
    if "hostaddr" not in options:
        redirect = environ.get("PGHOSTADDR", "")
        if redirect and not all(is_local_address(a) for a in redirect.split(",")):
            return False
    if "service" not in options and environ.get("PGSERVICE"):
        return False
    return managed or info.is_loopback


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
    """Raise :class:`GuardError` unless ``action`` may run against ``info``.

    Decides from ``info`` and the environment only, so it never connects.
    """
    env = os.environ if environ is None else environ
    if is_local(info, managed=managed, environ=env):
        return
    hostaddr = dict(info.options).get("hostaddr")
    address = f"address {hostaddr}, " if hostaddr else ""
    target = f"database {info.dbname!r} on host {info.host} ({address}port {info.port})"
    if not allow_remote:
        raise GuardError(
            f"Refusing to {action} {target}: it is not a local development server, and "
            "nothing was sent to it. If you really mean it, run the task again with "
            "--allow-remote and type the database name when asked; where no one can type "
            f"(CI), also set {CONFIRM_ENV}={info.dbname}."
        )
    if env.get(CONFIRM_ENV) == info.dbname:
        return
    is_tty = sys.stdin.isatty() if interactive is None else interactive
    if not is_tty:
        given = env.get(CONFIRM_ENV)
        why = f"{CONFIRM_ENV} is {given!r}, not" if given else f"{CONFIRM_ENV} does not name"
        raise GuardError(
            f"Refusing to {action} {target}: this run is not interactive, so no one can "
            f"confirm, and {why} the database. Set {CONFIRM_ENV}={info.dbname} to confirm."
        )
    prompt = ask or input
    try:
        typed = prompt(f"This will {action} {target}. Type the database name to confirm: ")
    except (EOFError, KeyboardInterrupt):
        typed = ""
    if typed.strip() != info.dbname:
        raise GuardError(
            f"Refusing to {action} {target}: the name typed did not match {info.dbname!r}. "
            "Nothing was changed."
        )


def check_marks(action: str, info: ConnInfo, marks: Iterable[Mark]) -> None:
    """Raise :class:`GuardError` if any mark says the database is anything but development.

    ``marks`` are all the settings of ``norberts.environment`` a session in the
    database would apply (:func:`norberts_db.marks.read_marks`): one that says
    ``production`` refuses, whatever another level says. An unmarked database
    is allowed: CI service containers and databases made by hand carry no
    mark, and the host check has already spoken for them.
    """
    refusing = non_development(marks)
    if not refusing:
        return
    described = ", ".join(mark.describe() for mark in refusing)
    removals = " ".join(dict.fromkeys(mark.removal() for mark in refusing))
    raise GuardError(
        f"Refusing to {action} database {info.dbname!r} at {info.address}: it is marked "
        f"{described}, and only development databases are reset or dropped. "
        "Nothing was changed. If this database really is disposable, have its owner remove "
        f"the mark first ({removals}) and run the task again."
    )
