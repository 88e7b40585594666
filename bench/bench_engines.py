"""The same 10-circle build under each site engine, side by side in one run: time and bytes.

The circles are copies of the examples with distinct ids (bench_scale.write_circles). Each engine
builds them cold into a fresh folder (`build --no-pdf --no-history --engine NAME`), twice,
interleaved, so a slow minute of this machine hits every engine alike; the faster run counts.
MkDocs runs in this Python; ProperDocs and Zensical each in a venv made for the run: this
Python's libraries (a .pth file) plus the engine as pinned in pyproject.toml's extra.

Prints the figures; asserts nothing.
Run: .venv/bin/python bench/bench_engines.py [N]      (N defaults to 10)
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import ENVIRONMENT, ROOT, Took, write_circles  # noqa: E402

ENGINES = ("mkdocs", "properdocs", "zensical")
ROUNDS = 2


def engine_python(name: str, folder: Path) -> Path:
    """The python that has the engine: this one for MkDocs, a venv for the others."""
    if name == "mkdocs":
        return Path(sys.executable)
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    inside = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    Path(inside, "handbook-gen-bench.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"][name]
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins], check=True)
    return python


def build(python: Path, engine: str, circles: Path, out: Path) -> Took:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(python), "-m", "handbook_gen", "build", str(circles), "--no-pdf", "--no-history",
                    "--engine", engine, "-o", str(out)], env={**ENVIRONMENT, "PYTHONPATH": str(ROOT)},
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Took(wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as temporary:
        work = Path(temporary)
        circles = work / "circles"
        write_circles(circles, count)
        pythons = {name: engine_python(name, work / f"venv-{name}") for name in ENGINES}
        best: dict[str, Took] = {}
        sizes: dict[str, tuple[int, int, int]] = {}
        for round_number in range(ROUNDS):
            for name in ENGINES:
                out = work / f"site-{name}"
                shutil.rmtree(out, ignore_errors=True)
                took = build(pythons[name], name, circles, out)
                if name not in best or took.wall < best[name].wall:
                    best[name] = took
                handbooks = [p for p in out.iterdir() if p.is_dir() and p.name != "assets"]
                sizes[name] = (size(out), size(out / "assets"), size(handbooks[0]))
        print(f"{count} circles, build --no-pdf --no-history, cold, best of {ROUNDS} (interleaved)")
        print(f"{'engine':<12}{'wall s':>8}{'CPU s':>8}{'total kB':>10}{'shared assets kB':>18}{'one handbook kB':>17}")
        for name in ENGINES:
            took, (total, shared, one) = best[name], sizes[name]
            print(f"{name:<12}{took.wall:>8.1f}{took.cpu:>8.1f}{total / 1000:>10.0f}{shared / 1000:>18.0f}{one / 1000:>17.0f}")


if __name__ == "__main__":
    main()
