"""The output folder: what a build may write there, one build at a time, and nothing left behind.

A build owns only what it made: a folder with a build stamp (freshness.STAMP) in it, an index
page with its generator mark, and its own work files. Anything else in the way of a handbook or
of the shared assets is refused before anything is written (an OutputError: exit 2 with the path
and what to do), so no circle id can replace a folder the build did not make (`id: circles` with
`-o .`, `id: etc` with `-o /`).

One build at a time writes into an output folder: it holds an flock on `.handbook-gen.lock` there
(released by the system when the process ends, kill -9 too). A second build waits for it and says
so: two scheduled builds that overlap both finish, one after the other, and the index lists both.
Holding that lock, a build removes what killed builds left behind (work folders, temporary files).

Nothing here prints; the command line turns an OutputError into a message.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from handbook_gen.common.files import TEMPORARY
from handbook_gen.common.freshness import SHARED_FOLDER, STAMP
from handbook_gen.common.errors import HandbookError

LOCK = ".handbook-gen.lock"
WORK_PREFIX = ".handbook-gen-work."  # a build's private work folder (the PDF store)
WORK_MARK = ".handbook-gen-work"  # in each such folder: proves it is ours
INDEX = "index.html"
INDEX_MARKS = ('<meta name="generator" content="handbook-gen',  # then its version and engine
               "<title>Leren tussen Scholen – handboeken</title>")  # the latter: older versions
# Errors of a folder that cannot take the output: exit 2 with the path, never "a bug".
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM,
                          errno.EFBIG, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG})




class OutputError(HandbookError):
    """The output folder cannot be used as asked; `code` names the message (messages.yaml, under
    output.), `params` fill it in. Picklable: it crosses from a worker process."""

    def __init__(self, code: str, **params):
        super().__init__(code, f"messages.output.{code}", **params)
        self.code = code

    def __reduce__(self):
        return _output_error, (self.code, self.params)


def _output_error(code: str, params: dict) -> OutputError:
    return OutputError(code, **params)


def write_error(error: OSError, fallback: Path) -> OutputError:
    """A full disk, a read-only or unwritable folder, as an output problem with its path."""
    return OutputError("cannot_write", path=error.filename or fallback,
                       reason=error.strerror or os.strerror(error.errno or 0))


def is_write_error(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in WRITE_ERRNOS


# --- Before anything: is this a folder to build into? ----------------------------------------

def check_destination(out_dir: Path, inputs: list[Path]) -> None:
    """Refuse `/`, the home folder, the input itself, a folder that holds the input and a folder
    inside an input folder: a build there would mix handbooks into what it reads, or worse."""
    out = _resolved(out_dir)
    if out == Path(out.anchor):
        raise OutputError("root", path=out_dir)
    if out == _resolved(Path.home()):
        raise OutputError("home", path=out_dir)
    for source in inputs:
        source_path = _resolved(source)
        if out == source_path or out in source_path.parents:
            raise OutputError("holds_input", path=out_dir, input=source)
        if source.is_dir() and source_path in out.parents:
            raise OutputError("inside_input", path=out_dir, input=source)


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(Path(path).expanduser()))


def check_ownership(out_dir: Path, circle_ids: list[str], shared_assets: bool) -> None:
    """Every place this build will replace is empty or was made by a build: a folder with a
    stamp, an index page with the generator mark. Raises OutputError for the first that is not."""
    out_dir = Path(out_dir)
    if SHARED_FOLDER in circle_ids:  # validate refuses it too; here it would replace the theme
        raise OutputError("reserved", path=out_dir / SHARED_FOLDER)
    places = [*circle_ids, *([SHARED_FOLDER] if shared_assets else [])]
    for name in places:
        place = out_dir / name
        if not os.path.lexists(place):
            continue
        if place.is_symlink() or not place.is_dir():
            raise OutputError("not_ours_file", path=place)
        stamp = place / STAMP
        if stamp.is_symlink() or not stamp.is_file():
            raise OutputError("not_ours", path=place)
    index = out_dir / INDEX
    if os.path.lexists(index) and not _our_index(index):
        raise OutputError("not_ours_index", path=index)


def _our_index(index: Path) -> bool:
    if index.is_symlink() or not index.is_file():
        return False
    try:
        with open(index, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return any(mark in head for mark in INDEX_MARKS)


# --- One build at a time ---------------------------------------------------------------------

@contextlib.contextmanager
def locked(out_dir: Path, on_wait: Callable[[Path], None] | None = None):
    """Hold the output folder's lock; when another build holds it, call `on_wait` and wait."""
    lock_file = Path(out_dir) / LOCK
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait(Path(out_dir))
            fcntl.flock(descriptor, fcntl.LOCK_EX)  # released when that build ends, or dies
        yield
    finally:
        os.close(descriptor)  # releases the lock


# --- Work folders and temporary files --------------------------------------------------------

@contextlib.contextmanager
def work_folder(out_dir: Path):
    """A private folder in the output for this build's work (on the output's file system),
    removed afterwards; a killed build's is removed by the next (`remove_leftovers`)."""
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=out_dir))
    try:
        (work / WORK_MARK).touch()
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def private_temporary_folder(work: Path):
    """This process's temporary folder (and its children's: TMPDIR) inside the work folder while
    the build runs: what libraries put there (WeasyPrint's loader runs the C compiler to find
    Pango) goes with the work folder, and after a kill -9 with the next build."""
    folder = (Path(work) / "tmp").resolve()
    folder.mkdir()
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir, os.environ["TMPDIR"] = str(folder), str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]


def remove_leftovers(out_dir: Path) -> None:
    """What killed builds left in the output: their work folders and temporary files. Called
    holding the lock, so no build that still runs owns them. Only what carries our marks goes."""
    from handbook_gen.site import staging

    out_dir = Path(out_dir)
    for work in out_dir.glob(f"{WORK_PREFIX}*"):
        if work.is_dir() and not work.is_symlink():
            if (work / WORK_MARK).is_file():
                shutil.rmtree(work, ignore_errors=True)
            else:
                _remove_if_empty(work)  # killed between making it and marking it
    staging.remove_all_stale(out_dir)
    owned = [out_dir, *(folder for folder in out_dir.iterdir()
                        if folder.is_dir() and not folder.is_symlink() and (folder / STAMP).is_file())]
    for folder in owned:
        for temporary in folder.glob(f".*{TEMPORARY}"):
            if temporary.is_file() and not temporary.is_symlink():
                temporary.unlink(missing_ok=True)
    shared = out_dir / SHARED_FOLDER
    if (shared / STAMP).is_file() and not shared.is_symlink():
        for temporary in shared.rglob(f".*{TEMPORARY}"):
            if temporary.is_file() and not temporary.is_symlink():
                temporary.unlink(missing_ok=True)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()
