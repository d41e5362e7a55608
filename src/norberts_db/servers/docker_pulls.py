"""Failed pulls of the default image, remembered for a while in the state folder.

Where no registry answers, every task would otherwise ask it again for
``postgres:N`` before falling back to ``norberts-db/postgres:N``: a wasted
round trip (and a DNS lookup) on each command. A failure is remembered for
:data:`RETRY_AFTER` seconds, then the next task tries the registry again. A
pull that works, or an image that turns up locally, makes the memory moot.
The memory only ever skips a pull; a file that cannot be read or written
changes nothing else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from norberts_db import state_files

RETRY_AFTER = 3600.0
PULLS_FILE = "image-pulls.json"


@dataclass(frozen=True)
class Failure:
    reason: str  # what the pull said, as Unusable.reason has it
    at: float  # seconds since the epoch

    def note(self) -> str:
        when = time.strftime("%H:%M:%S UTC", time.gmtime(self.at))
        again = time.strftime("%H:%M UTC", time.gmtime(self.at + RETRY_AFTER))
        return f"{self.reason} (when last tried at {when}; tried again after {again})"


class PullMemory:
    """The failed pulls of one project, by image reference."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> PullMemory:
        return cls(state_dir / PULLS_FILE)

    def recent_failure(self, ref: str, now: float | None = None) -> Failure | None:
        """The failed pull of ``ref`` within RETRY_AFTER, if there was one."""
        now = time.time() if now is None else now
        entry = self._read().get(ref)
        if not isinstance(entry, dict):
            return None
        reason, at = entry.get("reason"), entry.get("at")
        if not isinstance(reason, str) or not isinstance(at, int | float):
            return None
        if not 0 <= now - at < RETRY_AFTER:
            return None
        return Failure(reason, float(at))

    def failed(self, ref: str, reason: str, now: float | None = None) -> None:
        entries = self._read()
        entries[ref] = {"reason": reason, "at": time.time() if now is None else now}
        self._write(entries)

    def forget(self, ref: str) -> None:
        entries = self._read()
        if entries.pop(ref, None) is not None:
            self._write(entries)

    def _read(self) -> dict[str, object]:
        return state_files.read_object(self.path)

    def _write(self, entries: dict[str, object]) -> None:
        state_files.write_object(self.path, entries)
