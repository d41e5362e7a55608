"""Wall time of the integration sessions: each PostgreSQL major alone, then all four together.

Run (a Docker engine and the images or binaries of every major must be there;
see .ci/run):

    python bench/nox_matrix_bench.py [--majors 15 16 17 18] [-- PYTEST ARGS]

Prints each figure and the ratio of "all together" to the slowest single major.
No assertions: the target is all four within 1.5 times the slowest one.
Arguments after ``--`` go to pytest in every run (for example ``-- -k verify``
for a quick look).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def nox(sessions: list[str], pytest_args: list[str]) -> float:
    command = [sys.executable, "-m", "nox", "--reuse-venv=yes", "-s", *sessions]
    if pytest_args:
        command += ["--", *pytest_args]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        sys.exit(f"nox {' '.join(sessions)} failed (exit {result.returncode})")
    return elapsed


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
    for session, seconds in alone.items():
        print(f"{session:<18} alone    {seconds:7.1f} s")
    slowest = max(alone.values())
    print(f"{'all ' + str(len(sessions)):<18} together {together:7.1f} s")
    print(f"together / slowest single: {together / slowest:.2f} (target: at most 1.50)")


if __name__ == "__main__":
    main()
