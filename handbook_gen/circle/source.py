"""Read a circle file: safe YAML with YAML 1.2 meaning, and the line/column of every key and value
(where the checks' problems are placed: Document.place).

PyYAML resolves plain scalars by YAML 1.1 (`15:30` is 930, `no` is False). We only use its parser
and build the data from the parser's events ourselves, resolving scalars by the YAML 1.2 core
schema. That also lets us refuse what a circle file never needs: tags, duplicate keys, several
documents, alias bombs and deep nesting.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from handbook_gen.circle.problems import ERROR, Line, Problem, Term, printable
from handbook_gen.common.errors import HandbookError

MAX_BYTES = 1024 * 1024
MAX_NODES = 10_000
MAX_DEPTH = 50

# YAML 1.2 core schema, for plain (unquoted) scalars only.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")


def resolve_plain(text: str) -> Any:
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    try:
        if _INT.match(text):
            return int(text)
        if _OCT.match(text):
            return int(text[2:], 8)
        if _HEX.match(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts (4300): no number a circle needs
        return text
    if _FLOAT.match(text):
        return float(text)
    return text


Position = tuple[int, int]  # 1-based line and column


@dataclass
class Positions:
    """Where each part of the document stands, by path: ('schools', 0, 'name')."""

    values: dict[tuple, Position] = field(default_factory=dict)
    keys: dict[tuple, Position] = field(default_factory=dict)

    def of_value(self, path: tuple) -> Position:
        """The value at path, else the nearest part above it that has a position."""
        return self._nearest(self.values, tuple(path))

    def of_key(self, path: tuple) -> Position:
        """The key that holds path (for a list item: the item itself)."""
        path = tuple(path)
        if path in self.keys:
            return self.keys[path]
        return self._nearest(self.values, path)

    @staticmethod
    def _nearest(table: dict, path: tuple) -> Position:
        while path and path not in table:
            path = path[:-1]
        return table.get(path, (1, 1))


@dataclass
class Document:
    file: str
    data: Any
    positions: Positions

    def place(self, problem: Problem) -> Problem:
        """A check's problem in this file, at the line and column of the part its path names;
        its Line parameters become line numbers. The one place that turns paths into positions."""
        positions = self.positions
        line, col = (positions.of_value(problem.path) if problem.key is None
                     else positions.of_key(problem.key))
        params = {name: positions.of_value(value.path)[0] if isinstance(value, Line) else value
                  for name, value in problem.params.items()}
        return replace(problem, file=self.file, line=line, col=col, params=params)


class SourceError(HandbookError):
    """Internal: carries one Problem out of the event walk."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


def display_name(path: Path) -> str:
    """The file as the user named it: relative to the working directory where possible (a
    symbolic link by its own name, not its target's)."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read(path: Path) -> tuple[Document | None, list[Problem]]:
    """Read one circle file; a document, or the one problem that stopped the reading."""
    name = display_name(path)
    try:
        raw = load(path, name)
    except SourceError as error:
        return None, [error.problem]
    return read_bytes(raw, name)


def read_bytes(raw: bytes, name: str) -> tuple[Document | None, list[Problem]]:
    """Read a circle file's content that is not a file on disk (an older version from git)."""
    try:
        return parse_text(decode(raw, name), name), []
    except SourceError as error:
        return None, [error.problem]


def load(path: Path, name: str) -> bytes:
    """The file's bytes, up to one more than a circle file may have. Only a regular file: a FIFO
    or a device would hang or never end. A symbolic link only to a file in its own folder: a link
    in circles/ must not carry any file of the machine into a handbook."""
    check_link(path, name)
    try:
        # Non-blocking: a FIFO opens at once instead of waiting for a writer, and is refused below.
        handle = os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb")
    except OSError as error:
        raise SourceError(Problem(ERROR, "file.unreadable", name, params={"reason": error.strerror}))
    with handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise SourceError(Problem(ERROR, "file.not_regular", name))
        try:
            return handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise SourceError(Problem(ERROR, "file.unreadable", name, params={"reason": error.strerror}))


def check_link(path: Path, name: str) -> None:
    if not path.is_symlink():
        return
    target = path.resolve()
    if not target.is_relative_to(path.absolute().parent.resolve()):
        raise SourceError(Problem(ERROR, "file.link_outside", name, params={"target": str(target)}))


def source_bytes(path: Path) -> bytes:
    """The bytes a build's source key hashes: what `load` reads, or nothing where it refuses the
    file (reading it for the circle then says why)."""
    try:
        return load(path, str(path))
    except SourceError:
        return b""


