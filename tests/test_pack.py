"""The review day's print job (pdf.print_job), read back from the printed PDFs: a short Wednesday
review with planned visits (tests/circles/visits.yaml), built once with its PDFs.

The pack: the programme, then per visitor their day card and a pre-filled lesson visit per visit
of theirs in time order, then the shared forms; each unit from a front (odd) page, an odd one
backed by a lined notes page; no page less than half used, measured on the rasterized PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from handbook_gen.site import paths
from handbook_gen.site.pages import REVIEW_FORMS
from handbook_gen.year.review_day import plan_day
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_file
from helpers import EPOCH, ROOT, built_site

pytestmark = pytest.mark.slow

VISITS = ROOT / "tests" / "circles" / "visits.yaml"
REVIEW = "review-a"
# The first line of each unit's first page, by kind.
STARTS = {"programme": "Dagprogramma review", "card": "Dagkaart van", "lesbezoek": "Lesbezoek:",
          "stem-van-de-leerling": "Stem van de leerling:", "teamgesprek": "Teamgesprek:",
          "reviewverslag": "Reviewverslag", "notes": "Aantekeningen"}
MIN_FILL = 0.5


@pytest.fixture(scope="module")
def circle():
    return check_file(VISITS).circle


@pytest.fixture(scope="module")
def day(circle):
    return plan_day(circle, circle.reviews[0])


@pytest.fixture(scope="module")
def handbook(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory.mktemp("site"), VISITS, EPOCH) / "visits"


@pytest.fixture(scope="module")
def pack(handbook) -> list[str]:
    """The text of each page of the review's pack."""
    return [page.extract_text() for page in PdfReader(handbook / paths.review_pdf(REVIEW)).pages]


def kind_of(text: str) -> str | None:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return next((kind for kind, start in STARTS.items() if first.startswith(start)), None)


def units(pages: list[str]) -> list[tuple[str, int, list[str]]]:
    """(kind, first page number, texts of its pages) of each unit, notes backs left out."""
    found = []
    for number, text in enumerate(pages, 1):
        kind = kind_of(text)
        if kind == "notes":
            continue
        if kind is not None:
            found.append((kind, number, [text]))
        else:
            found[-1][2].append(text)
    return found


def used(path: Path) -> list[float]:
    """How far down each page the ink reaches, as a share of the page's content area."""
    shares = []
    for page in pypdfium2.PdfDocument(path):
        image = page.render(scale=30 / 72, grayscale=True).to_pil().convert("L")
        width, height = image.size
        pixels = image.load()
        inked = [y for y in range(height) if any(pixels[x, y] < 200 for x in range(width))]
        top, bottom = 15 / 297 * height, (1 - 15 / 297) * height  # print.css: 15 mm margins
        shares.append((max(inked) - top) / (bottom - top) if inked else 0.0)
    return shares


# --- the stack of each visitor ------------------------------------------------------------------

def test_each_visitors_visit_is_on_a_form_of_its_own(pack, circle):
    forms = [texts[0] for kind, _, texts in units(pack) if kind == "lesbezoek"]
    review = circle.reviews[0]
    expected = [(visit, name) for visit in review.visits for name in visit.visitors]
    assert len(forms) == len(expected) == 8
    for visit, name in expected:
        time = f"{visit.start:%H:%M}–{visit.end:%H:%M}"
        own = [form for form in forms if f"Observant {name}" in form and time in form]
        assert len(own) == 1, (name, time)
        assert visit.group in own[0]
        assert (visit.teacher or "") in own[0]
        for other in set(visit.visitors) - {name}:
            assert f"Samen met {other}" in own[0]
        assert "Focus van de review" in own[0] and circle.reviews[0].focus.strip()[:30] in own[0]


def test_a_stack_per_visitor_card_then_their_visits_in_time_order(pack, day):
    order = [kind for kind, _, _ in units(pack)]
    stack = []
    for visitor in day.stacks:
        stack += ["card"] + ["lesbezoek"] * len(visitor.sheets)
    assert order == ["programme", *stack, *REVIEW_FORMS]
    texts = units(pack)
    at = 1
    for visitor in day.stacks:
        assert f"Dagkaart van {visitor.person.name}" in texts[at][2][0]
        visits = [texts[at + i][2][0] for i in range(1, len(visitor.sheets) + 1)]
        times = [re.search(r"Tijd (\d\d:\d\d)", form).group(1) for form in visits]
        assert times == sorted(times) and all(f"Observant {visitor.person.name}" in f for f in visits)
        at += 1 + len(visitor.sheets)


def test_a_card_names_its_visitors_visits_and_no_other_groep(pack, circle, day):
    cards = {texts[0].splitlines()[0].removeprefix("Dagkaart van ").strip(): "\n".join(texts)
             for kind, _, texts in units(pack) if kind == "card"}
    assert sorted(cards) == sorted(stack.person.name for stack in day.stacks)
    groups = {visit.group for visit in circle.reviews[0].visits}
    for stack in day.stacks:
        card = cards[stack.person.name]
        own = {sheet.visit.group for sheet in stack.sheets}
        for sheet in stack.sheets:
            assert f"{sheet.visit.start:%H:%M}–{sheet.visit.end:%H:%M}" in card
        assert all(group in card for group in own)
        assert not any(group in card for group in groups - own), stack.person.name
        assert "Wie leidt wat" in card and "Voorzitter van de dag" in card


