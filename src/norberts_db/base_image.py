"""The base image of the built PostgreSQL images, made once without a registry.

A Debian bookworm root filesystem from debootstrap, with postgresql-15 and its
client, trimmed of what an image never needs and imported into the engine.
debootstrap uses the mirror this machine's apt sources name. The images of
each major (:mod:`norberts_db.images`) are built on top of it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound

from norberts_db.errors import ServerError
from norberts_db.settings import Settings

BASE_TAG = "norberts-db/base:bookworm"
SUITE = "bookworm"
DEBIAN_MAJOR = 15
BASE_PACKAGES = (f"postgresql-{DEBIAN_MAJOR}", f"postgresql-client-{DEBIAN_MAJOR}")
# Bump when the base recipe changes, so an older base image is rebuilt, not reused.
BASE_RECIPE = "2"
LABEL_BASE_RECIPE = "org.norberts-db.base-recipe"
# Images get their own label, not the "managed" one: containers inherit image
# labels, and "managed" must mean a container or volume this toolkit created.
LABEL_BUILT = "org.norberts-db.built-image"
APT_DIR = Path("/etc/apt")
DEBOOTSTRAP_TIMEOUT = 30 * 60
# Files the image never needs; dropping them makes the import faster.
_TRIM = (
    f"etc/postgresql/{DEBIAN_MAJOR}/main",  # the cluster postgresql-15's postinst creates
    f"var/lib/postgresql/{DEBIAN_MAJOR}/main",
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/locale",
    "usr/share/info",
)


def silent(_message: str) -> None:
    """A progress callback that shows nothing."""
    return None


def ensure_base_image(
    client: docker.DockerClient, settings: Settings, *, progress: Callable[[str], None] = silent
) -> str:
    """The base image's tag; made with debootstrap unless an up-to-date one is present."""
    try:
        image = client.images.get(BASE_TAG)
    except ImageNotFound:
        pass
    else:
        if image.labels.get(LABEL_BASE_RECIPE) == BASE_RECIPE:
            progress(f"reusing base image {BASE_TAG}")
            return BASE_TAG
    rootfs = scratch_dir(settings) / f"rootfs-{SUITE}"
    mirror = debian_mirror(APT_DIR, SUITE)
    started = time.monotonic()
    progress(f"debootstrap {SUITE} from {mirror} (about a minute)")
    _debootstrap(rootfs, mirror)
    progress(f"debootstrap took {time.monotonic() - started:.1f} s")
    _trim_rootfs(rootfs)
    started = time.monotonic()
    _import_rootfs(client, rootfs, BASE_TAG)
    progress(f"imported {BASE_TAG} in {time.monotonic() - started:.1f} s")
    _remove_tree(rootfs)
    return BASE_TAG


def scratch_dir(settings: Settings) -> Path:
    """``docker/build``: git-ignored space for root filesystems and build contexts."""
    return settings.project_root / "docker" / "build"


def debian_mirror(apt_dir: Path, suite: str = SUITE) -> str:
    """The first archive URI the apt sources name for ``suite`` with component ``main``.

    Reads ``sources.list`` (one-line format) and ``sources.list.d/*.list`` and
    ``*.sources`` (deb822), the same files apt reads, so debootstrap uses the
    mirror this machine is allowed to reach.
    """
    files = [apt_dir / "sources.list"]
    parts = apt_dir / "sources.list.d"
    if parts.is_dir():
        files += sorted(p for p in parts.iterdir() if p.suffix in (".list", ".sources"))
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        entries = _deb822_entries(text) if path.suffix == ".sources" else _one_line_entries(text)
        for uri in entries_for(entries, suite):
            return uri
    raise ServerError(
        f"No apt source on this machine names Debian {suite} main (looked in {apt_dir}). "
        f"Add one, for example `deb http://deb.debian.org/debian {suite} main`."
    )


_Entry = tuple[list[str], list[str], list[str], list[str]]  # types, uris, suites, components


def entries_for(entries: Iterable[_Entry], suite: str) -> Iterable[str]:
    for types, uris, suites, components in entries:
        if "deb" in types and suite in suites and "main" in components:
            yield from (u.rstrip("/") for u in uris if re.match(r"(https?|file)://", u))


