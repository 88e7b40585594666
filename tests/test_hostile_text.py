"""Any text a coordinator can write is refused with file:line:col, or builds into inert text.

Circles of valid structure are made from the example circle, with hostile text (Markdown, HTML,
character references, control characters, right-to-left marks, very long words, link
destinations of every kind) in the fields the JSON Schema says hold free text. Each one either
fails `validate` with a line and column for every error, or renders into pages whose HTML holds
no script, no event attribute and no link MkDocs' strict check would refuse, and into calendars
that parse. The default run tries three hundred; `pytest -m fuzz` tries 10,000.
A few fixed hostile circles also go through the real MkDocs build (test_real_builds).
"""

from __future__ import annotations

import copy
import functools
import posixpath
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from handbook_gen.calendars import feeds as calendars
from handbook_gen.site import pages
from handbook_gen.site import paths
from handbook_gen.site import handbook as site
from handbook_gen.cli import main
from handbook_gen.circle.problems import ERROR
from handbook_gen.site.safe_markdown import SAFE_SCHEMES, scheme
from handbook_gen.circle.source import read
from handbook_gen.circle.validate import check_file, schema
from helpers import EXAMPLE, Elements, to_html

EXAMPLE_DATA = read(EXAMPLE)[0].data
FREE_TEXT = ("line", "text", "markdown")


def text_fields(node, schema_node, path=()):
    """(path, kind) of every free-text value in the example, as the schema describes it."""
    root = schema()
    while "$ref" in schema_node:
        name = schema_node["$ref"].rsplit("/", 1)[-1]
        schema_node = {**root["$defs"][name], **{k: v for k, v in schema_node.items() if k != "$ref"}}
        schema_node.setdefault("x-kind", name)
    if isinstance(node, dict):
        for key, value in node.items():
            yield from text_fields(value, schema_node["properties"][key], path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from text_fields(value, schema_node["items"], path + (index,))
    elif isinstance(node, str) and schema_node.get("x-kind") in FREE_TEXT:
        yield path, schema_node["x-kind"]


FIELDS = list(text_fields(EXAMPLE_DATA, schema()))

PIECES = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "<iframe src=javascript:x>",
    "[a](javascript:alert(3))", "[b](&#106;avascript:alert(4))", "[c](pagina.md)", "[d](#nergens)",
    "[e](<https://ok.example/x y>)", "[f](https://ok.example)", "![g](https://evil.example/p.png)",
    "[h][r]\n\n[r]: javascript:alert(5)", "*x*{ onclick=alert(6) }", "{: #id .class }", "| a | b |",
    "&lt;", "&#60;script&#62;", "&amp;", "&", "**", "__", "`", "```", "~~~", "> ", "# ", "- ", "1. ",
    "\u202e", "\u200f", "\u2066", "\ufeff", "\x00", "\x07", "\x1b[31m", "\u2028", "\r\n", "\t",
    "x" * 500, "{{ circle }}", "{% raw %}", "{0}", "%s", "\\", "'", '"', ":", ": ", " #", "---",
    "<!--", "-->", "]]>", "<![CDATA[", "javascript:", "data:text/html,<b>", "mailto:a@b.nl",
    "webcal://x.nl/a.ics", "\U0001F600", "é", "ÿ", "ß", "ĳ", "\u0301",
])
HOSTILE = st.lists(st.one_of(PIECES, st.text(max_size=12)), min_size=1, max_size=6).map("".join)


@st.composite
def hostile_circles(draw) -> dict:
    data = copy.deepcopy(EXAMPLE_DATA)
    for path, kind in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=8, unique=True)):
        text = draw(HOSTILE)
        if kind == "line" and draw(st.booleans()):
            text = " ".join(text.split()) or "x"  # often one line, as the schema wants it
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = text
    return data


# Pages already found inert: most pages of a hostile circle are those of the one before it.
INERT: set[tuple[str, str]] = set()


def check_pages_are_inert(docs: dict[str, str]) -> None:
    for name, text in docs.items():
        if (name, text) in INERT:  # the page names are the example's in every circle
            continue
        for tag, attributes in Elements(to_html(text)).tags:
            assert tag not in ("script", "iframe", "object", "embed"), (name, tag)
            for attribute, value in attributes.items():
                assert not attribute.lower().startswith("on"), (name, tag, attribute)
                if attribute in ("href", "src"):
                    check_link(name, value, docs)
        INERT.add((name, text))


