"""Starting and stopping an embedded server's cluster with ``pg_ctl``, on a free port.

The caller holds the server's lock and has made the cluster; these steps write
its configuration, start the postmaster once its port is free (waiting while
only connections hold it), and stop it. Failures become one message that names
the port or quotes the end of the server log.
"""

from __future__ import annotations

import math

from norberts_db.errors import ServerError
from norberts_db.pgbinaries import PgBinaries
from norberts_db.servers import _initdb, _orphans, _pgdata, _serveruser, ports
from norberts_db.servers._pgdata import Layout
from norberts_db.servers._serveruser import ServerUser
from norberts_db.settings import Settings

LOG_LINES_IN_ERRORS = 20


def start(layout: Layout, settings: Settings, binaries: PgBinaries, user: ServerUser) -> None:
    """Start the cluster of ``layout`` on the configured port, waiting until it accepts logins."""
    port = settings.effective_port
    write_config(layout, settings, user)
    log = layout.log
    wait = math.ceil(settings.ready_timeout)
    argv = [str(binaries.program("pg_ctl")), "start", "-D", str(layout.data)]
    argv += ["-l", str(log), "-w", "-t", str(wait)]
    mark = _initdb.mark(settings, layout.data)
    # A connection may take the port as its own end between the check and the start.
    for attempt in range(2):
        problem = ports.wait_until_free(port)
        if problem is not None:
            raise port_error(layout, settings, problem)
        _pgdata.rotate_log(log)
        offset = _pgdata.log_size(log)
        result = _serveruser.run(user, argv, cwd=layout.root, timeout=wait + 30, mark=mark)
        if result.returncode == 0:
            return
        excerpt = _pgdata.tail(log, LOG_LINES_IN_ERRORS, since=offset)
        if "Address already in use" not in excerpt:
            break
        # Held by connections, or freed by them since: wait (again) and start once more.
        if attempt or ports.taken_by_a_program(port):
            raise port_error(layout, settings, f"port {port} on 127.0.0.1 is already in use")
    # pg_ctl gives up after -t seconds while the server may still be starting.
    stop(layout, binaries, user, mode="immediate", check=False)
    lines = (result.stderr or result.stdout).strip().splitlines()
    said = next((line for line in lines if line.startswith("pg_ctl:")), "pg_ctl failed")
    raise ServerError(
        f"PostgreSQL {layout.major} did not start ({said.rstrip('.')}). "
        f"The end of its log {_pgdata.shown(settings, log)}:\n{excerpt or '(empty)'}\n"
        "Fix the cause shown in the log and run `invoke db.up` again."
    )


def stop(
    layout: Layout,
    binaries: PgBinaries,
    user: ServerUser,
    *,
    mode: str,
    check: bool = True,
) -> None:
    """``pg_ctl stop -m mode``; with ``check``, a server still running afterwards is an error."""
    argv = [str(binaries.program("pg_ctl")), "stop", "-D", str(layout.data)]
    argv += ["-m", mode, "-w", "-t", "60"]
    result = _serveruser.run(user, argv, cwd=layout.root, timeout=90)
    if check and result.returncode != 0 and _pgdata.read_postmaster(layout.data) is not None:
        raise ServerError(
            f"Stopping the embedded PostgreSQL {layout.major} server failed: "
            f"{result.stderr.strip() or result.returncode}. Its log: `invoke db.logs`."
        )


def port_error(layout: Layout, settings: Settings, problem: str) -> ServerError:
    """The message for a port the server cannot listen on: what holds it, and what to do."""
    port = settings.effective_port
    source = settings.sources.get("port", "the default, 54300 + major")
    remedy = "Stop that program"
    if ports.connections_holding(port):
        remedy = "Run the task again once those connections have ended"
    elif ports.taken_by_a_program(port):
        held = _orphans.holder(port)
        problem = f"port {port} on 127.0.0.1 is already in use by {held.who}"
        remedy = held.remedy[:1].upper() + held.remedy[1:]
    return ServerError(
        f"Cannot start the embedded PostgreSQL {layout.major} server: {problem} "
        f"(port from {source}). {remedy}, or choose a free port with "
        "NORBERTS_DB_PORT or `port` in [tool.norberts_db] of pyproject.toml."
    )


def write_config(layout: Layout, settings: Settings, user: ServerUser) -> None:
    """Replace the cluster's configuration file in one rename, owned by the server user."""
    data = layout.data
    text = _pgdata.config_text(layout, settings.effective_port, settings.server_settings)
    staging = data / (_pgdata.CONF_NAME + ".new")
    staging.write_text(text, encoding="utf-8")
    staging.chmod(0o600)
    _serveruser.chown_to(staging, user)
    staging.replace(data / _pgdata.CONF_NAME)


def log_excerpt(layout: Layout, settings: Settings) -> str:
    """The end of the server log, for messages about a server that does not answer."""
    excerpt = _pgdata.tail(layout.log, LOG_LINES_IN_ERRORS)
    return f"The end of the server log {_pgdata.shown(settings, layout.log)}:\n{excerpt}"
