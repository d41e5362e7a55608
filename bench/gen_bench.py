"""`invoke gen.check` on the project schema, warm: the dev server already running.

Run:

    python bench/gen_bench.py [--runs 7]

Starts the dev server first if it is not running (`invoke db.up`, not timed),
then prints the median and best wall time of

- check: gen_commands.check(settings), in process: the scratch build of the
  schema file, the catalog read, all three renderings and the comparison;
- invoke: `invoke gen.check` as a user runs it, in a new process each time
  (interpreter and invoke start-up included).

No assertions: the target is `invoke gen.check` within 2 s warm.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from verify_bench import timed  # noqa: E402

from norberts_db.commands import serve  # noqa: E402
from norberts_db.gen import commands as gen_commands  # noqa: E402
from norberts_db.settings import load_settings  # noqa: E402


def quiet(message: str) -> None:
    del message


def invoke_check() -> None:
    subprocess.run(
        [sys.executable, "-m", "invoke", "gen.check"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    settings = load_settings(project_root=ROOT)
    serve(settings, quiet)
    rows = {
        "check (in process)": timed(args.runs, lambda: gen_commands.check(settings, note=quiet)),
        "invoke gen.check": timed(args.runs, invoke_check),
    }
    for name, times in rows.items():
        print(f"{name:22} median {statistics.median(times):.3f} s   best {min(times):.3f} s")


if __name__ == "__main__":
    main()
