"""What a warm db.reset imports: only what it runs, since every module costs each run.

A new interpreter imports the modules the reset's warm path uses, as the task
does, and reports which of the modules it has no use for came along.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Imported by db.reset against a dev server that already runs (tasks.py, db_commands.reset).
WARM_RESET = (
    "norberts_db.db_commands",
    "norberts_db.applied",
    "norberts_db.error_report",
    "norberts_db.interrupts",
    "norberts_db.migrations.proofs",
    "norberts_db.blocking",
    "norberts_db.servers.running",
)
# Each is needed only by another task, another backend, or a path the warm reset
# does not take: starting a server, making the password, recording a proven history.
NOT_NEEDED = (
    "docker",
    "norberts_db.servers.docker",
    "norberts_db.servers.embedded",
    "norberts_db.migrations.history",
    "norberts_db.migrations.commands",
    "norberts_db.catalog",
    "norberts_db.verify",
    "norberts_db.cluster_objects",
    "secrets",
)


def imported_along(modules: tuple[str, ...], unwanted: tuple[str, ...]) -> list[str]:
    """Which of ``unwanted`` a fresh interpreter holds after importing ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps([m for m in {unwanted!r} if m in sys.modules]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(result.stdout)
    return found


def test_the_warm_reset_imports_no_module_it_does_not_run() -> None:
    assert imported_along(WARM_RESET, NOT_NEEDED) == []


def test_the_check_sees_a_module_that_comes_along() -> None:
    # The check itself: a module the warm path does import is reported.
    unwanted = ("norberts_db.cascade", "norberts_db.servers.docker")
    assert imported_along(WARM_RESET, unwanted) == ["norberts_db.cascade"]
