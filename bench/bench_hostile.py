"""Seconds per MiB of each hostile text shape: linear handling keeps the figure flat as the size grows.

Each shape is measured at a quarter MiB and at 1 MiB; the worst of the two figures is printed with
the growth of the time (4.0 for a linear shape, 16 for a quadratic one). The validate shapes are
files just under 1 MiB (the largest a circle file may be). The last group renders the pages stage's
output with Python-Markdown as MkDocs does (see the note it prints). Prints the figures; asserts nothing.
Run: .venv/bin/python bench/bench_hostile.py
"""

import contextlib
import functools
import io
import re
import sys
import tempfile
import time
from pathlib import Path

import markdown
import yaml

from handbook_gen.calendars import feeds as calendars
from handbook_gen.site import pages, safe_markdown
from handbook_gen.circle import source
from handbook_gen.circle import validate
from handbook_gen.cli import main as cli_main

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
LINE = validate.schema()["$defs"]["line"]["pattern"]
EMAIL = validate.schema()["$defs"]["email"]["pattern"]

# name -> function of a size in characters
TEXT_SHAPES = {
    "md_field: unclosed links [a](https://a.nl/": lambda n: pages.md_field("[a](https://a.nl/" * (n // 17)),
    "md_field: opening brackets [[[": lambda n: pages.md_field("[" * n),
    "md_field: link starts ](](": lambda n: pages.md_field("](" * (n // 2)),
    "md_field: nested brackets [[[ ]]]": lambda n: pages.md_field("[" * (n // 2) + "]" * (n // 2)),
    "md_field: parentheses in a link [a](((": lambda n: pages.md_field("[a](" + "(" * n),
    "md_field: reference labels [\\n": lambda n: pages.md_field("[\n" * (n // 2)),
    "md_text: markup signs": lambda n: pages.md_text("*a_ <b> " * (n // 8)),
    "e-mail hider: one long word": lambda n: calendars.EMAIL.sub("x", "a" * n),
    "e-mail hider: a long domain": lambda n: calendars.EMAIL.sub("x", "a@" + "b" * n),
    "empty-file check: blank lines": lambda n: source.has_content(" \n" * (n // 2)),
    "line pattern: spaces, then a line break": lambda n: re.search(LINE, "x" + " " * n + "\ny"),
    "e-mail pattern: many dots": lambda n: re.search(EMAIL, "a@" + "." * n + " "),
}
EXAMPLE = ROOT / "circles" / "arkade-noord.yaml"
VISITS = ROOT / "circles" / "eemland-samen.yaml"
FILE_SHAPES = {
    "validate: title of spaces, then a line break": (EXAMPLE, ("trainings", 0, "title"), lambda n: "x" + " " * n + "\ny"),
    "validate: e-mail of many dots": (EXAMPLE, ("coordinator", "email"), lambda n: "a@" + "." * n + " "),
    "validate: a very long name": (EXAMPLE, ("schools", 0, "name"), lambda n: "Bram Jansen " * (n // 12)),
    "validate: a long unknown visitor": (VISITS, ("reviews", 0, "visits", 0, "visitors", 0),
                                         lambda n: "Bram Jansen" * (n // 11)),
    "validate: many blank lines": (EXAMPLE, ("theme", "description"), lambda n: "a" + "\n" * (n // 2) + "b"),
}
EXTENSIONS = ["attr_list", "tables", "admonition", "md_in_html", "def_list", "pymdownx.details", "toc",
              "handbook_gen.site.safe_markdown"]
RENDER_SHAPES = {
    "render: unclosed links (md_field)": lambda n: pages.md_field("[a](https://a.nl/" * (n // 17)),
    "render: opening brackets (md_field)": lambda n: pages.md_field("[" * n),
    "render: emphasis *a* (md_field)": lambda n: pages.md_field("*a* " * (n // 4)),
    "render: code spans `a` (md_field)": lambda n: pages.md_field("`a` " * (n // 4)),
    "render: escaped signs a<b (md_field)": lambda n: pages.md_field("a<b " * (n // 4)),
    "render: line breaks (md_field)": lambda n: pages.md_field("a  \n" * (n // 4)),
    "render: 1000 marks, then plain text (md_field)": lambda n: pages.md_field("*a* " * 250 + "x" * n),
    "render: markup signs in a name (md_text)": lambda n: pages.md_text("*" * n),
}


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def show(name: str, sizes: tuple[int, int], action) -> None:
    small, large = (seconds(lambda: action(size)) for size in sizes)
    per_mib = max(small * MIB / sizes[0], large * MIB / sizes[1])
    growth = large / small if small > 0 else float("inf")
    print(f"{name:<52} {per_mib:8.3f} s/MiB   time x{growth:5.1f} for size x{sizes[1] // sizes[0]}",
          flush=True)


def validate_file(circle: Path, path: tuple, make, size: int) -> float:
    data = source.read(circle)[0].data
    node = functools.reduce(lambda node, part: node[part], path[:-1], data)
    node[path[-1]] = make(size)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / circle.name
        file.write_text(text[:MIB - 1] if len(text.encode()) > MIB else text, encoding="utf-8")
        started = time.perf_counter()
        cli_main(["validate", "--format", "json", str(file)])
        return time.perf_counter() - started


def main() -> None:
    print("Worst case per MiB of each shape (linear: time x4 for size x4).")
    for name, action in TEXT_SHAPES.items():
        show(name, (MIB // 4, MIB), action)
    base = {circle: len(circle.read_bytes()) for circle in (EXAMPLE, VISITS)}
    for name, (circle, path, make) in FILE_SHAPES.items():
        room = MIB - base[circle] - 8192
        with contextlib.redirect_stdout(io.StringIO()):
            small = validate_file(circle, path, make, room // 4)
            large = validate_file(circle, path, make, room)
        print(f"{name:<52} {max(small * 4, large) * MIB / room:8.3f} s/MiB   "
              f"time x{large / small:5.1f} for size x4", flush=True)
    print("\nPython-Markdown (MkDocs) on the pages stage's output. Its inline processing copies a\n"
          "text again after every piece it takes; safe_markdown keeps a text with more than\n"
          f"{safe_markdown.MARKS_PER_TEXT} marks as written, so the worst is a text just below that:")
    for name, action in RENDER_SHAPES.items():
        show(name, (MIB // 4, MIB),
             lambda n, action=action: markdown.markdown(str(action(n)), extensions=EXTENSIONS))


if __name__ == "__main__":
    sys.exit(main())
