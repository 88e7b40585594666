"""The built handbook in a real browser: offline, searchable from file://, printable forms.

One headless Chromium serves the whole module (see conftest.py). Every page is opened both from
the file system and from a local web server, and any request for something outside the
handbook fails the test.
"""

from __future__ import annotations

import re

import pytest

from helpers import SAMPLE_FORM_SHEETS, SEARCH_WORD, page_urls

# Page objects in a PDF ("/Type /Page", not the "/Type /Pages" tree node).
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
CHROME = (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer",
          ".md-search")


def pdf_pages(pdf: bytes) -> int:
    return len(PDF_PAGE.findall(pdf))


@pytest.mark.parametrize("over", ["file", "http"])
def test_every_page_stays_inside_the_handbook(handbook, http_base, open_page, over):
    base = handbook.as_uri() + "/" if over == "file" else http_base + "test-cirkel/"
    urls = page_urls(handbook, base)
    assert len(urls) == 4  # index, planning, forms, review
    for url in urls:
        visit = open_page(url)
        visit.page.wait_for_load_state("networkidle")
        assert visit.outside() == [], f"{url} asked for something outside the handbook"
        assert any(request.endswith("iframe-worker/shim.js") for request in visit.requests)


def test_search_works_from_file(handbook, open_page):
    visit = open_page((handbook / "index.html").as_uri())
    page = visit.page
    page.fill(".md-search__input", SEARCH_WORD)
    result = page.locator(".md-search-result__item").first
    result.wait_for(state="visible", timeout=15_000)
    assert "Overzicht" in result.inner_text()
    assert visit.outside() == []


@pytest.mark.parametrize("name", sorted(SAMPLE_FORM_SHEETS))
def test_forms_print_one_per_sheet_without_blank_pages(handbook, open_page, name):
    visit = open_page((handbook / name).as_uri(), media="print")
    pdf = visit.page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf_pages(pdf) == SAMPLE_FORM_SHEETS[name]


def test_a_page_without_forms_prints_on_one_sheet(handbook, open_page):
    # Material's own print styles add a blank sheet after a short page; ours must not.
    visit = open_page((handbook / "planning.html").as_uri(), media="print")
    assert pdf_pages(visit.page.pdf(format="A4", prefer_css_page_size=True)) == 1


def test_print_shows_only_the_content(handbook, open_page):
    page = open_page((handbook / "formulieren.html").as_uri(), media="print").page
    for selector in CHROME + (".lts-print-button",):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".lts-form").first.is_visible()
    assert page.locator(".lts-write").first.is_visible()


def test_print_button_on_screen_only_where_there_are_forms(handbook, open_page):
    page = open_page((handbook / "formulieren.html").as_uri()).page
    button = page.locator(".lts-print-button")
    assert button.is_visible()
    assert button.inner_text().strip() == "Afdrukken"
    assert page.locator(".md-header").is_visible()
    # A review page with forms but no front matter gets the button from its content.
    review = open_page((handbook / "reviews" / "review-test.html").as_uri()).page
    assert review.locator(".lts-print-button").is_visible()
    planning = open_page((handbook / "planning.html").as_uri()).page
    assert planning.locator(".lts-print-button").count() == 0


def test_print_button_opens_the_print_dialog(handbook, open_page):
    page = open_page((handbook / "formulieren.html").as_uri()).page
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.click(".lts-print-button")
    assert page.evaluate("window.__printed === true")


def test_write_in_space_is_generous(handbook, open_page):
    """A default write-in box holds four lines of about 8 mm on paper (30 mm at 96 dpi: 113px)."""
    page = open_page((handbook / "formulieren.html").as_uri(), media="print").page
    height = page.locator(".lts-form > .lts-write:not(.lts-write--s)").first.bounding_box()["height"]
    assert height >= 113


def test_the_request_guard_catches_outside_requests(handbook, open_page):
    """The other tests pass because nothing goes out, not because the guard is blind."""
    visit = open_page((handbook / "index.html").as_uri())
    visit.page.evaluate("fetch('https://example.org/tracker.js').catch(() => null)")
    visit.page.wait_for_load_state("networkidle")
    assert visit.outside() == ["https://example.org/tracker.js"]
