"""How long `handbook-gen validate` takes for one circle: in-process and as a fresh command.

The issue asks for "well under a second" per circle. Prints the figures; asserts nothing.
Run: .venv/bin/python bench/bench_validate.py [circle.yaml]
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from handbook_gen.circle.validate import check_file

ROOT = Path(__file__).resolve().parent.parent


def timed(action, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def show(label: str, samples: list[float]) -> None:
    print(f"{label:<44} median {statistics.median(samples) * 1000:7.1f} ms"
          f"   max {max(samples) * 1000:7.1f} ms   (n={len(samples)})")


def main() -> None:
    circle = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "circles" / "arkade-noord.yaml"
    check_file(circle)  # warm the caches (schema, holidays) once, as a long-lived process would
    show(f"check_file({circle.name}), warm", timed(lambda: check_file(circle), 50))
    command = [sys.executable, "-m", "handbook_gen", "validate", str(circle)]
    # As installed, with the bytecode pip wrote: not compiled again on every run.
    installed = {name: value for name, value in os.environ.items()
                 if name != "PYTHONDONTWRITEBYTECODE"}
    show("handbook-gen validate (new process)",
         timed(lambda: subprocess.run(command, capture_output=True, check=False, env=installed), 10))


if __name__ == "__main__":
    main()
