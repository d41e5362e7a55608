"""Wall time of the integration sessions: each PostgreSQL major alone, then all four together.

Run (a Docker engine and the images or binaries of every major must be there;
see .ci/run):

    python bench/nox_matrix_bench.py [--majors 15 16 17 18] [-- PYTEST ARGS]
    python bench/nox_matrix_bench.py --whole
    python bench/nox_matrix_bench.py --one-major 18 [-- PYTEST ARGS]

``--whole`` times plain ``nox`` (lint, unit tests and every major), as a user
types it. ``--one-major N`` runs the integration suite of one major in this
environment (no nox) and prints the CPU time of its own work: the pytest
process tree, the servers it started and the Docker engine's share, apart from
whatever else the machine runs (see process_cpu.py). The environment's
NORBERTS_DB_* variables choose the backend, for example
``NORBERTS_DB_TEST_BACKEND=docker NORBERTS_DB_IMAGE='norberts-db/postgres:{major}'``.

Prints each figure and the ratio of "all together" to the slowest single major.
No assertions: the target is all four within 1.5 times the slowest one.

Each run also prints the CPU time the whole machine spent meanwhile (from
/proc/stat: the tests, the servers, Docker and the kernel). All together cannot
finish before the machine has done the sum of that work, so the sum divided by
the number of cores is a floor for the "together" figure, printed with the ratio
it implies.
Arguments after ``--`` go to pytest in every run (for example ``-- -k verify``
for a quick look).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from process_cpu import machine_cpu_seconds, measure

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    cpu_seconds: float  # busy CPU time of the whole machine meanwhile


def nox(sessions: list[str], pytest_args: list[str], *options: str) -> Run:
    """Run nox on ``sessions`` (all when empty) with ``pytest_args`` as posargs."""
    command = [sys.executable, "-m", "nox", "--reuse-venv=yes", *options]
    if sessions:
        command += ["-s", *sessions]
    if pytest_args:
        command += ["--", *pytest_args]
    cpu_before = machine_cpu_seconds()
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    cpu = machine_cpu_seconds() - cpu_before
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        sys.exit(f"nox {' '.join(sessions)} failed (exit {result.returncode})")
    return Run(elapsed, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--majors", nargs="+", default=["15", "16", "17", "18"])
    parser.add_argument("--whole", action="store_true", help="time plain `nox`")
    parser.add_argument("--one-major", metavar="N", help="CPU time of one major's suite")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    pytest_args = [a for a in args.pytest_args if a != "--"]
    if args.one_major:
        one_major(args.one_major, pytest_args)
        return
    if args.whole:
        nox([], [], "--install-only")  # create the venvs outside the timing
        run = nox([], pytest_args)
        print(
            f"nox (lint, unit tests, every major) {run.seconds:7.1f} s wall   "
            f"machine CPU {run.cpu_seconds:7.1f} s (target: at most 300 s wall on 2 cores)"
        )
        return
    sessions = [f"integration({major})" for major in args.majors]

    nox(sessions[:1], ["--collect-only", "-q"])  # create the session's venv outside the timing
    alone = {session: nox([session], pytest_args) for session in sessions}
    together = nox(sessions, pytest_args)
    for session, run in alone.items():
        print(f"{session:<18} alone    {run.seconds:7.1f} s   machine CPU {run.cpu_seconds:7.1f} s")
    slowest = max(run.seconds for run in alone.values())
    print(
        f"{'all ' + str(len(sessions)):<18} together {together.seconds:7.1f} s   "
        f"machine CPU {together.cpu_seconds:7.1f} s"
    )
    print(f"together / slowest single: {together.seconds / slowest:.2f} (target: at most 1.50)")
    cores = os.cpu_count() or 1
    floor = sum(run.cpu_seconds for run in alone.values()) / cores
    print(
        f"floor on {cores} cores: {floor:.1f} s of CPU work for all together, "
        f"so at least {floor / slowest:.2f} times the slowest single"
    )


def one_major(major: str, pytest_args: list[str]) -> None:
    # As nox's test sessions do (noxfile.keep_bytecode): the processes the suite
    # starts keep their bytecode, here in a folder that lasts between runs.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
        "NORBERTS_DB_PG_VERSION": major,
        "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir(), "norberts-db-bench-pycache")),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/integration"]
    run = measure([*command, *pytest_args], env=env, cwd=ROOT)
    print(
        f"integration({major}), {env.get('NORBERTS_DB_TEST_BACKEND', 'auto')} backend "
        "(target: at most 110 s CPU):"
    )
    print("\n".join("  " + line for line in run.lines()))
    if run.returncode != 0:
        sys.exit(f"pytest failed (exit {run.returncode})")


if __name__ == "__main__":
    main()
