"""The index page of an output folder: every circle's handbook, grouped by board.

It lists what readers can open: the circles of this build's input (all of them with a shard, so
shards copied together make one site) and the handbooks already published in the folder, found
by their stamps. A circle whose build failed is listed as its published version, or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import jinja2

from handbook_gen.common.freshness import read_stamp
from handbook_gen.common.i18n import catalog
from handbook_gen.common.files import write_atomically
from handbook_gen.common.resources import resource
from handbook_gen.circle.validate import is_slug
from handbook_gen.common.i18n import DEFAULT_LANGUAGE
from handbook_gen.common import templating

TEMPLATE = "site/index.html.j2"  # in docs_templates/
FIELDS = ("id", "name", "board", "school_year", "year")  # school_year as "2025-2026"
FIELD_TYPES = {"id": str, "name": str, "board": str, "school_year": str, "year": (str, type(None))}


def listable(about: object) -> bool:
    """A stamp's `about` that the index can show (a damaged stamp is skipped, never a crash)."""
    return (isinstance(about, dict)
            and all(isinstance(about.get(key), kind) for key, kind in FIELD_TYPES.items())
            and is_slug(about["id"]))


def published(out_dir: Path) -> dict[str, dict]:
    """The handbooks in `out_dir` by id: each folder whose stamp says which circle it holds."""
    found = {}
    for folder in sorted(Path(out_dir).iterdir()):
        if folder.is_dir() and not folder.is_symlink():
            about = read_stamp(folder).get("about")
            if listable(about) and about["id"] == folder.name:
                found[folder.name] = about
    return found


def honest_list(inputs: list[dict], failed_ids: set[str], out_dir: Path) -> list[dict]:
    """The circles of the index: the `inputs` (abouts of this build's circles) that did not fail,
    and for the rest what is published in `out_dir`."""
    listed = {about["id"]: about for about in inputs if about["id"] not in failed_ids}
    for circle_id, about in published(out_dir).items():
        listed.setdefault(circle_id, about)
    return [listed[circle_id] for circle_id in sorted(listed)]


def write_index(circles: list[dict], out_dir: Path, generator: str | None = None) -> None:
    """`out_dir/index.html`: the circles (mappings with FIELDS) grouped by board, each linking
    to its handbook. Every value is HTML-escaped by the template (autoescape). `generator`: what
    made the handbooks (handbook-gen and the site engine), for the page's generator line."""
    by_board: dict[str, list[dict]] = defaultdict(list)
    for circle in circles:
        if not is_slug(str(circle["id"])):  # it becomes a link: no "javascript:"
            raise ValueError(f"not a valid circle id for a link: {circle['id']!r}")
        by_board[str(circle["board"])].append({key: circle[key] for key in FIELDS})
    boards = [(board, sorted(items, key=lambda c: (str(c["name"]).casefold(), c["id"])))
              for board, items in sorted(by_board.items(), key=lambda b: b[0].casefold())]
    texts = catalog(DEFAULT_LANGUAGE)  # the index is Dutch: the programme's own language
    year_labels = {key: texts.text(f"handbook.year.{key}") for key in ("build", "embed")}
    html = _template().render(boards=boards, year_labels=year_labels, generator=generator)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(out_dir / "index.html", html.encode("utf-8"))  # never half a page


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    return templating.environment(resource("docs_templates"), trim_blocks=True, lstrip_blocks=True,
                                  keep_trailing_newline=True).get_template(TEMPLATE)
