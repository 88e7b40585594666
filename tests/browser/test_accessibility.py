"""WCAG 2.1 AA in Chromium: axe-core on every page, and what axe cannot see, checked by hand.

The site holds both example circles (Dutch) and an English copy of arkade-noord with a cancelled
review, so both languages and the cancelled look are covered. axe-core comes from npm, pinned in
tests/js/package-lock.json (scripts/install-js.sh); it is injected into each page from disk, so
it makes no request. Without it these tests are skipped, except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from handbook_gen.build import build, failed
from handbook_gen.common.freshness import Settings
from handbook_gen.circle.validate import check_file
from helpers import EXAMPLES, ROOT, checked, handbook_pages, one_of_each_kind, page_walker

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ENGLISH = "arkade-noord-en"
# What a page looks like to a screen reader, gathered in one pass over the DOM.
STRUCTURE = """() => {
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]);
  const text = element => (element ? element.textContent.replace(/\\s+/g, ' ').trim() : '');
  return {
    lang: document.documentElement.lang,
    levels,
    tables: [...document.querySelectorAll('article table')].map(table => ({
      headers: [...table.querySelectorAll('thead th')].map(text),
      rows: table.querySelectorAll('tbody tr').length})),
    struck: [...document.querySelectorAll('article del')].map(del => ({
      line: getComputedStyle(del).textDecorationLine,
      context: text(del.closest('td, li, p'))})),
    links: [...document.querySelectorAll('a[href]')].map(link => text(link).toLowerCase()),
  };
}"""
# Each space to write in and the visible text that says what goes in it: for a box, the
# paragraph or heading above it; in a table, the row's label cell or else the column's header.
WRITE_IN_LABELS = """() => [...document.querySelectorAll('.lts-write')].map(box => {
  const shown = element => element && element.checkVisibility() && element.innerText.trim() !== '';
  const cell = box.closest('td, th');
  if (!cell) {
    const above = box.previousElementSibling;
    return {label: shown(above) ? above.innerText.trim() : null};
  }
  const row = cell.parentElement;
  const first = row.cells[0];
  if (first !== cell && shown(first)) return {label: first.innerText.trim()};
  const header = cell.closest('table').tHead?.rows[0]?.cells[cell.cellIndex];
  return {label: shown(header) ? header.innerText.trim() : null};
})"""
GENERIC_LINKS = {"klik hier", "hier", "link", "deze link", "click here", "here", "this link"}


@pytest.fixture(scope="module")
def axe_source() -> Path:
    if not AXE.is_file():
        missing = "tests/js/node_modules has no axe-core; run scripts/install-js.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the accessibility tests must run on CI, but {missing}")
        pytest.skip(missing)
    return AXE


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    circles = [check_file(path).circle for path in EXAMPLES]
    arkade = next(circle for circle in circles if circle.id == "arkade-noord")
    reviews = list(arkade.reviews)
    reviews[1] = dataclasses.replace(reviews[1], cancelled=True)
    english = dataclasses.replace(arkade, id=ENGLISH, language="en", reviews=tuple(reviews))
    out = tmp_path_factory.mktemp("site")
    assert not failed(build([checked(c) for c in circles + [english]], out, Settings(pdfs=False)))
    return out


def axe_violations(page) -> list[str]:
    """'rule: element' for each WCAG 2.1 A/AA violation axe-core finds on the open page (which
    has axe-core loaded), in the media it shows now."""
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(result =>"
        " result.violations.flatMap(rule => rule.nodes.map(node =>"
        " `${rule.id}: ${node.target.join(' ')}`)))", WCAG_AA)


@dataclasses.dataclass
class Seen:
    """One page as axe-core, a screen reader and a reader of the forms see it."""

    violations: list[str]
    structure: dict
    write_ins: list[dict]


def look_at(browser, site: Path, base: str, paths: list[Path], axe: Path, print_too) -> tuple:
    """({path: Seen} on screen, {path: Seen} in print): every page opened once over http and
    seen on screen; those `print_too` says are then switched to print, as a reader who presses
    print after reading, and seen again. One tab goes from page to page, as a reader's would;
    axe-core is added to each page as it loads (Chromium compiles it once, not once a page)."""
    on_screen, on_paper = {}, {}
    with page_walker(browser, (base,), init_script=axe) as go:
        for path in paths:
            url = base + path.relative_to(site).as_posix()
            visit = go(url, media="screen")
            on_screen[path] = see(visit.page)
            if print_too(path):
                visit.page.emulate_media(media="print")
                on_paper[path] = see(visit.page)
            assert visit.outside() == [], url
    return on_screen, on_paper


def see(page) -> Seen:
    structure, write_ins = page.evaluate(STRUCTURE), page.evaluate(WRITE_IN_LABELS)
    return Seen(axe_violations(page), structure, write_ins)


def has_forms(path: Path) -> bool:
    """The pages with forms: the blank forms, the review pages and a review's day pages."""
    return ("formulieren" in path.parts or "reviews" in path.parts) and path.name != "index.html"


@pytest.fixture(scope="module")
def seen(browser, site, http_site, axe_source) -> tuple[dict, dict]:
    pages = one_of_each_kind(handbook_pages(site), site)
    assert len(pages) > 60 and site / "index.html" in pages
    assert site / "arkade-noord/reviews/review-kompas/dagkaart-1.html" in pages
    assert site / ENGLISH / "toegankelijkheid.html" in pages
    on_screen, on_paper = look_at(browser, site, http_site, pages, axe_source, has_forms)
    assert len(on_paper) > 30
    return on_screen, on_paper


@pytest.fixture(scope="module")
def on_screen(seen) -> dict:
    return seen[0]


