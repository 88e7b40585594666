"""The review day's PDFs of an example handbook, already built: how long a pack takes to lay out,
how long all PDFs of the circle take, what a pack holds, and how big the handbook folder is.

Targets (issue 21): a pack holds at most 2 pages of programme, 2 per day card and 2 per form; a
pack lays out in <= 0.6 s per 20 pages; all review-day, blank-form, preparation and workshop
PDFs of the circle in <= 3 s; the handbook folder <= 1.0 MB, not counting the shared assets/
or the whole-handbook book.
Prints the figures; asserts nothing. Run: .venv/bin/python bench/bench_pdf.py [circle.yaml]
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from handbook_gen.site import pages
from handbook_gen.site import paths
from handbook_gen.pdf import printer as pdf
from handbook_gen.site import handbook as site
from handbook_gen.build import build, default_workers
from handbook_gen.common import processes
from handbook_gen.common.freshness import Settings
from handbook_gen.common.i18n import catalog
from handbook_gen.circle.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3


def seconds(action, clock=time.perf_counter) -> float:
    started = clock()
    action()
    return clock() - started


def printer(handbook: Path, language: str) -> pdf.Printer:
    """A fresh Printer, as for the first PDF of a build (its stylesheets are parsed once per
    process: later Printers reuse them, as the PDFs of one build do)."""
    return pdf.Printer(handbook, handbook.parent / "assets",
                       notes=catalog(language).text("handbook.day.notes"))


def units(handbook: Path, sources: list[str]) -> dict[str, int]:
    """The most pages any unit of each kind takes in a pack (notes backs not counted)."""
    document = printer(handbook, "nl").render_together(
        [handbook / paths.built(source) for source in sources])
    most: dict[str, int] = {}
    for unit, run in pdf.form_runs(document):
        if unit is None:
            continue
        kind = {"programme": "programme", "card": "card", "notes": "notes"}.get(
            unit.get("data-sheet"), "form")
        most[kind] = max(most.get(kind, 0), len(run))
    most.pop("notes", None)
    return most


def size(folder: Path, language: str) -> int:
    """The handbook folder's bytes as issue 21 counts them: without the whole-handbook book."""
    book = folder / paths.book_pdf(language)
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and f != book)


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "circles" / "eemland-samen.yaml"
    checked = check_file(source)
    circle = checked.circle
    plan = site.pdf_plan(pages.render(circle, checked.schedule).docs)
    with tempfile.TemporaryDirectory() as out:
        build([checked], Path(out), Settings(use_history=False, shared_assets=True))
        handbook = Path(out) / circle.id
        folder = size(handbook, circle.language)
        pack_name = next(name for name in sorted(plan) if name.endswith(".pdf")
                         and paths.review_of(name.removesuffix(".pdf") + ".md"))
        pack = [handbook / paths.built(s) for s in plan[pack_name]]
        pdf.print_job(printer(handbook, circle.language), pack)  # warm up: imports, fonts, CSS
        documents = []
        times = [seconds(lambda: documents.append(pdf.print_job(printer(handbook, circle.language), pack)))
                 for _ in range(RUNS)]
        # CPU time too: on a machine shared with other work, wall time also measures the others.
        cpu = [seconds(lambda: pdf.print_job(printer(handbook, circle.language), pack), time.process_time)
               for _ in range(RUNS)]
        pages_in_pack = len(documents[-1].pages)
        every = {}
        for workers in (1, default_workers()):
            for made in handbook.rglob("*.pdf"):
                made.unlink()
            with processes.pool(workers) as pool:
                every[workers] = seconds(lambda: pdf.write_pdfs(
                    handbook, plan, circle.language, handbook.parent / "assets",
                    pool=pool if workers > 1 else None))
        count = len(list(handbook.rglob("*.pdf")))
        most = units(handbook, plan[pack_name])
    per_20 = statistics.median(times) / pages_in_pack * 20
    print(f"{circle.id}: {pack_name}: {pages_in_pack} pages, laid out in median "
          f"{statistics.median(times):.2f} s (min {min(times):.2f} s, n={RUNS}): "
          f"{per_20:.2f} s per 20 pages (target <= 0.6); CPU median {statistics.median(cpu):.2f} s, "
          f"{statistics.median(cpu) / pages_in_pack * 20:.2f} s per 20 pages")
    print(f"  most pages per unit: programme {most.get('programme')}, day card {most.get('card')}, "
          f"form {most.get('form')} (target <= 2 each)")
    print(f"  all {count} PDFs of the circle (packs, preparations, workshops, blank forms): "
          + ", ".join(f"{took:.2f} s in {workers} process{'es' if workers > 1 else ''}"
                      for workers, took in every.items()) + " (target <= 3)")
    print(f"  handbook folder without assets/ and the book: {folder / 1e6:.2f} MB (target <= 1.0)")


if __name__ == "__main__":
    main()
