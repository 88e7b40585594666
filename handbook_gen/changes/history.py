"""A circle file's git history -> each event's SEQUENCE and DTSTAMP for the calendars.

Calendar clients that import an event (Outlook, Apple) keep the copy with the highest SEQUENCE,
and the later DTSTAMP when SEQUENCE is equal. So SEQUENCE counts the revisions of the circle file
in which something a calendar shows of the event changed (date, times, title, place, text,
status, who takes part): it only grows, also when a cancellation is taken back. DTSTAMP is the
commit time of the last such revision. Revisions that do not validate are skipped.

What a revision shows is cached per blob (the file's content in git) and generator version, so a
rebuild reads only new revisions.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from handbook_gen import __version__
from handbook_gen.calendars import feeds as calendars
from handbook_gen.changes.git import GIT_TIMEOUT, git, top_folder
from handbook_gen.common.files import write_atomically
from handbook_gen.common.resources import cache_dir
from handbook_gen.circle.model import Circle
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_bytes

@dataclass(frozen=True)
class History:
    versions: dict[str, calendars.Version]  # by event UID
    shallow: bool  # the clone lacks older commits: SEQUENCE counts only what is there


@dataclass(frozen=True)
class _Revision:
    when: datetime
    blob: str


def read(circle: Circle) -> History | None:
    """The versions of the circle's events from its file's git history; None without git."""
    path = circle.source.resolve()
    top = top_folder(path.parent)
    if top is None:
        return None
    relative = path.relative_to(top).as_posix()
    revisions = _revisions(top, relative)
    if not revisions:
        return None  # not committed yet
    shallow = git(top, "rev-parse", "--is-shallow-repository") == "true\n"
    shown = _shown_by_blob(top, [r.blob for r in revisions], relative)
    current = path.read_bytes()
    working = _blob_id(current)
    if working != revisions[-1].blob:  # uncommitted changes count as the newest revision
        revisions.append(_Revision(revisions[-1].when, working))
        shown[working] = _events_shown(current, relative)
    return History(_versions(revisions, shown), shallow)


def _versions(revisions: list[_Revision], shown: dict[str, dict | None]) -> dict[str, calendars.Version]:
    """Walk the revisions oldest first; count the changes of each event's fingerprint."""
    versions: dict[str, calendars.Version] = {}
    previous: dict[str, str] = {}
    for revision in revisions:
        events = shown.get(revision.blob)
        if events is None:
            continue  # a revision with errors tells nothing about the calendar
        for uid, print_ in events.items():
            if uid not in versions:
                versions[uid] = calendars.Version(0, revision.when)
            elif previous.get(uid) != print_:
                versions[uid] = calendars.Version(versions[uid].sequence + 1, revision.when)
        previous = events
    return versions


def _revisions(top: Path, relative: str) -> list[_Revision]:
    """The commits that changed the file (following renames), oldest first, with its blob."""
    log = git(top, "log", "--follow", "--no-abbrev", "--raw", "--format=%x00%ct", "--", relative)
    if not log:
        return []
    found = []
    for entry in log.split("\0")[1:]:
        lines = entry.strip().splitlines()
        raw = [line for line in lines[1:] if line.startswith(":")]
        if not raw:
            continue  # a merge: its content is that of a commit already listed
        blob = raw[-1].split()[3]
        if set(blob) == {"0"}:
            continue  # the file was deleted in this commit
        found.append(_Revision(datetime.fromtimestamp(int(lines[0]), timezone.utc), blob))
    return found[::-1]


def _shown_by_blob(top: Path, blobs: list[str], relative: str) -> dict[str, dict | None]:
    """What each blob's circle shows in calendars, from the cache or by reading it."""
    cache = _cache_dir()
    shown, missing = {}, []
    for blob in dict.fromkeys(blobs):
        try:
            shown[blob] = json.loads((cache / f"{blob}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            missing.append(blob)
    for blob, content in _cat_blobs(top, missing).items():
        shown[blob] = _events_shown(content, relative)
        _store(cache / f"{blob}.json", shown[blob])
    return shown


def _events_shown(content: bytes, relative: str) -> dict[str, str] | None:
    """{uid: fingerprint} of one revision's events, or None when the revision has errors."""
    checked = check_bytes(content, relative, Path(relative))
    if checked.circle is None:
        return None
    return {event.uid: calendars.fingerprint(checked.circle, event)
            for event in plan(checked.circle).events}


def _cat_blobs(top: Path, blobs: list[str]) -> dict[str, bytes]:
    """The contents of many blobs from one `git cat-file --batch`."""
    if not blobs:
        return {}
    done = subprocess.run(["git", "-C", str(top), "cat-file", "--batch"], capture_output=True,
                          input="".join(f"{blob}\n" for blob in blobs).encode(), timeout=GIT_TIMEOUT)
    output, found, position = done.stdout, {}, 0
    for blob in blobs:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        if len(header) < 3:  # "<blob> missing"
            position = header_end + 1
            continue
        size = int(header[2])
        found[blob] = output[header_end + 1: header_end + 1 + size]
        position = header_end + 1 + size + 1
    return found


def _blob_id(content: bytes) -> str:
    """The id git gives this content (so the working tree can be compared with HEAD)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _cache_dir() -> Path:
    return cache_dir("history") / _generator_key()


@lru_cache(maxsize=1)
def _generator_key() -> str:
    """The version and the code and texts of what events show: a new one reads history anew."""
    package = Path(__file__).parent.parent
    sha = hashlib.sha256(__version__.encode())
    # paths.py: the address of an event's page, which its description links.
    for path in sorted([package / "calendars/feeds.py", package / "year/schedule.py", package / "site/paths.py",
                        *package.glob("locale/*/calendars.yaml"), *package.glob("locale/*/events.yaml")]):
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def _store(path: Path, shown: dict | None) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(shown, sort_keys=True))
    except OSError:
        pass  # a cache that cannot be written only costs time
