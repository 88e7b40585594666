"""Helpers of the tests that run the installed tool (test_package.py, test_pre_commit.py): run a
command, edit the board's circle. Their fixtures (sdist, wheel, a fresh venv with the wheel, a
board's repository written by `init`) are in conftest.py."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "Coördinator", "GIT_AUTHOR_EMAIL": "coordinator@example.org",
           "GIT_COMMITTER_NAME": "Coördinator", "GIT_COMMITTER_EMAIL": "coordinator@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def sh(command: list[str] | str, cwd: Path, env: dict | None = None, check: bool = True,
       timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          shell=isinstance(command, str), executable="/bin/bash" if isinstance(command, str) else None)
    if check and done.returncode != 0:
        raise AssertionError(f"{command} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def edit_circle(repo: Path, old: str, new: str) -> None:
    circle = repo / "circles/mijn-cirkel.yaml"
    text = circle.read_text(encoding="utf-8")
    assert old in text
    circle.write_text(text.replace(old, new, 1), encoding="utf-8")
