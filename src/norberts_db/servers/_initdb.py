"""Creating the embedded server's cluster, and clearing one a killed ``db.up`` left half made.

initdb works in a side folder that becomes the data directory only once it
is complete, so a half-made cluster is never taken for a real one. The dev
password reaches initdb through a pipe: it is never in a file, in argv or in
a log, so nothing that holds it outlives the command, however it ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

from norberts_db import scram
from norberts_db.errors import ServerError
from norberts_db.pgbinaries import PgBinaries
from norberts_db.servers import _cluster_cache, _orphans, _pgdata, _serveruser
from norberts_db.servers._pgdata import Layout
from norberts_db.servers._processes import MARK_DATA, MARK_PROJECT
from norberts_db.servers._serveruser import ServerUser
from norberts_db.settings import Settings


def mark(settings: Settings, data: Path) -> dict[str, str]:
    """The environment that tells the programs started for ``data`` for the toolkit's."""
    return {MARK_DATA: str(data), MARK_PROJECT: str(settings.project_root)}


def create_cluster(
    layout: Layout, settings: Settings, binaries: PgBinaries, user: ServerUser
) -> list[str]:
    """Create the cluster of ``layout``; returns what had to be cleared first, for the user.

    A cluster kept from an earlier initdb with the same programs is copied
    instead of running initdb again (:mod:`._cluster_cache`).
    """
    work = layout.data_in_progress
    notes = clear_half_made(layout, settings)
    shutil.rmtree(layout.scratch, ignore_errors=True)
    password = settings.dev_password()
    if "\n" in password or "\r" in password:
        raise ServerError("The dev server password must be a single line; change it.")
    options = _options(settings)
    # None for a password that is not ASCII: PostgreSQL must hash that one itself,
    # at initdb, so no kept cluster can stand in.
    stored = scram.verifier(password)
    root = settings.cluster_cache_path if stored is not None else None
    kept = _cluster_cache.entry(root, layout.major, binaries, user, options)
    try:
        copied = False
        if kept is not None and stored is not None and _cluster_cache.copy_out(kept, work):
            problem = _cluster_cache.password_problem(
                work, settings.user, stored, binaries, user, mark(settings, work)
            )
            copied = problem is None
            if not copied:
                # A kept copy damaged on disk would spoil every cluster made from it.
                shutil.rmtree(work, ignore_errors=True)
                _cluster_cache.discard(kept)
                notes.append(
                    f"The kept cluster {kept} could not be used ({problem}): it was removed, "
                    "and initdb made this cluster."
                )
        if not copied:
            work.mkdir(mode=0o700)
            _serveruser.chown_to(work, user)
            # The kept copy must hold no secret: its initdb gets a password nobody learns.
            first = password if kept is None else secrets.token_urlsafe(24)
            result = _run_initdb(layout, settings, binaries, user, options, first)
            if result.returncode != 0:
                stderr = "\n".join(result.stderr.strip().splitlines()[-5:])
                raise ServerError(
                    f"initdb of PostgreSQL {layout.major} failed (exit {result.returncode}):"
                    f"\n{stderr}\nThe half-created data directory was removed. Fix the cause "
                    "and run `invoke db.up` again."
                )
            if kept is not None and stored is not None:
                _cluster_cache.keep(work, kept)
                problem = _cluster_cache.password_problem(
                    work, settings.user, stored, binaries, user, mark(settings, work)
                )
                if problem is not None:
                    raise ServerError(
                        f"Setting the password of the new cluster in {work} failed ({problem})."
                        " Run `invoke db.up` again; with the cluster_cache setting `off` it "
                        "runs initdb."
                    )
        with (work / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"\n{_pgdata.INCLUDE_LINE}\n")
        work.replace(layout.data)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return notes


def clear_half_made(layout: Layout, settings: Settings) -> list[str]:
    """Remove what a ``db.up`` killed during initdb left, its initdb first if still at work."""
    work = layout.data_in_progress
    shown = _pgdata.shown(settings, work)
    # Earlier versions handed initdb the password in a file, which a kill left behind.
    for leftover in layout.root.glob(".pwfile-*"):
        leftover.unlink(missing_ok=True)
    busy = _orphans.half_made(layout)
    if not busy and not work.exists():
        return []
    stuck = _orphans.stop_all(busy)
    if stuck:
        raise ServerError(
            f"The half-created data directory {shown} is still in use by "
            f"{', '.join(p.describe() for p in stuck)}, which did not stop when killed. "
            "Stop it, then run `invoke db.up` again."
        )
    shutil.rmtree(work, ignore_errors=True)
    pids = ", ".join(f"pid {p.pid}" for p in busy)
    stopped = f" after stopping its initdb ({pids})" if busy else ""
    return [
        "An earlier `db.up` was interrupted while creating the cluster: removed its "
        f"half-created data directory {shown}{stopped}, and started over."
    ]


def _options(settings: Settings) -> list[str]:
    # C locale: the same sort order and messages on every machine.
    return [
        "-U",
        settings.user,
        "--auth-host=scram-sha-256",
        "--auth-local=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
    ]


def _run_initdb(
    layout: Layout,
    settings: Settings,
    binaries: PgBinaries,
    user: ServerUser,
    options: list[str],
    password: str,
) -> subprocess.CompletedProcess[str]:
    work = layout.data_in_progress
    secret = _serveruser.secret_pipe(password, user)
    try:
        argv = [str(binaries.program("initdb")), "-D", str(work), *options]
        return _serveruser.run(
            user,
            [*argv, "--pwfile=/dev/stdin"],
            cwd=layout.root,
            timeout=max(120.0, settings.ready_timeout),
            mark=mark(settings, work),
            stdin=secret,
        )
    finally:
        os.close(secret)
