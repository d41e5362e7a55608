"""Which files of sql/migrations/ are migrations, which are refused by name, which are ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from norberts_db.migrations.files import MigrationFileError, discover


@pytest.mark.parametrize(
    "name",
    [
        "0002_two.SQL",
        "0002_two.Sql",
        "2_two.sql",
        "0002-two.sql",
        "00002_two.sql",
        "0002_Two.sql",
        "0002_two.down.sql",
        "0002_two.sql.bak",
        "0002_two.sql~",
        "0002_two.psql",
        "0002_two",
        "0000_zero.sql",
        "two.sql",
    ],
)
def test_a_file_that_looks_like_a_migration_but_is_misnamed_is_refused_by_name(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / "0001_one.sql").write_text("SELECT 1;")
    (tmp_path / name).write_text("SELECT 2;")
    with pytest.raises(MigrationFileError) as refused:
        discover(tmp_path)
    message = str(refused.value)
    assert name in message
    assert "NNNN_name.sql" in message


@pytest.mark.parametrize(
    "name", ["README.md", ".gitkeep", ".0002_two.sql.swp", "notes.txt", "archive"]
)
def test_files_that_are_not_migrations_are_ignored(tmp_path: Path, name: str) -> None:
    (tmp_path / "0001_one.sql").write_text("SELECT 1;")
    if name == "archive":
        (tmp_path / name).mkdir()
        (tmp_path / name / "0009_old.sql").write_text("SELECT 9;")
    else:
        (tmp_path / name).write_text("text")
    assert [m.filename for m in discover(tmp_path)] == ["0001_one.sql"]


def test_a_version_used_twice_names_both_files(tmp_path: Path) -> None:
    (tmp_path / "0003_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_b.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationFileError, match=r"0003_b\.sql: version 0003 is also used by"):
        discover(tmp_path)


def test_a_directory_named_like_a_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0002_two.sql").mkdir()
    with pytest.raises(MigrationFileError, match="not a file"):
        discover(tmp_path)
