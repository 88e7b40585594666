"""The MkDocs 1.x Python API, run for one handbook, in-process, quiet and fast.

Used by the MkDocs engine and by the ProperDocs engine (ProperDocs continues MkDocs 1.x under the
same API; engine_properdocs.py makes `mkdocs` name it before this module is loaded). It only
renders: what makes the output a handbook runs afterwards, on the output (postprocess.py).

Many handbooks are built by one process, so what does not depend on the circle is done once per
process: Jinja's compiled theme templates (a bytecode cache; Jinja still checks each template's
source, so an edited template is compiled again) and the scan of the theme folders (keyed by the
project's fingerprint, so `serve` sees an edited theme).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import jinja2

# Material prints an end-of-life banner unless this is set; the CLI output stays ours.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
from mkdocs.commands.build import build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.exceptions import MkDocsException  # noqa: E402
from mkdocs.structure.files import Files  # noqa: E402

from handbook_gen.common.freshness import SHARED_FOLDER  # noqa: E402
from handbook_gen.common.output import is_write_error  # noqa: E402
from handbook_gen.common.resources import resource  # noqa: E402
from handbook_gen.common.errors import HandbookError

SHARED = f"{SHARED_FOLDER}/"  # theme files under this folder are the shared assets


class MkDocsError(HandbookError):
    """MkDocs refused or failed; the message says why, in one line."""


def run(config_file: Path, site_dir: Path, fingerprint: str) -> None:
    """Build with MkDocs' Python API, strict; any failure becomes an MkDocsError."""
    with _collected_warnings() as warnings:
        try:
            config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
            _tune(config, fingerprint)
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


def _tune(config, fingerprint: str) -> None:
    """Give this build the process's caches."""
    theme = config.theme
    make_env = theme.get_env
    listing = _theme_listing(tuple(theme.dirs), fingerprint)

    def get_env() -> jinja2.Environment:
        env = make_env()
        env.bytecode_cache = _BYTECODE
        # MkDocs lists the theme's static files through the environment; the answer is cached.
        env.list_templates = lambda extensions=None, filter_func=None: [
            name for name in listing if filter_func is None or filter_func(name)]
        return env

    theme.get_env = get_env  # this Theme object lives for this one build


# --- The theme assets every handbook would carry ---------------------------------------------

def theme_assets() -> dict[str, Path]:
    """The theme's static files under assets/ (Material's and ours), by path inside assets/:
    the same files MkDocs would copy into every handbook. (During a build the temporary folder
    is the build's own work folder: see output.private_temporary_folder.)"""
    # The base config alone, with an empty docs folder: its own "docs" need not exist.
    with _collected_warnings(), tempfile.TemporaryDirectory() as empty:
        Path(empty, "docs").mkdir()
        config = load_config(str(resource("mkdocs.yml")), docs_dir=f"{empty}/docs",
                             site_dir=f"{empty}/site")
        files = Files([])
        files.add_files_from_theme(config.theme.get_env(), config)
    return {file.src_uri[len(SHARED):]: Path(file.abs_src_path)
            for file in files if file.src_uri.startswith(SHARED)}


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
