"""Check a circle file against the JSON Schema and the rules of the circle format (docs/circle-format.md).

The schema (circle.schema.json, shipped in the package and printed by `handbook-gen schema`) is
the single source of truth for the structure; the rules that need more than one value live in
rules.py. Each JSON Schema error becomes a Problem with a message from the locale files.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator

from . import rules
from .model import Circle
from .problems import ERROR, Problem, Term, one_line
from .schedule import Schedule, plan
from .source import Document, Positions, read, read_bytes, resolve_plain

SCHEMA_PATH = Path(__file__).parent / "circle.schema.json"


@lru_cache(maxsize=1)
def schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def is_slug(text: str) -> bool:
    """An id as the schema allows it (circle, school, event): also a safe folder and link name."""
    slug = schema()["$defs"]["slug"]
    return bool(re.fullmatch(slug["pattern"], text)) and slug["minLength"] <= len(text) <= slug["maxLength"]


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


@dataclass
class Checked:
    """The outcome for one file: the circle when it has no errors, and every problem found."""

    file: str
    circle: Circle | None
    problems: list[Problem]
    positions: Positions | None = None
    language: str = "nl"  # for the messages: the circle's language where it could be read
    schedule: Schedule | None = None  # the circle's events, planned once: build uses them


def check_file(path: Path) -> Checked:
    return _check_read(*read(path), path)


def check_bytes(raw: bytes, name: str, path: Path) -> Checked:
    """A circle file's content that is not on disk (an older version from git), named `name`."""
    return _check_read(*read_bytes(raw, name), path)


def _check_read(document: Document | None, problems: list[Problem], path: Path) -> Checked:
    if document is None:  # the one problem that stopped the reading
        return Checked(problems[0].file, None, problems)
    return check_document(document, path)


def check_document(document: Document, path: Path) -> Checked:
    data = _without_nulls(document.data)
    language = data.get("language") if data.get("language") in ("nl", "en") else "nl"
    problems = structure_problems(document, data)
    if problems:
        return Checked(document.file, None, problems, document.positions, language)
    circle, problems = rules.check(data, document.file, document.positions, path)
    if circle is None:
        return Checked(document.file, None, problems, document.positions, language)
    schedule = plan(circle, document.positions)
    # The schedule names the file by the circle's path; messages use the name the user sees.
    problems += [replace(p, file=document.file) for p in schedule.problems]
    return Checked(document.file, circle, problems, document.positions, language, schedule)


