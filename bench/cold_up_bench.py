"""How long the Docker dev server takes from ``up()`` until it answers a query.

Run it with the image present (it is never pulled or built here):

    NORBERTS_DB_IMAGE='norberts-db/postgres:{major}' \\
        python bench/cold_up_bench.py --pg 18 --runs 5

Two figures, each the median of ``--runs`` runs (target: 3 s):

* fresh: no container and no volume, so the entrypoint runs initdb and its
  temporary server before the real one starts;
* stopped: the container and its initialized volume exist, the container is stopped.

It uses its own container, volume and a free port, and removes them at the end.
It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import time
from collections.abc import Callable

from norberts_db.errors import NorbertsDbError
from norberts_db.servers.docker import DockerServer
from norberts_db.servers.docker_engine import engine
from norberts_db.settings import load_settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", type=int, default=None, help="PostgreSQL major (default: settings)")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (default: 5)")
    options = parser.parse_args()

    name = f"norberts-db-bench-{os.getpid()}"
    settings = load_settings().with_overrides(
        pg_version=options.pg,
        container_name=name,
        volume_name=f"{name}-data",
        port=_free_port(),
    )
    server = DockerServer(settings)
    print(f"{server.describe()}, {options.runs} runs per scenario")
    try:
        fresh = _measure(server, options.runs, lambda: server.down(volumes=True))
        stopped = _measure(server, options.runs, lambda: _stop(server))
    except NorbertsDbError as exc:
        print(f"error: {exc}")
        return 1
    finally:
        server.down(volumes=True)
    _report("fresh container and volume -> ready", fresh)
    _report("stopped container -> ready", stopped)
    return 0


def _measure(server: DockerServer, runs: int, reset: Callable[[], object]) -> list[float]:
    server.up()  # so that the first reset has something to act on
    times = []
    for _ in range(runs):
        reset()
        started = time.perf_counter()
        server.up()
        times.append(time.perf_counter() - started)
    return times


def _stop(server: DockerServer) -> None:
    with engine() as client:
        client.containers.get(server.settings.container).stop()


def _report(label: str, times: list[float]) -> None:
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"{label}: median {statistics.median(times):.2f} s (runs: {runs})")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


if __name__ == "__main__":
    raise SystemExit(main())
