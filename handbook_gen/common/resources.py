"""Where the files the generator ships beside its code live: one place that knows.

The repository keeps `docs_templates/`, `theme/` and `mkdocs.yml` at its top level. A wheel
carries them inside the package, under `handbook_gen/_resources/` (pyproject.toml maps them
there); an editable checkout has them one folder above the package. Both are found through
importlib.resources, so the rest of the code never guesses a path.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

SHIPPED = ("docs_templates", "theme", "mkdocs.yml")


class MissingResource(RuntimeError):
    """The installation is incomplete: a bug in packaging, never a problem of the input."""


@lru_cache(maxsize=None)
def resource(name: str) -> Path:
    """The path of `docs_templates`, `theme` or `mkdocs.yml`, installed or in a checkout."""
    if name not in SHIPPED:
        raise ValueError(f"not a shipped resource: {name!r}")
    package = Path(str(files("handbook_gen")))
    for candidate in (package / "_resources" / name, package.parent / name):
        if candidate.exists():
            return candidate
    raise MissingResource(f"{name} is missing from the installation (looked in {package})")


def package_dir() -> Path:
    """The folder of the handbook_gen package itself (its data files: schema, locale, starter)."""
    return Path(str(files("handbook_gen")))


def schema_path() -> Path:
    """The JSON Schema of the circle file: at the package's top, where editors point at it."""
    return package_dir() / "circle.schema.json"


def cache_dir(kind: str) -> Path:
    """Where the generator keeps what it may forget (history, holiday data): ~/.cache/handbook-gen."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "handbook-gen" / kind