def check_link(page: str, value: str, docs: dict) -> None:
    """What MkDocs' strict validation accepts: a safe absolute URL, or a file of the handbook."""
    if scheme(value) is not None:
        assert scheme(value) in SAFE_SCHEMES, (page, value)
        return
    target = value.split("#", 1)[0]
    if target:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
        assert resolved in docs or resolved.startswith("calendars/") or resolved in pdfs(docs), \
            (page, value)


def pdfs(docs: dict) -> set[str]:
    """The PDFs pdf.py writes after the MkDocs build, which the pages link to."""
    return {paths.FORMS_PDF, *paths.BOOK_PDFS.values()} | set(site.pdf_plan(docs))  # the pages name the PDFs they are in


def check_circle(data: dict, tmp_path: Path) -> None:
    path = tmp_path / "arkade-noord.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = check_file(path)
    if result.circle is None:
        for problem in result.problems:
            if problem.severity == ERROR and not problem.code.startswith("file."):
                assert problem.line and problem.col, problem
        return
    schedule = result.schedule  # planned by validation
    check_pages_are_inert(pages.render(result.circle, schedule).docs)
    for ics in set(calendars.render(result.circle, schedule).values()):
        parses(ics)


@functools.lru_cache(maxsize=1024)
def parses(ics: bytes) -> None:
    """Parse a feed back; cached, as most feeds of two hostile circles are the same."""
    Calendar.from_ical(ics)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(hostile_circles())
def test_hostile_text_is_refused_or_inert(tmp_path, data):
    check_circle(data, tmp_path)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_circles())
def test_hostile_text_fuzz(tmp_path, data):
    check_circle(data, tmp_path)


FIXED = [
    {path: piece for (path, _), piece in zip(FIELDS, pieces)}
    for pieces in (["[b](&#106;avascript:alert(4)) [c](pagina.md) [d](#nergens)"] * len(FIELDS),
                   ["<script>alert(1)</script> \u202e{ onclick=x } ![g](https://evil.example/p.png)"] * len(FIELDS))
]


# The markup circle is also laid out as PDFs (right-to-left marks, long words); once is enough.
@pytest.mark.parametrize("edits, pdf_option", list(zip(FIXED, (["--no-pdf"], []))), ids=["links", "markup"])
def test_real_builds(edits, pdf_option, tmp_path, capsys):
    data = copy.deepcopy(EXAMPLE_DATA)
    for path, text in edits.items():
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = text
    circle = tmp_path / "arkade-noord.yaml"
    circle.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if check_file(circle).circle is None:
        pytest.fail(f"the fixed hostile circle should validate: {check_file(circle).problems[:3]}")
    arguments = ["build", "--no-history", *pdf_option, str(circle), "-o", str(tmp_path / "site")]
    assert main(arguments) == 0, capsys.readouterr()
    for page in (tmp_path / "site/arkade-noord").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*>[^<]*alert\(", html), page
        for tag, attributes in Elements(html).tags:
            handlers = [name for name in attributes if name.startswith("on")]
            assert handlers == [] or "lts-print-button" in attributes.get("class", ""), (page, tag)
            href = attributes.get("href", "")
            assert scheme(href) in (None, *SAFE_SCHEMES), (page, href)


# --- Linear time: each pathological shape at 1 MiB, under a hang guard (not a timing) -----------
# bench/bench_hostile.py prints the seconds per MiB of each shape.

MIB = 1024 * 1024
HANG_GUARD = 60  # seconds; quadratic or worse takes hours at this size


def in_own_process(code: str, tmp_path: Path) -> None:
    """Run `code` in its own Python, so a hang fails the test instead of holding the run."""
    import os
    import subprocess
    import sys

    from helpers import ROOT
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=HANG_GUARD)
    assert done.returncode == 0, done.stderr[-2000:]


# Values for one field of an example circle, each making the file just under 1 MiB.
def long_value(circle: Path, path: tuple, shape) -> str:
    data = read(circle)[0].data
    node = functools.reduce(lambda node, part: node[part], path[:-1], data)
    node[path[-1]] = ""
    room = MIB - len(dump(data).encode("utf-8")) - 4096
    node[path[-1]] = shape(room)
    return dump(data)


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))


