"""The pages people read on the review day: on a 390 px phone nothing needs a sideways scroll,
on paper nothing is left that only works on a screen, and nowhere a word of the file format.

Material puts a wide table in a box that scrolls sideways; on a phone the columns on the right
are then easy to miss. handbook.css stacks the rows instead, each cell under its column's heading
(data-label, from handbook_gen/site/table_labels.py). Checked in Chromium at 390 px on the example
handbooks: arkade-noord shows e-mail addresses (long words), eemland-samen has planned visits.
axe-core runs on the same pages at that width: the stacked tables must stay accessible.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest

from handbook_gen.build import build, failed
from handbook_gen.common.freshness import Settings
from handbook_gen.circle.validate import check_file
from helpers import EXAMPLES, handbook_pages, one_of_each_kind
from test_accessibility import AXE, axe_violations

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}
# The pages read on the day: start, planning, team, review plan, calendars, and every page
# of the reviews (the review, its day programme and forms).
DAY_PAGES = ("index.html", "planning.html", "team.html", "reviewplan.html", "agenda.html")
MEASURE = """() => ({
  page: document.documentElement.scrollWidth,
  tables: [...document.querySelectorAll('article table')].map(table => {
    const space = table.closest('.md-typeset__scrollwrap') || table.parentElement;
    return {width: Math.ceil(table.getBoundingClientRect().width), space: space.clientWidth,
            scrolls: space.scrollWidth > space.clientWidth + 1,
            header: table.querySelector('thead') ? table.querySelector('thead').innerText : ''};
  }),
  unlabelled: [...document.querySelectorAll('article tbody td:not(:first-child)')]
    .filter(cell => cell.innerText.trim() !== '' && cell.checkVisibility())
    .filter(cell => getComputedStyle(cell, '::before').content === 'none')
    .filter(cell => {  // a column whose heading is for screen readers only needs no label
      const heading = cell.closest('table').tHead?.rows[0]?.cells[cell.cellIndex]?.cloneNode(true);
      heading?.querySelectorAll('.lts-visually-hidden').forEach(hidden => hidden.remove());
      return heading && heading.textContent.trim() !== '';
    }).map(cell => cell.innerText.trim().slice(0, 40)),
})"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    circles = [check_file(path) for path in EXAMPLES]
    assert not failed(build(circles, out, Settings(pdfs=False)))
    return out


def day_pages(site: Path) -> list[Path]:
    found = []
    for handbook in sorted(p for p in site.iterdir() if (p / "reviews").is_dir()):
        found += [handbook / name for name in DAY_PAGES]
        found += sorted((handbook / "reviews").rglob("*.html"))
    return found


@pytest.fixture(scope="module")
def phone(browser):
    """One tab at phone width, going from page to page; with axe-core added to each page as it
    loads, when it is installed (Chromium compiles it once, not once a page)."""
    context = browser.new_context(viewport=PHONE, service_workers="block")
    page = context.new_page()
    if AXE.is_file():
        page.add_init_script(path=str(AXE))
    yield page
    context.close()


def test_no_table_of_a_day_page_is_wider_than_its_space_on_a_phone(site, phone):
    pages = day_pages(site)
    assert len(pages) >= 2 * len(DAY_PAGES) + 4
    tables = 0
    for path in pages:
        phone.goto(path.as_uri())
        seen = phone.evaluate(MEASURE)
        where = path.relative_to(site).as_posix()
        assert seen["page"] <= PHONE["width"], (where, seen["page"])
        for table in seen["tables"]:
            assert table["width"] <= table["space"] and not table["scrolls"], (where, table)
        assert seen["unlabelled"] == [], where  # each value says which column it is in
        tables += len(seen["tables"])
    assert tables > 30


def test_wide_tables_still_are_tables_on_a_wide_screen(site, browser):
    """The stacking is for narrow screens only: at 1280 px the planning has its six columns."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto((site / "eemland-samen" / "planning.html").as_uri())
    assert page.evaluate("getComputedStyle(document.querySelector('article table')).display") != "block"
    assert page.locator("article thead th").first.is_visible()
    context.close()


def test_day_pages_have_no_axe_violation_on_a_phone(site, phone):
    if not AXE.is_file():
        missing = "tests/js/node_modules has no axe-core; run scripts/install-js.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the accessibility tests must run on CI, but {missing}")
        pytest.skip(missing)
    problems = []
    # One handbook is enough (the same templates), and of its reviews' pages one of each kind.
    pages = [path for path in one_of_each_kind(day_pages(site), site)
             if path.relative_to(site).parts[0] == "eemland-samen"]
    assert len(pages) > 10
    for path in pages:
        phone.goto(path.as_uri())
        problems += [f"{path.relative_to(site)}: {v}" for v in axe_violations(phone)]
    assert problems == []


# Words of the circle file and of iCalendar that mean nothing to a reader: key names, and in
# these Dutch handbooks the English keys that are no Dutch words.
FORMAT_WORDS = ("expert_coach", "holiday_region", "learning_question", "peer_reviewers", "pupil_hours",
                "pupil_questions", "reviewed_before", "school_year", "show_email", "site_url",
                "staff_questions", "study_days", "visits", "visitors", "trainings", "evaluations",
                "timezone", "UID", "SEQUENCE", "DTSTAMP", "VEVENT", "VCALENDAR")
ARTICLE = re.compile(r"<article.*?</article>", re.S)


def article_text(path: Path) -> str:
    found = ARTICLE.search(path.read_text(encoding="utf-8"))
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))) if found else ""


def test_no_page_shows_a_word_of_the_file_format(site):
    pages = handbook_pages(site)
    assert len(pages) > 30
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, FORMAT_WORDS)) + r")(?![\w-])")
    found = {path.relative_to(site).as_posix(): pattern.findall(article_text(path)) for path in pages}
    assert {where: words for where, words in found.items() if words} == {}


WEB_ONLY = ("zet in mijn agenda", "Downloaden:", "(agendabestand)", "Abonneren:", "(abonneren)")


def test_web_only_text_is_on_the_screen_and_not_on_paper(site, browser):
    context = browser.new_context()
    page = context.new_page()
    for name in ("planning.html", "team.html", "agenda.html", "reviews/review-klimboom.html"):
        page.goto((site / "eemland-samen" / name).as_uri())
        page.emulate_media(media="screen")
        on_screen = page.inner_text("article")
        assert any(phrase in on_screen for phrase in WEB_ONLY), name
        page.emulate_media(media="print")
        on_paper = page.inner_text("article")
        assert [phrase for phrase in WEB_ONLY if phrase in on_paper] == [], name
        assert "()" not in on_paper, name
    context.close()
