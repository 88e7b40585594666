"""Run MkDocs for one handbook, in-process, quiet and fast; and publish the shared theme assets.

Many handbooks are built by one process, so what does not depend on the circle is done once per
process: Jinja's compiled theme templates (a bytecode cache; Jinja still checks each template's
source, so an edited template is compiled again) and the scan of the theme folders (keyed by the
project's fingerprint, so `serve` sees an edited theme).

Shared assets: Material's CSS and JavaScript, the search worker and our own CSS/JS are 80 % of a
handbook's bytes and the same for every circle. With `shared_assets`, a handbook links to
`../assets/` (the output folder's copy, written once by `publish_shared_assets` once per generator) instead of
carrying its own; search stays per circle (`search/` inside the handbook).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

import jinja2

# Material prints an end-of-life banner unless this is set; the CLI output stays ours.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.exceptions import MkDocsException  # noqa: E402
from mkdocs.plugins import BasePlugin  # noqa: E402
from mkdocs.structure.files import Files  # noqa: E402
from mkdocs.utils.templates import url_filter  # noqa: E402

from .freshness import SHARED_FOLDER, write_stamp  # noqa: E402
from .output import is_write_error, write_atomically  # noqa: E402
from .resources import resource  # noqa: E402

SHARED = f"{SHARED_FOLDER}/"  # theme files under this folder are the shared assets


class MkDocsError(Exception):
    """MkDocs refused or failed; the message says why, in one line."""


def run(config_file: Path, site_dir: Path, fingerprint: str, shared_assets: bool) -> None:
    """Build with MkDocs' Python API, strict; any failure becomes an MkDocsError."""
    with _collected_warnings() as warnings:
        try:
            config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
            _tune(config, fingerprint, shared_assets)
            build(config)
        except MkDocsException as error:
            raise MkDocsError(_failure_message(str(error), warnings)) from None
        except Exception as error:  # a plugin or extension crashed: still one clean line
            if is_write_error(error):
                raise  # a full disk or an unwritable folder: the output's problem, not MkDocs'
            raise MkDocsError(_failure_message(f"{type(error).__name__}: {error}", warnings)) from None


# --- Once per process ------------------------------------------------------------------------

class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory; a bucket is only used when its source is unchanged."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecodeCache()


@lru_cache(maxsize=4)
def _theme_listing(dirs: tuple[str, ...], fingerprint: str) -> tuple[str, ...]:
    """The theme folders' files that MkDocs may copy; `fingerprint` changes when a theme file
    does. Hidden files and folders (Material's 14,000 `.icons`) are left out here, as MkDocs'
    own filter would leave them out, so that filter runs on 170 names instead of 14,500."""
    names = jinja2.FileSystemLoader(list(dirs)).list_templates()
    return tuple(name for name in names if not any(part.startswith(".") for part in name.split("/")))


def _tune(config, fingerprint: str, shared_assets: bool) -> None:
    """Give this build the process's caches and, with shared assets, links to `../assets/`."""
    theme = config.theme
    make_env = theme.get_env
    listing = _theme_listing(tuple(theme.dirs), fingerprint)

    def get_env() -> jinja2.Environment:
        env = make_env()
        env.bytecode_cache = _BYTECODE
        # MkDocs lists the theme's static files through the environment; the answer is cached.
        env.list_templates = lambda extensions=None, filter_func=None: [
            name for name in listing if filter_func is None or filter_func(name)]
        if shared_assets:
            env.filters["url"] = _shared_url
        return env

    theme.get_env = get_env  # this Theme object lives for this one build
    if shared_assets:
        # Scripts are written by MkDocs' script_tag filter, which does not go through "url".
        config.extra_javascript = [_shared(str(script)) for script in config.extra_javascript]
        config.extra["polyfills"] = [_shared(script) for script in config.extra.get("polyfills", [])]
    config.plugins["handbook-gen"] = _HandbookPlugin(shared_assets)


