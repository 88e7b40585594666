"""How long reading a circle file's git history takes (SEQUENCE and DTSTAMP of the calendars):
a repository with N revisions (default 200) of one circle, read cold and then from the cache.
Prints the figures; asserts nothing. The target for a rebuild (warm cache) is 1 s.
Run: .venv/bin/python bench/bench_history.py [N]
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from handbook_gen.changes import history
from handbook_gen.circle.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "circles" / "arkade-noord.yaml"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def make_history(repo: Path, revisions: int) -> Path:
    """N commits of the example circle; each moves one training's start time or its title."""
    circle = repo / "circles" / EXAMPLE.name
    circle.parent.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    text = EXAMPLE.read_text(encoding="utf-8")
    for number in range(revisions):
        changed = text.replace("title: Opleidingsdag", f"title: Opleidingsdag {number}", 1)
        circle.write_text(changed, encoding="utf-8")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"Revisie {number}")
    return circle


def main() -> None:
    revisions = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    env = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull}
    os.environ.update(env)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")
        circle = check_file(make_history(Path(folder) / "repo", revisions)).circle
        for label in ("cold (every revision validated)", "rebuild (from the cache)"):
            started = time.perf_counter()
            found = history.read(circle)
            seconds = time.perf_counter() - started
            top = max(version.sequence for version in found.versions.values())
            print(f"{revisions} revisions, {label:<34} {seconds:6.2f} s   (highest SEQUENCE {top})")


if __name__ == "__main__":
    main()
