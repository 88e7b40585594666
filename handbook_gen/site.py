"""The site stage: one circle's Markdown pages -> a published, offline MkDocs handbook.

Each handbook is built in-process with MkDocs' Python API into a staging folder next to the
published one, and swapped in whole only when the build succeeded, so a failed build never
touches what readers already have. A hash of every input is stored in the built folder; when it
matches, the circle is not built again.

The per-circle MkDocs config is plain YAML that inherits the project's base mkdocs.yml
(`INHERIT:`), so another MkDocs-compatible builder could build the same folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections import defaultdict
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

import jinja2
import yaml

from . import pdf
from .i18n import catalog
from .resources import package_dir, resource

STAMP = ".handbook-gen.json"  # in each built handbook: the hash of the inputs it was built from
STAGING_SUFFIX = ".staging"  # work folders: .<circle-id>.<random>.staging inside the output folder
STAGING_MARK = ".handbook-gen-staging"  # in each work folder, locked while its build runs
# Code and packages whose change changes the HTML, so they are part of the inputs' hash.
CODE = ("site.py", "safe_markdown.py", "pdf.py")
INDEX_TEMPLATE = "site-index.html.j2"  # in docs_templates/
PACKAGES = ("handbook-gen", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions",
            "weasyprint")
CIRCLE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
LANGUAGES = ("nl", "en")


class SiteError(Exception):
    """A handbook could not be built; the message is meant for the user, without a traceback."""


# --- The handbook of one circle --------------------------------------------------------------

def build_handbook(circle_id: str, site_name: str, language: str, docs: dict[str, str | bytes],
                   nav: list, out_dir: Path) -> bool:
    """Build `out_dir/<circle_id>/`; True when built, False when skipped as unchanged.

    Raises SiteError when the build fails; the published folder is then left as it was.
    """
    _check_arguments(circle_id, language, docs)
    out_dir = Path(out_dir).resolve()  # MkDocs reads a relative site_dir from the config's folder
    target = out_dir / circle_id
    if out_dir.is_dir():
        _remove_stale_staging(out_dir, circle_id)
    digest = inputs_digest(circle_id, site_name, language, docs, nav)
    if _built_from(target) == digest:
        return False
    out_dir.mkdir(parents=True, exist_ok=True)
    # The work folder sits in out_dir, so the final renames stay on one file system.
    with tempfile.TemporaryDirectory(prefix=f".{circle_id}.", suffix=STAGING_SUFFIX, dir=out_dir) as work, \
            _staging_lock(Path(work)):
        work = Path(work)
        config_file = _write_sources(work, site_name, language, docs, nav)
        staging = work / "site"
        _run_mkdocs(config_file, staging)
        try:  # the PDFs, from the built pages
            pdf.write_pdfs(staging, _review_ids(docs), language)
        except pdf.PdfError as error:
            raise SiteError(str(error)) from None
        stamp = {"inputs": digest, "generator": f"handbook-gen {_version('handbook-gen')}"}
        (staging / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        _swap_in(staging, target, work / "old")
    return True


def _review_ids(docs: dict) -> list[str]:
    """The reviews that have a page (reviews/<id>.md), each of which gets a review-day pack."""
    return sorted(PurePosixPath(name).stem for name in docs
                  if PurePosixPath(name).parent.as_posix() == "reviews" and name.endswith(".md"))


@contextlib.contextmanager
def _staging_lock(work: Path):
    """Mark a work folder as a running build's: a lock that dies with the process, kill -9 too."""
    with open(work / STAGING_MARK, "wb") as mark:
        fcntl.flock(mark, fcntl.LOCK_EX)
        yield


