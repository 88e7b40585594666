"""The default engine: MkDocs 1.6 with Material for MkDocs 9.8 (see engine.py, docs/engines.md)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from . import mkdocs_run
from .engine import EngineError


class MkDocsEngine:
    """MkDocs' Python API, through mkdocs_run; `package` is the distribution that provides it."""

    search_index = "search/search_index.json"

    def __init__(self, name: str, package: str):
        self.name = name
        theme = version("mkdocs-material")
        self.version = f"{package} {version(package)}, mkdocs-material {theme}"
        self.generator = f"{package}-{version(package)}, mkdocs-material-{theme}"

    def render(self, config_file: Path, site_dir: Path, cache_key: str) -> None:
        try:
            mkdocs_run.run(config_file, site_dir, cache_key)
        except mkdocs_run.MkDocsError as error:
            raise EngineError(str(error)) from None

    def theme_assets(self) -> dict[str, Path]:
        return mkdocs_run.theme_assets()


ENGINE = MkDocsEngine("mkdocs", "mkdocs")
