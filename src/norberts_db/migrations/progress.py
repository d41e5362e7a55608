"""A progress line on stderr for work that takes longer than a moment.

On a terminal one line is rewritten in place; elsewhere (CI logs, pipes) a
plain line is printed now and then, so a log is not flooded with carriage
returns. Nothing is printed for work that ends within the first second. This
is twenty lines of the standard library rather than a dependency: the toolkit
shows progress in one place.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

# Seconds before anything is shown, and between plain lines when not on a terminal.
MOMENT = 1.0
PLAIN_EVERY = 10.0


class Progress:
    """``with Progress("copying"):``, calling :meth:`update` with what is done so far."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.detail = ""
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._shown = False
        self._tty = self.stream.isatty()

    def __enter__(self) -> Progress:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        if self._shown and self._tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def update(self, detail: str) -> None:
        self.detail = detail

    def _run(self) -> None:
        if self._stop.wait(MOMENT):
            return
        every = 0.2 if self._tty else PLAIN_EVERY
        while True:
            elapsed = time.monotonic() - self._started
            detail = f", {self.detail}" if self.detail else ""
            line = f"{self.label}: {elapsed:.0f} s{detail}"
            self.stream.write(f"\r\x1b[K{line}" if self._tty else f"{line}\n")
            self.stream.flush()
            self._shown = True
            if self._stop.wait(every):
                return