@pytest.fixture(scope="module")
def on_paper(seen) -> dict:
    return seen[1]


def language_of(path: Path, site: Path) -> str:
    return "en" if path.relative_to(site).parts[0] == ENGLISH else "nl"


def axe_problems(site: Path, seen: dict, media: str) -> str:
    problems = [f"{path.relative_to(site)} ({media}): {violation}"
                for path, page in seen.items() for violation in page.violations]
    return f"{len(problems)} axe-core violations" + "".join("\n" + p for p in problems)


def test_no_page_has_an_axe_core_violation_on_screen(site, on_screen):
    assert axe_problems(site, on_screen, "screen") == "0 axe-core violations"


def test_no_form_has_an_axe_core_violation_in_print(site, on_paper):
    assert axe_problems(site, on_paper, "print") == "0 axe-core violations"


def test_language_headings_tables_and_links(site, on_screen):
    for path, page in on_screen.items():
        facts, where = page.structure, path.relative_to(site).as_posix()
        assert facts["lang"] == language_of(path, site), where
        levels = facts["levels"]
        assert levels.count(1) == 1 and levels[0] == 1, (where, levels)
        skipped = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert skipped == [], (where, skipped)
        for table in facts["tables"]:
            assert table["headers"] and all(table["headers"]), (where, table)
            assert table["rows"] > 0, (where, table)
        assert not GENERIC_LINKS & set(facts["links"]), where


def test_cancelled_is_said_in_words_not_only_shown(site, on_screen):
    words = {"eemland-samen": "vervalt", ENGLISH: "cancelled", "arkade-noord": "vervalt"}
    struck = set()
    for path, page in on_screen.items():
        for item in page.structure["struck"]:
            handbook = path.relative_to(site).parts[0]
            assert item["line"] == "line-through", (path, item)
            assert words[handbook] in item["context"], (path, item)
            struck.add(handbook)
    assert struck == {"eemland-samen", ENGLISH}


def test_every_write_in_space_has_a_visible_label(on_screen, on_paper):
    for media, seen in (("screen", on_screen), ("print", on_paper)):
        counted = 0
        for path, page in seen.items():
            unlabelled = [index for index, box in enumerate(page.write_ins) if not box["label"]]
            assert unlabelled == [], (path, media, unlabelled)
            counted += len(page.write_ins)
        assert counted > 500, media


def test_calendar_links_name_their_feed(site, open_built):
    page = open_built((site / "arkade-noord" / "agenda.html").as_uri()).page
    feed = "LtS Cirkel Noord — peer reviewers"
    subscribe = page.get_by_role("link", name=f"abonneren op {feed} (webcal, voor Apple Agenda)")
    assert subscribe.get_attribute("href").endswith("/calendars/peer-reviewers.ics")
    download = page.get_by_role("link", name=f"peer-reviewers.ics (agendabestand) (agenda {feed})")
    assert download.get_attribute("href") == "calendars/peer-reviewers.ics"
    # The extra words are for screen readers only: on screen they take up no room.
    hidden = download.locator(".lts-visually-hidden").bounding_box()
    assert hidden["width"] <= 1 and hidden["height"] <= 1


def test_skip_link_jumps_past_the_menu(site, open_built):
    page = open_built((site / "eemland-samen" / "planning.html").as_uri()).page
    page.keyboard.press("Tab")
    skip = page.locator(".md-skip")
    assert skip.evaluate("link => link === document.activeElement")
    assert skip.is_visible() and skip.inner_text().strip() == "Ga naar inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#jaarplanning"
    page.keyboard.press("Tab")  # the next stop is in the content, not the header or the menu
    assert page.evaluate("document.activeElement.closest('article') !== null")


@pytest.mark.parametrize("handbook, page_name, a_stop", [
    ("arkade-noord", "reviews/review-regenboog.html", "lts-print-button"),
    (ENGLISH, "index.html", 'href="toegankelijkheid.html"'),
])
def test_keyboard_reaches_everything_with_a_visible_focus_ring(site, open_built, handbook,
                                                               page_name, a_stop):
    page = open_built((site / handbook / page_name).as_uri()).page
    focusable = page.evaluate("""() => [...document.querySelectorAll(
        'a[href], button, input, select, textarea, [tabindex]')]
        .filter(element => element.tabIndex >= 0 && element.checkVisibility() && !element.disabled)
        .length""")
    stops = []
    for _ in range(focusable + 5):  # Tab until the focus leaves the page
        page.keyboard.press("Tab")
        stop = page.evaluate("""() => { const element = document.activeElement;
            if (element === document.body) return null;
            const style = getComputedStyle(element);
            return {what: element.outerHTML.slice(0, 100), outline: style.outlineStyle,
                    width: parseFloat(style.outlineWidth)}; }""")
        if stop is None:
            break
        stops.append(stop)
    assert len(stops) == focusable
    assert any(a_stop in stop["what"] for stop in stops)
    for stop in stops:
        assert stop["outline"] == "solid" and stop["width"] >= 2, stop


def test_print_button_and_next_activities_have_names(site, open_built):
    form = open_built((site / "arkade-noord" / "formulieren" / "lesbezoek.html").as_uri()).page
    assert form.get_by_role("button", name="Afdrukken", exact=True).is_visible()
    english = open_built((site / ENGLISH / "formulieren" / "lesbezoek.html").as_uri()).page
    assert english.get_by_role("button", name="Print", exact=True).is_visible()
    overview = open_built((site / "arkade-noord" / "index.html").as_uri()).page
    overview.clock.set_fixed_time("2025-11-25T09:00:00")  # within the circle's school year
    overview.reload()
    region = overview.get_by_role("region", name="Eerstvolgende activiteiten")
    assert region.get_by_role("table").is_visible()
