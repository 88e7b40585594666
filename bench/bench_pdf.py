"""How long one review-day pack takes: the review page of an example handbook, already built,
laid out by WeasyPrint and written as a PDF, from a fresh Printer (so its stylesheets are parsed
too, as for the first PDF of a build). Target: at most 2 s. Prints the figures; asserts nothing.
Run: .venv/bin/python bench/bench_pdf.py
"""

import statistics
import tempfile
import time
from pathlib import Path

from handbook_gen import paths, pdf
from handbook_gen.build import build
from handbook_gen.freshness import Settings
from handbook_gen.validate import check_file

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def seconds(action, clock=time.perf_counter) -> float:
    started = clock()
    action()
    return clock() - started


def one_pack(handbook: Path, review_id: str) -> None:
    page = handbook / paths.built(paths.review_page(review_id))
    pdf.review_pack(pdf.Printer(handbook), page).write_pdf(handbook / paths.review_pdf(review_id))


def main() -> None:
    checked = check_file(ROOT / "circles" / "arkade-noord.yaml")
    circle = checked.circle
    with tempfile.TemporaryDirectory() as out:
        build([checked], Path(out), Settings(use_history=False, shared_assets=False))
        handbook = Path(out) / circle.id
        review_id = sorted(handbook.glob("reviews/*.html"))[0].stem
        one_pack(handbook, review_id)  # warm up: imports and Pango's font set-up
        times = [seconds(lambda: one_pack(handbook, review_id)) for _ in range(RUNS)]
        # CPU time too: on a machine shared with other work, wall time also measures the others.
        cpu = [seconds(lambda: one_pack(handbook, review_id), time.process_time)
               for _ in range(RUNS)]
        every = seconds(lambda: pdf.write_pdfs(handbook, [review_id], circle.language))
    print(f"{circle.id}/{review_id}: one review-day pack median {statistics.median(times):.2f} s,"
          f" min {min(times):.2f} s, CPU median {statistics.median(cpu):.2f} s (n={RUNS});"
          f" all PDFs of that handbook for one review {every:.2f} s")


if __name__ == "__main__":
    main()
