"""What makes an engine's output folder a handbook: our own steps, run after the engine.

Whichever engine rendered the pages (engine.py), the same steps run on its output folder:
- shared assets: the theme's CSS, JavaScript and search worker are 80 % of a handbook's bytes and
  the same for every circle; with shared assets a handbook links to the output folder's
  `assets/` (written once per generator by `publish_shared_assets`) and carries no copy;
- the search index for file://: a browser may not fetch `search_index.json` from a file, so the
  index is also written as a script that sets `__index` (what Material's search looks for);
- compaction: the theme templates' indentation and blank lines (a quarter of a page) go;
- the generator line names the engine that really made the pages.
"""

from __future__ import annotations

import re
from pathlib import Path

from handbook_gen.common.freshness import SHARED_FOLDER, write_stamp
from handbook_gen.common.files import write_atomically

SHARED = f"{SHARED_FOLDER}/"


def finish(site_dir: Path, engine, shared: set[str] | None) -> None:
    """Turn `site_dir`, as `engine` left it, into the handbook. `shared`: the asset paths (inside
    assets/) the handbook takes from the output folder's copy; None: it keeps its own."""
    write_search_script(site_dir, engine.search_index)
    generator = engine.generator
    for page in sorted(site_dir.rglob("*.html")):
        depth = len(page.relative_to(site_dir).parts) - 1
        html = page.read_bytes().decode("utf-8")  # as written: no newline translation
        if shared:
            html = link_shared_assets(html, depth, shared)
        html = _GENERATOR.sub(lambda match: match[1] + _attribute(generator) + match[3], html, count=1)
        page.write_text(compact(html), encoding="utf-8", newline="")
    if shared:
        _remove_shared_copies(site_dir, shared)


def write_search_script(site_dir: Path, index: str) -> None:
    """`search_index.json` -> `search_index.js` beside it (`search.json` -> `search.js`)."""
    source = site_dir / index
    if source.is_file():
        data = source.read_text(encoding="utf-8")
        source.with_suffix(".js").write_text(f"var __index = {data}", encoding="utf-8", newline="")


# A URL in a page (an attribute or the theme's JSON config) to a file under the handbook's assets/:
# "assets/x", "./assets/x" on a top page, "../assets/x" one folder down, and so on.
_ASSET_URL = re.compile(r"""(?<=["'])((?:\./)?(?:\.\./)*)assets/([^"'?#\s]+)(?=["'?#])""")


def link_shared_assets(html: str, depth: int, shared: set[str]) -> str:
    """Links to the handbook's own copy of a shared asset point one folder up, to the shared one."""
    up = "../" * depth

    def relink(match: re.Match) -> str:
        prefix, name = match[1], match[2]
        if prefix.removeprefix("./") != up or name not in shared:
            return match[0]  # not the handbook's root assets/, or not a shared file
        return f"../{up}assets/{name}"

    return _ASSET_URL.sub(relink, html)


def _remove_shared_copies(site_dir: Path, shared: set[str]) -> None:
    assets = site_dir / SHARED_FOLDER
    for name in shared:
        (assets / name).unlink(missing_ok=True)
    for folder in sorted((p for p in assets.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if assets.is_dir() and not any(assets.iterdir()):
        assets.rmdir()


_GENERATOR = re.compile(r'(<meta name="generator" content=")([^"]*)(">)')


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# Where white space is content: left as it is.
_KEEP = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>)", re.IGNORECASE | re.DOTALL)
_INDENT = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")


def compact(html: str) -> str:
    """The page without the theme templates' indentation and blank lines (a quarter of a page):
    a line break followed by spaces shows as one space, as the line break alone does."""
    parts = _KEEP.split(html)
    return "".join(part if index % 2 else _INDENT.sub("\n", part) for index, part in enumerate(parts))


# --- The shared assets of an output folder ---------------------------------------------------

def publish_shared_assets(target: Path, assets: dict[str, Path], stamp: dict) -> None:
    """Write `assets` (an engine's theme_assets) to `target` (an output folder's assets/), then
    `stamp` in it. Files of an older generator stay: a handbook that failed to rebuild still
    links to them."""
    for name, source in sorted(assets.items()):
        destination = target / name
        if destination.is_file() and destination.read_bytes() == source.read_bytes():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(destination, source.read_bytes())  # a reader never sees half a file
    write_stamp(target, stamp)