def _shared(path: str) -> str:
    """A theme asset's path, relative to a handbook's root, in the shared folder beside it."""
    return "../" + path if path.startswith(SHARED) else path


@jinja2.pass_context
def _shared_url(context, value) -> str:
    return url_filter(context, _shared(str(value)))


class _HandbookPlugin(BasePlugin):
    """Leaves the shared assets out of the handbook, and the theme's indentation out of its pages."""

    def __init__(self, shared_assets: bool):
        super().__init__()
        self.shared_assets = shared_assets

    def on_files(self, files, config):
        if not self.shared_assets:
            return files
        theme_dirs = {os.path.normpath(folder) for folder in config.theme.dirs}
        for file in list(files):
            if file.src_uri.startswith(SHARED) and os.path.normpath(file.src_dir) in theme_dirs:
                files.remove(file)
        return files

    def on_post_page(self, output: str, page, config) -> str:
        return compact(output)


# Where white space is content: left as it is.
_KEEP = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>)", re.IGNORECASE | re.DOTALL)
_INDENT = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")


def compact(html: str) -> str:
    """The page without the theme templates' indentation and blank lines (a quarter of a page):
    a line break followed by spaces shows as one space, as the line break alone does."""
    parts = _KEEP.split(html)
    return "".join(part if index % 2 else _INDENT.sub("\n", part) for index, part in enumerate(parts))


# --- The shared assets of an output folder ---------------------------------------------------

def publish_shared_assets(target: Path, stamp: dict, scratch: Path | None = None) -> None:
    """Write the theme's assets to `target` (an output folder's assets/), then `stamp` in it;
    `scratch`: the build's work folder (see theme_assets).

    Files of an older generator stay: a handbook that failed to rebuild still links to them."""
    for name, source in sorted(theme_assets(scratch).items()):
        destination = target / name
        if destination.is_file() and destination.read_bytes() == source.read_bytes():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(destination, source.read_bytes())  # a reader never sees half a file
    write_stamp(target, stamp)


def theme_assets(scratch: Path | None = None) -> dict[str, Path]:
    """The theme's static files under assets/ (Material's and ours), by path inside assets/:
    the same files MkDocs would copy into every handbook. `scratch`: a folder to work in (a
    build's work folder, which a killed build leaves where the next one removes it), else a
    temporary folder."""
    # The base config alone, with an empty docs folder: its own "docs" need not exist.
    with _collected_warnings(), _scratch_folder(scratch) as empty:
        Path(empty, "docs").mkdir()
        config = load_config(str(resource("mkdocs.yml")), docs_dir=f"{empty}/docs",
                             site_dir=f"{empty}/site")
        files = Files([])
        files.add_files_from_theme(config.theme.get_env(), config)
    return {file.src_uri[len(SHARED):]: Path(file.abs_src_path)
            for file in files if file.src_uri.startswith(SHARED)}


@contextlib.contextmanager
def _scratch_folder(scratch: Path | None):
    if scratch is None:
        with tempfile.TemporaryDirectory() as folder:
            yield folder
    else:
        folder = Path(tempfile.mkdtemp(prefix="theme-", dir=scratch)).resolve()
        yield str(folder)  # absolute: MkDocs reads a relative docs_dir from the config's folder


# --- MkDocs' log -----------------------------------------------------------------------------

def _failure_message(error: str, warnings: list[str]) -> str:
    # Strict mode ends with "Aborted with 1 warnings in strict mode!"; the warnings say why.
    sentences = [w if w.endswith((".", "!", "?")) else w + "." for w in dict.fromkeys(warnings)]
    details = " ".join(sentences) or error
    return f"MkDocs: {details}"


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


@contextlib.contextmanager
def _collected_warnings():
    """Keep MkDocs' and Markdown's log off the terminal; hand over their warnings instead."""
    collector = _Collector()
    saved = []
    for name in ("mkdocs", "MARKDOWN"):
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.setLevel(logging.WARNING)  # nothing below WARNING is even formatted
        logger.propagate = False
        logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(collector)
            logger.setLevel(level)
            logger.propagate = propagate
