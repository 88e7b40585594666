"""Work folders and the swap: a handbook is built aside and published in one step.

A build works in `.<circle-id>.<random>.staging` inside the output folder (so the final rename
stays on one file system), holding a lock on a mark file in it while it runs. A build killed
with SIGKILL leaves its folder behind, unlocked: the next build removes it (output.remove_leftovers;
a folder named like one but without our mark is left alone, unless it is empty).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

SUFFIX = ".staging"
MARK = ".handbook-gen-staging"  # in each work folder, locked while its build runs


@contextlib.contextmanager
def work_folder(out_dir: Path, circle_id: str):
    """A locked work folder for one build of the circle, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f".{circle_id}.", suffix=SUFFIX, dir=out_dir) as work, \
            open(Path(work) / MARK, "wb") as mark:
        fcntl.flock(mark, fcntl.LOCK_EX)  # a lock dies with its process, kill -9 too
        yield Path(work)


def remove_stale(out_dir: Path, circle_id: str) -> None:
    """Work folders of this circle that a killed build left behind: nobody holds their lock
    (or it was killed before taking it). A build that still runs keeps its lock and its folder."""
    _remove_unlocked(Path(out_dir).glob(f".{circle_id}.*{SUFFIX}"))


def remove_all_stale(out_dir: Path) -> None:
    """The work folders of every circle that killed builds left behind (see remove_stale)."""
    _remove_unlocked(Path(out_dir).glob(f".*{SUFFIX}"))


def _remove_unlocked(works) -> None:
    for work in works:
        if not work.is_dir() or work.is_symlink():
            continue  # not a work folder of ours
        try:
            with open(work / MARK, "rb") as mark:
                fcntl.flock(mark, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(work, ignore_errors=True)
        except FileNotFoundError:
            # Killed between making the folder and the mark: then it is empty. A folder
            # without our mark that holds anything is not ours to remove.
            with contextlib.suppress(OSError):
                work.rmdir()
        except OSError:
            continue  # locked: a build that is still running


def swap_in(staging: Path, target: Path, old: Path) -> None:
    """Replace the published folder by the staging folder in one step where the system can
    (Linux: renameat2 RENAME_EXCHANGE), else rename the old one away and the new one in."""
    if target.exists() and _exchange(staging, target):
        return  # the old handbook is now in `staging`, removed with the work folder
    had_old = target.exists()
    if had_old:
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        if had_old:
            os.replace(old, target)  # put the published handbook back
        raise
    # `old` is removed with the work folder.


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    return done == 0
