"""Stopping a task on SIGTERM or SIGHUP the way Ctrl-C stops it.

Python ends on SIGTERM without running ``finally`` blocks or context-manager
exits, so a CI runner's ``kill`` would skip everything that cleans up: the
server-side cancel of a running statement, the rollback, the removal of a
half-created container, the drop of a temporary database. Raising
KeyboardInterrupt instead runs them all. A second signal ends the process at
once, as the first would have without this: the way out of a cleanup that
cannot finish. SIGKILL cannot be caught either; what either interrupts is
still rolled back by the server, and temporary databases are swept by the
next run.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise KeyboardInterrupt; a second one terminates."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers
        return
    received: list[int] = []

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if received:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        received.append(signum)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, interrupt) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
