"""The PostgreSQL programs running on this machine, read from ``/proc``.

The embedded server's files may vanish while it runs (``git clean -fdx``
deletes the state folder, a checkout is moved), and a killed ``db.up`` leaves
its ``initdb`` running. Neither can then be found from the files, so every
program the toolkit starts for an embedded server carries a mark in its
environment: the data directory it works on (:data:`MARK_DATA`) and the
project it was started for (:data:`MARK_PROJECT`). Only a process's own user
and root can read its environment, and the toolkit reads it as one of the
two; a process that carries no mark is never taken for the toolkit's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from norberts_db.servers import ports

MARK_DATA = "NORBERTS_DB_SERVER_DATA"
MARK_PROJECT = "NORBERTS_DB_SERVER_PROJECT"
PROC = Path("/proc")
_DELETED = " (deleted)"


@dataclass(frozen=True)
class Process:
    """One running program: what it was started as, and what it works on now."""

    pid: int
    program: str  # the name of argv[0]: "postgres", "initdb"
    data: str | None  # its -D argument
    environ: dict[str, str] | None  # None: not ours to read
    cwd: str | None  # where it works now; the data directory, for a postmaster
    cwd_deleted: bool
    started: int  # clock ticks after boot: a pid reused since differs here

    @property
    def marked_data(self) -> str | None:
        return (self.environ or {}).get(MARK_DATA)

    @property
    def marked_project(self) -> str | None:
        return (self.environ or {}).get(MARK_PROJECT)

    @property
    def is_postmaster(self) -> bool:
        # Its children rewrite argv[0] ("postgres: checkpointer"); only the
        # postmaster keeps the -D it was started with.
        return self.program == "postgres" and self.data is not None

    def serves(self, folder: Path) -> bool:
        """Whether this process works in ``folder`` (the same inode, whatever the path)."""
        try:
            here, there = (PROC / str(self.pid) / "cwd").stat(), folder.stat()
        except OSError:
            return False
        return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)

    def is_alive(self) -> bool:
        found = read(self.pid)
        return found is not None and found.started == self.started

    def describe(self) -> str:
        where = f"{self.cwd} (deleted)" if self.cwd_deleted else (self.cwd or self.data or "?")
        return f"pid {self.pid}, `{self.program} -D {self.data}`, working in {where}"


def read(pid: int) -> Process | None:
    """The process ``pid``, or None when it is gone or is not a PostgreSQL program."""
    base = PROC / str(pid)
    try:
        argv = [os.fsdecode(a) for a in (base / "cmdline").read_bytes().split(b"\0")]
        stat_fields = (base / "stat").read_text(encoding="utf-8").rpartition(")")[2].split()
    except OSError:
        return None
    program = Path(argv[0]).name if argv else ""
    if program not in ("postgres", "initdb"):
        return None
    try:
        cwd: str | None = str((base / "cwd").readlink())
    except OSError:
        cwd = None
    return Process(
        pid=pid,
        program=program,
        data=_data_argument(argv),
        environ=_environ(base),
        cwd=cwd.removesuffix(_DELETED) if cwd else None,
        cwd_deleted=bool(cwd and cwd.endswith(_DELETED)),
        # Field 22 of /proc/<pid>/stat; the split starts after the comm field (2).
        started=int(stat_fields[19]),
    )


def programs() -> Iterator[Process]:
    """Every PostgreSQL program (postgres, initdb) of this machine."""
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            found = read(int(entry.name))
            if found is not None:
                yield found


def marked_for(folder: Path) -> list[Process]:
    """The processes the toolkit started for ``folder``, or that name it as their -D.

    initdb's bootstrap backend names it only in ``PGDATA``.
    """
    wanted = str(folder)
    # An environment this user may not read is another user's process: never ours.
    return [
        p
        for p in programs()
        if p.environ is not None
        and (p.marked_data == wanted or p.data == wanted or p.environ.get("PGDATA") == wanted)
    ]


def listening_on(port: int) -> int | None:
    """The pid of the process listening on 127.0.0.1:``port``, if this user may see it."""
    sockets = _listening_sockets(port)
    if not sockets:
        return None
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if str(fd.readlink()) in sockets:
                        return int(entry.name)
    return None


def port_of(process: Process) -> int | None:
    """The TCP port the process listens on, if this user may see it."""
    links = set()
    with contextlib.suppress(OSError):
        for fd in (PROC / str(process.pid) / "fd").iterdir():
            with contextlib.suppress(OSError):
                links.add(str(fd.readlink()))
    for port, inode in _listeners():
        if f"socket:[{inode}]" in links:
            return port
    return None


def stop(process: Process, sig: signal.Signals, *, timeout: float) -> bool:
    """Send ``sig`` to ``process`` unless its pid now names another; SIGKILL after ``timeout``.

    Returns True once the process is gone.
    """
    for current in (sig, signal.SIGKILL):
        if not process.is_alive():
            return True
        try:
            os.kill(process.pid, current)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        deadline = time.monotonic() + timeout
        while process.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
    return not process.is_alive()


def _data_argument(argv: list[str]) -> str | None:
    for index, arg in enumerate(argv):
        if arg in ("-D", "--pgdata") and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--pgdata="):
            return arg.partition("=")[2]
        if arg.startswith("-D") and len(arg) > 2:
            return arg[2:]
    return None


def _environ(base: Path) -> dict[str, str] | None:
    try:
        raw = (base / "environ").read_bytes()
    except OSError:
        return None
    pairs = (os.fsdecode(item).partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


def _listeners() -> Iterator[tuple[int, str]]:
    """(port, socket inode) of every TCP socket listening on IPv4 or IPv6."""
    for found in ports.tcp_sockets():
        if found.state == ports.LISTEN:
            yield found.port, found.inode


def _listening_sockets(port: int) -> set[str]:
    return {f"socket:[{inode}]" for found, inode in _listeners() if found == port}
