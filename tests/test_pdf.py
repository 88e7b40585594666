"""The PDFs (pdf.py): a real handbook built once, its PDFs read back with pypdf, and its forms
laid out by WeasyPrint to count the pages each one prints on. The example has no `visits`: its
packs have numbered lesson visits; tests/test_pack.py prints a review with planned visits."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from handbook_gen.site import pages
from handbook_gen.site import paths
from handbook_gen.pdf import printer as pdf
from handbook_gen.site import handbook as site
from handbook_gen.build import build, failed
from handbook_gen.common import processes
from handbook_gen.common.freshness import Settings, read_stamp
from handbook_gen.site.pages import FORMS, REVIEW_FORMS
from handbook_gen.year.review_day import plan_day
from handbook_gen.circle.validate import check_file
from helpers import EPOCH, EXAMPLE, FORM_PAGES, ROOT, write

LEAST_LAST_PAGE = 1 / 3  # a form's last page holds at least this much of a page, not a few lines
# From circles/arkade-noord.yaml: the review at CBS Het Kompas, by two visiting schools.
KOMPAS = {"id": "review-kompas", "school": "CBS Het Kompas", "date": "donderdag 19 maart 2026",
          "names": ("Marloes Visser", "Gerrit Hoekstra", "Ingrid Bakker")}


@pytest.fixture(scope="module")
def handbook(example_output) -> Path:
    return example_output / "arkade-noord"


@pytest.fixture(scope="module")
def printer(handbook) -> pdf.Printer:
    return pdf.Printer(handbook, handbook.parent / "assets")  # the theme assets the pages share


def review_ids(handbook: Path) -> list[str]:
    return sorted(page.stem for page in (handbook / "reviews").glob("*.html"))


def pdf_plan() -> dict[str, list[str]]:
    """Which pages make which PDF in the example's handbook, as the build finds it."""
    checked = check_file(EXAMPLE)
    return site.pdf_plan(pages.render(checked.circle, checked.schedule).docs)


def pack_pages(handbook: Path, review_id: str) -> list[Path]:
    return [handbook / paths.built(source) for source in pdf_plan()[paths.review_pdf(review_id)]]


def all_pdfs(handbook: Path) -> list[Path]:
    """The PDFs pdf.py writes; the whole-handbook book is book.py's (tests/test_book.py)."""
    return sorted(path for path in handbook.rglob("*.pdf") if path.name != paths.book_pdf("nl"))