def _without_nulls(value):
    """An empty value (`key:` with nothing after it) means the key is not given."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def structure_problems(document: Document, data: dict) -> list[Problem]:
    problems: list[Problem] = []
    for error in _validator().iter_errors(data):
        problems.extend(_schema_problems(error, document))
    unique = {(p.line, p.col, p.code, p.path): p for p in problems}
    return sorted(unique.values(), key=Problem.sort_key)


def _schema_problems(error, document: Document) -> list[Problem]:
    path = tuple(error.absolute_path)
    positions = document.positions
    kind = error.validator

    def problem(code, at=path, key=False, **params) -> Problem:
        line, col = positions.of_key(at) if key else positions.of_value(at)
        return Problem(ERROR, code, document.file, line, col, at, params)

    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        return [_unknown_key(key, path, known, document)
                for key in sorted(set(error.instance) - set(known))]
    if kind == "required":
        return [_missing(key, path, error, document) for key in error.validator_value
                if key not in error.instance]
    if kind == "type":
        expected = _type_word(error.validator_value)
        found = _json_type(error.instance)
        if _unquoted_type(error.instance) == expected:
            return [problem("schema.quoted", expected=Term(f"types.{expected}"),
                            found=_shown(error.instance))]
        if expected == "string" and found in ("number", "boolean"):
            if error.schema.get("x-kind") in _FORMAT_KINDS:
                return [problem(f"schema.kind.{error.schema['x-kind']}", found=_shown(error.instance))]
            return [problem("schema.type_quote", found=Term(f"types.{found}"))]
        return [problem("schema.type", expected=Term(f"types.{expected}"),
                        found=Term(f"types.{found}"))]
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        if any(_unquoted_type(error.instance) == _json_type(v) and str(v) == error.instance
               for v in allowed):
            return [problem("schema.quoted", expected=Term(f"types.{_json_type(allowed[0])}"),
                            found=_shown(error.instance))]
        if isinstance(error.instance, (dict, list)):
            return [problem("schema.enum_one", allowed=", ".join(str(v) for v in allowed),
                            found=Term(f"types.{_json_type(error.instance)}"))]
        return [problem("schema.enum", allowed=", ".join(str(v) for v in allowed),
                        found=_shown(error.instance))]
    if kind in ("pattern", "minLength", "maxLength"):
        return [problem(f"schema.kind.{error.schema.get('x-kind', 'text')}",
                        found=_shown(error.instance))]
    if kind in ("minItems", "maxItems"):
        field = next((p for p in reversed(path) if isinstance(p, str)), "list")
        code = f"schema.{kind.lower()}.{field}"
        return [problem(code, limit=error.validator_value, count=len(error.instance))]
    if kind == "uniqueItems":
        return [problem("schema.unique_items")]
    return [problem("schema.other", reason=error.message)]  # pragma: no cover - schema uses no other


def _unknown_key(key: str, path: tuple, known: list[str], document: Document) -> Problem:
    """An unknown key, with the nearest known one suggested ("did you mean `peer_reviewers`?")."""
    line, col = document.positions.of_key(path + (key,))
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
    params = {"key": key, "known": ", ".join(known)}
    code = "schema.unknown_key"
    if close:
        code, params["suggestion"] = "schema.unknown_key_suggest", close[0]
    return Problem(ERROR, code, document.file, line, col, path + (key,), params)


def _missing(key: str, path: tuple, error, document: Document) -> Problem:
    positions = document.positions
    given_empty = path + (key,) in positions.keys
    if given_empty:
        line, col = positions.of_key(path + (key,))
        code = "schema.empty"
    else:
        line, col = positions.of_key(path) if path else positions.of_value(())  # the first key
        code = "schema.required"
    return Problem(ERROR, code, document.file, line, col, path + (key,), {"key": key})


# Kinds of text whose message shows the expected form (JJJJ-MM-DD, UU:MM, …): a number or
# boolean written where one of these belongs gets that message rather than a bare type error.
_FORMAT_KINDS = ("date", "time", "school_year", "slug", "email", "url")
_SHOWN_LENGTH = 60


def _shown(value) -> str:
    """A value as a message quotes it: on one line, and not longer than a line."""
    text = one_line(value)
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 1] + "…"


def _unquoted_type(value) -> str | None:
    """For text: the type it would have without its quotes ("true" -> boolean), else None."""
    if not isinstance(value, str):
        return None
    resolved = resolve_plain(value.strip())
    return None if isinstance(resolved, str) or resolved is None else _json_type(resolved)


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string"}.get(type(value), "null")


def _type_word(json_type) -> str:
    return json_type if isinstance(json_type, str) else json_type[0]


def check_files(files: list[Path], known: dict[str, str] | None = None) -> list[Checked]:
    """Check every file, then the rule across files: circle ids are unique in one build.
    `known`: the ids (and files) of circles in this build that need no checking again."""
    results = [check_file(path) for path in files]
    owners: dict[str, str] = dict(known or {})
    for result in results:
        if result.circle is None:
            continue
        first = owners.setdefault(result.circle.id, result.file)
        if first != result.file:
            line, col = result.positions.of_value(("id",))
            result.problems.append(Problem(ERROR, "rules.duplicate_circle", result.file, line, col,
                                           ("id",), {"id": result.circle.id, "other": first}))
            result.circle = None
    return results
