"""Where the embedded server's files live, and the password kept beside them.

As a rule in the project's state folder; run as root, where the server user
cannot reach the project, below :data:`SYSTEM_STATE` instead, with the
generated password kept beside that data so it outlives the project's folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from norberts_db.errors import ServerError
from norberts_db.servers import _serveruser
from norberts_db.servers._pgdata import Layout
from norberts_db.settings import Settings, write_secret

# Where the server's files go when the server user cannot reach the project (see layout_for).
SYSTEM_STATE = Path("/var/lib/norberts-db")


@contextmanager
def file_errors() -> Iterator[None]:
    """Report a file-system failure as one message instead of a traceback."""
    try:
        yield
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        raise ServerError(
            f"The embedded server's files cannot be used:{where}: {exc.strerror}. Check who "
            "owns that path and its permissions (a server created as root belongs to the "
            "'postgres' user)."
        ) from None


def kept_password(layout: Layout, settings: Settings) -> Path | None:
    """Where the generated password is kept beside data that lives outside the project.

    Such data (see :func:`layout_for`) outlives the project's state folder, and
    ``git clean -fdx`` would otherwise take the only copy of its password.
    """
    if settings.password or layout.root.is_relative_to(settings.state_path):
        return None
    return layout.root.parent / "password"


def restore_password(kept: Path, password_file: Path) -> None:
    if password_file.exists() or not kept.is_file():
        return
    with file_errors():
        password_file.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):
            write_secret(password_file, kept.read_text(encoding="utf-8").strip())


def layout_for(settings: Settings) -> Layout:
    """Where the server's files live: in the project's state folder, as a rule.

    Run as root, PostgreSQL runs as ``postgres``, who cannot enter a project
    kept below a mode-0700 folder such as root's home or a ``mktemp -d``
    folder. Rather than open such a folder up, the server's files then go to
    ``/var/lib/norberts-db/<project>/``. A state folder set on purpose
    (NORBERTS_DB_STATE_DIR, pyproject) is used as given, or refused with the fix.
    """
    layout = Layout.for_settings(settings)
    if "state_dir" in settings.sources or not _serveruser.must_switch_user():
        return layout
    if _serveruser.unreachable_for_server(settings.state_path) is None:
        return layout
    digest = hashlib.sha256(os.fsencode(settings.state_path.resolve())).hexdigest()[:16]
    return Layout(
        SYSTEM_STATE / digest / layout.root.relative_to(settings.state_path), layout.major
    )
