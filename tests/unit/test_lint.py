"""sqlfluff linting of the SQL files: report format, exit codes, fixing. No server needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from norberts_db.errors import SettingsError
from norberts_db.lint import fix_paths, lint_paths

ROOT = Path(__file__).resolve().parents[2]

TRAILING_SPACE = "SELECT a FROM t;\nSELECT b FROM u;   \n"  # LT01 at 2:17
LOWER_KEYWORD = "SELECT a\nfrom t;\n"  # CP01 at 2:1
UNPARSABLE = "SELECT 1;\nCREATE TABLEX foo (a int);\n"  # PRS at 2:1


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def project_root(tmp_path: Path, pyproject: str | None = None) -> Path:
    """A project root holding ``pyproject`` (default: a copy of the real one)."""
    root = tmp_path / "project"
    root.mkdir()
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8") if pyproject is None else pyproject
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def test_without_paths_every_sql_file_under_sql_is_linted(tmp_path: Path) -> None:
    # The project's own files are linted by the lint session (`invoke sql.lint`).
    root = project_root(tmp_path)
    write(root, "sql/schema.sql", "SELECT a FROM t;\n")
    write(root, "sql/migrations/0001_first.sql", "SELECT b FROM u;\n")
    write(root, "elsewhere/other.sql", LOWER_KEYWORD)

    report = lint_paths([], root=root)

    assert report.exit_code == 0, report.text
    assert report.text == "sql: 2 files clean"


def test_settings_come_from_root_pyproject_whatever_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # No dialect would be configured here if pyproject.toml were looked up from the cwd.
    file = write(tmp_path, "pg.sql", "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY);\n")

    report = lint_paths([file], root=ROOT)

    assert report.exit_code == 0, report.text


@pytest.mark.parametrize(
    ("text", "location", "rule", "description"),
    [
        (TRAILING_SPACE, "2:17", "LT01", "Unnecessary trailing whitespace."),
        (LOWER_KEYWORD, "2:1", "CP01", "Keywords must be consistently upper case."),
    ],
    ids=["trailing-whitespace", "keyword-case"],
)
def test_violation_is_reported_at_file_line_column_with_rule_code_and_exit_1(
    tmp_path: Path, text: str, location: str, rule: str, description: str
) -> None:
    file = write(tmp_path, "bad.sql", text)

    report = lint_paths([file], root=ROOT)

    assert report.exit_code == 1
    assert report.text.splitlines() == [
        f"{file}:{location}: {rule} {description}",
        "1 violation in 1 file",
    ]


def test_files_inside_root_are_named_relative_to_it_and_sql_dir_is_searched_recursively(
    tmp_path: Path,
) -> None:
    root = project_root(tmp_path)
    write(root / "sql", "schema.sql", "SELECT 1;\n")
    write(root / "sql" / "migrations", "0001_add.sql", TRAILING_SPACE)

    report = lint_paths([], root=root)

    assert report.exit_code == 1
    assert report.text.splitlines()[0].startswith("sql/migrations/0001_add.sql:2:17: LT01 ")


def test_github_format_gives_one_error_annotation_per_violation(tmp_path: Path) -> None:
    file = write(tmp_path, "bad.sql", TRAILING_SPACE)

    report = lint_paths([file], root=ROOT, fmt="github")

    assert report.exit_code == 1
    assert report.text.splitlines()[0] == (
        f"::error file={file},line=2,col=17,title=sqlfluff LT01::Unnecessary trailing whitespace."
    )


def test_github_format_escapes_percent_in_message_and_comma_colon_in_file(tmp_path: Path) -> None:
    file = write(tmp_path / "a,b:c", "bad.sql", "SELECT 1;\nCREATE TABLEX 100% foo;\n")

    report = lint_paths([file], root=ROOT, fmt="github")

    escaped_file = str(file).replace(",", "%2C").replace(":", "%3A")
    annotation = report.text.splitlines()[0]
    assert annotation.startswith(f"::error file={escaped_file},line=2,col=1,title=sqlfluff PRS::")
    assert "TABLEX 100%25 foo" in annotation


def test_unparsable_file_names_location_and_problem_exits_2_without_traceback(
    tmp_path: Path,
) -> None:
    file = write(tmp_path, "broken.sql", UNPARSABLE)

    report = lint_paths([file], root=ROOT)

    assert report.exit_code == 2
    first = report.text.splitlines()[0]
    assert first.startswith(f"{file}:2:1: PRS sqlfluff cannot parse this SQL: ")
    assert "Found unparsable section: 'CREATE TABLEX foo (a int);'" in first
    assert report.text.splitlines()[-1] == "1 file could not be linted"
    assert "Traceback" not in report.text


def test_jinja_like_text_is_plain_sql_under_the_raw_templater(tmp_path: Path) -> None:
    file = write(tmp_path, "jinja.sql", "-- {{ not a template\nSELECT '{% x' AS a;\n")

    report = lint_paths([file], root=ROOT)

    assert report.exit_code == 0, report.text


def test_missing_path_exits_2_and_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sql"

    report = lint_paths([missing], root=ROOT)

    assert report.exit_code == 2
    assert report.text.splitlines() == [
        f"{missing}: the SQL file does not exist. Check the path or the setting.",
        "1 file could not be linted",
    ]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("binary.sql", b"SELECT\x00 1;", "is binary"),
        ("latin1.sql", "SELECT 'Grüße';\n".encode("latin-1"), "is not valid UTF-8"),
        ("notes.txt", b"SELECT 1;\n", "not a .sql file"),
    ],
    ids=["binary", "not-utf8", "not-sql"],
)
def test_unreadable_file_exits_2_and_names_it(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    report = lint_paths([path], root=ROOT)

    assert report.exit_code == 2
    assert report.text.startswith(f"{path}:")
    assert problem in report.text


def test_directory_without_sql_files_exits_2_and_names_it(tmp_path: Path) -> None:
    report = lint_paths([tmp_path], root=ROOT)

    assert report.exit_code == 2
    assert report.text.startswith(f"{tmp_path}: the directory holds no .sql files.")


def test_good_files_are_still_linted_next_to_a_missing_one(tmp_path: Path) -> None:
    file = write(tmp_path, "bad.sql", TRAILING_SPACE)

    report = lint_paths([tmp_path / "nope.sql", file], root=ROOT)

    assert report.exit_code == 2
    assert f"{file}:2:17: LT01 " in report.text
    assert report.text.splitlines()[-1] == "1 violation in 1 file; 1 file could not be linted"


@pytest.mark.parametrize(
    "limit",
    ["large_file_skip_byte_limit = 10", "large_file_skip_char_limit = 10"],
    ids=["bytes", "chars"],
)
def test_file_sqlfluff_skips_for_its_size_is_never_reported_clean(
    tmp_path: Path, limit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_root(tmp_path, f'[tool.sqlfluff.core]\ndialect = "postgres"\n{limit}\n')
    write(root / "sql", "big.sql", "SELECT a FROM t;\n")

    report = lint_paths([], root=root)

    assert report.exit_code == 2
    assert "sql/big.sql: sqlfluff did not lint this file" in report.text
    assert "clean" not in report.text.splitlines()[-1]
    # sqlfluff's own log lines are part of the report, not printed on the side.
    assert capsys.readouterr().err == ""


def test_unknown_format_raises_settings_error_naming_allowed_values() -> None:
    with pytest.raises(SettingsError, match=r"'xml'.*text, github"):
        lint_paths([], root=ROOT, fmt="xml")


def test_fix_rewrites_fixable_violations_and_the_file_then_lints_clean(tmp_path: Path) -> None:
    file = write(
        tmp_path, "fixable.sql", "SELECT a FROM t;\nSELECT b FROM u;   \nselect c from v;\n"
    )

    report = fix_paths([file], root=ROOT)

    assert report.exit_code == 0, report.text
    assert report.text.splitlines() == [f"fixed {file}: CP01, LT01", "sql: 1 file clean"]
    assert file.read_text(encoding="utf-8") == (
        "SELECT a FROM t;\nSELECT b FROM u;\nSELECT c FROM v;\n"
    )
    assert lint_paths([file], root=ROOT).exit_code == 0


def test_fix_reports_what_it_cannot_fix_and_exits_1(tmp_path: Path) -> None:
    file = write(tmp_path, "star.sql", "SELECT * FROM t;   \n")

    report = fix_paths([file], root=ROOT)

    assert report.exit_code == 1
    assert report.text.splitlines() == [
        f"fixed {file}: LT01",
        f"{file}:1:8: AM04 Query produces an unknown number of result columns.",
        "1 violation in 1 file",
    ]


def test_fix_leaves_an_unparsable_file_untouched_and_exits_2(tmp_path: Path) -> None:
    text = "SELECT a FROM t;   \nSELECT 1;\nCREATE TABLEX foo (a int);\n"
    file = write(tmp_path, "broken.sql", text)

    report = fix_paths([file], root=ROOT)

    assert report.exit_code == 2
    assert file.read_text(encoding="utf-8") == text
    assert f"{file}:3:1: PRS " in report.text


def test_invoke_sql_lint_exits_1_with_location_and_no_traceback(tmp_path: Path) -> None:
    file = write(tmp_path, "bad.sql", TRAILING_SPACE)

    done = subprocess.run(
        [sys.executable, "-m", "invoke", "sql.lint", "--path", str(file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{file}:2:17: LT01 Unnecessary trailing whitespace." in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
