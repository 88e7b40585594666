"""The review day planned around the school day (review_day.py), and what the built pages make of it."""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import date, time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from handbook_gen.cli import main
from handbook_gen.model import Circle, Visit
from handbook_gen.review_day import PUPIL_PARTS, TEAM_PARTS, plan_day, workshop_outline
from handbook_gen.schedule import plan
from handbook_gen.validate import check_file
from helpers import ROOT

EEMLAND = ROOT / "circles" / "eemland-samen.yaml"  # review-klimboom has visits, the others not
MINIMAL = ROOT / "tests" / "circles" / "minimal.yaml"


def load(path: Path) -> Circle:
    checked = check_file(path)
    assert checked.circle is not None, checked.problems
    return checked.circle


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Eemland's handbook, built once by the real command (MkDocs)."""
    out = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        assert main(["build", "--no-pdf", str(EEMLAND), "-o", str(out)]) == 0
    return out / "eemland-samen"


def page_text(built: Path, page: str) -> str:
    """A built page's HTML with its character references decoded (md_text writes ':' as &#58;)."""
    return html.unescape((built / page).read_text(encoding="utf-8"))


def programme_html(built: Path, review_id: str) -> str:
    """The review page's programme section: from its heading to the next h2."""
    page = page_text(built, f"reviews/{review_id}.html")
    return re.search(r'<h2 id="programma-van-de-dag".*?(?=<h2 )', page, re.DOTALL).group()


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "div" and ("class", "lts-form") in attrs:
            self.found.append(dict(attrs))


def forms(page_html: str) -> list[dict]:
    """The attributes of every form's wrapper, the contract with the PDF builder."""
    parser = _Forms()
    parser.feed(page_html)
    return parser.found


def on_review(circle: Circle, **changes) -> Circle:
    """The circle with its first review changed."""
    first = dataclasses.replace(circle.reviews[0], **changes)
    return dataclasses.replace(circle, reviews=(first,) + circle.reviews[1:])


def test_every_visitor_is_named_in_the_programme_of_their_review(built):
    circle = load(EEMLAND)
    klimboom = next(r for r in circle.reviews if r.visits)
    programme = programme_html(built, klimboom.id)
    for visit in klimboom.visits:
        row = re.search(rf"<tr>\s*<td[^>]*>{visit.start:%H:%M}–{visit.end:%H:%M}</td>\s*"
                        rf"<td[^>]*>{visit.group}</td>.*?</tr>", programme, re.DOTALL)
        assert row, visit
        for name in visit.visitors:
            assert name in row.group(), (visit.group, name)
    # Every slot names people: the reviewers by name, the chair, the host's own people.
    for name in ("Karin Verhoeven", "Mohamed Bouali", "Pieter Schouten", "Ilse Wouters",
                 "Sandra Kok", "Tim de Graaf", "voorzitter: Karin Verhoeven"):
        assert name in programme, name


def test_without_visits_the_host_gets_a_visit_schedule_with_the_reviewers_names(built):
    programme = programme_html(built, "review-bron")
    assert [f for f in forms(programme) if f["data-form"] == "bezoekrooster"] == [
        {"class": "lts-form", "data-form": "bezoekrooster", "data-copies": "1"}]
    form = programme[programme.index('data-form="bezoekrooster"'):]
    rows = re.findall(r"<tr>.*?</tr>", form, re.DOTALL)
    schedule_rows = [row for row in rows if "lts-write" in row]
    assert len(schedule_rows) >= 6  # empty time, groep and teacher to fill in
    for name in ("Erik van Dijk", "Noor Hendriks", "Ahmet Yilmaz", "Femke Jacobs"):
        assert all(f"☐\u00a0{name}" in row for row in schedule_rows), name  # box and name together


def test_planned_visits_fix_the_visiting_slot():
    circle = load(EEMLAND)
    day = plan_day(circle, next(r for r in circle.reviews if r.visits))
    visits = next(slot for slot in day.slots if slot.part == "visits")
    assert (visits.start, visits.end) == (time(9, 0), time(10, 45))
    assert day.slots[0].start == time(8, 15) and day.slots[-1].end == time(15, 30)


def test_a_wednesday_review_ends_its_pupil_parts_before_the_pupils_leave():
    circle = load(MINIMAL)
    wednesday = on_review(circle, date=date(2025, 11, 19))
    day = plan_day(wednesday, wednesday.reviews[0])
    assert day.pupils == (time(8, 30), time(12, 15))
    assert day.fits_pupils and day.fits_after
    for slot in day.slots:
        if slot.part in PUPIL_PARTS:
            assert time(8, 30) <= slot.start and slot.end <= time(12, 15), slot
        if slot.part in TEAM_PARTS:
            assert slot.start >= time(12, 15), slot
    # One after the other, from the review's start to its end.
    assert all(a.end == b.start for a, b in zip(day.slots, day.slots[1:]))
    assert (day.slots[0].start, day.slots[-1].end) == (time(8, 0), time(15, 30))
    assert not plan(wednesday).problems


def test_a_tuesday_review_talks_with_the_team_after_half_past_two():
    circle = load(MINIMAL)
    day = plan_day(circle, circle.reviews[0])
    team = next(slot for slot in day.slots if slot.part == "team")
    assert team.start == time(14, 30)
    pupils = [slot for slot in day.slots if slot.part in PUPIL_PARTS]
    assert pupils[0].start >= time(8, 30) and pupils[-1].end <= time(14, 30)


