"""Check a circle file against the JSON Schema and the rules of the circle format (docs/circle-format.md).

The schema (circle.schema.json, shipped in the package and printed by `handbook-gen schema`) is
the single source of truth for the structure; the rules that need more than one value live in
rules.py. Each JSON Schema error becomes a Problem with a message from the locale files.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator

from handbook_gen.circle import rules
from handbook_gen.circle.model import Circle
from handbook_gen.circle.problems import ERROR, Problem, Term, one_line
from handbook_gen.year.schedule import Schedule, plan
from handbook_gen.common.resources import schema_path
from handbook_gen.circle.source import Document, read, read_bytes, resolve_plain
from handbook_gen.common.i18n import DEFAULT_LANGUAGE, LANGUAGES

SCHEMA_PATH = schema_path()


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
    language: str = DEFAULT_LANGUAGE  # for the messages: the circle's language where it could be read
    schedule: Schedule | None = None  # the circle's events, planned once: build uses them


def check_file(path: Path, owners: dict[str, str] | None = None) -> Checked:
    """owners: the ids of the circles checked before in this build, and their files; this one's is added."""
    return _check_read(*read(path), path, owners)


def check_bytes(raw: bytes, name: str, path: Path) -> Checked:
    """A circle file's content that is not on disk (an older version from git), named `name`."""
    return _check_read(*read_bytes(raw, name), path)


def _check_read(document: Document | None, problems: list[Problem], path: Path,
                owners: dict[str, str] | None = None) -> Checked:
    if document is None:  # the one problem that stopped the reading
        return Checked(problems[0].file, None, problems)
    return check_document(document, path, owners)


def check_document(document: Document, path: Path, owners: dict[str, str] | None = None) -> Checked:
    data = _without_nulls(document.data)
    language = data.get("language") if data.get("language") in LANGUAGES else DEFAULT_LANGUAGE
    circle, schedule, stages = _check_data(document, data, path)
    if circle is not None and owners is not None:
        first = owners.setdefault(circle.id, document.file)
        if first != document.file:  # the rule across files: circle ids are unique in one build
            stages.append([Problem(ERROR, "rules.duplicate_circle", path=("id",),
                                   params={"id": circle.id, "other": first})])
            circle = None
    # Each stage's problems in the order of the file; the stages in the order they ran.
    problems = [problem for found in stages
                for problem in sorted(map(document.place, found), key=Problem.sort_key)]
    return Checked(document.file, circle, problems, language, schedule)


def _check_data(document: Document, data: dict, path: Path
                ) -> tuple[Circle | None, Schedule | None, list[list[Problem]]]:
    """The circle and its schedule, as far as the checks allow, and each stage's problems."""
    problems = structure_problems(document, data)
    if problems:
        return None, None, [problems]
    circle, problems = rules.check(data, path)
    if circle is None:
        return None, None, [problems]
    schedule = plan(circle)
    return circle, schedule, [problems, list(schedule.problems)]


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
    return list({(p.code, p.path): p for p in problems}.values())  # one per code and path


def _schema_problems(error, document: Document) -> list[Problem]:
    path = tuple(error.absolute_path)
    kind = error.validator

    def problem(code, **params) -> Problem:
        return Problem(ERROR, code, path=path, params=params)

    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        return [_unknown_key(key, path, known) for key in sorted(set(error.instance) - set(known))]
    if kind == "required":
        return [_missing(key, path, document) for key in error.validator_value
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


def _unknown_key(key: str, path: tuple, known: list[str]) -> Problem:
    """An unknown key, with the nearest known one suggested ("did you mean `peer_reviewers`?")."""
    # difflib is quadratic in the length: a key longer than any real one gets no suggestion.
    close = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6) if len(key) <= 100 else []
    params = {"key": key, "known": ", ".join(known)}
    code = "schema.unknown_key"
    if close:
        code, params["suggestion"] = "schema.unknown_key_suggest", close[0]
    return Problem(ERROR, code, path=path + (key,), params=params, key=path + (key,))


def _missing(key: str, path: tuple, document: Document) -> Problem:
    """A key written without a value (`name:`, left out of the data) is shown at that key; a key not
    written at all, at the key of the mapping that lacks it (at the top: the file's first key)."""
    given_empty = path + (key,) in document.positions.keys
    code, at = ("schema.empty", path + (key,)) if given_empty else ("schema.required", path)
    return Problem(ERROR, code, path=path + (key,), params={"key": key}, key=at)


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
    """Check every file, and the rule across files: circle ids are unique in one build.
    `known`: the ids (and files) of circles in this build that need no checking again."""
    owners: dict[str, str] = dict(known or {})
    return [check_file(path, owners) for path in files]
