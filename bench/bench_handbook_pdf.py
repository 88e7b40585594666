"""The whole-handbook PDF (book.py) of the largest example circle: how long it takes to lay out
and write, how big it is, and whether every link inside it lands on one of its pages.
Targets: at most 10 s, at most 3 MB, no internal link that goes nowhere. Prints the figures;
asserts nothing. The handbook's pages are built first (without PDFs), then the book is made
from them: once from a fresh process's state (imports done, stylesheets not yet parsed), as in
a build's first PDF, and RUNS more times.
Run: .venv/bin/python bench/bench_handbook_pdf.py
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from handbook_gen.pdf import book
from handbook_gen.site import pages
from handbook_gen.site import paths
from handbook_gen.build import build
from handbook_gen.common.freshness import Settings
from handbook_gen.circle.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
EPOCH = "1767225600"


def seconds(action, clock=time.perf_counter) -> float:
    started = clock()
    action()
    return clock() - started


def largest_example():
    """The example circle whose handbook has the most pages (the most reviews, people, events)."""
    checked = [check_file(path) for path in sorted((ROOT / "circles").glob("*.yaml"))]
    return max(checked, key=lambda result: len(pages.render(result.circle, result.schedule).docs))


def broken_links(pdf_file: Path) -> tuple[int, list[str]]:
    """How many links jump inside the PDF, and those whose destination is no page of it."""
    reader = PdfReader(pdf_file)
    named = reader.named_destinations
    count, broken = 0, []
    for number, page in enumerate(reader.pages, 1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            target = annotation.get("/Dest") or (action.get("/D") if action else None)
            if annotation.get("/Subtype") != "/Link" or target is None:
                continue
            count += 1
            destination = named.get(str(target)) if isinstance(target, str) else None
            if destination is None or reader.get_destination_page_number(destination) < 0:
                broken.append(f"page {number}: {target}")
    return count, broken


def main() -> None:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    checked = largest_example()
    circle = checked.circle
    nav = pages.render(circle, checked.schedule).nav
    with tempfile.TemporaryDirectory() as out:
        build([checked], Path(out), Settings(use_history=False, pdfs=False))
        handbook = Path(out) / circle.id

        def make() -> None:
            book.write_book(handbook, nav, book.cover_of(circle), circle.language,
                            Path(out) / "assets")

        first = seconds(make)
        times = [seconds(make) for _ in range(RUNS)]
        cpu = [seconds(make, time.process_time) for _ in range(RUNS)]
        made = handbook / paths.book_pdf(circle.language)
        size = made.stat().st_size
        page_count = len(PdfReader(made).pages)
        internal, broken = broken_links(made)
    print(f"{circle.id}: {made.name} of {page_count} pages, {size / 1e6:.2f} MB (target <= 3 MB)")
    print(f"  laid out and written: first {first:.2f} s, then median {statistics.median(times):.2f} s,"
          f" CPU median {statistics.median(cpu):.2f} s (n={RUNS}; target <= 10 s)")
    print(f"  internal links: {internal}, of which go nowhere: {len(broken)}"
          + "".join(f"\n    {link}" for link in broken[:10]))


if __name__ == "__main__":
    main()
