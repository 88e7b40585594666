"""`handbook-gen init`: the files of a board's own repository, ready to push to GitHub or GitLab.

A board keeps its circle files in its own repository and installs the generator from a package;
this module decides what that repository holds. The files are Jinja2 templates in board/ with
their words in locale/<lang>/board.yaml. Nothing here prints: the command line reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from . import __version__
from .i18n import catalog
from .resources import package_dir
from .starter import SCHEMA_FILE, starter_text

DEFAULT_INSTALL = f"handbook-gen=={__version__}"
DEFAULT_CIRCLE = {"nl": "mijn-cirkel", "en": "my-circle"}  # the starter circle's id

# Files the generator owns: `init --update` rewrites them for the installed version. The others
# (the circle files, the README for coordinators) belong to the board once written.
OWNED = (SCHEMA_FILE, ".github/workflows/handbook.yml", ".gitlab-ci.yml",
         ".pre-commit-config.yaml", ".vscode/settings.json", ".vscode/extensions.json")


@dataclass(frozen=True)
class Written:
    path: Path
    outcome: str  # written, replaced, unchanged, or kept (it existed and was not to be replaced)


def repository_files(language: str, install: str, circle_id: str, today: date) -> dict[str, str]:
    """Relative path -> content of every file of a new board repository."""
    env = Environment(loader=FileSystemLoader(package_dir() / "board"), undefined=StrictUndefined,
                      keep_trailing_newline=True)
    words = {"t": catalog(language).get("board"), "install": install}

    def render(template: str) -> str:
        return env.get_template(template).render(**words)

    return {
        f"circles/{circle_id}.yaml": starter_text(circle_id, today, language, f"../{SCHEMA_FILE}"),
        "README.md": render(f"README.{language}.md"),
        SCHEMA_FILE: (package_dir() / "circle.schema.json").read_text(encoding="utf-8"),
        ".github/workflows/handbook.yml": render("github-workflow.yml"),
        ".gitlab-ci.yml": render("gitlab-ci.yml"),
        ".pre-commit-config.yaml": render("pre-commit-config.yaml"),
        ".vscode/settings.json": render("vscode-settings.json"),
        ".vscode/extensions.json": render("vscode-extensions.json"),
        ".gitignore": render("gitignore"),
    }


def write_repository(folder: Path, files: dict[str, str], *, force: bool = False,
                     update: bool = False) -> list[Written]:
    """Write the files into `folder`. An existing file is kept, unless `force` (every file) or
    `update` (only the files the generator owns; then new circle files are not added either)."""
    outcomes = []
    for name, content in files.items():
        path = folder / name
        if update and name not in OWNED:
            if not path.exists() and not name.startswith("circles/"):
                outcomes.append(_write(path, content, "written"))
            continue
        if path.exists() and path.read_text(encoding="utf-8", errors="replace") == content:
            outcomes.append(Written(path, "unchanged"))
            continue
        if path.exists() and not (force or update):
            outcomes.append(Written(path, "kept"))
            continue
        outcomes.append(_write(path, content, "replaced" if path.exists() else "written"))
    return outcomes


def _write(path: Path, content: str, outcome: str) -> Written:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")
    return Written(path, outcome)
