"""The forms printed by Chromium (what "Afdrukken" gives a reader): each blank form on the same
number of A4 pages as in the PDFs WeasyPrint makes, with no blank page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from handbook_gen.site.pages import FORMS
from helpers import EPOCH, EXAMPLE, FORM_PAGES, built_site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_site(tmp_path_factory.mktemp("site"), EXAMPLE, EPOCH, pdfs=False)  # Chromium prints the pages


def test_each_blank_form_prints_on_its_pages(site, open_built):
    counts = {}
    for form in FORMS:
        page = site / "arkade-noord" / "formulieren" / f"{form}.html"
        visit = open_built(page.as_uri(), "print")
        printed = PdfReader(io.BytesIO(visit.page.pdf(prefer_css_page_size=True)))
        counts[form] = len(printed.pages)
        for number, sheet in enumerate(printed.pages, 1):
            assert sheet.extract_text().strip(), f"{form}: page {number} is blank"
        assert visit.outside() == [], form
    assert counts == {form: FORM_PAGES[form] for form in FORMS}
