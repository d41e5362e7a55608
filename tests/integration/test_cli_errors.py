"""No input makes a task print a traceback: one message, a failing exit, whatever is wrong.

Most cases run the real ``tasks.py`` through invoke's ``Program`` in this
process (``run_tasks``), where an exception that escapes is one the command
line would have shown as a traceback, and fails the test. A few run as real
``invoke`` processes, to show what reaches a user's terminal.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from norberts_db.conninfo import ConnInfo

from .conftest import reachable_tmpdir
from .error_helpers import (
    assert_one_message,
    interrupt_nested_transactions,
    run_broken,
    unreachable_env,
)
from .safety_helpers import (
    _tasks,
    clean_environment,
    fingerprint,
    run_process,
    run_tasks,
    url_environment,
)

CHEAP = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def state_dir() -> Iterator[Path]:
    path = reachable_tmpdir("norberts-db-cli-errors-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


# -- the cases that printed a traceback, as real processes --------------------------------------


def test_a_pyproject_that_is_not_utf8_is_one_message_naming_the_file_and_line(
    tmp_path: Path, state_dir: Path
) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.norberts_db]\nbackend = "caf\xe9"\n')
    tasks = Path(__file__).resolve().parents[2]

    outcome = run_process(
        "-r", str(tasks), "db.status", env=unreachable_env(state_dir), cwd=tmp_path
    )

    assert_one_message(outcome, "pyproject.toml:2: not valid UTF-8", "save it as UTF-8")


def test_a_state_dir_that_is_a_file_is_one_message_naming_the_setting(state_dir: Path) -> None:
    afile = state_dir / "a-file"
    afile.write_text("", encoding="utf-8")
    env = clean_environment(NORBERTS_DB_BACKEND="embedded", NORBERTS_DB_STATE_DIR=str(afile))

    for task in ("db.url", "db.status", "db.up"):
        outcome = run_process(task, env=env)

        assert_one_message(outcome, f"NORBERTS_DB_STATE_DIR: {afile} is a file, not a folder")


def test_a_tail_that_is_not_a_number_is_one_message_naming_the_flag(state_dir: Path) -> None:
    env = unreachable_env(state_dir, NORBERTS_DB_BACKEND="embedded")
    for value, expected in (("abc", "'abc' is not a valid number of lines"), ("-1", "-1 is out")):
        outcome = run_process("db.logs", f"--tail={value}", env=env)

        assert_one_message(outcome, f"--tail: {expected}")


# -- flag values, in process ----------------------------------------------------------------------

WORDS = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30
)
FLAG_VALUES = {
    "--port": st.sampled_from(["abc", "0", "-1", "65536", "5432.0", "1e3", "", " "]) | WORDS,
    "--pg": st.sampled_from(["99", "14", "eighteen", "18.0", "", "true"]) | WORDS,
    "--backend": st.sampled_from(["nope", "Docker", "EMBEDDED", ""]) | WORDS,
    "--network": st.sampled_from(["x", "overlay", "Host", ""]) | WORDS,
    "--url": st.sampled_from(["garbage", "postgresql://h:notaport/d", "host=", "a=b=c"]) | WORDS,
    "--image": st.sampled_from(["a b", "postgres:{maj}", "{", "UPPER:1", ""]) | WORDS,
    "--tail": st.sampled_from(["abc", "-1", "0", "1e2", "100001", "", "3.5"]) | WORDS,
}
TASKS = ("db.status", "db.url", "db.logs")


@CHEAP
@given(
    task=st.sampled_from(TASKS),
    flags=st.lists(st.sampled_from(sorted(FLAG_VALUES)), min_size=1, max_size=3, unique=True),
    data=st.data(),
)
def test_any_flag_value_gives_a_clean_message_or_a_clean_run(
    state_dir: Path, task: str, flags: list[str], data: st.DataObject
) -> None:
    chosen = [flag for flag in flags if flag != "--tail" or task == "db.logs"]
    args = [f"{flag}={data.draw(FLAG_VALUES[flag], label=flag)}" for flag in chosen]
    # The dev server's settings, but a managed backend only ever inspected, never started.
    env = unreachable_env(state_dir, NORBERTS_DB_BACKEND="embedded")

    outcome = run_tasks(task, *args, env=env)

    assert "Traceback" not in outcome.output
    if outcome.code == 0:
        assert not outcome.errors(), outcome.stderr
    else:
        assert outcome.code == 1, outcome.output
        # One message: the toolkit's, or invoke's own word on a flag it cannot parse.
        assert len(outcome.errors()) == 1 or "No idea what" in outcome.stderr, outcome.stderr


# -- what nobody expected -----------------------------------------------------------------------


def test_an_unexpected_exception_is_one_line_that_calls_it_a_bug_without_secrets(
    monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    error = RuntimeError("boom in postgresql://u:hunter2@h/d password=hunter2\nsecond line")

    outcome = run_broken(monkeypatch, "status", error, "db.status", env=unreachable_env(state_dir))

    assert_one_message(outcome, "unexpected RuntimeError: boom", "This is a bug in norberts-db")
    assert "NORBERTS_DB_DEBUG=1" in outcome.stderr
    assert "hunter2" not in outcome.output
    assert "second line" not in outcome.output
    assert outcome.code == 1


def test_the_debug_variable_adds_the_traceback_and_changes_nothing_else(
    monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    env = unreachable_env(state_dir, NORBERTS_DB_DEBUG="1")

    outcome = run_broken(
        monkeypatch, "status", ZeroDivisionError("division by zero"), "db.status", env=env
    )

    assert outcome.code == 1
    assert "Traceback" in outcome.stderr
    assert "in broken" in outcome.stderr
    assert len(outcome.errors()) == 1
    assert "unexpected ZeroDivisionError: division by zero" in outcome.stderr


def test_an_unexpected_os_error_names_the_path(
    monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    error = PermissionError(13, "Permission denied", "/srv/somewhere/file")

    outcome = run_broken(monkeypatch, "status", error, "db.status", env=unreachable_env(state_dir))

    assert_one_message(outcome, "/srv/somewhere/file: Permission denied (PermissionError)")
    assert "bug" not in outcome.stderr


def test_an_unexpected_os_error_without_a_path_points_at_the_machine_first(
    monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    error = OSError(28, "No space left on device")

    outcome = run_broken(monkeypatch, "status", error, "db.status", env=unreachable_env(state_dir))

    assert_one_message(outcome, "No space left on device (OSError)", "most likely the machine")


# -- files and streams that are not what they seem ----------------------------------------------


def test_a_schema_that_is_a_fifo_is_refused_instead_of_waited_on(state_dir: Path) -> None:
    fifo = state_dir / "schema.sql"
    os.mkfifo(fifo)
    try:
        outcome = run_tasks("db.verify", f"--schema={fifo}", env=unreachable_env(state_dir))
    finally:
        fifo.unlink()

    assert_one_message(outcome, f"{fifo}: the schema file is not a regular file")


def test_an_image_tag_with_spaces_is_refused_before_anything_is_built(state_dir: Path) -> None:
    outcome = run_tasks("image.build", "--pg=16", "--tag=a b", env=unreachable_env(state_dir))

    assert_one_message(outcome, "--tag: 'a b' is not a valid docker image reference")
    assert "base image" not in outcome.stderr


@pytest.mark.parametrize(
    "args",
    [("db.url",), ("--list",), ("db.reset", "--help")],
    ids=["task", "list", "task-help"],
)
def test_a_closed_stdout_ends_the_task_with_one_message_and_no_traceback(
    state_dir: Path, args: tuple[str, ...]
) -> None:
    """Invoke prints the task list and a task's help itself; a gone reader ends those alike.

    (Plain ``invoke --help`` is printed before tasks.py is loaded: out of reach.)
    """
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: as with `| head -0`
    try:
        result = subprocess.run(
            [sys.executable, "-m", "invoke", *args],
            cwd=Path(__file__).resolve().parents[2],
            env=unreachable_env(state_dir),
            stdin=subprocess.DEVNULL,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)

    assert result.returncode == 128 + signal.SIGPIPE
    assert "Traceback" not in result.stderr
    assert "Exception ignored" not in result.stderr
    assert "error: stdout was closed before all of the output was written" in result.stderr


def test_invoke_converts_no_flag_itself_so_every_value_reaches_a_checked_setting() -> None:
    # invoke turns a flag whose default is an int into int() itself, and a ValueError
    # there escapes before the task runs: a traceback. So flags take text, and the
    # toolkit checks it.
    namespace = _tasks().ns
    kinds = {
        (name, argument.name): argument.kind
        for name in namespace.task_names
        for argument in namespace[name].get_arguments()
    }

    assert {key: kind for key, kind in kinds.items() if kind not in (str, bool, list)} == {}


# -- an interrupt that psycopg's own error replaces -----------------------------------------------


def test_an_interrupt_inside_psycopgs_transaction_bookkeeping_is_reported_as_the_interrupt(
    monkeypatch: pytest.MonkeyPatch, schema_db: ConnInfo, state_dir: Path
) -> None:
    """The reset says it was interrupted, exit 130, and the database is as it was."""
    before = fingerprint(schema_db)
    interrupt_nested_transactions(monkeypatch)
    outcome = run_tasks("db.reset", env=url_environment(schema_db, state_dir))

    assert outcome.code == 130, outcome.output
    assert outcome.errors()[0].startswith("error: interrupted (SIGINT)"), outcome.output
    assert fingerprint(schema_db) == before
