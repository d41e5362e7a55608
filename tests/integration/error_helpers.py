"""Helpers of the error tests: tasks aimed at nothing, one-message checks, a command that breaks."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from tests.port_holders import free_port

from .safety_helpers import Outcome, clean_environment, run_tasks


def unreachable_env(state_dir: Path, **values: str) -> dict[str, str]:
    """Tasks aimed at a loopback port nothing listens on: nothing is started or changed."""
    defaults = {
        "NORBERTS_DB_URL": f"postgresql://postgres:pw@127.0.0.1:{free_port()}/norberts_errors",
        "NORBERTS_DB_STATE_DIR": str(state_dir),
    }
    return clean_environment(**{**defaults, **values})


def assert_one_message(outcome: Outcome, *expected: str) -> None:
    assert outcome.code != 0, outcome.output
    assert "Traceback" not in outcome.output
    assert len(outcome.errors()) == 1, outcome.stderr
    for text in expected:
        assert text in outcome.stderr, outcome.stderr


def run_broken(
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    error: BaseException,
    *args: str,
    env: dict[str, str],
) -> Outcome:
    """Run ``args`` with ``norberts_db.commands.<command>`` raising ``error``: a bug, simulated."""
    from norberts_db import commands

    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(commands, command, broken)
    return run_tasks(*args, env=env)


def interrupt_nested_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C that lands just after psycopg counted a savepoint, before its block is
    entered: the count stays one too high, and the enclosing transaction ends with
    psycopg's "rollback at the wrong nesting level" in place of the interrupt."""
    enter = psycopg.Transaction.__enter__

    def interrupted_enter(self: psycopg.Transaction) -> psycopg.Transaction:
        nested = self.connection.info.transaction_status != TransactionStatus.IDLE
        entered = enter(self)
        if nested:
            raise KeyboardInterrupt("SIGINT")
        return entered

    monkeypatch.setattr(psycopg.Transaction, "__enter__", interrupted_enter)
