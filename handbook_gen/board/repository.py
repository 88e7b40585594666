"""`handbook-gen init`: the files of a board's own repository, ready to push to GitHub or GitLab.

A board keeps its circle files in its own repository and installs the generator from a package;
this module decides what that repository holds. The files are Jinja2 templates in board/ with
their words in locale/<lang>/board.yaml. Nothing here prints: the command line reports.

`init` also writes a record (.handbook-gen/init.json): the version, language and install spec it
used and a hash of every file it wrote. `init --update` reads it to tell which files the board
has edited since: the README is replaced only when it is still what init wrote.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path


from handbook_gen import __version__
from handbook_gen.common.i18n import catalog
from handbook_gen.common.resources import package_dir, schema_path
from handbook_gen.circle.starter import SCHEMA_FILE, starter_text
from handbook_gen.common import templating

DEFAULT_INSTALL = f"handbook-gen=={__version__}"
DEFAULT_CIRCLE = {"nl": "mijn-cirkel", "en": "my-circle"}  # the starter circle's id
RECORD_FILE = ".handbook-gen/init.json"
README = "README.md"
README_NEW = "README.handbook-gen.md"  # the new README beside a README the board has edited
GITIGNORE = ".gitignore"

# Files the generator owns: `init --update` rewrites them for the installed version. The others
# (the circle files, the README for coordinators) belong to the board once written.
OWNED = (SCHEMA_FILE, ".github/workflows/handbook.yml", ".gitlab-ci.yml",
         ".pre-commit-config.yaml", ".vscode/settings.json", ".vscode/extensions.json")


@dataclass(frozen=True)
class Written:
    path: Path
    outcome: str  # written, replaced, unchanged, kept, or readme_beside (see cli's init.* texts)
    changes: tuple[str, ...] = ()  # for `replaced` by --update: what changed, in a few words


def repository_files(language: str, install: str, circle_id: str, today: date) -> dict[str, str]:
    """Relative path -> content of every file of a new board repository."""
    env = templating.environment(package_dir() / "board", html=False, keep_trailing_newline=True)
    words = {"t": catalog(language).get("board"), "install": install}

    def render(template: str) -> str:
        return env.get_template(template).render(**words)

    return {
        f"circles/{circle_id}.yaml": starter_text(circle_id, today, language, f"../{SCHEMA_FILE}"),
        README: render(f"README.{language}.md"),
        SCHEMA_FILE: schema_path().read_text(encoding="utf-8"),
        ".github/workflows/handbook.yml": render("github-workflow.yml"),
        ".gitlab-ci.yml": render("gitlab-ci.yml"),
        ".pre-commit-config.yaml": render("pre-commit-config.yaml"),
        ".vscode/settings.json": render("vscode-settings.json"),
        ".vscode/extensions.json": render("vscode-extensions.json"),
        GITIGNORE: render("gitignore"),
    }


def read_record(folder: Path) -> dict:
    """What the last `init` wrote into `folder`; empty for a repository from before the record."""
    try:
        record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def install_for_update(record: dict) -> str:
    """Keep a board's own install spec (a git URL, a wheel); a plain pin moves to this version."""
    install = record.get("install")
    if isinstance(install, str) and install and not re.fullmatch(r"handbook-gen==[\w.+!-]+", install):
        return install
    return DEFAULT_INSTALL


def write_repository(folder: Path, files: dict[str, str], *, language: str, install: str,
                     force: bool = False, update: bool = False) -> list[Written]:
    """Write the files into `folder`. An existing file is kept, unless `force` (every file) or
    `update` (the files the generator owns; the README only when the board has not edited it;
    .gitignore gains the lines it lacks; circle files are neither changed nor added)."""
    record = read_record(folder)
    written_hashes = dict(record.get("files", {})) if isinstance(record.get("files"), dict) else {}
    outcomes = []
    for name, content in files.items():
        path = folder / name
        if update and name.startswith("circles/"):
            continue
        if update and name == README and path.exists():
            outcome = _update_readme(folder, content, written_hashes.get(README))
        elif update and name == GITIGNORE and path.exists():
            outcome = _update_gitignore(path, content)
        elif path.exists() and _read(path) == content:
            outcome = Written(path, "unchanged")
        elif path.exists() and not (force or (update and name in OWNED)):
            outcome = Written(path, "kept")
        else:
            old = _read(path) if path.exists() else None
            outcome = _write(path, content, "replaced" if old is not None else "written",
                             describe_changes(old, content) if old is not None and update else ())
        outcomes.append(outcome)
        if outcome.outcome in ("written", "replaced", "unchanged") and not name.startswith("circles/"):
            written_hashes[name] = digest(content)
    _write_record(folder, language, install, written_hashes)
    return outcomes


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _update_readme(folder: Path, content: str, written_hash: str | None) -> Written:
    path = folder / README
    current = _read(path)
    if current == content:
        return Written(path, "unchanged")
    if written_hash is not None and digest(current) == written_hash:
        return _write(path, content, "replaced")
    # Edited by the board (or written before init kept a record): the new one goes beside it.
    return _write(folder / README_NEW, content, "readme_beside")


def _update_gitignore(path: Path, content: str) -> Written:
    """The board's own lines stay; the template's lines that are missing are added at the end."""
    current = _read(path)
    present = {line.strip() for line in current.splitlines()}
    missing = [line for line in content.splitlines()
               if line.strip() and not line.startswith("#") and line.strip() not in present]
    if not missing:
        return Written(path, "unchanged")
    text = current if current.endswith("\n") or not current else current + "\n"
    return _write(path, text + "\n".join(missing) + "\n", "replaced", tuple(f"+ {line}" for line in missing))


ACTION = re.compile(r"uses:\s*([\w.-]+/[\w./-]+)@([\w.-]+)")
PIN = re.compile(r"handbook-gen==([\w.+!-]+)")


def describe_changes(old: str, new: str) -> tuple[str, ...]:
    """What an update changed, in words a board's ICT person reads at a glance: the actions'
    versions, the pinned handbook-gen version, a schema's version, else the lines changed."""
    changes = []
    old_actions = dict(ACTION.findall(old))
    for action, version in dict(ACTION.findall(new)).items():
        if old_actions.get(action, version) != version:
            changes.append(f"{action} {old_actions[action]} → {version}")
    old_pins, new_pins = set(PIN.findall(old)), set(PIN.findall(new))
    if old_pins and new_pins and old_pins != new_pins:
        changes.append(f"handbook-gen {', '.join(sorted(old_pins))} → {', '.join(sorted(new_pins))}")
    old_lines, new_lines = old.splitlines(), new.splitlines()
    added = len(set(new_lines) - set(old_lines))
    removed = len(set(old_lines) - set(new_lines))
    if added or removed:
        changes.append(f"+{added} −{removed}")
    return tuple(changes)


def _write_record(folder: Path, language: str, install: str, hashes: dict[str, str]) -> None:
    record = {"version": __version__, "language": language, "install": install,
              "files": dict(sorted(hashes.items()))}
    path = folder / RECORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _write(path: Path, content: str, outcome: str, changes: tuple[str, ...] = ()) -> Written:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")
    return Written(path, outcome, changes)
