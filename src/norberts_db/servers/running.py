"""The warm path: reuse the dev server that already runs, without asking Docker.

After a managed server answers, the tasks note which backend runs it. The
next task finds it with one login instead of probing the Docker engine and
loading its SDK, which cost more than the reset itself. The note is only a
hint: the server counts as running only if it accepts this checkout's
generated password on the expected port, so a stale note just means the slow
path. Any mismatch with the settings (backend, image, database) also means the
slow path, where the backend checks everything.

The login that proves it is handed to the task (:class:`Warm`), which runs on
it rather than logging in a second time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import psycopg

from norberts_db.connection import connect
from norberts_db.errors import NorbertsDbError
from norberts_db.servers import wants_external
from norberts_db.servers.base import ServerInfo, managed_conninfo
from norberts_db.settings import Settings


class Warm(NamedTuple):
    """The running dev server, and the open connection to its database that proved it."""

    info: ServerInfo
    conn: psycopg.Connection[tuple[object, ...]]


def _note_path(settings: Settings) -> Path:
    return settings.state_path / f"running-pg{settings.pg_version}.json"


def _fingerprint(settings: Settings, backend: str) -> dict[str, object]:
    return {
        "backend": backend,
        "port": settings.effective_port,
        "database": settings.database,
        "user": settings.user,
        "image": settings.image_ref if backend == "docker" else None,
        "network": settings.network if backend == "docker" else None,
    }


def remember(settings: Settings, backend: str) -> None:
    """Note that ``backend`` runs the dev server for these settings."""
    settings.state_folder()
    _note_path(settings).write_text(json.dumps(_fingerprint(settings, backend)), encoding="utf-8")


def forget(settings: Settings) -> None:
    _note_path(settings).unlink(missing_ok=True)


def find(settings: Settings) -> Warm | None:
    """The managed dev server that already answers for these settings, or None.

    The caller closes the connection of what is returned.
    """
    if wants_external(settings):
        return None
    try:
        note = json.loads(_note_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    backend = note.get("backend") if isinstance(note, dict) else None
    if not isinstance(backend, str) or settings.backend not in ("auto", backend):
        return None
    if note != _fingerprint(settings, backend):
        return None
    info = managed_conninfo(settings)
    try:
        conn = connect(info)
    except NorbertsDbError:
        return None
    # The server reports its version at login: no query needed.
    version = conn.info.parameter_status("server_version") or "unknown"
    return Warm(ServerInfo(backend, version, info.address, info.dbname), conn)
