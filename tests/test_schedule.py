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
from handbook_gen.circle.model import Circle, Visit
from handbook_gen.year.review_day import PUPIL_PARTS, TEAM_PARTS, plan_day, workshop_outline
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_file
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
    """The review's programme page: its article."""
    page = page_text(built, f"reviews/{review_id}/dagprogramma.html")
    return re.search(r'<article.*?</article>', page, re.DOTALL).group()


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
    preparation = page_text(built, "reviews/review-bron/voorbereiding.html")
    assert [f for f in forms(preparation) if f["data-form"] == "bezoekrooster"] == [
        {"class": "lts-form", "data-form": "bezoekrooster"}]
    assert "bezoekrooster" not in str(forms(page_text(built, "reviews/review-klimboom/voorbereiding.html")))
    form = preparation[preparation.index('data-form="bezoekrooster"'):]
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
    assert day.slots[0].start == time(8, 15) and day.slots[-1].end == time(16, 15)


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
    assert (day.slots[0].start, day.slots[-1].end) == (time(8, 0), time(16, 15))  # minimal.yaml
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


def test_each_visitor_gets_a_lesson_visit_form_per_visit_of_theirs():
    circle = load(EEMLAND)
    with_visits, without = (plan_day(circle, r) for r in circle.reviews[:2])
    assert sum(len(stack.sheets) for stack in with_visits.stacks) == 8  # four visits, two each
    for stack in with_visits.stacks:
        own = [v for v in with_visits.review.visits if stack.person.name in v.visitors]
        assert [sheet.visit for sheet in stack.sheets] == sorted(own, key=lambda v: v.start)
        for sheet in stack.sheets:
            assert set(sheet.partners) == set(sheet.visit.visitors) - {stack.person.name}
            assert sheet.rows[0] == sheet.visit.start and len(sheet.rows) == 9  # 45 minutes
    # Without visits: numbered visits in the visits' time, each visitor with a fellow visitor.
    visits = next(s for s in without.slots if s.part == "visits")
    count = (visits.end.hour * 60 + visits.end.minute - visits.start.hour * 60
             - visits.start.minute) // 30
    for stack in without.stacks:
        assert [(s.number, s.of) for s in stack.sheets] == [(n, count) for n in range(1, count + 1)]
        assert len(stack.partners) == 1 and stack.partners[0] in without.reviewers
        partner = next(s for s in without.stacks if s.person.name == stack.partners[0])
        assert partner.partners == (stack.person.name,)


def test_odd_visitors_walk_three_together():
    circle = load(ROOT / "circles" / "arkade-noord.yaml")
    day = plan_day(circle, circle.reviews[0])  # five visitors
    sizes = sorted(len(stack.partners) for stack in day.stacks)
    assert sizes == [1, 1, 2, 2, 2] and day.pairs == 2
    named = [name for group in day.groups for name in group]  # the programme lists each group once
    assert sorted(named) == sorted(day.reviewers) and len(day.groups) == 2


def test_forms_carry_their_name_and_no_copies(built):
    pages = sorted((built / "reviews").rglob("*.html"))
    assert len(pages) == 3 * 11  # per review: overview, programme, 4 cards, 3 forms, 2 moments
    for page in pages:
        text = page_text(built, page.relative_to(built).as_posix())
        assert not re.search(r"Print \d+ keer", text) and "data-copies" not in text, page
    card = page_text(built, "reviews/review-klimboom/dagkaart-1.html")
    assert [f["data-form"] for f in forms(card)] == ["lesbezoek", "lesbezoek"]
    blank = page_text(built, "formulieren/lesbezoek.html")
    assert forms(blank) == [{"class": "lts-form", "data-form": "lesbezoek"}]


def test_workshop_plan_is_for_the_whole_team_led_by_the_hosts_coaches(built):
    page = page_text(built, "reviews/review-klimboom/workshop.html")
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
    pupils = page_text(built, "reviews/review-klimboom/stem-van-de-leerling.html")
    team = page_text(built, "reviews/review-klimboom/teamgesprek.html")
    assert "Wat doe je als je een stuk van een tekst niet snapt?" in pupils
    assert "Stel de 5 vragen van de cirkel" in pupils and "Kies vijf tot zeven" not in pupils
    assert "Wat hebben jullie de afgelopen periode geprobeerd?" not in team
    assert "Hoe kies je de teksten, en hoe hangen ze samen met wereldoriëntatie?" in team
    blank = page_text(built, "formulieren/stem-van-de-leerling.html")
    assert "Wanneer lees je graag, en wanneer niet?" in blank


def test_the_expert_coach_is_on_the_team_page(built):
    team = page_text(built, "team.html")
    assert "Ineke Bakker" in team and "traint en coacht het LtS-team" in team
    assert "i.bakker@leerkracht.example" not in team  # Eemland shows no e-mail addresses


def test_reviewers_on_the_forms_include_the_visiting_schoolcoaches(built):
    page = page_text(built, "reviews/review-bron/reviewverslag.html")
    reviewers = re.search(r"<td[^>]*>Reviewers</td>\s*<td[^>]*>(.*?)</td>", page).group(1)
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