def test_review_times_without_room_give_warnings_at_the_review():
    circle = load(MINIMAL)
    codes = {problem.code for problem in plan(on_review(circle, end=time(12, 30))).problems}
    assert codes == {"rules.no_room_after_pupils"}
    late = plan(on_review(circle, start=time(13, 30), end=time(17, 0)))
    assert [(p.code, p.path) for p in late.problems] == [
        ("rules.no_room_for_pupils", ("reviews", 0, "start"))]
    # A review without times gets a day long enough: no warning.
    assert not plan(on_review(circle, start=None, end=None, date=date(2025, 11, 19))).problems


def test_a_visitors_copies_of_the_lesson_visit():
    circle = load(EEMLAND)
    with_visits, without = (plan_day(circle, r) for r in circle.reviews[:2])
    assert with_visits.copies["lesbezoek"] == 8  # four visits, two visitors each
    assert without.copies["lesbezoek"] == len(without.reviewers) == 4
    assert without.copies["stem-van-de-leerling"] == len(without.coaches)
    assert without.copies["reviewverslag"] == 1


def test_forms_carry_their_name_and_copies_for_the_pdf(built):
    page = page_text(built, "reviews/review-klimboom.html")
    found = {form["data-form"]: form["data-copies"] for form in forms(page)}
    assert found == {"zelfevaluatie": "1", "lesbezoek": "8", "learning-walk": "2",
                           "stem-van-de-leerling": "2", "teamgesprek": "2", "reviewverslag": "1",
                           "workshopplan": "1"}
    assert "Print 8 keer" in page and "Print 1 keer" in page
    blank = page_text(built, "formulieren/lesbezoek.html")
    assert forms(blank) == [{"class": "lts-form", "data-form": "lesbezoek"}]
    assert "Print" not in blank


def test_workshop_plan_is_for_the_whole_team_led_by_the_hosts_coaches(built):
    page = page_text(built, "reviews/review-klimboom.html")
    form = page[page.index('data-form="workshopplan"'):]
    assert re.search(r"<td[^>]*>Voor wie</td>\s*<td[^>]*>het hele team van OBS De Klimboom</td>", form)
    assert re.search(r"<td[^>]*>Begeleiding \(schoolcoaches\)</td>\s*<td[^>]*>Tim de Graaf</td>", form)
    minutes = [int(m) for m in re.findall(r"<tr>\s*<td[^>]*>[^<]+</td>\s*<td[^>]*>(\d+)</td>", form)]
    assert sum(minutes) == 90 and len(minutes) == 5  # the workshop runs 14:30-16:00
    planning = page_text(built, "planning.html")
    assert "het hele team van OBS De Klimboom, onder leiding van de schoolcoaches van de school: " \
           "Tim de Graaf" in planning


def test_workshop_outline_fills_the_slot():
    assert sum(workshop_outline(None).values()) == 120
    circle = load(MINIMAL)
    workshop = dataclasses.replace(circle.reviews[0].workshop, start=time(15, 0), end=time(16, 0))
    assert list(workshop_outline(workshop).values()) == [10, 10, 20, 15, 5]


def test_the_circles_own_questions_replace_the_general_ones(built):
    page = page_text(built, "reviews/review-klimboom.html")
    assert "Wat doe je als je een stuk van een tekst niet snapt?" in page
    assert "Wat hebben jullie de afgelopen periode geprobeerd?" not in page
    assert "Hoe kies je de teksten, en hoe hangen ze samen met wereldoriëntatie?" in page
    blank = page_text(built, "formulieren/stem-van-de-leerling.html")
    assert "Wanneer lees je graag, en wanneer niet?" in blank


def test_the_expert_coach_is_on_the_team_page(built):
    team = page_text(built, "team.html")
    assert "Ineke Bakker" in team and "traint en coacht het LtS-team" in team
    assert "i.bakker@leerkracht.example" not in team  # Eemland shows no e-mail addresses


def test_reviewers_on_the_forms_include_the_visiting_schoolcoaches(built):
    page = page_text(built, "reviews/review-bron.html")
    forms_part = page[page.index('id="formulieren-voor-deze-review"'):]
    reviewers = re.search(r"<td[^>]*>Reviewers</td>\s*<td[^>]*>(.*?)</td>", forms_part).group(1)
    for name in ("Erik van Dijk", "Noor Hendriks", "Ahmet Yilmaz", "Femke Jacobs"):
        assert name in reviewers


def test_a_visit_is_a_visit():
    circle = load(EEMLAND)
    assert next(r for r in circle.reviews if r.visits).visits[0] == Visit(
        time(9, 0), time(9, 45), "groep 7", ("Karin Verhoeven", "Ilse Wouters"), "Annelies Vermeer")


def test_a_weekend_review_gets_the_guideline_day_and_only_the_weekend_warning():
    saturday = on_review(load(MINIMAL), date=date(2025, 11, 22))
    day = plan_day(saturday, saturday.reviews[0])
    assert day.pupils is None and all(slot.start < slot.end for slot in day.slots)
    assert [p.code for p in plan(saturday).problems] == ["dates.weekend"]