VISITS = EXAMPLE.parent / "eemland-samen.yaml"  # the example circle with lesson visits
FILE_SHAPES = {
    "title: spaces, then a line break": (EXAMPLE, ("trainings", 0, "title"), lambda n: "x" + " " * n + "\ny"),
    "e-mail: many dots": (EXAMPLE, ("coordinator", "email"), lambda n: "a@" + "." * n + " "),
    "e-mail: many dots after a letter": (EXAMPLE, ("coordinator", "email"), lambda n: "a@b" + "." * n + " "),
    "name: a very long line": (EXAMPLE, ("schools", 0, "name"), lambda n: "Bram Jansen " * (n // 12)),
    "visitor: a long unknown name": (VISITS, ("reviews", 0, "visits", 0, "visitors", 0),
                                     lambda n: "Bram Jansen" * (n // 11)),
}


@pytest.mark.parametrize("shape", FILE_SHAPES, ids=list(FILE_SHAPES))
def test_validate_is_linear_at_one_mib(shape, tmp_path):
    source, path, make = FILE_SHAPES[shape]
    circle = tmp_path / source.name
    circle.write_text(long_value(source, path, make), encoding="utf-8")
    assert MIB - 8192 < circle.stat().st_size <= MIB
    in_own_process("import sys\nfrom handbook_gen.cli import main\n"
                   f"sys.exit(0 if main(['validate', '{source.name}']) in (0, 1) else 1)", tmp_path)


def test_an_unknown_key_of_one_mib_is_linear(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    key = "peer_reviewer" * ((MIB - len(text.encode()) - 100) // 13)
    (tmp_path / "arkade-noord.yaml").write_text(text + f"{key}: x\n", encoding="utf-8")
    in_own_process("import sys\nfrom handbook_gen.cli import main\n"
                   "sys.exit(0 if main(['validate', 'arkade-noord.yaml']) == 1 else 1)", tmp_path)


# The functions that see a whole text, each given 1 MiB of one shape.
FUNCTION_SHAPES = {
    "unclosed links": "pages.md_field('[a](https://a.nl/' * (MIB // 17))",
    "opening brackets": "pages.md_field('[' * MIB)",
    "closing brackets": "pages.md_field(']' * MIB)",
    "link starts": "pages.md_field('](' * (MIB // 2))",
    "opening parentheses in a link": "pages.md_field('[a](' + '(' * MIB)",
    "nested brackets": "pages.md_field('[' * (MIB // 2) + ']' * (MIB // 2))",
    "reference labels unclosed": "pages.md_field('[\\n' * (MIB // 2))",
    "reference labels": "pages.md_field('[a]: javascript:x\\n' * (MIB // 18))",
    "plain text": "pages.md_text('*a_ <b> ' * (MIB // 8))",
    "e-mail hider: a long word": "calendars.EMAIL.sub('x', 'a' * MIB)",
    "e-mail hider: a long domain": "calendars.EMAIL.sub('x', 'a@' + 'b' * MIB)",
    "empty-file check": "source.has_content(' \\n' * (MIB // 2) + '#')",
    "line pattern": "re.search(validate.schema()['$defs']['line']['pattern'], 'x' + ' ' * MIB + '\\ny')",
    "e-mail pattern": "re.search(validate.schema()['$defs']['email']['pattern'], 'a@' + '.' * MIB + ' ')",
}


@pytest.mark.parametrize("shape", FUNCTION_SHAPES, ids=list(FUNCTION_SHAPES))
def test_text_handling_is_linear_at_one_mib(shape, tmp_path):
    in_own_process("import re\nfrom handbook_gen.calendars import feeds as calendars\nfrom handbook_gen.site import pages\n"
                   "from handbook_gen.circle import source, validate\n"
                   f"MIB = {MIB}\n{FUNCTION_SHAPES[shape]}\n", tmp_path)


# Markdown fields through Python-Markdown as MkDocs runs it: unclosed links took 42 s for 73 KB,
# emphasis marks by the thousand in one paragraph minutes for 1 MiB.
RENDER_SHAPES = {"unclosed links": "[a](https://a.nl/", "emphasis": "*a* ", "code": "`a` ",
                 "signs escaped": "a<b ", "line breaks": "a  \n"}


@pytest.mark.slow
@pytest.mark.parametrize("shape", RENDER_SHAPES, ids=list(RENDER_SHAPES))
def test_markdown_fields_render_linearly_at_one_mib(shape, tmp_path):
    piece = RENDER_SHAPES[shape]
    in_own_process(f"import sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                   "from handbook_gen.site import pages\nfrom helpers import to_html\n"
                   f"to_html(str(pages.md_field({piece!r} * ({MIB} // {len(piece)}))))\n", tmp_path)
