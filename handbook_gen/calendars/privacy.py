"""The privacy check: files meant for a public host hold no one's e-mail address or phone number.

`handbook-gen privacy PATH...` runs in a board's CI before anything is published publicly (the
feeds folder at secret addresses, or a site). It reads the circle files to learn what to look
for: every e-mail address and phone number in them, and the people's names of circles that
leave names out of their public feeds (public_feed_names: false). Then it reads every file
under the paths, as text, and reports each place one of those appears, by line and column.

What a reader sees counts, not only the bytes: calendar files are unfolded first (RFC 5545
folds long lines, which can split an address), and HTML character references are decoded
(a handbook page writes '.' as '&#46;'). A name is also looked for in the file's path, in
every circle: an address like people/anna-de-vries.ics tells who takes part without any link.
The findings never repeat the value they found: CI logs are often readable by many.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from handbook_gen.calendars.feeds import (EMAIL, PHONE, _file_stem, known_emails, known_phones, person_names,
                        phone_digits)
from handbook_gen.circle.model import Circle

FOLDED = (".ics", ".ifb", ".vcf")  # line folding: CRLF + one space or tab goes away
MARKUP = (".html", ".htm", ".xml", ".svg", ".md")  # character references are decoded
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_FOLD = re.compile(r"\r?\n[ \t]")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int  # 1-based; 0: in the file's path
    column: int
    kind: str  # "email", "phone" or "name"
    circle: str  # the circle file the value comes from


@dataclass
class Known:
    """What to look for, each with the circle file it comes from."""

    emails: dict[str, str] = field(default_factory=dict)  # lower case
    phones: dict[str, str] = field(default_factory=dict)  # calendars.phone_digits
    names: dict[str, str] = field(default_factory=dict)  # from circles without names in public feeds
    all_names: dict[str, str] = field(default_factory=dict)  # every circle's: for paths

    @classmethod
    def of(cls, circles: Iterable[tuple[str, Circle]]) -> Known:
        known = cls()
        for source, circle in circles:
            for email in sorted(known_emails(circle)):
                known.emails.setdefault(email, source)
            for phone in sorted(known_phones(circle)):
                known.phones.setdefault(phone, source)
            for name in person_names(circle):
                known.all_names.setdefault(name, source)
                if not circle.public_feed_names:
                    known.names.setdefault(name, source)
        return known


def scan(paths: Iterable[Path], known: Known) -> list[Finding]:
    """Every finding in the files under `paths` (folders recursively), in path order."""
    findings = []
    for path, published in _files(paths):
        findings += _in_path(path, published, known)
        findings += scan_text(str(path), _read(path), known)
    return findings


def _files(paths: Iterable[Path]) -> dict[Path, str]:
    """Each file, with the part of its path a public host would show (below the folder named)."""
    found = {}
    for path in paths:
        if path.is_dir():
            for inside in sorted(p for p in path.rglob("*") if p.is_file()):
                found.setdefault(inside, inside.relative_to(path).as_posix())
        else:
            found.setdefault(path, path.name)
    return found.items()


def _read(path: Path) -> str:
    """The file as text; bytes that are not UTF-8 become U+FFFD, so the rest is still read."""
    return path.read_bytes().decode("utf-8", errors="replace")


def scan_text(name: str, text: str, known: Known) -> list[Finding]:
    """Findings in one file's text. Folded line breaks become NULs (the same length, so places
    stay right) that are left out of what is searched, with a map back to the real place."""
    suffix = Path(name).suffix.lower()
    unfolded = _FOLD.sub(lambda m: "\0" * len(m.group()), text) if suffix in FOLDED else text
    readable, where = _readable(unfolded, decode=suffix in MARKUP)
    lowered = readable.lower()
    hits = []
    for match in EMAIL.finditer(readable):
        source = known.emails.get(match.group().lower())
        if source:
            hits.append((match.start(), "email", source))
    for match in PHONE.finditer(readable):
        source = known.phones.get(phone_digits(match.group()))
        if source:
            hits.append((match.start(), "phone", source))
    for person, source in known.names.items():
        for match in _name_pattern(person).finditer(lowered):
            hits.append((match.start(), "name", source))
    findings = []
    for start, kind, source in sorted(set(hits)):
        line, column = _place(text, where[start])
        findings.append(Finding(name, line, column, kind, source))
    return findings


def _readable(text: str, decode: bool) -> tuple[str, list[int]]:
    """The text as a reader sees it (without folds, references decoded) and, for each of its
    characters, where it is in `text`."""
    out, where, position = [], [], 0
    pattern = _ENTITY if decode else None
    while position < len(text):
        char = text[position]
        if char == "\0":
            position += 1
            continue
        match = pattern.match(text, position) if pattern and char == "&" else None
        if match:
            decoded = html.unescape(match.group())
            out.append(decoded)
            where += [position] * len(decoded)
            position = match.end()
        else:
            out.append(char)
            where.append(position)
            position += 1
    where.append(len(text))
    return "".join(out), where


def _name_pattern(name: str) -> re.Pattern:
    parts = [re.escape(part.lower()) for part in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


def _place(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _in_path(path: Path, published: str, known: Known) -> list[Finding]:
    """A person's name (as a file name would spell it) or an e-mail address in the part of the
    path a host publishes: whole words only, so a random token never matches by chance."""
    words = re.split(r"[^a-z0-9]+", published.lower())
    joined = "-" + "-".join(words) + "-"
    findings = []
    for person, source in known.all_names.items():
        if f"-{_file_stem(person)}-" in joined:
            findings.append(Finding(str(path), 0, 0, "name", source))
    lowered = published.lower()
    for email, source in known.emails.items():
        if email in lowered:
            findings.append(Finding(str(path), 0, 0, "email", source))
    return findings
