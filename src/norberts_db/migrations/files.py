"""Migration files: ``sql/migrations/NNNN_name.sql``, found, numbered, written, checksummed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from norberts_db.errors import NorbertsDbError

_FILE = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9][a-z0-9_]*)\.sql$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class MigrationFileError(NorbertsDbError):
    """A migration file is misnamed, numbered twice, or cannot be written."""


@dataclass(frozen=True)
class MigrationFile:
    version: int
    name: str
    path: Path

    @property
    def filename(self) -> str:
        return self.path.name

    def checksum(self) -> str:
        return checksum(self.path.read_bytes())


def checksum(data: bytes) -> str:
    """SHA-256 of the file, line endings normalized so a checkout on Windows matches."""
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def slug(name: str) -> str:
    """``"Add user avatars!"`` -> ``add_user_avatars``."""
    text = _NOT_SLUG.sub("_", name.strip().lower()).strip("_")
    if not text:
        raise MigrationFileError(
            f"{name!r} is not a usable migration name. Use letters and digits, e.g. add_avatars."
        )
    return text[:60].rstrip("_")


def discover(directory: Path) -> list[MigrationFile]:
    """The migrations in ``directory`` by version; none when it does not exist.

    A name that ends in ``.sql`` (in any case) or starts with a digit is taken
    for a migration and must be exactly ``NNNN_name.sql``, from 0001 on, each
    version once: anything else would make the set or the order of migrations
    a guess (``0002_two.SQL`` skipped, ``0002_two.sql.bak`` mistaken for a
    copy). Hidden files, sub-folders and other files (``README.md``) are
    left alone.
    """
    if not directory.is_dir():
        return []
    found: dict[int, MigrationFile] = {}
    for path in sorted(directory.iterdir()):
        if not _looks_like_a_migration(path):
            continue
        match = _FILE.match(path.name)
        if not match or int(match["version"]) == 0:
            raise MigrationFileError(
                f"{path}: looks like a migration but is not named NNNN_name.sql (four digits "
                "from 0001, an underscore, lower-case letters, digits and underscores, then "
                ".sql in lower case), so it would not run. Rename it, or move it out of "
                f"{directory}."
            )
        if not path.is_file():
            raise MigrationFileError(f"{path}: is not a file. A migration is a .sql file.")
        version = int(match["version"])
        if version in found:
            raise MigrationFileError(
                f"{path}: version {version:04d} is also used by {found[version].path.name}. "
                "Renumber one of them (the one not yet applied anywhere)."
            )
        found[version] = MigrationFile(version, match["name"], path)
    return [found[version] for version in sorted(found)]


def _looks_like_a_migration(path: Path) -> bool:
    name = path.name
    return not name.startswith(".") and (name.lower().endswith(".sql") or name[:1].isdigit())


def next_path(directory: Path, name: str) -> Path:
    """The path of a new migration: the next free version, then the name."""
    existing = discover(directory)
    version = existing[-1].version + 1 if existing else 1
    if version > 9999:
        raise MigrationFileError(f"{directory}: version 9999 is taken; no version is left.")
    return directory / f"{version:04d}_{slug(name)}.sql"


def write_new(path: Path, text: str) -> None:
    """Write a new migration; never overwrite one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise MigrationFileError(f"{path}: already exists; it is not overwritten.") from None
    except OSError as exc:
        raise MigrationFileError(f"{path}: cannot be written ({exc.strerror}).") from None
