"""A pytest plugin that prints where a run's CPU time goes, per test file and per test.

    PYTHONPATH=bench:src pytest -p cpu_per_test tests/integration/...

Counts the pytest process, the children it waited for (``invoke``
subprocesses, ``initdb``), and the Docker containers (the cgroup of all
containers: on a machine where others run containers too, that column counts
theirs as well). Time the servers spend that is in none of these (the
embedded server's ``postgres``, which ``pg_ctl`` leaves to init) is not
counted here; ``nox_matrix_bench.py --one-major`` counts it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

DOCKER_CGROUP = Path("/sys/fs/cgroup/cpuacct/docker/cpuacct.usage")

_per_test: dict[str, tuple[float, float]] = {}


def _process_cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _docker_cpu() -> float:
    try:
        return int(DOCKER_CGROUP.read_text()) / 1e9
    except (OSError, ValueError):
        return 0.0


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    process, docker = _process_cpu(), _docker_cpu()
    yield
    _per_test[item.nodeid] = (_process_cpu() - process, _docker_cpu() - docker)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    per_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for nodeid, (process, docker) in _per_test.items():
        entry = per_file[nodeid.split("::")[0]]
        entry[0] += process
        entry[1] += docker
        entry[2] += 1
    write = terminalreporter.write_line
    write("CPU seconds per file: tests (python + children) docker = total")
    for name, (process, docker, count) in sorted(per_file.items(), key=lambda kv: -sum(kv[1][:2])):
        write(f"{process + docker:7.1f} {process:7.1f} {docker:7.1f}  {count:4d}  {name}")
    write("slowest tests by CPU:")
    slowest = sorted(_per_test.items(), key=lambda kv: -sum(kv[1]))[:25]
    for nodeid, (process, docker) in slowest:
        write(f"{process + docker:7.2f} {process:7.2f} {docker:7.2f}  {nodeid}")
    total = sum(sum(v) for v in _per_test.values())
    write(f"{total:7.1f} in all tests; session start-up and shutdown not included")