def decode(raw: bytes, name: str) -> str:
    if len(raw) > MAX_BYTES:
        raise SourceError(Problem(ERROR, "file.too_large", name, params={"limit": "1 MiB"}))
    # NUL bytes throughout (an image, UTF-16) mean it is no text; one pasted into a value is a
    # control character in a text, which check_characters points at.
    if raw.count(b"\0") > MAX_PASTED_NULS:
        raise SourceError(Problem(ERROR, "file.binary", name))
    try:
        return _unix_lines(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        if b"\0" in raw:
            raise SourceError(Problem(ERROR, "file.binary", name))
        line = raw[: error.start].count(b"\n") + 1
        raise SourceError(Problem(ERROR, "file.not_utf8", name, params={"line": line}))


def _unix_lines(text: str) -> str:
    """CR LF and a lone CR (old Mac editors) as LF: YAML reads all three as a line break, and so
    do our own line counts then."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


MAX_PASTED_NULS = 3
# What YAML cannot hold (its printable set, YAML 1.1 5.1): control characters but tab and line breaks.
_UNPRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def check_characters(text: str, name: str) -> None:
    """An invisible control character (often pasted from another program), at its line and column."""
    found = _UNPRINTABLE.search(text)
    if found:
        before = text[: found.start()]
        line = before.count("\n") + 1
        col = found.start() - (before.rfind("\n") + 1) + 1
        raise SourceError(Problem(ERROR, "file.control_character", name, line, col,
                                  params={"code": f"U+{ord(found.group()):04X}"}))


def has_content(text: str) -> bool:
    """Anything but white space and comments (line by line: linear on any text)."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def parse_text(text: str, name: str) -> Document:
    if not has_content(text):
        raise SourceError(Problem(ERROR, "file.empty", name))
    check_characters(text, name)
    check_tabs(text, name)
    builder = _Builder(name, text)
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            builder.feed(event)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        reason = error.problem or error.context or "?"
        raise SourceError(Problem(ERROR, "yaml.syntax", name, line, col,
                                  params={"reason": reason, "hint": syntax_hint(error)}))
    except yaml.YAMLError as error:  # pragma: no cover - check_characters catches the reader's
        raise SourceError(Problem(ERROR, "yaml.syntax", name, params={
            "reason": str(error), "hint": Term("yaml_hints.other")}))
    if not isinstance(builder.root, dict):
        line, col = builder.root_position
        raise SourceError(Problem(ERROR, "yaml.not_mapping", name, line, col))
    return Document(name, builder.root, builder.positions)


# PyYAML's reasons are English and technical: each common one gets a hint in the user's words.
_SYNTAX_HINTS = (
    ("found character '\\t'", "tab"),
    ("mapping values are not allowed", "colon"),
    ("could not find expected ':'", "missing_colon"),
    ("while scanning a quoted scalar", "quote"),
    ("while parsing a flow", "bracket"),
    ("cannot start any token", "character"),
    ("expected <block end>", "indentation"),
)


def syntax_hint(error: yaml.MarkedYAMLError) -> Term:
    said = f"{error.context or ''} {error.problem or ''}"
    code = next((code for text, code in _SYNTAX_HINTS if text in said), "other")
    return Term(f"yaml_hints.{code}")


def shown_tag(tag: str) -> str:
    """The tag as it was written: tag:yaml.org,2002:python/object -> !!python/object."""
    return "!!" + tag[len(_CORE_TAG):] if tag.startswith(_CORE_TAG) else tag


_CORE_TAG = "tag:yaml.org,2002:"


def check_tabs(text: str, name: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = re.match(r"[ \t]*", line).group()
        if "\t" in indent and line.strip():
            raise SourceError(Problem(ERROR, "yaml.tab", name, number, indent.index("\t") + 1))


# After decoding: what no text of a circle needs (C0 but tab and line breaks, DEL, C1), what
# cannot be written as UTF-8 (a lone surrogate) and the two non-characters.
_NOT_TEXT = re.compile("[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uD800-\uDFFF\uFFFE\uFFFF]")
_SURROGATE = re.compile("[\uD800-\uDFFF]")
# A double-quoted scalar's escapes, each read once: so '\\0' is a backslash and a 0, no NUL.
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_NAMED_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "v": "\v", "f": "\f",
                  "N": "\x85", "t": "\t", "n": "\n", "r": "\r"}


def _unescape(escape: str) -> str:
    if escape[1] in "xuU" and len(escape) > 2:
        return chr(int(escape[2:], 16)) if int(escape[2:], 16) <= 0x10FFFF else ""
    return _NAMED_ESCAPES.get(escape[1], "")


class _Builder:
    """Turns parser events into plain data, recording positions and refusing unsafe YAML."""

    def __init__(self, name: str, text: str = ""):
        self.name = name
        self.text = text  # the source, to point at an escape that wrote a control character
        self.positions = Positions()
        self.stack: list[dict] = []  # open collections: {"value", "path", "key"}
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, node count)
        self.nodes = 0
        self.documents = 0
        self.root: Any = None
        self.root_position: Position = (1, 1)

    def fail(self, code: str, mark, **params) -> None:
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SourceError(Problem(ERROR, code, self.name, line, col, params=params))

    def feed(self, event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail("yaml.several_documents", event.start_mark)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self.check_node(event)
            if len(self.stack) >= MAX_DEPTH:
                self.fail("yaml.too_deep", event.start_mark, limit=MAX_DEPTH)
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
            path = self.place(value, event.start_mark, weight=1)
            self.stack.append({"value": value, "path": path, "key": None, "anchor": event.anchor,
                               "count": self.nodes})
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame["anchor"]:
                self.anchors[frame["anchor"]] = (frame["value"], self.nodes - frame["count"] + 1)
        elif isinstance(event, yaml.ScalarEvent):
            self.check_node(event)
            self.scalar(event)
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:  # an alias before (or inside) its anchor
                self.fail("yaml.unknown_alias", event.start_mark, alias=event.anchor)
            value, weight = self.anchors[event.anchor]
            self.place(value, event.start_mark, weight)

    def check_node(self, event) -> None:
        if event.tag is not None and event.tag != "!":
            self.fail("yaml.tag", event.start_mark, tag=shown_tag(event.tag))

    def decoded(self, event) -> str:
        """A scalar's text as YAML decoded it: escaped surrogate pairs ("\\ud83d\\ude00") joined
        into their character; a control character or a lone surrogate an escape wrote is refused."""
        value = event.value
        if _SURROGATE.search(value):
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        found = _NOT_TEXT.search(value)
        if found:
            line, col, escape = self.escape_of(event, found.group())
            code = "yaml.lone_surrogate" if _SURROGATE.match(found.group()) else "yaml.escaped_control"
            raise SourceError(Problem(ERROR, code, self.name, line, col,
                                      params={"code": f"U+{ord(found.group()):04X}", "escape": escape}))
        return value

    def escape_of(self, event, char: str) -> tuple[int, int, str]:
        """Where the escape that wrote `char` stands (else the scalar itself), and how it reads."""
        start, end = event.start_mark.index, event.end_mark.index
        for match in _ESCAPE.finditer(self.text, start, end):
            if _unescape(match.group()) == char:
                before = self.text[:match.start()]
                line = before.count("\n") + 1
                return line, match.start() - (before.rfind("\n") + 1) + 1, match.group()
        return event.start_mark.line + 1, event.start_mark.column + 1, printable(char)

    def scalar(self, event) -> None:
        event.value = self.decoded(event)
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame["value"], dict) and frame["key"] is None:
            self.key(frame, event)
            return
        value = resolve_plain(event.value) if event.style is None else event.value
        self.place(value, event.start_mark, weight=1)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)

    def key(self, frame: dict, event) -> None:
        key = event.value  # decoded and checked by scalar()
        mapping = frame["value"]
        path = frame["path"] + (key,)
        if key in mapping:
            first_line = self.positions.keys[path][0]
            self.fail("yaml.duplicate_key", event.start_mark, key=key, first_line=first_line)
        self.positions.keys[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
        frame["key"] = key

    def place(self, value: Any, mark, weight: int) -> tuple:
        """Put a value into the open collection (or make it the root); returns its path."""
        self.nodes += weight
        if self.nodes > MAX_NODES:
            self.fail("yaml.too_many_nodes", mark, limit=MAX_NODES)
        position = (mark.line + 1, mark.column + 1)
        if not self.stack:
            self.root, self.root_position = value, position
            path: tuple = ()
        else:
            frame = self.stack[-1]
            container = frame["value"]
            if isinstance(container, list):
                path = frame["path"] + (len(container),)
                container.append(value)
            elif frame["key"] is None:  # a mapping or a list used as a key
                self.fail("yaml.complex_key", mark)
            else:
                path = frame["path"] + (frame["key"],)
                container[frame["key"]] = value
                frame["key"] = None
        self.positions.values.setdefault(path, position)
        return path
