"""Signals that stop a task: whatever the dispositions the process inherited."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from norberts_db.interrupts import terminate_as_interrupt

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@pytest.fixture(autouse=True)
def restored_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in SIGNALS}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_sigint_inherited_as_ignored_still_interrupts_a_task() -> None:
    """A background job of a non-interactive shell starts with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    with pytest.raises(KeyboardInterrupt), terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGINT)

    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN


@pytest.mark.parametrize("inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["default", "ignored"])
def test_sigterm_interrupts_a_task_and_names_itself(inherited: signal.Handlers) -> None:
    signal.signal(signal.SIGTERM, inherited)

    with pytest.raises(KeyboardInterrupt, match=r"^SIGTERM$"), terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)

    assert signal.getsignal(signal.SIGTERM) == inherited


def test_sighup_ignored_by_nohup_stays_ignored() -> None:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    with terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGHUP)
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN


def test_sighup_interrupts_a_task_started_at_a_terminal() -> None:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)

    with pytest.raises(KeyboardInterrupt, match=r"^SIGHUP$"), terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGHUP)
