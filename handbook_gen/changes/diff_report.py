"""What `handbook-gen diff` found, in words: text for a terminal, Markdown for a pull request
(a heading per circle and a bullet per change), JSON for other tools. Returns text; cli.py prints it.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import date, time

from handbook_gen.changes.diff import Change, Place, Roles, Venue, Word
from handbook_gen.common.i18n import Catalog, catalog
from handbook_gen.circle.model import Moment
from handbook_gen.circle.problems import Problem, one_line
from handbook_gen.changes.versions import Pair

Group = tuple[Pair, list[Change]]  # one circle file and what changes in it


def describe(change: Change, texts: Catalog) -> str:
    """One change as a line in the catalog's language."""
    return texts.text(f"diff.changes.{change.kind}", label=_shown(change.label, texts),
                      old=_shown(change.old, texts), new=_shown(change.new, texts))


def _shown(value, texts: Catalog) -> str:
    if isinstance(value, Word):
        return texts.text(f"diff.{value}")
    if value is None or value == ():
        return texts.text("diff.nothing")
    if isinstance(value, Roles):
        return texts.series([texts.text(f"calendars.roles.{role}") for role in value])
    if isinstance(value, Place):
        return texts.text("diff.place", role=texts.text(f"diff.roles.{value.role}"), school=value.school)
    if isinstance(value, tuple):
        return texts.series([_shown(item, texts) for item in value])
    if isinstance(value, Moment):
        day = texts.long_date(value.date)
        return f"{day} {texts.clock(value.start)}" if value.start else day
    if isinstance(value, Venue):
        return _venue(value, texts)
    if isinstance(value, time):
        return texts.clock(value)
    if isinstance(value, Problem):
        return value.text(texts)
    return one_line(value)


def _venue(venue: Venue, texts: Catalog) -> str:
    parts = [venue.location] if venue.location else []
    if venue.online:
        online = texts.text("diff.online")
        parts.append(f"{online}: {venue.url}" if venue.url else online)
    return ", ".join(parts) or texts.text("diff.nothing")


def _language(pair: Pair, language: str | None) -> str:
    return language or (pair.new or pair.old).circle.language


def _heading(pair: Pair, texts: Catalog) -> str:
    return texts.text("diff.heading", name=(pair.new or pair.old).circle.name, file=pair.file)


def text(groups: list[Group], language: str | None) -> str:
    if not groups:
        return catalog(language).text("diff.no_changes")
    blocks = []
    for pair, changes in groups:
        texts = catalog(_language(pair, language))
        lines = [describe(change, texts) for change in changes] or [texts.text("diff.no_changes")]
        blocks.append("\n".join([_heading(pair, texts)] + [f"  {line}" for line in lines]))
    return "\n\n".join(blocks)


MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def _escaped(line: str) -> str:
    """Names and titles come from the circle file: shown as written, never as Markdown or HTML."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", line)


def markdown(groups: list[Group], language: str | None) -> str:
    first = catalog(language or (_language(groups[0][0], None) if groups else None))
    parts = [f"## {first.text('diff.title')}"]
    if not groups:
        parts.append(first.text("diff.no_changes"))
    for pair, changes in groups:
        texts = catalog(_language(pair, language))
        parts.append(f"### {_escaped(_heading(pair, texts))}")
        lines = [describe(change, texts) for change in changes] or [texts.text("diff.no_changes")]
        parts.append("\n".join(f"- {_escaped(line)}" for line in lines))
    return "\n\n".join(parts)


def as_json(groups: list[Group], language: str | None) -> str:
    circles = []
    for pair, changes in groups:
        texts = catalog(_language(pair, language))
        circle = (pair.new or pair.old).circle
        status = ("new" if pair.old is None else "deleted" if pair.new is None
                  else "changed" if changes else "unchanged")
        circles.append({"file": pair.file, "id": circle.id, "name": circle.name, "status": status,
                        "changes": [{"kind": change.kind, "subject": change.subject,
                                     "message": describe(change, texts),
                                     "old": _data(change.old, texts), "new": _data(change.new, texts)}
                                    for change in changes]})
    total = sum(len(changes) for _, changes in groups)
    return json.dumps({"changes": total, "circles": circles}, ensure_ascii=False, indent=2)


def _data(value, texts: Catalog):
    """A value as plain JSON: dates and times in ISO form, a warning as its message."""
    if isinstance(value, (Moment, Venue, Place)):
        return _data(asdict(value), texts)
    if isinstance(value, dict):
        return {key: _data(item, texts) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_data(item, texts) for item in value]
    if isinstance(value, (date, time)):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    if isinstance(value, Problem):
        return {"code": value.code, "file": value.file, "line": value.line, "col": value.col,
                "message": value.text(texts)}
    return value
