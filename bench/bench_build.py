"""How long `handbook-gen build` takes: a full build of each example circle, and a rebuild that
finds nothing changed. Prints the figures; asserts nothing.
Run: .venv/bin/python bench/bench_build.py
"""

import statistics
import tempfile
import time
from pathlib import Path

from handbook_gen.build import build
from handbook_gen.circle.validate import check_file

ROOT = Path(__file__).resolve().parent.parent


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    for path in sorted((ROOT / "circles").glob("*.yaml")):
        checked = check_file(path)
        circle = checked.circle
        full, skipped = [], []
        for _ in range(3):
            with tempfile.TemporaryDirectory() as out:
                full.append(seconds(lambda: build([checked], Path(out))))
                skipped.append(seconds(lambda: build([checked], Path(out))))
        print(f"{circle.id:<16} full build median {statistics.median(full):6.2f} s"
              f"   unchanged rebuild median {statistics.median(skipped):6.2f} s   (n=3)")


if __name__ == "__main__":
    main()
