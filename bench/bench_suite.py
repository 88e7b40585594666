"""How long the test suite takes: the inner loop (`pytest -m "not slow"`) and `.ci/run` on a fresh
clone (install, build the examples, the whole suite), as CI runs it.

    python bench/bench_suite.py            # the inner loop only
    python bench/bench_suite.py --ci       # also .ci/run in a fresh clone of HEAD (several minutes)

Prints wall-clock seconds; the machine's speed varies, so compare figures taken in one run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - start
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}): {last}\n{done.stderr[-2000:]}")
    return seconds, last


def main() -> None:
    python = ROOT / ".venv/bin/python"
    seconds, summary = timed([str(python), "-m", "pytest", "-q", "-m", "not slow"], ROOT)
    print(f"pytest -m 'not slow': {seconds:6.1f} s  ({summary})")
    if "--ci" in sys.argv:
        with tempfile.TemporaryDirectory(prefix="bench-ci-") as folder:
            clone = Path(folder) / "clone"
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
            (Path(folder) / "shared").symlink_to(ROOT.parent / "shared")
            env = {**os.environ, "CI": "true"}
            seconds, summary = timed(["bash", ".ci/run"], clone, env)
            print(f".ci/run, fresh clone:  {seconds:6.1f} s  ({summary})")


if __name__ == "__main__":
    main()
