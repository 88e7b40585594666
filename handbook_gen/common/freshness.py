"""Is a published handbook still what this build would make? Decided before any rendering.

A handbook is a function of its circle file's bytes, the generator (its code, templates, theme,
texts and the versions of the libraries that shape the output, the holiday data among them), the
build settings (SOURCE_DATE_EPOCH, shared or standalone assets, history or not) and, for the
calendars' SEQUENCE and DTSTAMP, where the file's git history stands. A hash of all of that is
the circle's *source key*, kept in the handbook's stamp; when it matches, the circle is neither
validated nor rendered again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from handbook_gen import __version__
from handbook_gen.engines import engine
from handbook_gen.changes.git import last_commits
from handbook_gen.common.files import write_atomically
from handbook_gen.common.resources import package_dir, resource
from handbook_gen.circle.source import source_bytes
from handbook_gen.common.reproducible import epoch_text

# The libraries whose version can change a page, a calendar or a PDF; those of the site stage.
SITE_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "weasyprint",
                 "pydyf", "properdocs", "zensical")  # the other engines: "unknown" when not installed
PACKAGES = (*SITE_PACKAGES, "markupsafe", "icalendar", "babel", "holidays", "segno", "pyyaml",
            "jsonschema", "anyascii")
RESOURCES = ("mkdocs.yml", "docs_templates", "theme")  # beside or inside the package
PACKAGE_FILES = ("**/*.py", "**/*.json", "**/*.yaml", "**/*.yml", "**/*.html", "**/*.md", "locale/**/*")
SITE_CODE = ("site/*.py", "site/*.html", "engines/*.py", "engines/*.html", "pdf/*.py")  # the site stage's code
SHARED_FOLDER = "assets"  # theme files under theme/assets/ are the shared assets

if TYPE_CHECKING:
    from handbook_gen.calendars.public_feeds import PublicFeeds


@dataclass(frozen=True)
class Settings:
    """The build settings that change what a handbook holds."""

    shared_assets: bool = True
    use_history: bool = True
    pdfs: bool = True  # the review-day packs and the forms PDF (most of a cold build's time)
    engine: str = engine.DEFAULT  # the site engine that renders the pages
    public_feeds: PublicFeeds | None = None  # the feeds at secret addresses (HANDBOOK_FEED_SECRET)

    def key_data(self) -> dict:
        """The settings as the source key holds them: of the public feeds a fingerprint, never
        the secret."""
        data = dict(self.__dict__)
        data["public_feeds"] = self.public_feeds.fingerprint() if self.public_feeds else None
        return data


def source_keys(files: list[Path], settings: Settings) -> dict[Path, str]:
    """The source key of each circle file (see the module's text)."""
    generator = generator_fingerprint()
    commits = last_commits(files) if settings.use_history else {}
    common = json.dumps({"generator": generator, "settings": settings.key_data(),
                         "epoch": epoch_text()}, sort_keys=True)
    keys = {}
    for path in files:
        sha = hashlib.sha256(common.encode("utf-8"))
        sha.update(f"\0{commits.get(path)}\0".encode("utf-8"))
        sha.update(source_bytes(path))  # never hangs on a FIFO, never reads past 1 MiB
        keys[path] = sha.hexdigest()
    return keys


@lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """A hash of the generator's own files and its libraries' versions: a new release, an edited
    template or locale text, a new holiday data set all give a new fingerprint."""
    package = package_dir()
    files = [path for pattern in PACKAGE_FILES for path in package.glob(pattern)]
    for name in RESOURCES:
        found = resource(name)
        files += [found] if found.is_file() else found.rglob("*")
    return _fingerprint(files, PACKAGES, __version__)


def site_fingerprint(shared_assets: bool) -> str:
    """A hash of what turns rendered pages into a handbook (the site stage): the base config,
    the theme, the site code, MkDocs & co. Shared assets are left out where a handbook does not
    carry them: an edited stylesheet then updates the shared copy, not every handbook.
    Not cached: a long-running `serve` sees an edited theme."""
    theme = resource("theme")
    files = [resource("mkdocs.yml"), *(path for pattern in SITE_CODE for path in package_dir().glob(pattern))]
    files += resource("docs_templates").joinpath("book").glob("*")  # the book's cover and style
    files += [path for path in theme.rglob("*")
              if not (shared_assets and path.relative_to(theme).parts[0] == SHARED_FOLDER)]
    return _fingerprint(files, SITE_PACKAGES, __version__)  # the version is in the stamp


def _fingerprint(files, packages, generator_version: str) -> str:
    sha = hashlib.sha256(generator_version.encode("utf-8"))
    for path in sorted(path for path in files if path.is_file()):
        sha.update(f"\0{path.name}\0".encode("utf-8"))
        sha.update(path.read_bytes())
    for name in packages:
        sha.update(f"\0{name}={_version(name)}".encode("utf-8"))
    return sha.hexdigest()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


# --- Stamps: what a folder was built from ----------------------------------------------------

STAMP = ".handbook-gen.json"  # in each built handbook, and in the shared assets folder


STAMP_TYPES = {"inputs": str, "about": dict, "generator": str, "pdfs": dict}


def read_stamp(folder: Path) -> dict:
    """The stamp a build left in `folder`; empty when there is none (or it cannot be read).
    A damaged stamp is as good as none: fields of the wrong type are left out (a rebuild)."""
    try:
        found = json.loads((Path(folder) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return {}
    if not isinstance(found, dict):
        return {}
    return {name: value for name, value in found.items()
            if isinstance(value, STAMP_TYPES.get(name, object))}


def write_stamp(folder: Path, content: dict) -> None:

    text = json.dumps(content, indent=2, sort_keys=True) + "\n"
    write_atomically(Path(folder) / STAMP, text.encode("utf-8"))
