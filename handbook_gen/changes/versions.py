"""The two versions `handbook-gen diff` compares: two files, or the working tree against a git revision.

An older version is read with git (`git ls-tree`, `git cat-file`) and validated from its bytes,
so no temporary files are written; it is named `REF:path`, the way git names it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from handbook_gen.circle.source import display_name
from handbook_gen.circle.validate import Checked, check_bytes, check_file
from handbook_gen.common.errors import HandbookError

CIRCLE_SUFFIXES = (".yaml", ".yml")


class VersionError(HandbookError):
    """A wrong path or revision: a key under `diff` in the locale files, and its values."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Pair:
    file: str  # the file as the user names it (the new one; the old one if it was deleted)
    old: Checked | None  # None: the file is new
    new: Checked | None  # None: the file was deleted


def file_pair(old: Path, new: Path) -> Pair:
    """Two files; the old one is judged as if it stood in the new one's place (its file name)."""
    for path in (old, new):
        if path.is_dir():
            raise VersionError("two_files")
        if not path.is_file():
            raise VersionError("not_found", path=path)
    try:
        before = old.read_bytes()
    except OSError as error:
        raise VersionError("unreadable", path=old, reason=error.strerror) from None
    return Pair(display_name(new), check_bytes(before, display_name(old), new), check_file(new))


def git_pairs(ref: str, paths: list[Path]) -> list[Pair]:
    """Each circle file under `paths` that differs between `ref` and the working tree."""
    _check_ref(ref)
    pairs: dict[Path, Pair] = {}  # a file named twice (itself and its folder) is compared once
    for path in paths:
        at_ref = _blobs(ref, path)
        on_disk = _circle_files(path)
        if not at_ref and not on_disk:
            raise VersionError("not_found" if not path.exists() else "no_files", path=path)
        for file in sorted((set(at_ref) | set(on_disk)) - set(pairs)):
            old = _git("cat-file", "blob", at_ref[file], ref=ref) if file in at_ref else None
            new = file.read_bytes() if file in on_disk else None
            if old != new:
                name = display_name(file)
                pairs[file] = Pair(name, None if old is None else check_bytes(old, f"{ref}:{name}", file),
                                   None if new is None else check_file(file))
    return list(pairs.values())


def _circle_files(path: Path) -> list[Path]:
    """The circle files on disk: the file itself, or those directly inside the folder."""
    inside = sorted(path.iterdir()) if path.is_dir() else [path] if path.is_file() else []
    return [_relative(p) for p in inside if p.suffix in CIRCLE_SUFFIXES and p.is_file()]


def _blobs(ref: str, path: Path) -> dict[Path, str]:
    """The circle files at `ref` (the file, or those directly inside the folder): path -> blob id."""
    listing = _git("ls-tree", "-z", ref, "--", str(path), f"{path}/", ref=ref).decode("utf-8")
    blobs = {}
    for entry in filter(None, listing.split("\0")):
        info, name = entry.split("\t", 1)
        _, kind, blob = info.split()
        if kind == "blob" and Path(name).suffix in CIRCLE_SUFFIXES:
            blobs[_relative(Path(name))] = blob
    return blobs


def _relative(path: Path) -> Path:
    """One spelling of a path for both sides: git names files relative to the working directory."""
    return Path(os.path.relpath(path))


def _check_ref(ref: str) -> None:
    done = _run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if done.returncode != 0:
        reason = _reason(done)  # --quiet: nothing for an unknown revision, a reason for the rest
        if not reason:
            raise VersionError("unknown_ref", ref=ref)
        raise VersionError("git_failed", ref=ref, reason=reason)


def _git(*args: str, ref: str) -> bytes:
    done = _run(*args)
    if done.returncode != 0:
        raise VersionError("git_failed", ref=ref, reason=_reason(done) or done.returncode)
    return done.stdout


def _run(*args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise VersionError("git_missing") from None


def _reason(done: subprocess.CompletedProcess) -> str:
    """git's own last line of complaint ("fatal: not a git repository …")."""
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""
