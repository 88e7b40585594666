"""The real handbooks in Chromium: the example circles, and a circle full of injections.

The sample-handbook tests (test_handbook_in_browser.py) pin down the theme; these check what the
whole pipeline makes of real circle files: no request leaves any page, search finds a school
over file://, and values from a circle file never become markup or script.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook_gen.build import build, failed
from handbook_gen.common.freshness import Settings
from handbook_gen.circle.validate import check_file
from helpers import ATTACKS, EXAMPLES, checked, handbook_pages, malicious_circle, one_of_each_kind

# What injected markup would leave behind in the DOM if it were not inert.
INJECTED = ("iframe", "img[onerror]", "[onclick]:not(.lts-print-button)", "a[href^='javascript' i]",
            "img[src^='javascript' i]", "script:not([src])")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    circles = [check_file(path).circle for path in EXAMPLES]
    evil = malicious_circle(circles[0])
    out = tmp_path_factory.mktemp("site")
    assert not failed(build([checked(c) for c in circles[1:] + [evil]], out, Settings(pdfs=False)))  # evil keeps arkade-noord's id
    return out


def idle_pages(open_built, paths: list[Path], at_once: int = 6):
    """(path, visit) for each page, once nothing has loaded for half a second. Most of that
    is waiting, so a few pages load side by side; each one's context is closed after."""
    for start in range(0, len(paths), at_once):
        visits = [(path, open_built(path.as_uri(), wait_until="commit"))
                  for path in paths[start:start + at_once]]
        for path, visit in visits:
            visit.page.wait_for_load_state("networkidle")
            yield path, visit
            visit.page.context.close()


# One page of each kind (helpers.one_of_each_kind): the other reviews and day cards are the same
# templates, with other names. arkade-noord (the injected circle) is checked below.
def test_no_page_of_any_handbook_asks_for_anything_outside(site, open_built):
    pages = [site / "index.html"] + one_of_each_kind(handbook_pages(site / "eemland-samen"), site)
    assert len(pages) > 30
    for path, visit in idle_pages(open_built, pages):
        assert visit.outside() == [], f"{path} asked for something outside the handbook"


def test_index_over_http_links_to_every_handbook(http_site, open_built):
    page = open_built(http_site + "index.html").page
    hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    assert "eemland-samen/index.html" in hrefs and "arkade-noord/index.html" in hrefs


def test_search_finds_a_school_over_file(site, open_built):
    visit = open_built((site / "eemland-samen" / "index.html").as_uri())
    visit.page.fill(".md-search__input", "Klimboom")
    result = visit.page.locator(".md-search-result__item").first
    result.wait_for(state="visible", timeout=15_000)
    assert "Klimboom" in result.inner_text()


def test_injected_values_stay_inert_text(site, open_built):
    pages = one_of_each_kind(handbook_pages(site / "arkade-noord"), site)
    assert len(pages) > 15
    for path, visit in idle_pages(open_built, pages):
        assert visit.outside() == [], f"{path} asked for something outside the handbook"
        assert visit.dialogs == [], f"script ran on {path}"
        for selector in INJECTED:
            found = visit.page.locator(f"article {selector}, .md-header {selector}").count()
            assert found == 0, f"{selector} on {path}"
        script_texts = visit.page.evaluate("[...document.scripts].map(s => s.textContent)")
        assert not any("alert(" in text for text in script_texts), f"script element on {path}"
    team = open_built((site / "arkade-noord" / "team.html").as_uri()).page
    assert ATTACKS["script"] in team.locator("article").inner_text()
    assert ATTACKS["img"] in team.locator("article").inner_text()


def visible_overview_dates(visit) -> list[str]:
    rows = visit.page.locator(".lts-upcoming tbody tr:visible [data-date]")
    return [rows.nth(i).get_attribute("data-date") for i in range(rows.count())]


@pytest.mark.parametrize("today, expected", [
    ("2026-11-25T09:00:00", ["2026-12-15", "2027-01-14", "2027-01-19", "2027-01-28", "2027-03-02"]),
    ("2026-08-01T09:00:00", ["2026-09-28", "2026-10-07", "2026-11-10", "2026-11-24", "2026-12-15"]),
])
def test_overview_shows_the_readers_next_activities(site, open_built, today, expected):
    visit = open_built((site / "eemland-samen" / "index.html").as_uri())
    visit.page.clock.set_fixed_time(today)
    visit.page.reload()
    assert visible_overview_dates(visit) == expected
    assert not visit.page.locator(".lts-upcoming__none").is_visible()


def test_overview_after_the_school_year_says_nothing_is_planned(site, open_built):
    visit = open_built((site / "eemland-samen" / "index.html").as_uri())
    visit.page.clock.set_fixed_time("2027-08-15T09:00:00")
    visit.page.reload()
    assert visible_overview_dates(visit) == []
    assert visit.page.locator(".lts-upcoming__none").is_visible()
