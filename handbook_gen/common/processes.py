"""Worker processes of a build: handbooks side by side, or one handbook's PDFs side by side.

A worker ends with the build that started it, also when the build is killed (kill -9): it would
otherwise go on writing into a work folder that the next build removes.
"""

from __future__ import annotations

import ctypes
import os
import signal
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # linux/prctl.h: the signal a process gets when its parent ends


def pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_end_with, initargs=(os.getpid(),))


def _end_with(parent: int) -> None:
    """Ask Linux to kill this worker when its parent ends; elsewhere a worker ends after its task."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: no prctl
        return
    if os.getppid() != parent:  # the build ended before the request was made
        os._exit(1)
