"""Inputs are regular files: a FIFO or a device among the circles, or a symbolic link out of the
circles folder, is refused with the file's name (exit 1), never read, never waited on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from helpers import EXAMPLE, ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symlinks as on Unix")
HANG_GUARD = 60  # seconds: a guard against waiting forever, not a timing


def handbook_gen(*args: str, cwd) -> subprocess.CompletedProcess:
    """The real command line in its own process, so that a hang fails the test instead of the run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "handbook_gen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=HANG_GUARD)


@pytest.fixture
def circles(tmp_path):
    folder = tmp_path / "circles"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    return folder


@pytest.mark.parametrize("command", [["validate"], pytest.param(
    ["build", "--no-pdf", "--no-history", "-o", "site"], marks=pytest.mark.slow)])
def test_a_fifo_is_refused_not_waited_on(circles, command):
    os.mkfifo(circles / "wacht.yaml")
    done = handbook_gen(*command[:1], "circles/wacht.yaml", *command[1:], cwd=circles.parent)
    assert done.returncode == 1, done.stderr
    assert "circles/wacht.yaml: error: dit is geen gewoon bestand" in done.stdout
    assert "Traceback" not in done.stderr


def test_a_fifo_in_the_circles_folder_is_named(circles):
    os.mkfifo(circles / "wacht.yaml")
    done = handbook_gen("validate", "circles", cwd=circles.parent)
    assert done.returncode == 1
    assert "circles/wacht.yaml: error: dit is geen gewoon bestand" in done.stdout


def test_a_link_out_of_the_folder_is_refused(circles, tmp_path):
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    shutil.copy(EXAMPLE, elsewhere / "geheim.yaml")
    (circles / "geheim.yaml").symlink_to(elsewhere / "geheim.yaml")
    (circles / "wachtwoorden.yaml").symlink_to("/etc/passwd")
    done = handbook_gen("validate", "circles", cwd=circles.parent)
    assert done.returncode == 1, done.stderr
    assert "circles/geheim.yaml: error: dit is een symbolische link naar" in done.stdout
    assert "circles/wachtwoorden.yaml: error: dit is een symbolische link naar /etc/passwd" in done.stdout
    assert "root:" not in done.stdout


def test_a_link_inside_the_folder_is_read(circles):
    (circles / "sub").mkdir()
    shutil.move(circles / EXAMPLE.name, circles / "sub" / EXAMPLE.name)
    (circles / EXAMPLE.name).symlink_to(f"sub/{EXAMPLE.name}")
    done = handbook_gen("validate", f"circles/{EXAMPLE.name}", cwd=circles.parent)
    assert done.returncode == 0, done.stdout