def test_no_print_n_times_in_any_pdf_of_the_review(handbook):
    for path in (handbook / "reviews").rglob("*.pdf"):
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
        assert not re.search(r"Print \d+ keer", text), path.name


# --- paper ----------------------------------------------------------------------------------------

def test_every_unit_starts_on_a_front_page_and_holds_at_most_two(pack):
    found = units(pack)
    assert len(pack) % 2 == 0  # the last unit has its back too
    for kind, first, texts in found:
        assert first % 2 == 1, (kind, first)
        assert len(texts) <= 2, kind
    # A unit of one page is backed by lined notes, never by a blank page.
    for (kind, first, texts), following in zip(found, found[1:] + [(None, len(pack) + 1, [])]):
        if len(texts) == 1:
            assert kind_of(pack[first]) == "notes", (kind, first)
            assert following[1] == first + 2


def test_no_page_is_less_than_half_used(handbook):
    pdfs = [handbook / paths.review_pdf(REVIEW), handbook / paths.preparation_pdf(REVIEW),
            handbook / paths.workshop_pdf(REVIEW), handbook / paths.FORMS_PDF]
    for path in pdfs:
        for number, share in enumerate(used(path), 1):
            assert share >= MIN_FILL, f"{path.name}: page {number} is {share:.0%} used"


# --- one home for each fact ---------------------------------------------------------------------

def test_the_forms_give_the_minutes_the_programme_gives(pack, day):
    text = "\n".join(pack)
    pupils, team = day.minutes("pupil_voice"), day.minutes("team")
    assert (pupils, team) == (15, 65)  # a short Wednesday, ending at 14:45
    forms = {kind: "\n".join(texts) for kind, _, texts in units(pack) if kind in REVIEW_FORMS}
    assert f"praten {pupils} minuten" in forms["stem-van-de-leerling"]
    assert f"praten {team} minuten" in forms["teamgesprek"]
    for slot in day.slots:
        assert f"{slot.start:%H:%M}–{slot.end:%H:%M}" in pack[0] + pack[1]
    for hard_coded in ("half uur", "drie kwartier"):
        assert hard_coded not in text


def test_the_number_of_questions_follows_the_circle(pack, circle):
    pupils = next("\n".join(texts) for kind, _, texts in units(pack) if kind == "stem-van-de-leerling")
    assert "Stel de 2 vragen van de cirkel" in pupils and "vijf tot zeven" not in pupils
    for question in circle.theme.pupil_questions:
        assert question in pupils
    assert "3." not in re.sub(r"\d+\.\d+", "", pupils.split("Vragen", 1)[1].split("Na het gesprek")[0])


def test_assumed_pupil_hours_say_so_and_how_to_change_them(pack):
    programme = " ".join((pack[0] + pack[1]).split())
    assert "aangenomen schooltijden" in programme and "coördinator" in programme


def test_the_forms_pair_visitors_as_the_programme_does(pack):
    text = " ".join("\n".join(pack).split())
    assert "collega van de school" not in text
    assert "in tweetallen van twee bezoekers" in text


def test_a_short_conversation_is_a_warning_at_the_review(circle):
    problems = [(p.code, p.path) for p in plan(circle).problems]
    assert problems == [("rules.short_pupil_voice", ("reviews", 0, "end"))]


# --- the other moments ------------------------------------------------------------------------

def test_preparation_and_workshop_are_pdfs_of_their_own_linked_from_the_review(handbook):
    page = (handbook / paths.built(paths.review_page(REVIEW))).read_text(encoding="utf-8")
    assert f'href="{REVIEW}/voorbereiding.pdf"' in page and f'href="{REVIEW}/workshop.pdf"' in page
    preparation = "\n".join(p.extract_text() for p in PdfReader(handbook / paths.preparation_pdf(REVIEW)).pages)
    assert "Zelfevaluatie en data" in preparation and "reviewpakket" in preparation
    workshop = "\n".join(p.extract_text() for p in PdfReader(handbook / paths.workshop_pdf(REVIEW)).pages)
    assert "Workshopplan" in workshop and "Werkblad: de bevindingen van de review" in workshop
    pack = "\n".join(p.extract_text() for p in PdfReader(handbook / paths.review_pdf(REVIEW)).pages)
    assert "Zelfevaluatie en data" not in pack and "Workshopplan" not in pack


def test_write_lines_are_at_least_8_mm_apart(handbook):
    """Lines made for pens: each timed row of a lesson visit, and each row to write in, is at
    least 8 mm high on paper (print.css: the lined boxes' line gap is 8 mm too)."""
    from handbook_gen.pdf import printer as pdf

    card = handbook / paths.built(paths.card_page(REVIEW, 1))
    document = pdf.Printer(handbook, handbook.parent / "assets").render(card)
    eight_mm = 8 * 96 / 25.4
    rows = []
    for sheet in document.pages:
        boxes = [sheet._page_box]
        while boxes:
            box = boxes.pop()
            element = getattr(box, "element", None)
            if getattr(box, "element_tag", None) == "tr" and any(
                    "lts-write" in (e.get("class") or "") for e in element.iter()):
                rows.append(box.height)  # a row to write in
            boxes.extend(getattr(box, "children", ()))
    assert len(rows) > 20 and min(rows) >= eight_mm - 0.5, min(rows) / 96 * 25.4
    css = (ROOT / "theme" / "assets" / "stylesheets" / "print.css").read_text(encoding="utf-8")
    assert ".lts-write { --lts-line: 8mm;" in css
