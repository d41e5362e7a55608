"""The files of an embedded server: where they live, and what they say about it.

Layout, inside the state directory (git-ignored)::

    embedded/pg<major>.lock     serialises up/down between processes
    embedded/pg<major>/         owned by the server user, mode 0700
        data/                   PGDATA
        server.log              what pg_ctl -l collects
    embedded/pgbin-<major>/     server binaries copied where the server user can reach them
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from norberts_db.servers import _processes
from norberts_db.settings import Settings

# The configuration the toolkit owns, rewritten before every start so that a
# changed port setting takes effect at the next up. postgresql.conf includes it.
CONF_NAME = "norberts_db.conf"
INCLUDE_LINE = f"include_if_exists = '{CONF_NAME}'"
# sun_path holds 108 bytes with the terminating NUL.
MAX_SOCKET_PATH = 107
# A tmpfs on every Linux system; what is in it is gone after a reboot.
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - only ever a folder checked to be ours
SCRATCH_PREFIX = "norberts-db-scratch-"
# In each scratch folder: the data directory it serves, so an orphan can be told.
SCRATCH_OWNER_NOTE = "data-directory"
# pg_ctl -l appends forever; a new file at a start beyond this size keeps it readable.
MAX_LOG_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Layout:
    """Where the files of the embedded server of one major live."""

    root: Path
    major: int

    @classmethod
    def for_settings(cls, settings: Settings) -> Layout:
        major = settings.pg_version
        return cls(settings.state_path / "embedded" / f"pg{major}", major)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def data_in_progress(self) -> Path:
        """Where initdb works; renamed to ``data`` only once it succeeded."""
        return self.root / "data.initdb"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def lock(self) -> Path:
        return self.root.parent / f"{self.root.name}.lock"

    @property
    def staged_binaries(self) -> Path:
        return self.root.parent / f"pgbin-{self.major}"

    @property
    def scratch(self) -> Path:
        """The scratch tablespace's folder (norberts_db.scratch), in memory, one per server."""
        digest = hashlib.sha256(os.fsencode(self.root.resolve())).hexdigest()[:16]
        return SHARED_MEMORY / f"{SCRATCH_PREFIX}{digest}"

    def socket_dir(self, port: int) -> str:
        """The unix socket folder, or '' (TCP only) when the socket path would be too long."""
        path = self.root / f".s.PGSQL.{port}"
        return str(self.root) if len(os.fsencode(path)) <= MAX_SOCKET_PATH else ""


@dataclass(frozen=True)
class Postmaster:
    """What ``postmaster.pid`` says about a server."""

    pid: int
    port: int | None
    started: datetime | None
    status: str


def read_postmaster(data: Path) -> Postmaster | None:
    """The postmaster of ``data`` if its pid file names a live postgres process, else None.

    After a crash the pid file stays behind; the pid may by then belong to
    another program, so the process must be a postgres serving this folder.
    """
    try:
        lines = (data / "postmaster.pid").read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not lines or not lines[0].strip().isdigit():
        return None
    pid = int(lines[0])
    if not _is_postmaster_of(pid, data):
        return None
    field = [line.strip() for line in lines] + [""] * 8
    return Postmaster(
        pid=pid,
        port=int(field[3]) if field[3].isdigit() else None,
        started=datetime.fromtimestamp(int(field[2])) if field[2].isdigit() else None,
        status=field[7] or "unknown",
    )


def _is_postmaster_of(pid: int, data: Path) -> bool:
    process = _processes.read(pid)
    # pg_ctl starts it as `postgres -D <data>`. A checkout moved while the server ran
    # leaves the old path in argv, but the postmaster still works in this very folder.
    return (
        process is not None
        and process.is_postmaster
        and (process.data == str(data) or process.serves(data))
    )


def read_major(data: Path) -> int | None:
    """The major version of the cluster in ``data``, or None when there is none."""
    try:
        text = (data / "PG_VERSION").read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return int(text) if text.isdigit() else -1


def shown(settings: Settings, path: Path) -> str:
    """``path`` relative to the project when inside it, for shorter messages."""
    try:
        return str(path.relative_to(settings.project_root))
    except ValueError:
        return str(path)


def config_text(layout: Layout, port: int, options: tuple[tuple[str, str], ...] = ()) -> str:
    socket_dir = layout.socket_dir(port).replace("'", "''")
    # Values are validated by Settings to hold no quotes.
    extra = "".join(f"{name} = '{value}'\n" for name, value in options)
    return (
        "# Written by norberts_db before every start of the embedded server; edits are lost.\n"
        "# Only loopback: the dev server is never reachable from the network.\n"
        "listen_addresses = '127.0.0.1'\n"
        f"port = {port}\n"
        f"unix_socket_directories = '{socket_dir}'\n"
        "# fsync stays on: the cluster holds a developer's data and must survive a crash\n"
        "# intact. Not waiting for the WAL flush at commit gives most of fsync=off's speed,\n"
        "# and a crash loses at most the last fraction of a second of commits.\n"
        "synchronous_commit = off\n"
        + (
            f"# The toolkit's defaults, then the server_options setting (the last wins).\n{extra}"
            if extra
            else ""
        )
    )


def log_size(log: Path) -> int:
    try:
        return log.stat().st_size
    except FileNotFoundError:
        return 0


def rotate_log(log: Path) -> None:
    if log_size(log) > MAX_LOG_BYTES:
        log.replace(log.with_name(log.name + ".1"))


def tail(log: Path, lines: int, *, since: int = 0) -> str:
    """The last ``lines`` lines of ``log``, reading from byte ``since`` on."""
    try:
        with log.open("rb") as handle:
            start = max(since, log_size(log) - 256 * 1024)
            handle.seek(start)
            text = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:]) if lines > 0 else ""


def sweep_orphaned_scratch(owners: tuple[int, ...]) -> None:
    """Remove the scratch folders, owned by one of ``owners``, whose data directory is gone.

    A project deleted without ``db.down --volumes`` leaves its scratch folder
    behind until the next reboot; the next embedded server to start clears it.
    Folders that cannot be read, or carry no note, are left alone.
    """
    for folder in SHARED_MEMORY.glob(f"{SCRATCH_PREFIX}*"):
        try:
            found = folder.lstat()
            if not stat.S_ISDIR(found.st_mode) or found.st_uid not in owners:
                continue
            served = Path((folder / SCRATCH_OWNER_NOTE).read_text(encoding="utf-8"))
        except OSError:
            continue
        if not served.exists():
            shutil.rmtree(folder, ignore_errors=True)
