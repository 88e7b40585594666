"""Zensical (experimental): the Material team's successor, reading the same `mkdocs.yml`.

Zensical renders the same per-circle config and docs folder through its library call
`zensical.build()`; it runs no MkDocs plugins, and our steps never needed one (postprocess.py).
What differs from MkDocs is written down in docs/engines.md. Zensical prints its progress
itself (from compiled code), so its output is caught at the level of the file descriptors.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import yaml
import zensical

from handbook_gen.engines.engine import EngineError, generator_line, version_line
from handbook_gen.common.i18n import DEFAULT_LANGUAGE, catalog
from handbook_gen.common.resources import resource
from handbook_gen.common import templating

# Zensical writes what MkDocs leaves out: a theme README and the empty pages our theme
# overrides to switch off (no 404 page, no sitemap; see theme/404.html and theme/sitemap.xml).
NOT_PUBLISHED = ("README.md", "404.html", "sitemap.xml")


class ZensicalEngine:
    name = "zensical"
    search_index = "search.json"  # at the handbook's root (MkDocs: search/search_index.json)

    def __init__(self):
        self.version = version_line("zensical")
        self.generator = generator_line("zensical")

    def render(self, config_file: Path, site_dir: Path, cache_key: str) -> None:
        # Zensical reads site_dir from the config ("site" beside it); built there, moved after.
        built = Path(config_file).parent / "site"
        with _caught_output() as output:
            try:
                zensical.build(str(config_file), {"strict": True, "clean": True})
            except Exception as error:  # compiled code: one clean line, with what it printed
                raise EngineError(_failure_message(error, output())) from None
        for name in NOT_PUBLISHED:
            leftover = built / name
            if leftover.is_file() and (name == "README.md" or leftover.stat().st_size == 0):
                leftover.unlink()
        _localize_search(built, _language(config_file))
        if built.resolve() != Path(site_dir).resolve():
            shutil.move(str(built), str(site_dir))

    def theme_assets(self) -> dict[str, Path]:
        """Zensical's own assets, then ours over them (theme/assets, the custom_dir's)."""
        assets = {}
        for folder in (Path(zensical.__file__).parent / "templates" / "assets", resource("theme") / "assets"):
            for path in sorted(folder.rglob("*")):
                name = path.relative_to(folder).as_posix()
                if path.is_file() and not any(part.startswith(".") for part in name.split("/")):
                    assets[name] = path
        return assets


# The search dialog's English words (Zensical 0.0.73's script) -> keys of handbook.search_ui.
SEARCH_WORDS = {"Search": "search", "Close search": "close", "Filters": "filters",
                "Search results": "results_label", "No results": "no_results",
                "Loading search\u2026": "loading", "1 result": "one_result", "Tags": "tags",
                "Use Up and Down arrow keys to move between tags. Press Space or Enter to toggle a tag.":
                    "tags_hint"}


def _localize_search(site: Path, language: str) -> None:
    """Every page gets the script that puts the handbook's words in the search dialog."""
    texts = catalog(language)
    words = {english: texts.text(f"handbook.search_ui.{key}") for english, key in SEARCH_WORDS.items()}
    template = templating.environment(Path(__file__).parent).get_template("zensical_search.html")
    script = template.render(
        words=words, counted=texts.text("handbook.search_ui.results", count="{count}")).encode("utf-8")
    for page in site.rglob("*.html"):
        html = page.read_bytes()
        end = html.rfind(b"</body>")
        if end >= 0:
            page.write_bytes(html[:end] + script + html[end:])


def _language(config_file: Path) -> str:
    """The handbook's language: theme.language of the per-circle config (site.py writes it)."""
    config = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
    return config.get("theme", {}).get("language", DEFAULT_LANGUAGE)


_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
_PROBLEM = re.compile(r"^(?:Warning|Error):\s*(.+)$")
_PLACE = re.compile(r"\[\s*(\S+:\d+:\d+)\s*\]")


def _failure_message(error: Exception, printed: str) -> str:
    """What Zensical printed, in one line: each warning with its place ("page does not exist
    (index.md:76:9)"); its own exception when it printed none."""
    problems: list[str] = []
    for line in _COLOURS.sub("", printed).splitlines():
        line = line.strip()
        if found := _PROBLEM.match(line):
            problems.append(found[1])
        elif (place := _PLACE.search(line)) and problems and "(" not in problems[-1]:
            problems[-1] += f" ({place[1]})"
    details = " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in dict.fromkeys(problems))
    return f"Zensical: {details or error}"


@contextlib.contextmanager
def _caught_output():
    """Zensical's stdout and stderr into a file; yields a function that reads what it caught."""
    with tempfile.TemporaryFile(mode="w+b") as caught:
        saved = [os.dup(1), os.dup(2)]
        for stream in (1, 2):
            os.dup2(caught.fileno(), stream)
        try:
            yield lambda: (caught.seek(0), caught.read().decode("utf-8", "replace"))[1]
        finally:
            sys.stdout.flush()  # what Python code printed meanwhile belongs to the caught part
            sys.stderr.flush()
            for stream, copy in zip((1, 2), saved):
                os.dup2(copy, stream)
                os.close(copy)


ENGINE = ZensicalEngine()
