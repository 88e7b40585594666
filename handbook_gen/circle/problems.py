"""Problems are data: every stage returns them, only the command line prints them.

The checks name the part of the circle a problem concerns by its path, ('reviews', 2, 'date');
validate has source place each one at its file, line and column (source.Document.place).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handbook_gen.common.i18n import Catalog

ERROR = "error"
WARNING = "warning"


def printable(text: str) -> str:
    """Text with every character a terminal would not show as itself (a control character, a lone
    surrogate, an invisible format mark) written as an escape, as Python's repr does: '\\x1b'."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in " \n" else ascii(ch)[1:-1] for ch in text)


def one_line(value) -> str:
    """Any text put into a message: YAML's words for booleans, never a line break, and only
    characters that show as themselves (see printable)."""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    lines = printable(text).split("\n")
    if len(lines) == 1:
        return lines[0]
    return " ⏎ ".join(line.strip() for line in lines if line.strip()) or "⏎"


def format_path(path: tuple) -> str:
    """('schools', 2, 'peer_reviewers') -> 'schools[2].peer_reviewers'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{one_line(part)}" if text else one_line(part))
    return text


class Term(str):
    """A message parameter that is itself translated: Term("types.array") -> "een lijst"."""


@dataclass(frozen=True)
class Line:
    """A message parameter that is the line of another part of the file: placed with the problem."""

    path: tuple


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR or WARNING
    code: str  # a key under `messages` in the locale files
    file: str = ""  # file, line, col: a check's problem gets them where it is placed; the reader's has them
    line: int | None = None
    col: int | None = None
    path: tuple = ()  # the part of the circle it concerns, and the one shown
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # Placed at this key (a path) rather than at the value of `path`: a key unknown, empty or missing.
    key: tuple | None = field(default=None, compare=False, hash=False)

    @property
    def where(self) -> str:
        return format_path(self.path)

    def text(self, catalog: Catalog) -> str:
        """The message itself, in the catalog's language: what is wrong and what to do."""
        params = {key: catalog.message(f"terms.{value}") if isinstance(value, Term) else one_line(value)
                  for key, value in self.params.items()}
        return catalog.message(self.code, **params)

    def location(self) -> str:
        parts = [printable(self.file)] + [str(n) for n in (self.line, self.col) if n is not None]
        return ":".join(parts)

    def render(self, catalog: Catalog) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.location()}: {self.severity}: {where}{self.text(catalog)}"

    def to_data(self) -> dict:
        """As JSON data (a handbook's stamp keeps its circle's warnings); see from_data."""
        params = {key: {"term": str(value)} if isinstance(value, Term) else value
                  if isinstance(value, (bool, int, float)) else str(value)
                  for key, value in self.params.items()}
        return {"severity": self.severity, "code": self.code, "file": self.file, "line": self.line,
                "col": self.col, "path": list(self.path), "params": params}

    @classmethod
    def from_data(cls, data: dict) -> Problem:
        params = {key: Term(value["term"]) if isinstance(value, dict) else value
                  for key, value in data["params"].items()}
        return cls(data["severity"], data["code"], data["file"], data["line"], data["col"],
                   tuple(data["path"]), params)

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.col or 0, self.severity, self.code)
