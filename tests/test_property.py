"""Random edits of a valid circle never crash the validator: they validate, or give a clean error.

Two kinds of edit, as a coordinator makes them: edits of the data (a key deleted, a value
replaced by any YAML scalar, list or map or by a value from elsewhere in the circle, an unknown
key, a value of another type), dumped back to YAML; and edits of the text itself (a line deleted, doubled, indented, a character typed).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handbook_gen import cli
from handbook_gen.common.i18n import catalog
from handbook_gen.circle.problems import ERROR, WARNING
from handbook_gen.circle.source import read
from handbook_gen.circle.validate import check_file
from helpers import EXAMPLE

EXAMPLE_DATA = read(EXAMPLE)[0].data
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STYLES = st.sampled_from(["text", "github", "json"])

# Text that means something to a circle file, or to YAML, or to a message template.
TRICKY_TEXT = st.sampled_from([
    "", " ", "\n", "15:30", "9:00", "24:00", "no", "yes", "on", "null", "~", "2025-10-08",
    "2026-02-30", "2025-2026", "2025-2027", "de-regenboog", "het-kompas", "School A", "build",
    "embed", "nl", "en", "noord", "zuid", "Europe/Amsterdam", "Mars/Olympus", "https://x.nl/",
    "a@b.nl", "<script>alert(1)</script>", "{key}", "{0}", "%s", "a: b", "- x", "#", "&a", "*a",
    "!!python/object", "\t", "é", "\u2028", "x" * 200, "peer_reviewers", "schoolcoaches",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True), TRICKY_TEXT,
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(TRICKY_TEXT, st.text(max_size=8)), inner, max_size=4)),
    max_leaves=12,
)


def all_paths(node, path=()):
    """Every place in the data: () is the root."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from all_paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from all_paths(value, path + (index,))


PATHS = list(all_paths(EXAMPLE_DATA))


def value_at(path):
    node = EXAMPLE_DATA
    for part in path:
        node = node[part]
    return node


LEAVES = [value_at(path) for path in PATHS if not isinstance(value_at(path), (dict, list))]


