"""The index page of an output folder: every circle's handbook, grouped by board."""

from __future__ import annotations

import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import jinja2

from .i18n import catalog
from .resources import resource
from .validate import is_slug

TEMPLATE = "site/index.html.j2"  # in docs_templates/
FIELDS = ("id", "name", "board", "school_year", "year")  # school_year as "2025-2026"


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
    texts = catalog("nl")  # the index is Dutch: the programme's own language
    year_labels = {key: texts.text(f"handbook.year.{key}") for key in ("build", "embed")}
    html = _template().render(boards=boards, year_labels=year_labels, generator=generator)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    temporary = out_dir / ".index.html.tmp"
    temporary.write_text(html, encoding="utf-8", newline="\n")
    os.replace(temporary, out_dir / "index.html")  # readers never see half a page


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource("docs_templates"))),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template(TEMPLATE)
