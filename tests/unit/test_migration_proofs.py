"""The remembered proof that the migrations build the schema file, and what a reset records."""

from __future__ import annotations

from pathlib import Path

from norberts_db.migrations.files import discover
from norberts_db.migrations.proofs import Proofs, major_of, reset_history


def project(tmp_path: Path) -> tuple[Path, Path]:
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id int);\n")
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_base.sql").write_text("CREATE TABLE t (id int);\n")
    return schema, folder


def test_the_proof_is_keyed_by_every_file_and_the_major(tmp_path: Path) -> None:
    schema, folder = project(tmp_path)
    key = Proofs.key(schema, discover(folder), "18")
    assert Proofs.key(schema, discover(folder), "17") != key
    (folder / "0001_base.sql").write_text("CREATE TABLE t (id bigint);\n")
    changed = Proofs.key(schema, discover(folder), "18")
    assert changed != key
    (folder / "0002_more.sql").write_text("SELECT 1;\n")
    assert Proofs.key(schema, discover(folder), "18") != changed
    schema.write_text("CREATE TABLE t (id bigint);\n")
    assert Proofs.key(schema, discover(folder)[:1], "18") != changed


def test_a_proof_is_remembered_and_a_broken_or_missing_file_knows_none(tmp_path: Path) -> None:
    proofs = Proofs(tmp_path / "state" / "proofs.json")
    assert proofs.get("k") is None
    proofs.put("k", True)
    proofs.put("other", False)
    assert (proofs.get("k"), proofs.get("other")) == (True, False)
    proofs.path.write_text("{not json")
    assert proofs.get("k") is None
    (tmp_path / "a-file").write_text("")
    unwritable = Proofs(tmp_path / "a-file" / "proofs.json")
    unwritable.put("k", True)  # only costs a later proof
    assert unwritable.get("k") is None


def test_only_a_few_proofs_are_kept(tmp_path: Path) -> None:
    proofs = Proofs(tmp_path / "proofs.json")
    for number in range(50):
        proofs.put(f"k{number}", True)
    assert proofs.get("k49") is True and proofs.get("k0") is None


def test_a_reset_records_every_migration_only_when_proven_to_build_the_schema(
    tmp_path: Path,
) -> None:
    schema, folder = project(tmp_path)
    files = discover(folder)
    proofs = Proofs(tmp_path / "proofs.json")
    unknown = reset_history(proofs, schema, files, "18", "schema.sql")
    assert unknown.record == () and "not recorded" in unknown.summary
    proofs.put(Proofs.key(schema, files, "18"), False)
    disproven = reset_history(proofs, schema, files, "18", "schema.sql")
    assert disproven.record == () and "migration.new" in disproven.summary
    proofs.put(Proofs.key(schema, files, "18"), True)
    proven = reset_history(proofs, schema, files, "18", "schema.sql")
    assert [m.filename for m in proven.record] == ["0001_base.sql"]
    assert reset_history(proofs, schema, files, "17", "schema.sql").record == ()


def test_the_major_is_read_from_any_version_string() -> None:
    assert major_of("18.1") == "18"
    assert major_of("16.4 (Debian 16.4-1.pgdg120+2)") == "16"
