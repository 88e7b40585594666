"""The default engine: MkDocs 1.6 with Material for MkDocs 9.8 (see engine.py, docs/engines.md)."""

from __future__ import annotations

from pathlib import Path

from handbook_gen.engines import mkdocs_run
from handbook_gen.engines.engine import EngineError, generator_line, version_line


class MkDocsEngine:
    """MkDocs' Python API, through mkdocs_run (ProperDocs provides the same API)."""

    search_index = "search/search_index.json"

    def __init__(self, name: str):
        self.name = name
        self.version = version_line(name)
        self.generator = generator_line(name)

    def render(self, config_file: Path, site_dir: Path, cache_key: str) -> None:
        try:
            mkdocs_run.run(config_file, site_dir, cache_key)
        except mkdocs_run.MkDocsError as error:
            raise EngineError(str(error)) from None

    def theme_assets(self) -> dict[str, Path]:
        return mkdocs_run.theme_assets()


ENGINE = MkDocsEngine("mkdocs")
