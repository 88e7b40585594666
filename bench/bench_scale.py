"""handbook-gen at board and national scale: N circles (copies of the example circles with their
own ids) built as a user builds them, each figure beside the shell loop measured in the same run.

Prints the figures and the issue's targets, wall and CPU time; asserts nothing.
Run: .venv/bin/python bench/bench_scale.py [N]      (N defaults to 50; a run takes a few minutes)
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "handbook_gen"]
# As installed: pip writes the bytecode at install time, so compiling the sources again on every
# run (as with PYTHONDONTWRITEBYTECODE set) is not what a user waits for.
ENVIRONMENT = {**{name: value for name, value in os.environ.items()
                  if name != "PYTHONDONTWRITEBYTECODE"}, "SOURCE_DATE_EPOCH": "1767225600"}


def write_circles(folder: Path, count: int) -> list[Path]:
    """`count` circle files, made from the example circles with distinct ids and, as in real
    circles, schools of their own (their names numbered): otherwise the copies' review packs
    would be the same PDFs, which a build lays out once (see pdf.write_pdfs)."""
    examples = sorted((ROOT / "circles").glob("*.yaml"))
    folder.mkdir(parents=True)
    files = []
    for number in range(count):
        example = examples[number % len(examples)]
        circle_id = f"{example.stem}-{number:03d}"
        text = re.sub(r"^id: .*$", f"id: {circle_id}", example.read_text(encoding="utf-8"),
                      count=1, flags=re.MULTILINE)
        text = re.sub(r"^(    name: .*)$", rf"\1 {number}", text, flags=re.MULTILINE)  # schools
        path = folder / f"{circle_id}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def shift_review_end(path: Path) -> None:
    """A coordinator's usual edit: the first review ends a quarter of an hour earlier. Its page,
    pack and feeds change; the circle's other PDFs do not."""
    text = path.read_text(encoding="utf-8")
    reviews = text.index("\nreviews:")
    shifted = re.sub(r'(\n    end: ")(\d\d):30"', r'\g<1>\g<2>:15"', text[reviews:], count=1)
    assert shifted != text[reviews:], f"no review ending at half past in {path.name}"
    path.write_text(text[:reviews] + shifted, encoding="utf-8")


@dataclass(frozen=True)
class Took:
    """A command's wall time and its CPU time (user + system, with the worker processes it
    waited for). This machine's speed varies from minute to minute; CPU time varies less, so
    each ratio is given for both."""

    wall: float
    cpu: float

    def __add__(self, other: Took) -> Took:
        return Took(self.wall + other.wall, self.cpu + other.cpu)


def seconds(*args: str | Path) -> Took:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([*COMMAND, *map(str, args)], env=ENVIRONMENT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Took(wall, cpu)


def row(value: Took | float, unit: str, base: Took | None) -> str:
    """The figure, and for a time its CPU time, each with its ratio to the loop of its kind."""
    if not isinstance(value, Took):
        return f"{value:8.2f} {unit:<3} {'':13}   {'':8}   {'':13}"
    wall = f"{value.wall / base.wall:6.3f} x loop" if base else ""
    cpu = f"{value.cpu / base.cpu:6.3f} x loop" if base else ""
    return f"{value.wall:8.2f} {unit:<3} {wall:>13}   {value.cpu:8.2f}   {cpu:>13}"


def megabytes(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        files = write_circles(work / "circles", count)
        print(f"{count} circles, {os.cpu_count()} cores; SOURCE_DATE_EPOCH set, no git history\n")

        loop = sum((seconds("build", path, "-o", work / "loop") for path in files), Took(0, 0))
        loop_no_pdf = sum((seconds("build", path, "-o", work / "loop-no-pdf", "--no-pdf")
                           for path in files), Took(0, 0))
        cold = seconds("build", work / "circles", "-o", work / "site")
        cold_no_pdf = seconds("build", work / "circles", "-o", work / "no-pdf", "--no-pdf")
        one_core = seconds("build", work / "circles", "-o", work / "one-core", "--jobs", "1")
        no_op = seconds("build", work / "circles", "-o", work / "site")
        edited = files[count // 2]
        edited.write_text(edited.read_text(encoding="utf-8").replace(
            "name: ", "name: Gewijzigde ", 1), encoding="utf-8")
        one_edit = seconds("build", work / "circles", "-o", work / "site")
        shift_review_end(files[count // 2 + 1])
        one_review = seconds("build", work / "circles", "-o", work / "site")
        standalone = seconds("build", work / "circles", "-o", work / "standalone", "--standalone")
        validate = statistics.median(seconds("validate", files[0]).wall for _ in range(5))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux

        rows = [
            (f"{count} x `build one.yaml` (shell loop)", loop, "s", loop, None),
            (f"build of {count} circles, cold (default: every core)", cold, "s", loop, "<= 0.15 x loop"),
            (f"build of {count} circles, cold, --jobs 1", one_core, "s", loop, None),
            (f"{count} x `build one.yaml --no-pdf` (shell loop)", loop_no_pdf, "s", loop_no_pdf, None),
            (f"build of {count} circles, cold, --no-pdf", cold_no_pdf, "s", loop_no_pdf, "<= 0.15 x loop"),
            (f"rebuild of {count}, nothing changed", no_op, "s", loop, "<= 1 s"),
            (f"rebuild of {count}, one circle's name edited", one_edit, "s", loop, "<= 2 s"),
            (f"rebuild of {count}, one review's end time edited", one_review, "s", loop, "<= 2 s"),
            (f"build of {count}, --standalone, cold", standalone, "s", loop, None),
            (f"the {count} handbooks on disk (shared assets)", megabytes(work / "site"), "MB", None, "<= 40 MB"),
            (f"the {count} handbooks on disk (--standalone)", megabytes(work / "standalone"), "MB", None, None),
            (f"the {count} handbooks on disk (shared assets, --no-pdf)", megabytes(work / "no-pdf"), "MB", None, "<= 40 MB"),
            ("peak memory of the largest process", peak, "MB", None, "<= 300 MB"),
            ("`validate` of one circle (median of 5)", validate, "s", None, "<= 0.25 s"),
        ]
        print(f"{'':<52} {'wall':>8}     {'ratio':>13}   {'CPU':>8}   {'ratio':>13}   target")
        for label, value, unit, base, target in rows:
            print(f"{label:<52} {row(value, unit, base)}   {target or ''}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
