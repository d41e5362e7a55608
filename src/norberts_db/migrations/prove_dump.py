"""``pg_dump | pg_restore`` of one database into another, with the programs of its major.

The dump is relayed through this process, which counts its bytes for the
progress line. Passwords travel in ``PGPASSWORD``, never on a command line.
Owners and grants are left out: the scratch server does not have the target's
roles, and the copy is compared with the schema file without privileges.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import IO

import psycopg.conninfo

from norberts_db import pgclients
from norberts_db.conninfo import ConnInfo
from norberts_db.errors import ServerError
from norberts_db.migrations.progress import Progress
from norberts_db.pgclients import ClientTools
from norberts_db.settings import Settings

CHUNK = 1 << 20


def restore_dump(tools: ClientTools, source: ConnInfo, into: ConnInfo) -> None:
    """Copy the schema and rows of ``source`` into the empty database ``into``."""
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
    return pgclients.require(major, state_dir=settings.state_path, explicit=settings.pg_bin_dir)
