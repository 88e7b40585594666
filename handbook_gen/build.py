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
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from handbook_gen.common import freshness
from handbook_gen.common import output
from handbook_gen.common import processes
from handbook_gen.calendars import public_feeds
from handbook_gen.engines.engine import DEFAULT
from handbook_gen.common.freshness import Settings
from handbook_gen.common.i18n import LANGUAGES
from handbook_gen.site.index_page import honest_list, listable, write_index
from handbook_gen.circle.model import Circle
from handbook_gen.circle.problems import Problem
from handbook_gen.year.schedule import Schedule
from handbook_gen.circle.source import display_name
from handbook_gen.circle.validate import Checked, check_files


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
    feeds: dict[str, bytes] | None = None  # its feeds at secret addresses: file -> .ics


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def current_handbooks(keys: dict[Path, str], out_dir: Path,
                      feeds_dir: Path | None = None) -> dict[Path, dict]:
    """The files whose handbook in `out_dir` was built from exactly these inputs (`keys`, their
    source keys): file -> what its stamp says about the circle (id, index fields, problems).
    A handbook is found under the file's name, as circle files are named after their id
    (validation warns otherwise). With `feeds_dir` (a build with public feeds), its public feeds
    must also be there as that build wrote them, or it is built again."""
    found = {}
    for path, key in keys.items():
        about = freshness.read_stamp(Path(out_dir) / path.stem).get("about") or {}
        if about.get("source") == key and about.get("id") == path.stem and _intact(about):
            listed = about.get("public_feeds")
            if feeds_dir is None or (listed and public_feeds.present(feeds_dir, listed["files"])):
                found[path] = about
    return found


