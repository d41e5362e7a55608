"""A pytest plugin that prints where a run's CPU time goes, per test file and per test.

    PYTHONPATH=bench:src pytest -p cpu_per_test tests/integration/...

Counts the pytest process, the children it waited for (``invoke``
subprocesses, ``initdb``), and the Docker containers named after this
process's pid (the session's server with the docker backend, and the
containers of the Docker tests), sampled as process_cpu.py does. The time the
embedded server's ``postgres`` spends (``pg_ctl`` leaves it to init) is not
counted here; ``nox_matrix_bench.py --one-major`` counts it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator

import pytest
from process_cpu import ContainerSampler

_per_test: dict[str, tuple[float, float]] = {}
_sampler = ContainerSampler()


def _process_cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _docker_cpu() -> float:
    _sampler.sample()
    return _sampler.split(str(os.getpid()))[0]


def pytest_configure(config: pytest.Config) -> None:
    _sampler.__enter__()


def pytest_unconfigure(config: pytest.Config) -> None:
    _sampler.__exit__(None, None, None)


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
