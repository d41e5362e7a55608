"""The dynamic shared memory that killed postmasters leave in /dev/shm.

A postmaster that exits removes its segments. One killed with SIGKILL cannot,
as some tests do on purpose, and the next postmaster of that data directory
removes them only while the old main segment still exists; the tests delete the
folder instead. Each leaves its control segment and the segments it lists (a
pinned 1 MB one at least) until the machine reboots.

Whether a segment is in use is not whether some process maps it: a pinned
segment of a live server can be mapped by none of its processes for a while.
But a live postmaster maps its control segment from start to exit, so a control
segment that no process maps or holds open belongs to a postmaster that is
gone, and so do the segments it lists.

The sessions of the four majors run at the same time and sweep the same
/dev/shm, so a sweep, and a test that needs what a kill left to stay until it
sweeps, hold :func:`sweep_lock`.
"""

from __future__ import annotations

import fcntl
import re
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from norberts_db.servers._pgdata import SHARED_MEMORY

SEGMENT_PREFIX = "PostgreSQL."
# dsm.c: the control segment's header, and its items from offset 16 (8-byte aligned).
CONTROL_MAGIC = 0x9A503D32
HEADER = struct.Struct("=III")  # magic, nitems, maxitems
ITEMS_AT = 16
ITEM = struct.Struct("=IIQQQ?7x")  # handle, refcnt, first_page, npages, private, pinned
_NAMED = re.compile(rb"/dev/shm/(PostgreSQL\.\d+)")
_SWEEP_LOCK = SHARED_MEMORY / "norberts-db-tests-sweep.lock"  # not a PostgreSQL.* name
_held = [0]  # how deep this process holds the lock: it is taken once


@contextmanager
def sweep_lock() -> Iterator[None]:
    """Keep every other test process from sweeping /dev/shm meanwhile; reentrant."""
    if _held[0]:
        _held[0] += 1
        try:
            yield
        finally:
            _held[0] -= 1
        return
    with _SWEEP_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _held[0] = 1
        try:
            yield
        finally:
            _held[0] = 0


def in_use() -> set[str]:
    """Names of the segments some process maps or holds open."""
    used: set[str] = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            used.update(name.decode() for name in _NAMED.findall((proc / "maps").read_bytes()))
            for fd in (proc / "fd").iterdir():
                target = fd.readlink()
                if target.parent == SHARED_MEMORY and target.name.startswith(SEGMENT_PREFIX):
                    used.add(target.name)
        except OSError:
            continue  # ended meanwhile, or not ours to read
    return used


def listed_segments(control: Path) -> set[str] | None:
    """The segments the control segment ``control`` lists, or None when it is not one."""
    with control.open("rb") as segment:
        header = segment.read(ITEMS_AT)
        if len(header) < ITEMS_AT:
            return None
        magic, nitems, maxitems = HEADER.unpack_from(header)
        if magic != CONTROL_MAGIC or control.stat().st_size != ITEMS_AT + maxitems * ITEM.size:
            return None
        items = segment.read(min(nitems, maxitems) * ITEM.size)
    listed = set()
    for handle, refcnt, _, npages, _, _ in ITEM.iter_unpack(items):
        if refcnt > 0 and npages == 0:  # a slot in use, in a segment of its own
            listed.add(f"{SEGMENT_PREFIX}{handle}")
    return listed


def remove_left_by_dead_postmasters(since: float) -> list[str]:
    """Remove what postmasters started since ``since`` (a time.time()) and gone left.

    Returns the names of the segments removed.
    """
    with sweep_lock():
        return _remove_left_by_dead_postmasters(since)


def _remove_left_by_dead_postmasters(since: float) -> list[str]:
    # Listed before the processes are read: a postmaster starting meanwhile holds its new
    # control segment open or mapped by the time it writes the header, and any segment
    # made after this listing is not looked at.
    candidates = list(SHARED_MEMORY.glob(f"{SEGMENT_PREFIX}*"))
    used = in_use()
    removed = []
    for control in candidates:
        try:
            if control.name in used or control.stat().st_mtime < since:
                continue
            listed = listed_segments(control)
        except OSError:
            continue
        if listed is None:
            continue
        for name in [*sorted(listed - used), control.name]:
            try:
                (SHARED_MEMORY / name).unlink()
            except FileNotFoundError:
                continue
            removed.append(name)
    return removed


def mapped_by(pid: int) -> set[str]:
    """Names of the segments process ``pid`` maps."""
    return {name.decode() for name in _NAMED.findall(Path(f"/proc/{pid}/maps").read_bytes())}


def children_of(pid: int) -> list[int]:
    """The pids whose parent is ``pid``."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            fields = (proc / "stat").read_text(encoding="utf-8").rpartition(")")[2].split()
        except OSError:
            continue
        if proc.name.isdigit() and int(fields[1]) == pid:
            found.append(int(proc.name))
    return found