def _remove_stale_staging(out_dir: Path, circle_id: str) -> None:
    """Work folders of this circle that a killed build left behind: nobody holds their lock
    (or it was killed before taking it). A build that still runs keeps its lock and its folder."""
    for work in out_dir.glob(f".{circle_id}.*{STAGING_SUFFIX}"):
        try:
            with open(work / STAGING_MARK, "rb") as mark:
                fcntl.flock(mark, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(work, ignore_errors=True)
        except FileNotFoundError:
            shutil.rmtree(work, ignore_errors=True)  # killed between making the folder and the mark
        except OSError:
            continue  # locked: a build that is still running


def _check_arguments(circle_id: str, language: str, docs: dict) -> None:
    # Validation guarantees these; checked again because they become paths on disk.
    if not CIRCLE_ID.fullmatch(circle_id):
        raise SiteError(f"not a valid circle id for a folder name: {circle_id!r}")
    if language not in LANGUAGES:
        raise SiteError(f"unknown language {language!r} (expected one of {', '.join(LANGUAGES)})")
    for name in docs:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts:
            raise SiteError(f"page path outside the handbook: {name!r}")


def inputs_digest(circle_id: str, site_name: str, language: str, docs: dict[str, str | bytes],
                  nav: list) -> str:
    """SHA-256 over everything the built handbook depends on."""
    sha = hashlib.sha256()
    header = {"id": circle_id, "site_name": site_name, "language": language, "nav": nav,
              "project": _project_fingerprint()}
    sha.update(json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for name in sorted(docs):
        content = docs[name]
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        sha.update(f"\0{name}\0{len(data)}\0".encode("utf-8"))
        sha.update(data)
    return sha.hexdigest()


def _project_fingerprint() -> str:
    """Hash of the base config, the theme, the site code and the versions of MkDocs & co.

    Not cached: a long-running `serve` must see theme edits; it is a few small files."""
    sha = hashlib.sha256()
    theme = resource("theme")
    files = [("mkdocs.yml", resource("mkdocs.yml"))]
    files += [(f"handbook_gen/{name}", package_dir() / name) for name in CODE]
    files += [(f"theme/{path.relative_to(theme).as_posix()}", path)
              for path in sorted(theme.rglob("*")) if path.is_file()]
    for name, path in files:
        sha.update(f"\0{name}\0".encode("utf-8"))
        sha.update(path.read_bytes())
    for package in PACKAGES:
        sha.update(f"\0{package}={_version(package)}".encode("utf-8"))
    return sha.hexdigest()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _built_from(target: Path) -> str | None:
    """The inputs' hash a published handbook was built from, or None."""
    try:
        return json.loads((target / STAMP).read_text(encoding="utf-8")).get("inputs")
    except (OSError, ValueError, AttributeError):
        return None


def _write_sources(work: Path, site_name: str, language: str, docs: dict, nav: list) -> Path:
    """The docs folder and a per-circle mkdocs.yml inheriting the base config; returns its path."""
    docs_dir = work / "docs"
    for name, content in sorted(docs.items()):
        path = docs_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="\n")
        else:
            path.write_bytes(content)
    config = {
        "INHERIT": str(resource("mkdocs.yml")),
        "site_name": site_name,
        "docs_dir": "docs",
        "nav": nav,
        # INHERIT merges the theme section; the custom_dir of the base config is relative to
        # the base file, which MkDocs would read relative to this file instead.
        "theme": {"name": "material", "custom_dir": str(resource("theme")), "language": language},
    }
    config_file = work / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    return config_file


def _run_mkdocs(config_file: Path, site_dir: Path) -> None:
    """Build with MkDocs' Python API, strict and quiet; any failure becomes a SiteError."""
    # Material prints an end-of-life banner unless this is set; the CLI output stays ours.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _collected_warnings() as warnings:
        try:
            config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
            build(config)
        except MkDocsException as error:
            raise SiteError(_failure_message(str(error), warnings)) from None
        except Exception as error:  # a plugin or extension crashed: still one clean line
            raise SiteError(_failure_message(f"{type(error).__name__}: {error}", warnings)) from None


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


def _swap_in(staging: Path, target: Path, old: Path) -> None:
    """Replace the published folder by the staging folder in one step where the system can
    (Linux: renameat2 RENAME_EXCHANGE), else rename the old one away and the new one in."""
    if target.exists() and _exchange(staging, target):
        return  # the old handbook is now in `staging`, removed with the work folder
    had_old = target.exists()
    if had_old:
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError as error:
        if had_old:
            os.replace(old, target)  # put the published handbook back
        raise SiteError(f"could not publish {target}: {error.strerror or error}") from None
    # `old` is removed with the work folder.


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    return done == 0


# --- The index of all circles ----------------------------------------------------------------

def write_index(circles, out_dir: Path) -> None:
    """`out_dir/index.html`: the circles grouped by board, each linking to its handbook.

    `circles` are objects or mappings with id, name, board, school_year ((2025, 2026) or
    "2025-2026") and year. Every value is HTML-escaped by the template (autoescape).
    """
    by_board: dict[str, list[dict]] = defaultdict(list)
    for circle in circles:
        item = {key: _field(circle, key) for key in ("id", "name", "board", "school_year", "year")}
        item["school_year"] = _school_year(item["school_year"])
        if not CIRCLE_ID.fullmatch(str(item["id"])):  # it becomes a link: no "javascript:"
            raise SiteError(f"not a valid circle id for a link: {item['id']!r}")
        by_board[str(item["board"])].append(item)
    boards = [(board, sorted(items, key=lambda c: (str(c["name"]).casefold(), c["id"])))
              for board, items in sorted(by_board.items(), key=lambda b: b[0].casefold())]
    texts = catalog("nl")  # the index is Dutch: the programme's own language
    year_labels = {key: texts.text(f"handbook.year.{key}") for key in ("build", "embed")}
    html = _index_template().render(boards=boards, year_labels=year_labels)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    temporary = out_dir / ".index.html.tmp"
    temporary.write_text(html, encoding="utf-8", newline="\n")
    os.replace(temporary, out_dir / "index.html")  # readers never see half a page


def _field(circle, key: str):
    return circle.get(key) if isinstance(circle, dict) else getattr(circle, key, None)


def _school_year(value) -> str:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return f"{value[0]}-{value[1]}"
    return "" if value is None else str(value)


@lru_cache(maxsize=1)
def _index_template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource("docs_templates"))),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template(INDEX_TEMPLATE)
