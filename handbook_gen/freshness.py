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
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .git import last_commits
from .resources import package_dir, resource

# The libraries whose version can change a page, a calendar or a PDF.
PACKAGES = ("handbook-gen", "mkdocs", "mkdocs-material", "markdown", "pymdown-extensions",
            "jinja2", "markupsafe", "icalendar", "babel", "holidays", "segno", "pyyaml",
            "jsonschema")
RESOURCES = ("mkdocs.yml", "docs_templates", "theme")  # beside or inside the package
PACKAGE_FILES = ("*.py", "*.json", "*.yaml", "*.html", "*.md", "locale/**/*")


@dataclass(frozen=True)
class Settings:
    """The build settings that change what a handbook holds."""

    shared_assets: bool = True
    use_history: bool = True


def source_keys(files: list[Path], settings: Settings) -> dict[Path, str]:
    """The source key of each circle file (see the module's text)."""
    generator = generator_fingerprint()
    commits = last_commits(files) if settings.use_history else {}
    common = json.dumps({"generator": generator, "settings": settings.__dict__,
                         "epoch": os.environ.get("SOURCE_DATE_EPOCH", "").strip()}, sort_keys=True)
    keys = {}
    for path in files:
        sha = hashlib.sha256(common.encode("utf-8"))
        sha.update(f"\0{commits.get(path)}\0".encode("utf-8"))
        sha.update(path.read_bytes())
        keys[path] = sha.hexdigest()
    return keys


@lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """A hash of the generator's own files and its libraries' versions: a new release, an edited
    template or locale text, a new holiday data set all give a new fingerprint. Once per process
    (a `serve` session rebuilds from the rendered pages' hash instead, see site.inputs_digest)."""
    sha = hashlib.sha256()
    package = package_dir()
    files = {path for pattern in PACKAGE_FILES for path in package.glob(pattern) if path.is_file()}
    for name in RESOURCES:
        found = resource(name)
        files.update([found] if found.is_file() else (p for p in found.rglob("*") if p.is_file()))
    for path in sorted(files):
        sha.update(f"\0{path.name}\0".encode("utf-8"))
        sha.update(path.read_bytes())
    for name in PACKAGES:
        sha.update(f"\0{name}={_version(name)}".encode("utf-8"))
    return sha.hexdigest()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


# --- Stamps: what a folder was built from ----------------------------------------------------

STAMP = ".handbook-gen.json"  # in each built handbook, and in the shared assets folder


def read_stamp(folder: Path) -> dict:
    """The stamp a build left in `folder`; empty when there is none (or it cannot be read)."""
    try:
        found = json.loads((Path(folder) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_stamp(folder: Path, content: dict) -> None:
    temporary = Path(folder) / f"{STAMP}.tmp"
    temporary.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, Path(folder) / STAMP)
