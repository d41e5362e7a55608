"""``invoke gen`` and ``gen.check`` on a real server, and the generated drop script.

The committed generated files must be what the committed schema file
generates, so a schema change without ``invoke gen`` fails CI here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from norberts_db.conninfo import ConnInfo
from norberts_db.errors import SettingsError
from norberts_db.gen import commands as gen_commands
from norberts_db.gen import drop_script
from norberts_db.gen.reader import build_catalog
from norberts_db.sqlfile import load_script
from norberts_db.verify import check_drop_script, render_text

from .conftest import PROJECT_ROOT, SCHEMA_FILE
from .safety_helpers import url_settings

FEATURES_FILE = Path(__file__).parent / "gen_schemas" / "features.sql"
KINDS_FILE = Path(__file__).parent / "gen_schemas" / "kinds.sql"
GENERATED_FILES = ("drizzle/schema.ts", "sql/drop_all_tables.sql", "docs/schema.md")


def test_the_committed_generated_files_are_what_the_schema_file_generates(
    pg_server: ConnInfo,
) -> None:
    # As CI runs it; the URL and its password travel in the environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("NORBERTS_DB_")}
    env |= {"NORBERTS_DB_URL": pg_server.url(with_password=True), "NORBERTS_DB_BACKEND": "external"}
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "gen.check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"in step: {', '.join(GENERATED_FILES)} match ")


def test_a_changed_schema_makes_check_exit_1_with_a_diff_and_the_fixing_command(
    pg_server: ConnInfo, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.sql"
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    schema.write_text(
        text.replace(
            "    display_name text NOT NULL,\n",
            "    display_name text NOT NULL,\n    nickname varchar(40),\n",
            1,
        ),
        encoding="utf-8",
    )
    settings = url_settings(pg_server, schema=str(schema))

    report = gen_commands.check(settings)
    assert report.exit_code == 1
    assert "stale: drizzle/schema.ts is not what" in report.text
    assert "Fix: invoke gen.drizzle" in report.text
    assert "+  nickname: varchar('nickname', { length: 40 })," in report.text
    assert "stale: docs/schema.md" in report.text
    assert "+| nickname | character varying(40) | yes |  |  |" in report.text

    github = gen_commands.check(settings, fmt="github")
    assert github.exit_code == 1
    assert "::error file=drizzle/schema.ts,title=Stale generated file::" in github.text


def test_gen_writes_every_file_and_check_then_finds_them_in_step(
    pg_server: ConnInfo, tmp_path: Path
) -> None:
    settings = url_settings(pg_server, schema=str(FEATURES_FILE))
    written = gen_commands.write(settings, ["drizzle", "drop-script", "docs"], out=str(tmp_path))
    for name in GENERATED_FILES:
        assert f"wrote {tmp_path / name}" in written
    assert gen_commands.check(settings, out=str(tmp_path)).exit_code == 0
    docs = (tmp_path / "docs/schema.md").read_text(encoding="utf-8")
    # A one-to-one key, a one-to-many key, a composite key across schemas.
    assert '    employees ||--o| badges : "badges_employee_id_fk"' in docs
    assert '    departments ||--o{ employees : "employees_department_id_fk"' in docs
    assert '    inventory__items ||--o{ inventory__movements : "movements_item_fk"' in docs
    assert "Labels, in order: `sad`, `ok`, `happy`" in docs
    assert "- `employees_touch_trg`: `CREATE TRIGGER employees_touch_trg BEFORE UPDATE" in docs
    again = gen_commands.write(settings, ["docs"], out=str(tmp_path / "docs/schema.md"))
    assert again.startswith(f"unchanged {tmp_path / 'docs/schema.md'}")


def test_a_path_that_cannot_be_written_is_one_message_naming_it_and_the_setting(
    pg_server: ConnInfo, tmp_path: Path
) -> None:
    (tmp_path / "docs").write_text("a file where a folder should be\n", encoding="utf-8")
    settings = url_settings(pg_server)
    with pytest.raises(
        SettingsError, match=r"Cannot write .*docs/schema\.md: .*setting schema_docs"
    ):
        gen_commands.write(settings, ["docs"], out=str(tmp_path / "docs" / "schema.md"))


def test_out_dash_prints_the_one_file_to_stdout_and_writes_no_file(
    pg_server: ConnInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = url_settings(pg_server, schema=str(FEATURES_FILE))
    notes: list[str] = []
    printed = gen_commands.write(settings, ["docs"], out="-", note=notes.append)
    assert printed.startswith("# "), printed[:200]
    assert "Labels, in order: `sad`, `ok`, `happy`" in printed
    assert not printed.endswith("\n")  # the task's print adds the file's last newline
    assert any("gen_schemas/features.sql in " in note for note in notes), notes
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("call", ["several files", "check"])
def test_out_dash_where_more_than_one_file_is_meant_is_refused_before_any_work(
    call: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # No server at all: the refusal comes before the catalog is built.
    settings = url_settings(ConnInfo("127.0.0.1", 1, "nobody", "nothing", "none"))
    with pytest.raises(SettingsError, match=r"--out - .*one file.*folder"):
        if call == "check":
            gen_commands.check(settings, out="-")
        else:
            gen_commands.write(settings, ["drizzle", "docs"], out="-")
    assert list(tmp_path.iterdir()) == []


def generated_drop_script(server: ConnInfo, schema: Path, folder: Path) -> Path:
    catalog = build_catalog(server, load_script(schema), source=schema.name)
    path = folder / f"drop_{schema.name}"
    path.write_text(drop_script.render(catalog, command="invoke gen.drop-script"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def features_drop_script(pg_server: ConnInfo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_drop_script(pg_server, FEATURES_FILE, tmp_path_factory.mktemp("gen"))


@pytest.mark.parametrize("schema", [FEATURES_FILE, KINDS_FILE], ids=["features", "kinds"])
def test_the_generated_drop_script_undoes_the_schema_by_its_order_alone(
    pg_server: ConnInfo, schema: Path, tmp_path: Path
) -> None:
    script = generated_drop_script(pg_server, schema, tmp_path)
    result = check_drop_script(pg_server, load_script(schema), load_script(script))
    assert result.exit_code == 0, render_text(result)
    # CASCADE is only for objects made by hand: without it the order drops everything.
    exact = tmp_path / "drop_without_cascade.sql"
    exact.write_text(script.read_text(encoding="utf-8").replace(" CASCADE;", ";"), encoding="utf-8")
    result = check_drop_script(pg_server, load_script(schema), load_script(exact))
    assert result.exit_code == 0, render_text(result)


def test_the_generated_drop_script_breaks_a_cycle_and_drops_kind_after_kind(
    features_drop_script: Path,
) -> None:
    text = features_drop_script.read_text(encoding="utf-8")
    # One key breaks the cycle of departments and employees.
    assert text.count("DROP CONSTRAINT") == 1
    assert text.index("DROP VIEW") < text.index("DROP TABLE") < text.index("DROP DOMAIN")
    assert text.index("DROP TYPE IF EXISTS inventory.unit") < text.index("DROP SCHEMA")


def test_the_generated_drop_script_takes_along_what_was_made_by_hand_on_its_objects(
    scratch_db: ConnInfo, features_drop_script: Path
) -> None:
    with psycopg.connect(**scratch_db.connect_kwargs(), autocommit=True) as conn:
        conn.execute(FEATURES_FILE.read_text(encoding="utf-8"))
        conn.execute("CREATE VIEW public.hand_made AS SELECT number FROM public.badges")
        conn.execute(features_drop_script.read_text(encoding="utf-8"))
        assert conn.execute("SELECT to_regclass('public.hand_made')").fetchone() == (None,)
