"""The few git questions the build asks, each answered by one git command; None without git."""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

GIT_TIMEOUT = 60  # seconds for one git command; a slower repository is read as having no history


def last_commits(paths: list[Path]) -> dict[Path, str | None]:
    """For each file, what its history so far comes down to: the last commit that touched it
    (and whether the clone is shallow), in a few git calls for all files; None outside git.
    A file's calendars depend on nothing else of git, so this goes into its freshness key."""
    found: dict[Path, str | None] = {path: None for path in paths}
    by_top: dict[Path, dict[str, Path]] = {}
    for path in paths:
        top = top_folder(path.resolve().parent)
        if top is not None:
            by_top.setdefault(top, {})[path.resolve().relative_to(top).as_posix()] = path
    for top, wanted in by_top.items():
        shallow = git(top, "rev-parse", "--is-shallow-repository") == "true\n"
        log = git(top, "-c", "core.quotePath=false", "log", "--no-renames", "--format=%x00%H",
                  "--name-only", "--", *wanted) or ""
        for entry in log.split("\0")[1:]:
            commit, *names = entry.strip("\n").split("\n")
            for name in names:
                if name in wanted and found[wanted[name]] is None:
                    found[wanted[name]] = f"{commit}{' shallow' if shallow else ''}"
    return found


@lru_cache(maxsize=64)
def top_folder(folder: Path) -> Path | None:
    """The top folder of the git work tree `folder` is in, or None."""
    found = git(folder, "rev-parse", "--show-toplevel")
    return Path(found.strip()).resolve() if found else None


def git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
