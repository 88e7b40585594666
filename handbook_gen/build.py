"""Validated circles -> published handbooks: schedule, pages and calendars, then the site stage.

Each circle is built on its own and swapped in whole, so one circle's failure never touches
another circle's published handbook. With --jobs N, circles are built in N processes.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from . import calendars, history, pages, site
from .i18n import catalog
from .model import Circle
from .schedule import plan

# A circle that validated but does not build is a bug of ours (exit 3), not an input error.
EXIT_OK, EXIT_FAILED = 0, 3


def build_circle(circle: Circle, out_dir: Path, use_history: bool = True) -> tuple[str, str | None, bool]:
    """Build one handbook; returns (outcome, error, shallow): outcome 'built' or 'unchanged';
    shallow when the circle file's git history was cut off (a shallow clone)."""
    schedule = plan(circle)
    handbook = pages.render(circle, schedule)
    past = history.read(circle) if use_history else None
    versions = past.versions if past else None
    docs = {**handbook.docs, **calendars.render(circle, schedule, versions)}
    shallow = bool(past and past.shallow)
    try:
        built = site.build_handbook(circle.id, handbook.site_name, circle.language, docs,
                                    handbook.nav, out_dir)
    except site.SiteError as error:
        return "failed", str(error), shallow
    return ("built" if built else "unchanged"), None, shallow


def build(circles: list[Circle], out_dir: Path, jobs: int = 1, language: str | None = None,
          use_history: bool = True) -> int:
    circles = sorted(circles, key=lambda circle: circle.id)
    out_dir.mkdir(parents=True, exist_ok=True)
    if jobs > 1 and len(circles) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(build_circle, circles, [out_dir] * len(circles),
                                     [use_history] * len(circles)))
    else:
        outcomes = [build_circle(circle, out_dir, use_history) for circle in circles]
    failed = False
    for circle, (outcome, error, shallow) in zip(circles, outcomes):
        texts = catalog(language or circle.language)
        if shallow:
            print(texts.message("build.shallow", id=circle.id), file=sys.stderr)
        line = texts.message(f"build.{outcome}", id=circle.id, path=out_dir / circle.id, error=error)
        print(line, file=sys.stderr if error else sys.stdout)
        failed = failed or error is not None
    site.write_index(circles, out_dir)
    return EXIT_FAILED if failed else EXIT_OK
