"""A failed pull of the default image is remembered for an hour, then tried again."""

from __future__ import annotations

from pathlib import Path

from norberts_db.servers.docker_pulls import RETRY_AFTER, PullMemory

REF = "postgres:18"
REASON = "image postgres:18 is not present and cannot be pulled: no such host"


def test_a_failure_is_recalled_within_the_hour_and_not_after(tmp_path: Path) -> None:
    memory = PullMemory.in_state_dir(tmp_path / "state")
    memory.failed(REF, REASON, now=1000.0)

    recalled = PullMemory.in_state_dir(tmp_path / "state").recent_failure(REF, now=1000.0 + 60)

    assert recalled is not None
    assert recalled.reason == REASON
    assert recalled.note().startswith(f"{REASON} (when last tried at 00:16:40 UTC; ")
    assert memory.recent_failure(REF, now=1000.0 + RETRY_AFTER) is None
    assert memory.recent_failure("postgres:17", now=1000.0 + 60) is None
    # A clock set back does not make an old failure look recent.
    assert memory.recent_failure(REF, now=900.0) is None


def test_forgetting_a_ref_clears_only_that_one(tmp_path: Path) -> None:
    memory = PullMemory(tmp_path / "pulls.json")
    memory.failed(REF, REASON, now=1000.0)
    memory.failed("postgres:17", REASON, now=1000.0)

    memory.forget(REF)

    assert memory.recent_failure(REF, now=1001.0) is None
    assert memory.recent_failure("postgres:17", now=1001.0) is not None


def test_an_unreadable_or_unwritable_memory_remembers_nothing(tmp_path: Path) -> None:
    garbled = tmp_path / "pulls.json"
    garbled.write_text("{not json", encoding="utf-8")
    assert PullMemory(garbled).recent_failure(REF) is None

    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    memory = PullMemory(blocked / "pulls.json")  # its folder is a file
    memory.failed(REF, REASON)
    assert memory.recent_failure(REF) is None
