"""Stopping a task on SIGINT, SIGTERM or SIGHUP the way Ctrl-C stops it.

Python ends on SIGTERM without running ``finally`` blocks or context-manager
exits, so a CI runner's ``kill`` would skip everything that cleans up: the
server-side cancel of a running statement, the rollback, the removal of a
half-created container, the drop of a temporary database. Raising
KeyboardInterrupt instead runs them all. A second signal ends the process at
once, as the first would have without this: the way out of a cleanup that
cannot finish. SIGKILL cannot be caught either; what either interrupts is
still rolled back by the server, and temporary databases are swept by the
next run.

A process inherits ignored signals from whatever started it. A background job
of a non-interactive shell (``invoke db.reset &`` in a CI script, or a test
suite started that way) starts with SIGINT ignored, and Python then leaves it
ignored: ``kill -INT`` would do nothing and the task would run to its end.
SIGINT and SIGTERM are how a person or a runner asks a task to stop, so
within a task they always stop it, as psql's own cancel handler does. An
ignored SIGHUP stays ignored: that is what ``nohup`` asks for.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], object] | int | None


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt.

    A second SIGTERM or SIGHUP terminates the process; a second SIGINT raises
    KeyboardInterrupt again, as Python's own Ctrl-C handling does.
    """
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

    handlers: dict[signal.Signals, Handler] = {signal.SIGTERM: interrupt}
    if signal.getsignal(signal.SIGHUP) != signal.SIG_IGN:
        handlers[signal.SIGHUP] = interrupt
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        handlers[signal.SIGINT] = signal.default_int_handler
    previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """The interrupt whose unwinding raised ``exc``, if one did.

    An interrupt can land anywhere, inside a library's own bookkeeping too: a
    Ctrl-C just after psycopg counted a savepoint leaves its count wrong, and
    the enclosing transaction then ends with psycopg's "rollback at the wrong
    nesting level" in place of the interrupt. The interrupt stays in the
    exception's context (``raise ... from None`` only hides it from tracebacks).
    """
    seen: set[int] = set()
    current = exc.__context__
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return current
        seen.add(id(current))
        current = current.__context__
    return None
