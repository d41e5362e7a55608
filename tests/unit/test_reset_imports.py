"""What a warm db.reset imports: only what it runs, since every module costs each run.

A new interpreter imports the modules the reset's warm path uses, as the task
does, and reports which of the modules it has no use for came along.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    code = f"import importlib\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
    return held_after(code, unwanted)


def held_after(code: str, unwanted: tuple[str, ...]) -> list[str]:
    """Which of ``unwanted`` a fresh interpreter holds after running ``code``."""
    code += f"import json, sys\nprint(json.dumps([m for m in {unwanted!r} if m in sys.modules]))\n"
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


# Choosing the embedded backend, as every task of an embedded project does first.
CHOOSE_EMBEDDED = (
    "from pathlib import Path\n"
    "from norberts_db.servers import choose_server\n"
    "from norberts_db.settings import load_settings\n"
    "settings = load_settings(Path({folder!r}), dict(NORBERTS_DB_BACKEND='embedded'))\n"
    "assert choose_server(settings).server.kind == 'embedded'\n"
)
DOCKER_ONLY = ("docker", "requests", "norberts_db.servers.docker")


def test_a_task_of_the_embedded_backend_does_not_import_the_docker_sdk(tmp_path: Path) -> None:
    # The docker SDK (and requests under it) cost a task about 0.15 CPU-seconds to import.
    assert held_after(CHOOSE_EMBEDDED.format(folder=str(tmp_path)), DOCKER_ONLY) == []