def text_of(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def used_height(sheet) -> float:
    """How far down its page a laid-out page's content reaches (0..1 of the page's height)."""
    page = sheet._page_box
    top = page.content_box_y()
    bottoms = [box.position_y + box.margin_height() for box, _ in boxes(page)
               if not getattr(box, "children", None)]
    return (max(bottoms, default=top) - top) / page.height


def boxes(box, classes: tuple[str, ...] = ()):
    """Every box under `box`, with the classes of the elements it sits in."""
    yield box, classes
    element = getattr(box, "element", None)
    own = tuple((element.get("class") or "").split()) if element is not None else ()
    for child in getattr(box, "children", ()):
        yield from boxes(child, classes + own)


# --- what is written, and where it is linked ----------------------------------------------------

def test_a_pack_per_review_and_one_forms_pdf_linked_from_their_pages(handbook):
    ids = review_ids(handbook)
    assert len(ids) == 2
    expected = [handbook / paths.FORMS_PDF] + [handbook / made(i) for i in ids for made in (
        paths.review_pdf, paths.preparation_pdf, paths.workshop_pdf)]
    assert all_pdfs(handbook) == sorted(expected)
    review_page = (handbook / "reviews" / f"{KOMPAS['id']}.html").read_text(encoding="utf-8")
    link = f'<a href="{KOMPAS["id"]}.pdf" download>Download de reviewdagmap (pdf)</a>'
    assert link in review_page
    forms_page = (handbook / "formulieren" / "index.html").read_text(encoding="utf-8")
    link = '<a href="formulieren.pdf" download>Download alle formulieren in één pdf</a>'
    assert link in forms_page


def test_no_blank_page_in_any_pdf(handbook):
    for path in all_pdfs(handbook):
        for number, text in enumerate(text_of(path), 1):
            assert text.strip(), f"{path.name}: page {number} is blank"


def test_the_pack_names_the_school_the_day_and_the_people(handbook):
    text = "\n".join(text_of(handbook / paths.review_pdf(KOMPAS["id"])))
    for expected in (KOMPAS["school"], KOMPAS["date"], *KOMPAS["names"]):
        assert expected in text
    assert "Dagprogramma review" in text and "Lesbezoek" in text
    for chrome in ("Afdrukken", "Download de reviewdagmap", "Zoeken", "Ga naar inhoud"):
        assert chrome not in text, chrome  # no button, link, search or navigation on paper


# --- forms sized for paper ----------------------------------------------------------------------

def test_each_blank_form_prints_on_its_pages_and_fills_the_last(handbook, printer):
    counts = {}
    for form in FORMS:
        sheets = printer.render(handbook / "formulieren" / f"{form}.html").pages
        counts[form] = len(sheets)
        assert used_height(sheets[-1]) >= LEAST_LAST_PAGE, f"{form} ends on a nearly empty page"
    assert counts == {form: FORM_PAGES[form] for form in FORMS}
    # Duplex: a form of an odd number of pages gets a notes page as its back.
    printed = sum(count + count % 2 for count in counts.values())
    assert len(PdfReader(handbook / paths.FORMS_PDF).pages) == printed


def test_the_pack_is_the_days_print_job(handbook, printer):
    """Programme, then per visitor their card and numbered lesson visits (no `visits` in the
    file), then the shared forms; each at most two pages, each from a front page."""
    document = printer.render_together(pack_pages(handbook, KOMPAS["id"]))
    runs = [(unit.get("data-form") or unit.get("data-sheet"), run)
            for unit, run in pdf.form_runs(document) if unit is not None]
    circle = check_file(EXAMPLE).circle
    day = plan_day(circle, next(r for r in circle.reviews if r.id == KOMPAS["id"]))
    stacks = [kind for stack in day.stacks for kind in ["card"] + ["lesbezoek"] * len(stack.sheets)]
    assert [kind for kind, _ in runs] == ["programme", *stacks, *REVIEW_FORMS]
    assert all(len(run) <= 2 for _, run in runs)
    printed = sum(len(run) + len(run) % 2 for _, run in runs)  # an odd unit: a notes back
    assert len(PdfReader(handbook / paths.review_pdf(KOMPAS["id"])).pages) == printed
    text = "\n".join(text_of(handbook / paths.review_pdf(KOMPAS["id"])))
    count = len(day.stacks[0].sheets)
    for stack in day.stacks:
        assert f"Dagkaart van {stack.person.name}" in text
        assert f"Observant {stack.person.name}" in text
    assert f"bezoek 1 van {count}" in text and f"bezoek {count} van {count}" in text
    assert not re.search(r"Print \d+ keer", text)


def test_the_lesson_visit_has_timed_rows_for_the_whole_visit_on_one_double_sided_sheet(handbook, printer):
    sheets = printer.render(handbook / "formulieren" / "lesbezoek.html").pages
    assert len(sheets) <= 2
    rows = {id(box.element) for sheet in sheets for box, classes in boxes(sheet._page_box)
            if "lts-log" in classes and getattr(box, "element_tag", None) == "tr"
            and box.element.find("td") is not None}
    assert len(rows) >= 45 // 5  # a row per five minutes of a 45-minute lesson
    text = "\n".join(text_of(handbook / paths.FORMS_PDF))
    assert "Tijd" in text and "Wat doet de leraar?" in text


def test_the_review_report_has_a_block_per_focus_question_the_first_prefilled(handbook):
    text = "\n".join(text_of(handbook / paths.review_pdf(KOMPAS["id"])))
    report = text[text.index("Reviewverslag en terugkoppeling"):]
    for number in (1, 2, 3):
        assert f"Focusvraag {number}" in report
    first = report[report.index("Focusvraag 1"):report.index("Focusvraag 2")]
    assert "verhaaltjessom" in first  # the review's focus, from the circle file


# --- reproducible and offline -------------------------------------------------------------------

def test_pdfs_laid_out_side_by_side_elsewhere_are_the_same_bytes(handbook, tmp_path, monkeypatch):
    """The same pages and SOURCE_DATE_EPOCH give the same PDFs, byte for byte: built in another
    folder (no path leaks in) and with two workers, which lay out one circle's PDFs and book in
    two processes (build.py, common/processes.py), where the fixture's build used one."""
    pools = []
    real_pool = processes.pool
    monkeypatch.setattr(processes, "pool", lambda workers: pools.append(workers) or real_pool(workers))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert not failed(build([check_file(EXAMPLE)], tmp_path, Settings(use_history=False), workers=2))
    assert pools == [2]
    apart = tmp_path / handbook.name
    made = sorted(p.relative_to(handbook) for p in handbook.rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(apart) for p in apart.rglob("*") if p.is_file())
    assert len([name for name in made if name.suffix == ".pdf"]) > 5
    assert [name for name in made if (handbook / name).read_bytes() != (apart / name).read_bytes()] == []
    created = PdfReader(handbook / paths.FORMS_PDF).metadata.creation_date
    assert created == datetime.fromtimestamp(int(EPOCH), timezone.utc)


def test_nothing_outside_the_handbook_is_fetched(handbook, tmp_path):
    fetcher = pdf.handbook_fetcher(handbook, handbook.parent / "assets")
    (tmp_path / "secret.css").write_text("body { color: red }", encoding="utf-8")
    for url in ("https://example.org/style.css", "http://127.0.0.1/x.css",
                (tmp_path / "secret.css").as_uri(), (handbook / ".." / "x.css").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    inside = (handbook.parent / "assets" / "stylesheets" / "print.css").as_uri()  # shared assets
    assert b"@page" in fetcher.fetch(inside).read()


def test_without_pango_the_build_says_what_to_install(handbook, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    with pytest.raises(pdf.PdfError, match="apt-get install libpango-1.0-0"):
        pdf.write_pdfs(handbook, {}, "nl", handbook.parent / "assets")


def test_shared_assets_are_read_from_where_they_are_published(handbook, tmp_path):
    """A handbook whose pages link to ../assets/ (shared), built away from the published ones."""
    shared = shutil.copytree(handbook.parent / "assets", tmp_path / "published-assets")
    fetcher = pdf.handbook_fetcher(handbook, shared)
    (shared / "stylesheets" / "print.css").write_text("/* the published copy */", encoding="utf-8")
    beside = (handbook.parent / "assets" / "stylesheets" / "print.css").as_uri()
    assert fetcher.fetch(beside).read() == b"/* the published copy */"
    with pytest.raises(ValueError):
        fetcher.fetch((handbook.parent / "other" / "x.css").as_uri())


# --- PDFs of unchanged pages are taken from the published handbook ------------------------------

def test_only_the_pdfs_of_changed_pages_are_laid_out_again(handbook, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # as the fixture's build
    shared = handbook.parent / "assets"
    plan = pdf_plan()
    keys = read_stamp(handbook)["pdfs"]  # the build kept them for the next one
    assert sorted(keys) == sorted([paths.FORMS_PDF, *plan])
    rebuilt = shutil.copytree(handbook, tmp_path / "rebuilt")
    for path in all_pdfs(rebuilt):
        path.unlink()
    kompas = rebuilt / "reviews" / KOMPAS["id"] / "teamgesprek.html"  # a page of the pack only
    kompas.write_text(kompas.read_text(encoding="utf-8").replace("verhaaltjessom", "breuken"),
                      encoding="utf-8")
    laid_out = []
    monkeypatch.setattr(pdf, "_write", lambda document, target: laid_out.append(target.name))

    new_keys = pdf.write_pdfs(rebuilt, plan, "nl", shared, previous=handbook, previous_keys=keys)

    assert laid_out == [f"{KOMPAS['id']}.pdf"]
    assert {name for name in keys if new_keys[name] != keys[name]} == {paths.review_pdf(KOMPAS["id"])}
    for name in keys.keys() - {paths.review_pdf(KOMPAS["id"])}:
        assert (rebuilt / name).read_bytes() == (handbook / name).read_bytes(), name


def test_a_pdf_key_changes_with_the_stylesheets_and_the_epoch(handbook, tmp_path, monkeypatch):
    shared = shutil.copytree(handbook.parent / "assets", tmp_path / "assets")
    page = [handbook / "formulieren" / "lesbezoek.html"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    before = pdf.Printer(handbook, shared).key(page)
    assert pdf.Printer(handbook, shared).key(page) == before  # the same inputs, the same key
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    assert pdf.Printer(handbook, shared).key(page) != before
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    with (shared / "stylesheets" / "print.css").open("a", encoding="utf-8") as css:
        css.write("\n.lts-form { font-size: 12pt; }\n")
    assert pdf.Printer(handbook, shared).key(page) != before


def test_the_pdfs_use_the_themes_stylesheets_not_the_site_engines(handbook, tmp_path):
    """The PDFs have their own type (typeset.css) in place of Material's stylesheet: a change to
    the engine's stylesheet changes neither a PDF's key nor its layout."""
    shared = shutil.copytree(handbook.parent / "assets", tmp_path / "assets")
    page = [handbook / "formulieren" / "lesbezoek.html"]
    before = pdf.Printer(handbook, shared)
    key, laid_out = before.key(page), before.render_together(page).write_pdf()
    (engines,) = (shared / "stylesheets").glob("main.*.css")  # Material's, named by its hash
    with engines.open("a", encoding="utf-8") as css:
        css.write("\n.md-typeset { font-size: 40pt !important; }\n")
    after = pdf.Printer(handbook, shared)
    assert after.key(page) == key
    assert after.render_together(page).write_pdf() == laid_out


def test_a_pdf_keeps_the_themes_stylesheet_links_and_drops_the_engines():
    head = ('<link rel="stylesheet" href="../assets/stylesheets/main.57a0d79d.min.css">'
            '<link rel="stylesheet" href="../assets/stylesheets/palette.css">'
            '<link rel="stylesheet" href="../assets/stylesheets/print.css?v=2">'
            '<link rel="stylesheet" href="../assets/other/print.css">')  # not the theme's folder
    assert pdf.theme_stylesheet_links(head) == [
        '<link rel="stylesheet" href="../assets/stylesheets/palette.css">',
        '<link rel="stylesheet" href="../assets/stylesheets/print.css?v=2">']


def test_every_kind_of_admonition_the_pages_use_has_its_colour_on_paper():
    """typeset.css stands in for Material's stylesheet: a kind of box without a rule there would
    print in the default blue."""
    used = {kind for page in (ROOT / "docs_templates").rglob("*.md")
            for kind in re.findall(r"^\s*!!!\s+(\w+)", page.read_text(encoding="utf-8"), re.MULTILINE)}
    css = pdf.TYPESET_CSS.read_text(encoding="utf-8")
    assert used, "no admonitions found: the pattern is out of date"
    missing = {kind for kind in used - {"note"} if f".admonition.{kind} " not in css}  # note: the default
    assert not missing, f"typeset.css has no colour for: {sorted(missing)}"


def test_a_pdf_key_changes_with_an_image_on_its_page_but_not_with_the_folder(handbook, tmp_path):
    copy = shutil.copytree(handbook, tmp_path / "one" / "arkade-noord")
    shared = handbook.parent / "assets"
    page = copy / "formulieren" / "lesbezoek.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</article>", '<img src="logo.png" alt="logo"></article>', 1),
                    encoding="utf-8")
    (page.parent / "logo.png").write_bytes(b"\x89PNG one")
    before = pdf.Printer(copy, shared).key([page])
    moved = shutil.copytree(copy, tmp_path / "two" / "arkade-noord")  # a build's other work folder
    assert pdf.Printer(moved, shared).key([moved / "formulieren" / "lesbezoek.html"]) == before
    (page.parent / "logo.png").write_bytes(b"\x89PNG two")
    assert pdf.Printer(copy, shared).key([page]) != before


def test_a_pack_is_titled_by_its_page_not_by_the_site_or_the_pages_beside_it(handbook, tmp_path):
    """Renaming the circle, or adding a review beside this one, changes the page's <title> and
    its prev/next links: its PDF stays the same, so its key does too."""
    pack = handbook / paths.review_pdf(KOMPAS["id"])
    assert PdfReader(pack).metadata.title == f"Dagprogramma review {KOMPAS['school']}"
    copy = shutil.copytree(handbook, tmp_path / "arkade-noord")
    shared = handbook.parent / "assets"
    page = copy / "reviews" / KOMPAS["id"] / "dagprogramma.html"
    before = pdf.Printer(copy, shared).key([page])
    head, body = page.read_text(encoding="utf-8").split("<body", 1)
    renamed = head.replace("Cirkel Noord", "Cirkel Noord-Oost").replace(
        "</head>", '<link rel="next" href="../review-zonnebloem.html"></head>')  # a new review
    assert renamed.count("Noord-Oost") == 1 and "zonnebloem" in renamed
    page.write_text(renamed + "<body" + body, encoding="utf-8")
    assert pdf.Printer(copy, shared).key([page]) == before


def test_the_handbooks_of_one_build_share_the_pdfs_they_have_in_common(handbook, tmp_path, monkeypatch):
    """A second circle with schools of its own: its packs are its own, its blank forms the same
    as the first circle's, laid out once for both and byte-identical to a circle's built alone."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    text = EXAMPLE.read_text(encoding="utf-8")
    other = re.sub(r"^id: .*$", "id: arkade-zuid", text, count=1, flags=re.MULTILINE)
    other = re.sub(r"^(    name: )", r"\1Zuid ", other, flags=re.MULTILINE)  # every school's
    files = [Path(shutil.copy(EXAMPLE, tmp_path)), write(tmp_path, "arkade-zuid.yaml", other)]
    laid_out = []
    write_pdf = pdf._write
    monkeypatch.setattr(pdf, "_write", lambda document, target: (
        laid_out.append(target.name), write_pdf(document, target)))
    out = tmp_path / "site"

    assert not failed(build([check_file(path) for path in files], out, Settings(use_history=False)))

    # Each review's pack, preparation and workshop name the schools: their own in each circle.
    packs = {f"{review}.pdf": 2 for review in review_ids(handbook)}
    moments = {"voorbereiding.pdf": 4, "workshop.pdf": 4}  # two reviews in each of two circles
    assert Counter(laid_out) == {Path(paths.FORMS_PDF).name: 1, **packs, **moments,
                                 paths.book_pdf("nl"): 2}
    for circle in ("arkade-noord", "arkade-zuid"):
        assert (out / circle / paths.FORMS_PDF).read_bytes() == (handbook / paths.FORMS_PDF).read_bytes()
    assert "Zuid CBS Het Kompas" in text_of(out / "arkade-zuid" / paths.review_pdf(KOMPAS["id"]))[0]


def test_pdfs_all_taken_from_the_published_handbook_never_load_weasyprint(handbook, tmp_path):
    """A circle renamed: its pages change, its PDFs do not, and WeasyPrint (with Pango, half a
    second to load) is not even imported."""
    rebuilt = shutil.copytree(handbook, tmp_path / "arkade-noord")
    for path in all_pdfs(rebuilt):
        path.unlink()
    probe = "\n".join([
        "import json, sys",
        "from pathlib import Path",
        "from handbook_gen.pdf import printer as pdf",
        "from handbook_gen.common.freshness import read_stamp",
        "old, new, shared = map(Path, sys.argv[1:4])",
        "keys = read_stamp(old)['pdfs']",
        "plan = json.loads(sys.argv[4])",
        "pdf.write_pdfs(new, plan, 'nl', shared, previous=old, previous_keys=keys)",
        "print('weasyprint' in sys.modules)",
    ])
    done = subprocess.run([sys.executable, "-c", probe, handbook, rebuilt, handbook.parent / "assets",
                           json.dumps(pdf_plan())], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert done.stdout.strip() == "False", done.stdout + done.stderr
    assert [path.name for path in all_pdfs(rebuilt)] == [path.name for path in all_pdfs(handbook)]


# --- web-only text stays on the web ------------------------------------------------------------

# What only means something on a screen (macros.md.j2 web_only, the print button, the PDF link).
WEB_ONLY = ("zet in mijn agenda", "abonneren", "Abonneren", "Downloaden", "Afdrukken", "(pdf)")


def test_no_pdf_holds_text_meant_for_the_web_only(handbook):
    review_page = (handbook / "reviews" / f"{KOMPAS['id']}.html").read_text(encoding="utf-8")
    assert "zet in mijn agenda" in review_page  # on the web it is there
    pdfs = all_pdfs(handbook)
    assert len(pdfs) >= 2
    for path in pdfs:
        text = " ".join(" ".join(text_of(path)).split())
        assert [phrase for phrase in WEB_ONLY if phrase in text] == [], path.name
        assert "()" not in text, path.name  # no brackets left around a link that went
