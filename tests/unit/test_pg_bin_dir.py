"""The pg_bin_dir setting is a choice: binaries it names that cannot serve are an error."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from norberts_db import pgbinaries
from norberts_db.errors import ServerError


def fake_bin(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True)
    for name in pgbinaries.SERVER_PROGRAMS:
        program = folder / name
        program.write_text(f"#!/bin/sh\necho 'postgres (PostgreSQL) {version}'\n")
        program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return folder


def test_binaries_of_the_major_in_the_named_folder_are_used(tmp_path: Path) -> None:
    folder = fake_bin(tmp_path / "bin", "16.4")

    found = pgbinaries.find(16, state_dir=tmp_path, explicit=folder)

    assert found is not None
    assert found.bin_dir == folder
    assert found.source == f"the pg_bin_dir setting ({folder})"


@pytest.mark.parametrize(
    ("layout", "problem"),
    [
        ("missing", "is not a folder"),
        ("empty", "holds no initdb, pg_ctl, postgres"),
        ("other major", "holds PostgreSQL 15, not 16 (the pg_version setting)"),
    ],
)
def test_a_named_folder_that_cannot_serve_the_major_is_refused_by_name(
    tmp_path: Path, layout: str, problem: str
) -> None:
    folder = tmp_path / "bin"
    if layout == "empty":
        folder.mkdir()
    elif layout == "other major":
        fake_bin(folder, "15.8")

    with pytest.raises(ServerError) as raised:
        pgbinaries.find(16, state_dir=tmp_path, explicit=folder)

    message = str(raised.value)
    assert message.startswith(f"pg_bin_dir ({folder}) {problem}. ")
    assert "NORBERTS_DB_PG_BIN_DIR" in message
    assert "PostgreSQL 16 installation" in message
