"""Running the generated Drizzle schema through TypeScript and drizzle-kit.

The tools come from ``drizzle/package-lock.json`` (``npm ci``), installed once
per machine under a lock so that parallel test sessions do not clash, and run
from their own ``node_modules/.bin``: no ``npx`` lookup, no network once
installed. The server is given to drizzle-kit in the libpq variables
(PGPASSWORD included), never on a command line.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from norberts_db.conninfo import ConnInfo

from .conftest import PROJECT_ROOT

DRIZZLE = PROJECT_ROOT / "drizzle"
NODE_MODULES = DRIZZLE / "node_modules"
TOOLS = ("tsc", "drizzle-kit")


def _installed() -> bool:
    return all((NODE_MODULES / ".bin" / tool).exists() for tool in TOOLS)


def ensure_node_modules() -> None:
    """``npm ci`` in drizzle/ unless the tools are there; skip when node is not installed."""
    if _installed():
        return
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip(
            "node and npm are not installed (`.ci/run` installs them: apt-get install nodejs npm)"
        )
    with (DRIZZLE / "node_modules.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=DRIZZLE,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, (
            f"npm ci failed in drizzle/:\n{result.stdout}\n{result.stderr}"
        )


def project_dir(tmp: Path, schemas_ts: dict[str, str]) -> Path:
    """A folder holding ``<name>.ts`` for each schema, resolving packages from drizzle/."""
    (tmp / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    for name, text in schemas_ts.items():
        (tmp / f"{name}.ts").write_text(text, encoding="utf-8")
    include = ", ".join(f'"{name}.ts"' for name in schemas_ts)
    (tmp / "tsconfig.json").write_text(
        '{"extends": "' + str(DRIZZLE / "tsconfig.json") + '", "include": [' + include + "]}\n",
        encoding="utf-8",
    )
    return tmp


def run_tool(tool: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(NODE_MODULES / ".bin" / tool), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{tool} {' '.join(args)} failed:\n{output}"
    return output


def typecheck(folder: Path) -> None:
    """``tsc --noEmit`` of every schema in ``folder``, with the strict settings of drizzle/.

    One program for all of them: most of what tsc does is reading drizzle-orm's
    types, once however many files use them.
    """
    run_tool("tsc", "--noEmit", "-p", str(folder / "tsconfig.json"), cwd=folder)


def push(folder: Path, name: str, target: ConnInfo, schemas: list[str]) -> str:
    """``drizzle-kit push --force`` of ``folder/<name>.ts`` into the database ``target``."""
    env = {
        "PGHOST": target.host,
        "PGPORT": str(target.port),
        "PGUSER": target.user,
        "PGPASSWORD": target.password or "",
        "PGDATABASE": target.dbname,
        "DRIZZLE_SCHEMA": str(folder / f"{name}.ts"),
        "DRIZZLE_SCHEMAS": ",".join(schemas),
    }
    output = run_tool("drizzle-kit", "push", "--force", cwd=DRIZZLE, env=env)
    # drizzle-kit reports a failed statement and still exits 0.
    assert "error:" not in output.lower(), output
    return output


def header_items(schema_ts: str) -> list[str]:
    """The items of the header's list of what the file does not represent."""
    prefix = "//   - "
    return [line[len(prefix) :] for line in schema_ts.splitlines() if line.startswith(prefix)]
