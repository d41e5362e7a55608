"""Wall time of the integration sessions: each PostgreSQL major alone, then all four together.

Run (a Docker engine and the images or binaries of every major must be there;
see .ci/run):

    python bench/nox_matrix_bench.py [--majors 15 16 17 18] [-- PYTEST ARGS]

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
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    cpu_seconds: float  # busy CPU time of the whole machine meanwhile


def machine_cpu_seconds() -> float:
    """Busy CPU time of the machine since boot: user, nice, system, irq and softirq."""
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def nox(sessions: list[str], pytest_args: list[str]) -> Run:
    command = [sys.executable, "-m", "nox", "--reuse-venv=yes", "-s", *sessions]
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
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    pytest_args = [a for a in args.pytest_args if a != "--"]
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


if __name__ == "__main__":
    main()
