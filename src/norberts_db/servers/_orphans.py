"""Embedded-server processes that outlived their files, and who holds a port.

An orphan is a postmaster the toolkit started for a data directory it no
longer serves: the folder was deleted while it ran (``git clean -fdx``), or
moved away. It still holds the port, and no file names it any more. A
half-made cluster is what a ``db.up`` killed during initdb leaves: the
``data.initdb`` folder, perhaps with its initdb still at work in it.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from norberts_db.errors import ServerError
from norberts_db.servers import _processes, ports
from norberts_db.servers._pgdata import Layout
from norberts_db.servers._processes import Process

# An orphan whose folder is gone cannot write a shutdown checkpoint: SIGQUIT
# (immediate shutdown) does not try to. One whose folder was moved shuts down
# cleanly on SIGINT (fast shutdown) and keeps its data where it is now.
_STOP_TIMEOUT = 30.0


@dataclass(frozen=True)
class Orphan:
    process: Process
    port: int | None
    data: str  # the data directory it was started for

    def describe(self) -> str:
        on = f" on 127.0.0.1:{self.port}" if self.port else ""
        if self.process.cwd_deleted or self.process.cwd is None:
            fate = f"whose data directory {self.data} was deleted while it ran"
        else:
            fate = f"whose data directory was moved from {self.data} to {self.process.cwd}"
        return f"pid {self.process.pid}{on}, {fate}"


def of(layout: Layout) -> list[Orphan]:
    """The postmasters started for ``layout``'s data directory that no longer serve it."""
    data = layout.data
    return [
        _orphan(p, str(data))
        for p in _processes.marked_for(data)
        if p.is_postmaster and not p.serves(data)
    ]


def on_port(port: int) -> Orphan | None:
    """The orphan listening on ``port`` whose data directory is gone, whatever its project.

    Nobody can use such a server any more, and no project can name it: any
    project configured for that port may stop it. One whose folder was moved
    belongs to whoever holds the folder now, and is left alone.
    """
    process = _listener(port)
    if process is None or process.marked_data is None or not process.cwd_deleted:
        return None
    return Orphan(process, port, process.marked_data)


def stop(orphan: Orphan) -> bool:
    """Stop the orphan; True once it is gone."""
    deleted = orphan.process.cwd_deleted or orphan.process.cwd is None
    sig = signal.SIGQUIT if deleted else signal.SIGINT
    return _processes.stop(orphan.process, sig, timeout=_STOP_TIMEOUT)


@dataclass(frozen=True)
class Holder:
    """Who listens on a port, and what the user can do about it."""

    who: str  # "another program (pid 12)"
    remedy: str  # "stop that program"


def holder(port: int) -> Holder:
    """Who listens on 127.0.0.1:``port``, told apart as far as this user may look."""
    pid = _processes.listening_on(port)
    process = _processes.read(pid) if pid is not None else None
    if process is None or not process.is_postmaster:
        return Holder("another program" + (f" (pid {pid})" if pid else ""), "stop that program")
    if process.marked_data is None:
        return Holder(
            f"a PostgreSQL server that this toolkit did not start (pid {pid}, data directory "
            f"{process.data})",
            "it is left alone: stop it yourself",
        )
    project = process.marked_project or "another project"
    if process.cwd_deleted:
        return Holder(
            f"an orphaned embedded PostgreSQL server started for {project} (pid {pid}), whose "
            f"data directory {process.marked_data} was deleted while it ran",
            "`invoke db.down` here stops it",
        )
    return Holder(
        f"the embedded PostgreSQL server of the project {project} (pid {pid}, data directory "
        f"{process.cwd or process.marked_data})",
        f"stop it with `invoke db.down` in {project}",
    )


def report(layout: Layout) -> str | None:
    """What ``db.status`` and ``db.up`` say of ``layout``'s orphans, if it has any."""
    found = of(layout)
    if not found:
        return None
    listed = "; ".join(orphan.describe() for orphan in found)
    return (
        f"orphaned: its PostgreSQL {layout.major} server still runs ({listed}). "
        "`invoke db.down` stops it; `invoke db.up` then starts a new server"
    )


def stop_for(layout: Layout, port: int) -> list[str]:
    """Stop ``layout``'s orphans, and on ``port`` one whose data is gone; what was done."""
    found = of(layout)
    stray = on_port(port)
    if stray is not None and stray.process.pid not in {o.process.pid for o in found}:
        found.append(stray)
    done = []
    for orphan in found:
        if not stop(orphan):
            raise ServerError(
                f"The orphaned PostgreSQL server ({orphan.describe()}) did not stop; "
                f"end it with `kill -KILL {orphan.process.pid}`."
            )
        done.append(f"Stopped the orphaned PostgreSQL server ({orphan.describe()}).")
    return done


def port_note(port: int) -> str:
    """Who holds ``port``, for the state of a server that is not running; '' if free."""
    if not ports.taken_by_a_program(port):
        return ""
    held = holder(port)
    return f"; port {port} is in use by {held.who}: {held.remedy}"


def half_made(layout: Layout) -> list[Process]:
    """The programs still at work on the cluster a killed ``db.up`` left half made."""
    return _processes.marked_for(layout.data_in_progress)


def stop_all(processes: list[Process]) -> list[Process]:
    """Kill them (what they make is removed anyway); the ones that would not go."""
    return [p for p in processes if not _processes.stop(p, signal.SIGKILL, timeout=_STOP_TIMEOUT)]


def _orphan(process: Process, data: str) -> Orphan:
    return Orphan(process, _processes.port_of(process), data)


def _listener(port: int) -> Process | None:
    pid = _processes.listening_on(port)
    process = _processes.read(pid) if pid is not None else None
    return process if process is not None and process.is_postmaster else None
