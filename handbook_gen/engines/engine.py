"""The seam between handbook-gen and the site engine that turns Markdown pages into HTML.

An engine renders one handbook: a per-circle config (plain `mkdocs.yml` that inherits the base
config) and its docs folder in, a folder of HTML and theme files out. Everything of our own that
makes that folder a handbook (compaction, shared assets, the search index for file://, the
generator line, PDFs) runs afterwards on the folder, whichever engine made it (postprocess.py,
pdf.py). One module per engine, loaded only when chosen: ProperDocs must be imported before
anything loads MkDocs, and an engine that is not installed must not break the others.
"""

from __future__ import annotations

import importlib
import importlib.util
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

from handbook_gen.common.errors import HandbookError

DEFAULT = "mkdocs"
ENGINES = ("mkdocs", "properdocs", "zensical")  # the choices of --engine
EXPERIMENTAL = ("zensical",)  # works for the examples; see docs/engines.md for what differs
EXTRAS = {"properdocs": "properdocs", "zensical": "zensical"}  # pip install 'handbook-gen[…]'


class EngineError(HandbookError):
    """The engine refused or failed, or is not installed; the message says why, in one line."""


class Engine(Protocol):
    name: str  # as on the command line
    version: str  # the engine's packages and versions, for the stamp: "mkdocs 1.6.1, mkdocs-material 9.8.2"
    generator: str  # the content of the pages' <meta name="generator">
    search_index: str  # where the engine writes the search index (JSON), inside the handbook

    def render(self, config_file: Path, site_dir: Path, cache_key: str) -> None:
        """Build `config_file` into `site_dir`, strict: a warning is an EngineError.
        `cache_key` changes when the theme or the site code does; an engine may cache by it."""

    def theme_assets(self) -> dict[str, Path]:
        """The theme files the engine writes under assets/, by path inside assets/: the same for
        every handbook, so they can be shared (see postprocess)."""


PACKAGES = {"mkdocs": "mkdocs", "properdocs": "properdocs", "zensical": "zensical"}  # to import


# The packages whose versions name an engine's output, in the form of Material's generator line.
GENERATOR_PACKAGES = {"mkdocs": ("mkdocs", "mkdocs-material"), "properdocs": ("properdocs", "mkdocs-material"),
                      "zensical": ("zensical",)}


def generator_line(name: str) -> str:
    """"mkdocs-1.6.1, mkdocs-material-9.8.2": from the installed packages, without loading them."""
    return ", ".join(f"{package}-{version(package)}" for package in GENERATOR_PACKAGES[name])


def version_line(name: str) -> str:
    """"mkdocs 1.6.1, mkdocs-material 9.8.2", for the stamp."""
    return ", ".join(f"{package} {version(package)}" for package in GENERATOR_PACKAGES[name])


def check_installed(name: str) -> None:
    """An EngineError when `name` is unknown or its package is missing; without loading it
    (a build that finds every handbook current never loads an engine)."""
    if name not in ENGINES:
        raise _unknown(name)
    if importlib.util.find_spec(PACKAGES[name]) is None:
        raise _not_installed(name, PACKAGES[name])


def _unknown(name: str) -> EngineError:
    known = ", ".join(ENGINES)
    return EngineError(f"unknown engine {name!r} (expected one of {known})", key="messages.cli.engine_unknown",
                       engine=name, known=known)


def _not_installed(name: str, reason: str) -> EngineError:
    """`reason`: the package that is missing."""
    install = f"pip install 'handbook-gen[{EXTRAS[name]}]'" if name in EXTRAS else "pip install handbook-gen"
    return EngineError(f"engine {name} is not installed ({reason}); install it with: {install}",
                       key="messages.cli.engine_missing", engine=name, reason=reason, install=install)


def get_engine(name: str = DEFAULT) -> Engine:
    """The engine called `name`; an EngineError when it is unknown or not installed."""
    if name not in ENGINES:
        raise _unknown(name)
    try:
        module = importlib.import_module(f".engine_{name}", __package__)
    except ImportError as error:
        raise _not_installed(name, error.name or PACKAGES[name]) from None
    return module.ENGINE
