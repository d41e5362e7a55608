"""In a machine format, a task that fails still prints its report: status "error" and the message.

A CI step that runs ``db.verify --json`` parses stdout whatever happened. So
a failure before the comparison (a missing file, an invalid setting, a
server that does not answer, an interrupt, a bug) prints the same document
as a finished run, with ``status`` "error"; ``--format github`` prints an
``::error`` annotation. Exit codes stay: 2 means "could not verify".
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norberts_db.catalog.report import render_json
from norberts_db.catalog.results import DropCheckResult, VerifyResult
from norberts_db.conninfo import ConnInfo
from norberts_db.error_report import Failure

from .conftest import reachable_tmpdir
from .error_helpers import run_broken
from .error_helpers import unreachable_env as errors_env
from .safety_helpers import Outcome, clean_environment, run_process, run_tasks, url_environment

CHEAP = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
# The keys of a finished run's report, which an error report keeps too; that the renderer
# gives a finished run these keys is pinned by test_an_error_report_has_the_keys_of_a_finished_one.
VERIFY_KEYS = set(json.loads(render_json(VerifyResult(schema_file="", database=""))))
DROP_KEYS = set(json.loads(render_json(DropCheckResult(schema_file="", drop_script="", server=""))))


@pytest.fixture(scope="module")
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-json-errors-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def unreachable_env(state_dir: Path, **values: str) -> dict[str, str]:
    return errors_env(state_dir, **{"NORBERTS_DB_BACKEND": "external", **values})


def error_document(outcome: Outcome, *expected: str) -> dict[str, Any]:
    """The JSON report of a failed run, checked for what every such report must hold."""
    assert outcome.code == 2, outcome.output
    assert "Traceback" not in outcome.output
    document = json.loads(outcome.stdout)
    assert document["status"] == "error"
    assert document["error"] == document["message"]
    for text in expected:
        assert text in document["message"], document["message"]
    assert len(outcome.errors()) == 1, outcome.stderr
    assert outcome.errors()[0] == f"error: {document['message'].splitlines()[0]}"
    return dict(document)


# -- the listed cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["db.verify", "db.check-drop"])
def test_a_missing_schema_file_is_a_json_report(task: str, state_dir: Path) -> None:
    outcome = run_tasks(task, "--json", "--schema=/nonexistent.sql", env=unreachable_env(state_dir))

    document = error_document(outcome, "/nonexistent.sql: the schema file does not exist")
    assert document["schema_file"] == "/nonexistent.sql"
    assert set(document) == (VERIFY_KEYS if task == "db.verify" else DROP_KEYS) | {"message"}


@pytest.mark.parametrize("task", ["db.verify", "db.check-drop"])
@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("NORBERTS_DB_LOCK_TIMEOUT", "true", "NORBERTS_DB_LOCK_TIMEOUT: 'true' is not a valid"),
        ("NORBERTS_DB_PG_VERSION", "99", "NORBERTS_DB_PG_VERSION: PostgreSQL 99 is not supported"),
        ("NORBERTS_DB_HOST", "127.0.0.1", "'host' is no longer a setting"),
    ],
)
def test_an_invalid_setting_is_a_json_report(
    task: str, variable: str, value: str, expected: str, state_dir: Path
) -> None:
    outcome = run_tasks(task, "--json", env=unreachable_env(state_dir, **{variable: value}))

    document = error_document(outcome, expected)
    assert document["schema_file"] == ""  # the settings, which would name it, are what failed


@pytest.mark.parametrize("task", ["db.verify", "db.check-drop"])
def test_a_server_that_cannot_be_reached_is_a_json_report(task: str, state_dir: Path) -> None:
    env = unreachable_env(state_dir)

    document = error_document(run_tasks(task, "--json", env=env), "Cannot connect to PostgreSQL")

    target = document["database"] if task == "db.verify" else document["server"]
    assert target == ConnInfo.from_url(env["NORBERTS_DB_URL"]).redacted()
    assert "pw" not in json.dumps(document).replace("postgres", "")


def test_verify_migrations_on_a_server_that_cannot_be_reached_is_a_json_report(
    state_dir: Path,
) -> None:
    outcome = run_tasks("db.verify", "--migrations", "--json", env=unreachable_env(state_dir))

    error_document(outcome, "Cannot connect to PostgreSQL")


def test_check_drop_without_a_drop_script_is_a_json_report(state_dir: Path) -> None:
    outcome = run_tasks(
        "db.check-drop", "--json", "--drop-script=/no/drop.sql", env=unreachable_env(state_dir)
    )

    document = error_document(outcome, "/no/drop.sql: the drop script does not exist")
    assert document["drop_script"] == "/no/drop.sql"


def test_an_invalid_flag_is_a_json_report(state_dir: Path) -> None:
    outcome = run_tasks("db.verify", "--format=json", "--port=abc", env=unreachable_env(state_dir))

    error_document(outcome, "--port: 'abc' is not a valid port")


def test_an_interrupt_is_a_json_report_with_exit_130(
    monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    env = unreachable_env(state_dir)

    outcome = run_broken(
        monkeypatch, "verify", KeyboardInterrupt("SIGTERM"), "db.verify", "--json", env=env
    )

    assert outcome.code == 130
    document = json.loads(outcome.stdout)
    assert document["status"] == "error"
    assert document["message"].startswith("interrupted (SIGTERM)")


def test_an_unexpected_exception_is_a_json_report(
    monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    error = AttributeError("'NoneType' object has no attribute 'x'")
    env = unreachable_env(state_dir)

    outcome = run_broken(monkeypatch, "check_drop", error, "db.check-drop", "--json", env=env)

    error_document(outcome, "unexpected AttributeError", "This is a bug")


# -- GitHub annotations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "title"),
    [("db.verify", "Schema verify failed"), ("db.check-drop", "Drop script check failed")],
)
def test_a_failure_in_github_format_is_an_error_annotation(
    task: str, title: str, state_dir: Path
) -> None:
    outcome = run_tasks(task, "--format=github", "--schema=/x.sql", env=unreachable_env(state_dir))

    assert outcome.code == 2
    assert "Traceback" not in outcome.output
    [line] = outcome.stdout.splitlines()
    assert line.startswith("::error ")
    assert f"title={title}::" in line
    assert line.endswith("::/x.sql: the schema file does not exist. Check the path or the setting.")


def test_lint_settings_sqlfluff_cannot_use_are_an_error_annotation(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.norberts_db]\n[tool.sqlfluff.core]\ndialect = 'nosuchdialect'\n", encoding="utf-8"
    )
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "a.sql").write_text("SELECT 1;\n", encoding="utf-8")

    outcome = run_tasks("sql.lint", "--format=github", env=clean_environment(), cwd=tmp_path)

    assert outcome.code == 2
    assert "Traceback" not in outcome.output
    [line] = outcome.stdout.splitlines()
    assert line.startswith("::error title=Task failed::")
    assert "unusable [tool.sqlfluff] settings: Unknown dialect" in line


# -- the same shape as a finished run -----------------------------------------------------------


def test_an_error_report_has_the_keys_of_a_finished_one(
    schema_db: ConnInfo, pg_server: ConnInfo, state_dir: Path
) -> None:
    env = url_environment(schema_db, state_dir)
    verified = run_tasks("db.verify", "--json", env=env)
    checked = run_tasks("db.check-drop", "--json", env=url_environment(pg_server, state_dir))
    failed = {
        task: run_tasks(task, "--json", "--schema=/x.sql", env=env)
        for task in ("db.verify", "db.check-drop")
    }

    assert verified.code == 0, verified.output
    assert checked.code == 0, checked.output
    assert set(json.loads(verified.stdout)) == VERIFY_KEYS
    assert set(json.loads(checked.stdout)) == DROP_KEYS
    assert set(json.loads(failed["db.verify"].stdout)) == VERIFY_KEYS | {"message"}
    assert set(json.loads(failed["db.check-drop"].stdout)) == DROP_KEYS | {"message"}


def test_a_task_without_a_report_of_its_own_gets_the_generic_error_document() -> None:
    failure = Failure(fmt="json", known={"database": "norberts_spark"})

    document = json.loads(failure.document("it broke") or "")

    assert document == {
        "version": 1,
        "status": "error",
        "error": "it broke",
        "message": "it broke",
        "database": "norberts_spark",
    }
    assert Failure(fmt="text").document("it broke") is None
    assert Failure(fmt="github").document("a\nb") == "::error title=Task failed::a%0Ab"
    assert Failure(fmt="github").document("sql/x.sql:12:3: ERROR: boom") == (
        "::error file=sql/x.sql,line=12,title=Task failed::sql/x.sql:12:3: ERROR: boom"
    )


# -- any broken input, in process, and two real processes ---------------------------------------

BROKEN_VARIABLES = st.sampled_from(
    [
        {"NORBERTS_DB_LOCK_TIMEOUT": "nan"},
        {"NORBERTS_DB_STATEMENT_TIMEOUT": "false"},
        {"NORBERTS_DB_PORT": "65536"},
        {"NORBERTS_DB_BACKEND": "kubernetes"},
        {"NORBERTS_DB_IMAGE": "a b"},
        {"NORBERTS_DB_DATABASE": "d" * 64},
        {"NORBERTS_DB_URL": "garbage"},
        {"NORBERTS_DB_URL": "postgresql://u@127.0.0.1:notaport/d"},
        {"NORBERTS_DB_READY_TIMEOUT": "0"},
        {"NORBERTS_DB_PROT": "1"},
    ]
)
BROKEN_FLAGS = st.sampled_from(
    [
        ["--port=abc"],
        ["--pg=99"],
        ["--backend=nope"],
        ["--network=x"],
        ["--url=garbage"],
        ["--image=a b"],
        ["--schema=/nonexistent.sql"],
        ["--schema=/"],
        ["--drop-script=/nonexistent.sql"],
    ]
)
WORDS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20
)


@CHEAP
@given(
    task=st.sampled_from(["db.verify", "db.check-drop"]),
    fmt=st.sampled_from(["--json", "--format=json"]),
    variables=st.none() | BROKEN_VARIABLES,
    flags=st.lists(BROKEN_FLAGS, max_size=2).map(lambda groups: [f for g in groups for f in g]),
    port=st.none() | WORDS.map(lambda text: f"--port={text}"),
)
def test_any_failure_in_json_mode_prints_a_json_error_document(
    state_dir: Path,
    task: str,
    fmt: str,
    variables: dict[str, str] | None,
    flags: list[str],
    port: str | None,
) -> None:
    env = unreachable_env(state_dir, **(variables or {}))
    args = [*flags, *([port] if port else [])]

    outcome = run_tasks(task, fmt, *args, env=env)

    if outcome.code == 1 and "No idea what" in outcome.stderr:
        return  # invoke's own word on a flag it cannot parse, before any task runs
    error_document(outcome)


def test_a_real_process_prints_the_json_report_and_no_traceback(state_dir: Path) -> None:
    env = unreachable_env(state_dir)
    for args, expected in (
        (("db.verify", "--json", "--schema=/nonexistent.sql"), "the schema file does not exist"),
        (("db.check-drop", "--json", "--drop-script=/no.sql"), "the drop script does not exist"),
        (("db.verify", "--json"), "Cannot connect to PostgreSQL"),
    ):
        error_document(run_process(*args, env=env), expected)