def swap_type(value):
    """The same content in another type: what a slip of indentation or quoting does."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return {str(i): item for i, item in enumerate(value)} if value else ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return [value]
    return 0


@st.composite
def mutations(draw):
    data = copy.deepcopy(EXAMPLE_DATA)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        parent, target = data, None
        try:
            for part in path[:-1]:
                parent = parent[part]
            target = parent[path[-1]] if path else data
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or changed this place
        if path and not isinstance(parent, (dict, list)):
            continue  # ... or made it text, which indexes but cannot be assigned to
        operation = draw(st.sampled_from(["delete", "replace", "unknown_key", "swap", "append",
                                          "borrow", "borrow"]))
        if not path:
            if operation == "replace":
                data = draw(VALUES)
            elif operation == "unknown_key" and isinstance(data, dict):
                data[draw(TRICKY_TEXT | st.text(max_size=10))] = draw(VALUES)
            continue
        if operation == "delete" and isinstance(parent, (dict, list)):
            del parent[path[-1]]
        elif operation == "replace":
            parent[path[-1]] = draw(VALUES)
        elif operation == "unknown_key" and isinstance(target, dict):
            target[draw(TRICKY_TEXT | st.text(max_size=10))] = draw(VALUES)
        elif operation == "swap":
            parent[path[-1]] = swap_type(target)
        elif operation == "borrow":  # a value from elsewhere in the circle: ids, dates, times
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(LEAVES)))
        elif operation == "append" and isinstance(target, list):
            target.append(copy.deepcopy(target[0]) if target and draw(st.booleans()) else draw(VALUES))
    return data


@st.composite
def text_edits(draw):
    lines = EXAMPLE_TEXT.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "double", "indent", "dedent", "type", "swap",
                                          "value_start"]))
        if operation == "delete":
            del lines[index]
        elif operation == "double":
            lines.insert(index, lines[index])
        elif operation == "indent":
            lines[index] = " " * draw(st.integers(1, 3)) + lines[index]
        elif operation == "dedent":
            lines[index] = lines[index][draw(st.integers(1, 3)):]
        elif operation == "type":
            at = draw(st.integers(0, len(lines[index])))
            typed = draw(st.sampled_from([":", "-", "'", '"', "#", "[", "{", "&", "*", "!", "|", ">", "\t", " ", "é",
                                           "*a", "&a ", "!!str ", "? ", ": ", "---\n", "\ufeff", "9" * 5000]))
            lines[index] = lines[index][:at] + typed + lines[index][at:]
        elif operation == "value_start" and ": " in lines[index]:  # what YAML reads specially
            start = draw(st.sampled_from(["*", "&a ", "!", "@", "`", "%", "|", ">", "[", "{", "'", '"', "- "]))
            lines[index] = lines[index].replace(": ", ": " + start, 1)
        elif operation == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], lines[index]
        if not lines:
            lines = [""]
    return "\n".join(lines)


def assert_clean(path: Path, style: str) -> None:
    result = check_file(path)  # never raises
    for problem in result.problems:
        assert problem.severity in (ERROR, WARNING)
        assert problem.file
        assert (problem.line is None) == (problem.col is None), problem
        if problem.line is None:
            assert problem.code.startswith("file."), problem  # only file-level problems lack a line
        else:
            assert problem.line >= 1 and problem.col >= 1, problem
        for language in ("nl", "en"):
            message = problem.render(catalog(language))
            assert "\n" not in message, message  # one problem, one line
    errors = any(p.severity == ERROR for p in result.problems)
    assert (result.circle is None) == errors
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["validate", "--format", style, str(path)])
    assert code == (1 if errors else 0)


@SETTINGS
@given(mutations(), STYLES)
def test_random_data_edits_never_crash(data, style):
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arkade-noord.yaml"
        path.write_text(text, encoding="utf-8")
        assert_clean(path, style)


@settings(SETTINGS, max_examples=100)
@given(text_edits(), STYLES)
def test_random_text_edits_never_crash(text, style):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arkade-noord.yaml"
        path.write_text(text, encoding="utf-8")
        assert_clean(path, style)


def test_the_unedited_example_is_clean():
    # The property tests start from a valid circle: without edits, nothing to report.
    assert check_file(EXAMPLE).problems == []


# What YAML's escapes can write but no circle text may hold: control characters (C0 but tab and
# line breaks, DEL, C1) and lone surrogates. yaml.safe_dump writes each as an escape ("\e", "\x9B",
# "\uD800"), in a value or in a key; NEL (U+0085) it writes as it is, which YAML reads as a line break.
ESCAPED = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x9F).filter(
        lambda ch: not (ch in "\t\n\r\x85" or " " <= ch <= "~")),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.sampled_from(["\ufffe", "\uffff"]))
TEXT_LEAVES = [path for path in PATHS if isinstance(value_at(path), str)]


@st.composite
def escaped_characters(draw):
    """The example with one control character or lone surrogate put into a text or a key."""
    data = copy.deepcopy(EXAMPLE_DATA)
    path = draw(st.sampled_from(TEXT_LEAVES))
    parent = functools.reduce(lambda node, part: node[part], path[:-1], data)
    char = draw(ESCAPED)
    if draw(st.booleans()) or not isinstance(path[-1], str):
        text = parent[path[-1]]
        at = draw(st.integers(0, len(text)))
        parent[path[-1]] = text[:at] + char + text[at:]
    else:  # the key: rebuilt in place, so the mapping keeps its order
        items = [(key + char if key == path[-1] else key, value) for key, value in parent.items()]
        parent.clear()
        parent.update(items)
    return data, char


@SETTINGS
@given(escaped_characters(), STYLES)
def test_escaped_control_characters_are_refused_where_they_stand(edit, style):
    data, char = edit
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "arkade-noord.yaml"
        path.write_text(text, encoding="utf-8")
        assert_clean(path, style)  # exit 1, every message one line, nothing raised
        problems = check_file(path).problems
    assert [p.code for p in problems] in (["yaml.escaped_control"], ["yaml.lone_surrogate"]), problems
    line, col = problems[0].line, problems[0].col
    written = text.splitlines()[line - 1][col - 1:]
    assert written.startswith("\\"), (written, char)  # the position is the escape itself
    assert problems[0].params["code"] == f"U+{ord(char):04X}"
    for language in ("nl", "en"):
        problems[0].render(catalog(language)).encode("utf-8")  # printable: no lone surrogate left
