"""Validated circles -> published handbooks, each one only when its inputs changed.

Per circle: schedule, pages and calendars, then the site stage; each handbook is swapped in whole,
so one circle's failure never touches another's published handbook. Circles are built in a pool
of worker processes (one per core by default). Before any of that, `current_handbooks` finds the
handbooks built from exactly these inputs (see freshness): those are not read again at all.
With a shard (K of N), only the circles whose id hashes into shard K are built; the shared assets
and the index page of all circles are the same in every shard, so shards merge by copying.

Nothing here prints: the command line reports the outcomes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import freshness, staging
from .freshness import Settings
from .index_page import write_index
from .model import Circle
from .problems import Problem
from .schedule import Schedule
from .validate import Checked


@dataclass(frozen=True)
class Shard:
    number: int  # 1 … count
    count: int

    def holds(self, circle_id: str) -> bool:
        """Stable over runs and machines: a hash of the id, not Python's hash()."""
        digest = int(hashlib.sha256(circle_id.encode("utf-8")).hexdigest()[:16], 16)
        return digest % self.count == self.number - 1


@dataclass(frozen=True)
class Outcome:
    circle_id: str
    state: str  # "built", "unchanged" or "failed"
    error: str | None = None
    shallow: bool = False  # the file's git history was cut off (a shallow clone)


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def current_handbooks(keys: dict[Path, str], out_dir: Path) -> dict[Path, dict]:
    """The files whose handbook in `out_dir` was built from exactly these inputs (`keys`, their
    source keys): file -> what its stamp says about the circle (id, index fields, problems).
    A handbook is found under the file's name, as circle files are named after their id
    (validation warns otherwise)."""
    found = {}
    for path, key in keys.items():
        about = freshness.read_stamp(Path(out_dir) / path.stem).get("about") or {}
        if about.get("source") == key and about.get("id") == path.stem:
            found[path] = about
    return found


def build(checked: list[Checked], out_dir: Path, settings: Settings = Settings(),
          workers: int = 1, shard: Shard | None = None, current: list[dict] = (),
          keys: dict[Path, str] | None = None) -> list[Outcome]:
    """Build the validated circles (those of `shard`), with the schedule validation planned,
    then the shared assets and the index page of these and the `current` circles (the stamps'
    "about" of handbooks that are up to date). Each circle's warnings go into its stamp, to be
    reported again when it is current, with its source key: from `keys` when given, made before
    the files were read (a file saved meanwhile is then built again next time, never skipped)."""
    checked = sorted(checked, key=lambda result: result.circle.id)
    keys = keys or freshness.source_keys([result.circle.source for result in checked], settings)
    abouts = [_about(result.circle, keys[result.circle.source], result.problems) for result in checked]
    todo = [(result.circle, result.schedule, about) for result, about in zip(checked, abouts)
            if shard is None or shard.holds(result.circle.id)]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for about in current:
        staging.remove_stale(out_dir, about["id"])  # killed builds of a circle now up to date
    if settings.shared_assets:
        _publish_shared_assets(out_dir)
    # The PDFs made in this build, by key, for every worker: circles without their own
    # questions print the same blank forms. Outside out_dir: nothing of it is ever published.
    with tempfile.TemporaryDirectory(prefix="handbook-gen-pdfs-") as pdf_store:
        jobs = [(*job, out_dir, settings, Path(pdf_store)) for job in todo]
        if workers > 1 and len(jobs) > 1:
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
                outcomes = list(pool.map(_build_one, *zip(*jobs)))
        else:
            outcomes = [_build_one(*job) for job in jobs]
    write_index([*abouts, *current], out_dir)
    return outcomes


def failed(outcomes: list[Outcome]) -> bool:
    return any(outcome.state == "failed" for outcome in outcomes)


def _about(circle: Circle, key: str, problems: list[Problem]) -> dict:
    """What the stamp keeps of a circle: enough to skip it next time and still list it."""
    return {"source": key, "id": circle.id, "name": circle.name, "board": circle.board,
            "school_year": str(circle.school_year), "year": circle.year,
            "language": circle.language,
            "problems": [problem.to_data() for problem in problems]}


def _build_one(circle: Circle, schedule: Schedule, about: dict, out_dir: Path,
               settings: Settings, pdf_store: Path) -> Outcome:
    """Pages, calendars and site of one circle (in a worker process)."""
    # Imported here: a build that finds every handbook current never loads MkDocs & co.
    from . import book, calendars, history, pages, site

    handbook = pages.render(circle, schedule)
    past = history.read(circle) if settings.use_history else None
    docs = {**handbook.docs, **calendars.render(circle, schedule, past.versions if past else None)}
    shallow = bool(past and past.shallow)
    try:
        built = site.build_handbook(circle.id, handbook.site_name, circle.language, docs,
                                    handbook.nav, out_dir, settings.shared_assets, about,
                                    settings.pdfs, pdf_store, book.cover_of(circle))
    except site.SiteError as error:
        return Outcome(circle.id, "failed", str(error), shallow)
    return Outcome(circle.id, "built" if built else "unchanged", None, shallow)


def _publish_shared_assets(out_dir: Path) -> None:
    generator = freshness.generator_fingerprint()
    shared = out_dir / freshness.SHARED_FOLDER
    if freshness.read_stamp(shared).get("generator") != generator:
        from .mkdocs_run import publish_shared_assets  # loads MkDocs: only when needed

        publish_shared_assets(shared, {"generator": generator})