def _one_line_entries(text: str) -> list[_Entry]:
    entries: list[_Entry] = []
    for raw in text.splitlines():
        line = re.sub(r"\[[^\]]*\]", " ", raw.split("#", 1)[0]).split()
        if len(line) >= 4:
            entries.append(([line[0]], [line[1]], [line[2]], line[3:]))
    return entries


def _deb822_entries(text: str) -> list[_Entry]:
    entries: list[_Entry] = []
    for paragraph in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = ""
        for line in paragraph.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0].isspace() and key:  # a continuation line
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
        if fields.get("enabled", "yes").lower() == "no":
            continue
        types, uris, suites, components = (
            fields.get(name, "").split() for name in ("types", "uris", "suites", "components")
        )
        entries.append((types, uris, suites, components))
    return entries


def _debootstrap(rootfs: Path, mirror: str) -> None:
    # debootstrap has no library interface: it is a program, so it runs as one.
    if shutil.which("debootstrap") is None:
        raise ServerError(
            "Building the base image needs debootstrap, which is not installed. "
            "Install it with `apt-get install debootstrap` (or run `bash .ci/docker-engine.sh`)."
        )
    if os.geteuid() != 0:
        raise ServerError("debootstrap needs root to build the base image; run the build as root.")
    _remove_tree(rootfs)
    rootfs.parent.mkdir(parents=True, exist_ok=True)
    command = [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(BASE_PACKAGES)}",
        SUITE,
        str(rootfs),
        mirror,
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=DEBOOTSTRAP_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ServerError(
            f"debootstrap did not finish within {DEBOOTSTRAP_TIMEOUT // 60} minutes. "
            f"Check that {mirror} is reachable."
        ) from None
    if result.returncode != 0:
        log = rootfs / "debootstrap" / "debootstrap.log"
        detail = log.read_text(errors="replace") if log.is_file() else result.stdout + result.stderr
        tail = "\n".join(detail.strip().splitlines()[-15:])
        raise ServerError(
            f"debootstrap failed (exit code {result.returncode}); the last lines of its log:\n"
            f"{tail}\nCheck that {mirror} is reachable, then run the build again."
        )


def _trim_rootfs(rootfs: Path) -> None:
    for relative in _TRIM:
        folder = rootfs / relative
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            # apt expects its partial/ folders to exist.
            if entry.name == "partial":
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def _import_rootfs(client: docker.DockerClient, rootfs: Path, tag: str) -> None:
    tarball = rootfs.with_name(rootfs.name + ".tar")
    try:
        with tarfile.open(tarball, "w") as archive:
            archive.add(rootfs, arcname=".", filter=_numeric_owner)
        repository, _, version = tag.rpartition(":")
        changes = [
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "ENV LANG=C.UTF-8",
            f"LABEL {LABEL_BUILT}=base",
            f"LABEL {LABEL_BASE_RECIPE}={BASE_RECIPE}",
            'CMD ["bash"]',
        ]
        client.api.import_image(
            src=str(tarball), repository=repository, tag=version, changes=changes
        )
    except DockerException as exc:
        raise ServerError(f"Importing the base image {tag} failed: {exc}") from None
    finally:
        tarball.unlink(missing_ok=True)


def _numeric_owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # Names would be looked up on this machine, where ids may mean other users;
    # the engine goes by the numbers, which are the root filesystem's own.
    info.uname = info.gname = ""
    return info


def _remove_tree(path: Path) -> None:
    """Remove a root filesystem, refusing while anything is mounted inside it.

    A debootstrap that was interrupted can leave /proc or /dev mounted in the
    tree, and removing files there would reach the host's.
    """
    if not path.exists():
        return
    inside = str(path.resolve()) + "/"
    mounts = [
        line.split()[1]
        for line in Path("/proc/self/mounts").read_text().splitlines()
        if line.split()[1].startswith(inside)
    ]
    if mounts:
        raise ServerError(
            f"{path} still has mounts inside ({', '.join(mounts)}), left by an interrupted "
            "debootstrap. Unmount them (`umount -R MOUNTPOINT`), then run the build again."
        )
    shutil.rmtree(path)
