"""A kept copy of a new cluster per set of server programs, so a new data directory needs no initdb.

initdb bootstraps the catalogs and then fills them in single-user mode: most
of the CPU a first ``db.up`` costs. With the same programs and the same
options it makes the same cluster every time, apart from the superuser's
password (and the system identifier, which only physical replication reads).
So the first cluster made with a set of programs is made with a random
password nobody learns, and copied into the ``cluster_cache`` folder; the
next new cluster starts as a copy of it. Either way the real password is then
set in single-user mode (:func:`password_problem`), where no server listens, from
a pipe. Nothing in the cache is secret, and a cache that cannot be used or
written only means initdb runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from psycopg import sql

from norberts_db.pgbinaries import PgBinaries
from norberts_db.servers import _serveruser
from norberts_db.servers._serveruser import ServerUser

_IN_PROGRESS = ".copying-"


def entry(
    root: Path | None, major: int, binaries: PgBinaries, user: ServerUser, options: list[str]
) -> Path | None:
    """Where the cluster these programs make with ``options`` is kept, or None without a cache.

    The programs are named by size and modification time, which the copies
    staged for the server user keep (:func:`._serveruser.reachable_binaries`):
    a changed installation gets an entry of its own, and so does another owner.
    """
    if root is None:
        return None
    digest = hashlib.sha256("\0".join([str(user.uid), *options, ""]).encode())
    for program in ("initdb", "postgres"):
        info = binaries.program(program).stat()
        digest.update(f"{program}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return root / f"pg{major}-{digest.hexdigest()[:24]}"


def copy_out(kept: Path, work: Path) -> bool:
    """Make ``work`` a copy of the kept cluster; False when there is none (or it cannot be read)."""
    if not (kept / "PG_VERSION").is_file():
        return False
    if _copy(kept, work):
        return True
    shutil.rmtree(work, ignore_errors=True)
    return False


def keep(work: Path, kept: Path) -> None:
    """Copy the new cluster ``work`` to ``kept``, whole or not at all; failures are ignored."""
    try:
        kept.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _sweep(kept.parent)
        if kept.exists():
            return
        partial = kept.parent / f"{_IN_PROGRESS}{os.getpid()}-{kept.name}"
        if _copy(work, partial):
            partial.replace(kept)
    except OSError:
        pass
    finally:
        for leftover in kept.parent.glob(f"{_IN_PROGRESS}{os.getpid()}-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def password_problem(
    work: Path,
    role: str,
    verifier: str,
    binaries: PgBinaries,
    user: ServerUser,
    env: dict[str, str],
) -> str | None:
    """Give ``role`` of the stopped cluster ``work`` the password of this SCRAM ``verifier``.

    Returns what went wrong, or None. ``postgres --single`` reads the statement
    from a pipe: neither the password nor its verifier is in argv, a file or a log.
    """
    statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(
        sql.Identifier(role), sql.Literal(verifier)
    )
    argv = [str(binaries.program("postgres")), "--single", "-D", str(work)]
    # An error ends the backend with a failing exit, and no statement text is logged.
    argv += ["-c", "exit_on_error=on", "-c", "log_min_error_statement=panic", "postgres"]
    secret = _serveruser.secret_pipe(statement.as_string(None), user)
    try:
        result = _serveruser.run(user, argv, cwd=work.parent, timeout=120.0, mark=env, stdin=secret)
    finally:
        os.close(secret)
    if result.returncode == 0:
        return None
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line or "FATAL" in line]
    return f"exit {result.returncode}: {errors[-1].strip() if errors else 'no message'}"


def discard(kept: Path) -> None:
    """Remove a kept cluster that could not be used, so the next new cluster replaces it.

    It is renamed first, in one step, so no other run copies a half-removed folder.
    """
    trash = kept.parent / f"{_IN_PROGRESS}{os.getpid()}-discarded-{kept.name}"
    with contextlib.suppress(OSError):
        kept.replace(trash)
    shutil.rmtree(trash, ignore_errors=True)


def _copy(source: Path, target: Path) -> bool:
    # cp keeps owners (the server user's, when run as root) and modes, and is fast.
    done = subprocess.run(["cp", "-a", str(source), str(target)], capture_output=True, check=False)
    return done.returncode == 0


def _sweep(root: Path) -> None:
    """Remove the partial copies of runs that ended before they finished."""
    for leftover in root.glob(f"{_IN_PROGRESS}*"):
        pid = leftover.name.removeprefix(_IN_PROGRESS).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(leftover, ignore_errors=True)
