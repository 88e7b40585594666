"""The site stage without a browser: real MkDocs builds of a tiny handbook, swap-in, skipping,
determinism, quietness, and the index page. (tests/browser/ opens the result in Chromium.)"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from handbook_gen.site.index_page import write_index
from handbook_gen.site.handbook import SiteError, build_handbook
from helpers import EPOCH

DOCS = {
    "index.md": "# Overzicht\n\nNaar de [planning](planning.md).\n",
    "planning.md": "# Planning\n\n| Datum | Wat |\n| --- | --- |\n| 4 nov | Start |\n",
    "calendars/circle.ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
}
NAV = [{"Overzicht": "index.md"}, {"Planning": "planning.md"}]


def tree(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(autouse=True)
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def build(out: Path, docs=DOCS, nav=NAV, language="nl") -> bool:
    return build_handbook("noord", "Cirkel Noord", language, docs, nav, out)


def test_builds_an_offline_handbook(tmp_path):
    assert build(tmp_path) is True
    site = tmp_path / "noord"
    assert (site / "index.html").is_file() and (site / "planning.html").is_file()
    assert (site / "calendars" / "circle.ics").read_bytes() == DOCS["calendars/circle.ics"]
    assert (site / "search" / "search_index.js").is_file()  # inlined index: search from file://
    assert (site / "assets" / "javascripts" / "iframe-worker" / "shim.js").is_file()
    # No sitemap (needs a site URL, carries dates) and no 404 page (links from the server root).
    assert not (site / "sitemap.xml").exists() and not (site / "sitemap.xml.gz").exists()
    assert not (site / "404.html").exists()
    # Nothing but the work folder's own files: no staging leftovers next to the handbook.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noord"]


def test_pages_load_nothing_from_outside(tmp_path):
    build(tmp_path)
    for page in (tmp_path / "noord").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        loads = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]*)"', html)
        assert loads and not [url for url in loads if re.match(r"[a-z]+:|//", url)], page
        assert "unpkg.com" not in html and "fonts.googleapis" not in html


@pytest.mark.parametrize("language, label", [("nl", "Afdrukken"), ("en", "Print")])
def test_theme_language_and_print_label(tmp_path, language, label):
    form = '<div class="lts-form" markdown>\n\n# Lesbezoek\n\n<div class="lts-write"></div>\n\n</div>\n'
    build(tmp_path, docs={**DOCS, "formulier.md": form}, language=language)
    assert f'<html lang="{language}"' in (tmp_path / "noord" / "index.html").read_text("utf-8")
    page = (tmp_path / "noord" / "formulier.html").read_text("utf-8")
    assert f"<span>{label}</span>" in page and 'class="md-button lts-print-button"' in page
    assert "lts-print-button" not in (tmp_path / "noord" / "planning.html").read_text("utf-8")


def test_a_second_identical_build_is_skipped(tmp_path):
    assert build(tmp_path) is True
    before = tree(tmp_path / "noord")
    assert build(tmp_path) is False
    assert tree(tmp_path / "noord") == before
    changed = {**DOCS, "planning.md": DOCS["planning.md"] + "\nNieuw.\n"}
    assert build(tmp_path, docs=changed) is True
    assert "Nieuw." in (tmp_path / "noord" / "planning.html").read_text("utf-8")


def test_same_inputs_give_a_byte_identical_site(tmp_path):
    build(tmp_path / "a")
    build(tmp_path / "b")
    assert tree(tmp_path / "a" / "noord") == tree(tmp_path / "b" / "noord")


def test_failed_build_leaves_the_published_handbook_untouched(tmp_path, capfd):
    build(tmp_path)
    before = tree(tmp_path / "noord")
    broken = {**DOCS, "index.md": "# Overzicht\n\nNaar de [reviews](reviews/niet-er.md).\n"}
    with pytest.raises(SiteError) as failure:
        build(tmp_path, docs=broken)
    message = str(failure.value)
    assert "reviews/niet-er.md" in message and "\n" not in message
    assert "Traceback" not in message
    assert failure.value.__suppress_context__  # no chained MkDocs traceback behind it
    assert tree(tmp_path / "noord") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noord"]  # staging cleaned up
    assert capfd.readouterr() == ("", "")  # the CLI prints the message; MkDocs prints nothing


def test_a_build_prints_nothing(tmp_path, capfd):
    build(tmp_path)
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize("circle_id, docs", [
    ("../uit", DOCS),
    ("Noord", DOCS),
    ("noord", {**DOCS, "../buiten.md": "# x\n"}),
    ("noord", {**DOCS, "/etc/x.md": "# x\n"}),
])
def test_paths_stay_inside_the_site(tmp_path, circle_id, docs):
    with pytest.raises(SiteError):
        build_handbook(circle_id, "Cirkel", "nl", docs, NAV, tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- index page --------------------------------------------------------------------------

CIRCLES = [
    {"id": "noord", "name": "Cirkel Noord", "board": "Stichting Arkade",
     "school_year": "2025-2026", "year": "build"},
    {"id": "eem", "name": "<script>alert(1)</script>", "board": "Eemland & Co",
     "school_year": "2025-2026", "year": "embed"},
    {"id": "zuid", "name": "Cirkel Zuid", "board": "Stichting Arkade",
     "school_year": "2025-2026", "year": "build"},
]


def test_index_groups_circles_by_board(tmp_path):
    write_index(CIRCLES, tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in html
    assert html.index("Eemland &amp; Co") < html.index("Stichting Arkade")  # boards sorted
    arkade = html[html.index("Stichting Arkade"):]
    assert arkade.index("Cirkel Noord") < arkade.index("Cirkel Zuid")
    assert html.count("<h2>") == 2
    for circle in ("noord", "eem", "zuid"):
        assert f'href="{circle}/index.html"' in html
    assert "Schooljaar 2025-2026" in html and "Embed-jaar" in html


def test_index_escapes_names_and_loads_nothing(tmp_path):
    write_index(CIRCLES, tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r'(?:src|href)="(?:[a-z]+:|//)', html)
    assert "@import" not in html and "url(" not in html


def test_index_refuses_a_circle_id_that_is_not_a_folder_name(tmp_path):
    with pytest.raises(ValueError):
        write_index([{**CIRCLES[0], "id": "javascript:alert(1)"}], tmp_path)