def _intact(about: dict) -> bool:
    """A stamp's `about` whole enough to list the circle and report its warnings again; a
    damaged one means: build the circle again."""
    try:
        problems = [Problem.from_data({**data, "file": ""}) for data in about["problems"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return listable(about) and about.get("language") in LANGUAGES and all(
        isinstance(problem.severity, str) and isinstance(problem.code, str) for problem in problems)


@dataclass(frozen=True)
class Plan:
    """What a build of these files does, decided before anything is written: their source keys
    (made before the files are read: a file saved meanwhile is built again next time), the
    handbooks already built from exactly these inputs, and the other files checked (with the
    current handbooks' warnings, as their builds found them)."""

    keys: dict[Path, str]
    current: dict[Path, dict]  # file -> its handbook stamp's "about"
    results: list[Checked]


def plan(files: list[Path], out_dir: Path, settings: Settings,
         feeds_dir: Path | None = None) -> Plan:
    """The first half of a build: nothing is written, the command line reports the problems."""
    keys = freshness.source_keys(files, settings)
    current = current_handbooks(keys, out_dir, feeds_dir if settings.public_feeds else None)
    results = check_files([path for path in files if path not in current],
                          {about["id"]: str(path) for path, about in current.items()})
    return Plan(keys, current, results + _remembered(current))


def run(plan: Plan, out_dir: Path, settings: Settings, workers: int, shard: Shard | None,
        feeds_dir: Path | None, on_wait: Callable[[Path], None] | None = None) -> list[Outcome]:
    """The second half: build the checked circles (see `build`); the current ones are
    "unchanged". The outcomes of this shard's circles, by id."""
    checked = [result for result in plan.results if result.circle is not None]
    outcomes = build(checked, out_dir, settings, workers, shard, list(plan.current.values()),
                     plan.keys, feeds_dir, on_wait=on_wait)
    outcomes += [Outcome(about["id"], "unchanged") for about in plan.current.values()
                 if (shard or Shard(1, 1)).holds(about["id"])]
    return sorted(outcomes, key=lambda outcome: outcome.circle_id)


def _remembered(current: dict[Path, dict]) -> list[Checked]:
    """The files of handbooks that are up to date: not checked again; their warnings are
    reported again, as the build that made the handbook found them."""
    return [Checked(display_name(path), None,
                    [Problem.from_data({**data, "file": display_name(path)}) for data in about["problems"]],
                    language=about["language"])
            for path, about in current.items()]


def build(checked: list[Checked], out_dir: Path, settings: Settings = Settings(),
          workers: int = 1, shard: Shard | None = None, current: list[dict] = (),
          keys: dict[Path, str] | None = None, feeds_dir: Path | None = None,
          on_wait: Callable[[Path], None] | None = None) -> list[Outcome]:
    """Build the validated circles (those of `shard`), with the schedule validation planned,
    then the shared assets and the index page of these, the `current` circles (the stamps'
    "about" of handbooks that are up to date) and the handbooks published in `out_dir`. Each
    circle's warnings go into its stamp, to be reported again when it is current, with its
    source key: from `keys` when given, made before the files were read (a file saved meanwhile
    is then built again next time, never skipped).
    With settings.public_feeds, the feeds at secret addresses of the shard's circles go into
    `feeds_dir` (default: feeds/ in out_dir), written whole; without, a feeds folder of ours
    there is removed (see public_feeds).

    Holds the output folder's lock (`on_wait` is told when another build has it, see output).
    Raises output.OutputError before writing anything when a folder in the way is not a
    build's, and when the output cannot be written (a full disk: with the path)."""
    checked = sorted(checked, key=lambda result: result.circle.id)
    keys = keys or freshness.source_keys([result.circle.source for result in checked], settings)
    abouts = [_about(result.circle, keys[result.circle.source], result.problems) for result in checked]
    todo = [(result.circle, result.schedule, about) for result, about in zip(checked, abouts)
            if shard is None or shard.holds(result.circle.id)]
    out_dir = Path(out_dir)
    replaced = [circle.id for circle, _, _ in todo]
    if not (out_dir / output.LOCK).exists():  # else another build may be writing: checked under the lock
        output.check_ownership(out_dir, replaced, settings.shared_assets)  # before anything is written
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with output.locked(out_dir, on_wait):
            output.check_ownership(out_dir, replaced, settings.shared_assets)  # as it is now
            output.remove_leftovers(out_dir)
            # This build's private work folder, in the output (on its file system): what a
            # killed build leaves there, the next one removes (never junk in /tmp).
            with output.work_folder(out_dir) as work, output.private_temporary_folder(work):
                if settings.shared_assets:
                    _publish_shared_assets(out_dir, settings.engine)
                outcomes = _build_all(todo, out_dir, settings, workers, work)
            failed_ids = {outcome.circle_id for outcome in outcomes if outcome.state == "failed"}
            write_index(honest_list([*abouts, *current], failed_ids, out_dir), out_dir,
                        _generator(settings.engine))
            feeds_dir = Path(feeds_dir) if feeds_dir else out_dir / public_feeds.FOLDER
            if settings.public_feeds:
                held = [about for about in current if shard is None or shard.holds(about["id"])]
                _publish_feeds(feeds_dir, settings.public_feeds, outcomes, held, out_dir)
            else:
                public_feeds.remove(feeds_dir)
    except OSError as error:
        if output.is_write_error(error):
            raise output.write_error(error, out_dir) from None
        raise
    return outcomes


def _build_all(todo: list, out_dir: Path, settings: Settings, workers: int,
               work: Path) -> list[Outcome]:
    # The PDFs made in this build, by key, for every worker: circles without their own
    # questions print the same blank forms. Never published: removed with the work folder.
    pdf_store = work / "pdfs"
    pdf_store.mkdir()
    # One circle: its PDFs are laid out side by side instead (most of its time).
    pdf_workers = workers if len(todo) == 1 else 1
    jobs = [(*job, out_dir, settings, pdf_store, pdf_workers) for job in todo]
    if workers > 1 and len(jobs) > 1:
        with processes.pool(min(workers, len(jobs))) as pool:
            return list(pool.map(_build_one, *zip(*jobs)))
    return [_build_one(*job) for job in jobs]


def _publish_feeds(feeds_dir: Path, public: public_feeds.PublicFeeds, outcomes: list[Outcome],
                   current: list[dict], out_dir: Path) -> None:
    """The feeds folder: the feeds of the circles built now, and those of the current circles
    (and of circles that failed to build) as the folder has them, if made with this secret."""
    new = {name: data for outcome in outcomes if outcome.feeds for name, data in outcome.feeds.items()}
    built = {outcome.circle_id for outcome in outcomes if outcome.feeds is not None}
    failed_ids = [outcome.circle_id for outcome in outcomes if outcome.feeds is None]
    previous = [*current, *(freshness.read_stamp(out_dir / circle_id).get("about") or {}
                            for circle_id in failed_ids)]
    kept = []
    for about in previous:
        listed = about.get("public_feeds") or {}
        if (about.get("id") not in built and listed.get("key") == public.fingerprint()
                and public_feeds.present(feeds_dir, listed.get("files", {}))):
            kept += listed["files"]
    public_feeds.publish(feeds_dir, new, kept)


def _generator(engine: str) -> str:
    """"handbook-gen 0.1.0, mkdocs-1.6.1, mkdocs-material-9.8.2": what made the handbooks."""
    from handbook_gen import __version__
    from handbook_gen.engines.engine import generator_line

    return f"handbook-gen {__version__}, {generator_line(engine)}"


def failed(outcomes: list[Outcome]) -> bool:
    return any(outcome.state == "failed" for outcome in outcomes)


def _about(circle: Circle, key: str, problems: list[Problem]) -> dict:
    """What the stamp keeps of a circle: enough to skip it next time and still list it."""
    return {"source": key, "id": circle.id, "name": circle.name, "board": circle.board,
            "school_year": str(circle.school_year), "year": circle.year,
            "language": circle.language,
            "problems": [problem.to_data() for problem in problems]}


def _build_one(circle: Circle, schedule: Schedule, about: dict, out_dir: Path,
               settings: Settings, pdf_store: Path, pdf_workers: int = 1) -> Outcome:
    """Pages, calendars and site of one circle (in a worker process)."""
    # Imported here: a build that finds every handbook current never loads MkDocs & co.
    from handbook_gen.pdf import book
    from handbook_gen.calendars import feeds as calendars
    from handbook_gen.changes import history
    from handbook_gen.site import pages
    from handbook_gen.site import handbook as site

    public = settings.public_feeds
    handbook = pages.render(circle, schedule, public)
    past = history.read(circle) if settings.use_history else None
    versions = past.versions if past else None
    docs = {**handbook.docs, **calendars.render(circle, schedule, versions)}
    shallow = bool(past and past.shallow)
    feeds = None
    if public:
        feeds = calendars.render_public(circle, schedule, versions,
                                        lambda feed: public.file(circle.id, feed))
        about = {**about, "public_feeds": {"key": public.fingerprint(),
                                           "files": public_feeds.hashes(feeds)}}
    try:
        built = site.build_handbook(circle.id, handbook.site_name, circle.language, docs,
                                    handbook.nav, out_dir, settings.shared_assets, about,
                                    settings.pdfs, pdf_store, settings.engine,
                                    book.cover_of(circle), pdf_workers)
    except site.SiteError as error:
        return Outcome(circle.id, "failed", str(error), shallow)
    except OSError as error:  # in a worker: as an OutputError, which crosses to the parent
        if output.is_write_error(error):
            raise output.write_error(error, out_dir) from None
        raise
    return Outcome(circle.id, "built" if built else "unchanged", None, shallow, feeds)


def _publish_shared_assets(out_dir: Path, engine: str) -> None:
    generator = freshness.generator_fingerprint()
    shared = out_dir / freshness.SHARED_FOLDER
    # The default engine's stamp is as it was before there were others: no rebuild on upgrade.
    stamp = {"generator": generator} if engine == DEFAULT else {"generator": generator, "engine": engine}
    if freshness.read_stamp(shared) != stamp:
        # Loads the engine (MkDocs & co.): only when needed.
        from handbook_gen.engines.engine import get_engine
        from handbook_gen.site.postprocess import publish_shared_assets

        publish_shared_assets(shared, get_engine(engine).theme_assets(), stamp)
