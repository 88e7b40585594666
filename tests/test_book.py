"""The whole handbook as one PDF (book.py): two handbooks built once, a Dutch one with a site_url
and an English one without, their books read back with pypdf. Where links point is also checked
on its own, in memory."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from handbook_gen.pdf import book
from handbook_gen.site import pages
from handbook_gen.pdf import printer as pdf
from handbook_gen.common.freshness import read_stamp
from handbook_gen.circle.validate import check_file
from helpers import EPOCH, EXAMPLE

slow = pytest.mark.slow
SITE_URL = "https://intranet.arkade.example/handboeken/"  # circles/arkade-noord.yaml's


@pytest.fixture(scope="module")
def site(example_output) -> Path:
    """The output folder with arkade-noord (Dutch, site_url) and minimal-en (English, none)."""
    return example_output


@pytest.fixture(scope="module")
def dutch(site) -> Path:
    return site / "arkade-noord" / "handboek.pdf"


@pytest.fixture(scope="module")
def reader(dutch) -> PdfReader:
    return PdfReader(dutch)


@pytest.fixture(scope="module")
def nav() -> list:
    checked = check_file(EXAMPLE)
    return pages.render(checked.circle, checked.schedule).nav


def chapter_marks(marks: list[tuple[int, str, int]], expected: list[tuple[int, str]]) -> list:
    """The bookmarks of `expected` (level, title) found in order in `marks`, skipping the rest:
    a page's section may carry the title of a later chapter (a form's name)."""
    found, wanted = [], iter(expected)
    want = next(wanted, None)
    for mark in marks:
        if want is not None and mark[:2] == want:
            found.append(mark)
            want = next(wanted, None)
    return found


def outline(reader: PdfReader, entries=None, level: int = 1) -> list[tuple[int, str, int]]:
    """The bookmarks as (level, title, page number from 1), in order."""
    found = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            found += outline(reader, entry, level + 1)
        else:
            found.append((level, entry.title, reader.get_destination_page_number(entry) + 1))
    return found


def link_annotations(reader: PdfReader):
    """(page number from 1, annotation) for every link in the PDF."""
    for number, page in enumerate(reader.pages, 1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                yield number, annotation


def texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


# --- What is written, and where it is linked ------------------------------------------------------

@slow
def test_each_handbook_has_its_book_named_in_its_language_and_linked_from_the_start_page(site):
    for circle, name in (("arkade-noord", "handboek.pdf"), ("minimal-en", "handbook.pdf")):
        assert (site / circle / name).is_file()
        start = (site / circle / "index.html").read_text(encoding="utf-8")
        assert re.search(rf'<a href="{re.escape(name)}" download>[^<]+</a>', start), circle
    other = {"arkade-noord": "handbook.pdf", "minimal-en": "handboek.pdf"}
    assert not any((site / circle / name).exists() for circle, name in other.items())
    assert "handboek.pdf" in read_stamp(site / "arkade-noord")["book"]


@slow
def test_the_cover_names_circle_board_school_year_and_the_builds_date(reader):
    cover = reader.pages[0].extract_text()
    for expected in ("Cirkel Noord", "Stichting Arkade", "Schooljaar 2025-2026", "Build-jaar",
                     "donderdag 1 januari 2026", f"{SITE_URL}arkade-noord/"):
        assert expected in cover, expected
    assert not re.search(r"\d+ / \d+", cover)  # no page number on the cover


@slow
def test_the_english_book_is_in_english_and_names_no_address_it_does_not_have(site):
    english = PdfReader(site / "minimal-en" / "handbook.pdf")
    cover = english.pages[0].extract_text()
    assert "School year 2025-2026" in cover and "Thursday, 1 January 2026" in cover
    assert "Contents" in english.pages[1].extract_text()
    assert english.metadata.title == "Handbook Cirkel Test"
    # No site_url: every link is inside the book, or an address the page itself wrote out; the
    # links to calendars and packs beside the pages are plain text (their words stay).
    for _, annotation in link_annotations(english):
        uri = annotation.get("/A", {}).get("/URI")
        assert uri is None or uri.startswith(("https://", "mailto:")), uri
        assert uri is None or not uri.endswith((".ics", ".pdf")), uri
    start = (site / "minimal-en" / "index.html").read_text(encoding="utf-8")
    assert 'href="calendars/' in (site / "minimal-en" / "planning.html").read_text(encoding="utf-8")
    assert "Download the whole handbook" in start  # on the web, not in the book:
    assert "Download the whole handbook" not in "".join(texts(english))


# --- A book: outline, contents, page numbers, links ------------------------------------------------

@slow
def test_every_chapter_of_the_navigation_is_in_the_outline_in_order(reader, nav):
    marks = outline(reader)
    expected = [(1, "Inhoud")]
    for chapter in book.chapters(nav):
        expected.append((1, chapter.title))
        expected += [(2, child.title) for child in chapter.chapters]
    found = chapter_marks(marks, expected)  # in order; a section may share a chapter's title
    assert [(level, title) for level, title, _ in found] == expected
    numbers = [page for _, _, page in found]
    assert numbers == sorted(numbers) and numbers[0] == 2
    # A chapter's bookmark opens the page whose running head names it.
    everything = texts(reader)
    pages_of = {title: page for _, title, page in found}
    for chapter in (c for part in book.chapters(nav) for c in part.pages()):
        assert chapter.title in everything[pages_of[chapter.title] - 1], chapter.title
    assert any(level == 3 for level, _, _ in marks)  # a chapter's sections under it


@slow
def test_the_contents_give_each_chapters_page(reader, nav):
    expected = [(level, title) for part in book.chapters(nav)
                for level, title in [(1, part.title), *((2, c.title) for c in part.chapters)]]
    marks = {title: page for _, title, page in chapter_marks(outline(reader), [(1, "Inhoud"), *expected])}
    contents = reader.pages[1].extract_text()
    listed = dict(re.findall(r"^(\S.*?)[ .]*?(\d+)$", contents, re.MULTILINE))
    titles = [chapter.title for part in book.chapters(nav) for chapter in (part, *part.chapters)]
    for title in titles:
        assert int(listed[title].strip()) == marks[title] if title in listed else False, title


@slow
def test_every_page_but_the_cover_has_its_number_and_the_circles_name(reader):
    total = len(reader.pages)
    assert total > 20
    for number, text in enumerate(texts(reader)[1:], 2):
        assert f"{number} / {total}" in text, number
        assert "Cirkel Noord" in text, number


@slow
def test_every_internal_link_lands_on_a_page_of_the_book(reader, nav):
    named = reader.named_destinations
    internal = 0
    for number, annotation in link_annotations(reader):
        target = annotation.get("/Dest")
        if target is None:
            continue
        internal += 1
        assert str(target) in named, f"page {number}: {target}"
        assert 0 <= reader.get_destination_page_number(named[str(target)]) < len(reader.pages)
    chapters = sum(len(part.pages()) for part in book.chapters(nav))
    assert internal > 2 * chapters  # the contents, and the pages' own links to each other


@slow
def test_links_to_files_outside_the_book_go_to_the_handbook_on_the_web(reader):
    uris = [annotation["/A"]["/URI"] for _, annotation in link_annotations(reader)
            if "/A" in annotation and "/URI" in annotation["/A"]]
    assert f"{SITE_URL}arkade-noord/reviews/review-kompas.pdf" in uris  # a review-day pack
    assert f"{SITE_URL}arkade-noord/formulieren/formulieren.pdf" in uris
    for uri in uris:
        assert uri.startswith(("https://", "http://", "mailto:", "webcal://")), uri
        assert "handboek.pdf" not in uri  # the book does not link itself


@slow
def test_nothing_web_only_is_on_its_pages(reader):
    lines = {line.strip() for text in texts(reader) for line in text.splitlines()}
    text = "\n".join(lines)
    assert "Afdrukken" not in lines  # the print button ("Afdrukken:" in running text is fine)
    assert not any(line.endswith("Kopieer adres") for line in lines)  # the copy buttons
    for web_only in ("Zoeken", "Ga naar inhoud", "Download het hele handboek"):
        assert web_only not in text, web_only


@slow
def test_the_metadata_hold_only_the_title_the_producer_and_the_epochs_date(reader):
    metadata = reader.metadata
    assert set(metadata) <= {"/Title", "/Producer", "/CreationDate", "/ModDate"}
    assert metadata.title == "Handboek Cirkel Noord"
    assert metadata.producer.startswith("WeasyPrint")
    epoch = datetime.fromtimestamp(int(EPOCH), timezone.utc)
    assert metadata.creation_date == metadata.modification_date == epoch
    assert "/Metadata" not in reader.trailer["/Root"]  # no XMP packet either


# --- Reproducible, and copied when nothing changed ------------------------------------------------

@slow
def test_the_same_pages_and_epoch_give_a_byte_identical_book(site, dutch, nav, tmp_path, monkeypatch):
    copy = shutil.copytree(site / "arkade-noord", tmp_path / "elsewhere" / "arkade-noord")
    shared = shutil.copytree(site / "assets", tmp_path / "elsewhere" / "assets")
    (copy / "handboek.pdf").unlink()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cover = book.cover_of(check_file(EXAMPLE).circle)
    keys = book.write_book(copy, nav, cover, "nl", shared)
    assert (copy / "handboek.pdf").read_bytes() == dutch.read_bytes()
    assert keys == read_stamp(site / "arkade-noord")["book"]


@slow
def test_an_unchanged_book_is_copied_and_a_changed_page_lays_it_out_again(site, nav, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    published = site / "arkade-noord"
    key = read_stamp(published)["book"]["handboek.pdf"]
    rebuilt = shutil.copytree(published, tmp_path / "arkade-noord")
    (rebuilt / "handboek.pdf").unlink()
    cover = book.cover_of(check_file(EXAMPLE).circle)
    laid_out = []
    monkeypatch.setattr(pdf, "_write", lambda document, target: laid_out.append(target.name))

    assert book.write_book(rebuilt, nav, cover, "nl", site / "assets", published, key) == {
        "handboek.pdf": key}
    assert laid_out == []
    assert (rebuilt / "handboek.pdf").read_bytes() == (published / "handboek.pdf").read_bytes()

    thema = rebuilt / "thema.html"
    thema.write_text(thema.read_text(encoding="utf-8").replace("Rekenonderwijs", "Rekenen"),
                     encoding="utf-8")
    new = book.write_book(rebuilt, nav, cover, "nl", site / "assets", published, key)
    assert laid_out == ["handboek.pdf"] and new["handboek.pdf"] != key


# --- Where links go, in memory -----------------------------------------------------------------

NAV = [{"Overzicht": "index.md"}, {"Planning": "planning.md"},
       {"Reviews": [{"Review &lt;A&gt;": "reviews/r1.md"}]}]


def test_the_navigation_becomes_parts_and_chapters():
    contents = book.chapters(NAV)
    assert [(c.title, c.page) for c in contents] == [
        ("Overzicht", "index.html"), ("Planning", "planning.html"), ("Reviews", None)]
    assert [(c.title, c.page) for c in contents[2].chapters] == [("Review <A>", "reviews/r1.html")]
    anchors = [c.anchor for part in contents for c in (part, *part.chapters)]
    assert len(set(anchors)) == len(anchors)


@pytest.mark.parametrize("site_url", [None, "https://intranet.example/lts/"])
def test_a_link_jumps_inside_the_book_or_goes_to_the_web_or_is_plain_text(site_url):
    contents = book.chapters(NAV)
    cover = book.Cover("c", "Cirkel", "Bestuur", "2025-2026", "build", site_url)
    links = book.Links(contents, cover, "nl")
    planning, review = contents[1].anchor, contents[2].chapters[0].anchor
    links.ids.add(f"{planning}-trainingsdag")
    assert links.target("index.html", "planning.html#trainingsdag") == f"#{planning}-trainingsdag"
    assert links.target("index.html", "planning.html#gone") == f"#{planning}"  # the chapter
    assert links.target("reviews/r1.html", "../planning.html") == f"#{planning}"
    assert links.target("reviews/r1.html", "#top") == f"#{review}"
    assert links.target("index.html", "handboek.pdf") is None  # the book itself
    assert links.target("index.html", "https://example.org/x") == "https://example.org/x"
    assert links.target("index.html", "mailto:a@example.org") == "mailto:a@example.org"
    assert links.target("index.html", "javascript:alert(1)") is None
    web = {"reviews/r1.pdf": "https://intranet.example/lts/c/reviews/r1.pdf",
           "calendars/circle.ics": "https://intranet.example/lts/c/calendars/circle.ics"}
    assert links.target("reviews/r1.html", "r1.pdf") == (web["reviews/r1.pdf"] if site_url else None)
    assert links.target("index.html", "calendars/circle.ics") == (
        web["calendars/circle.ics"] if site_url else None)
    assert links.target("index.html", "team.html") == (  # a page the navigation does not show
        "https://intranet.example/lts/c/team.html" if site_url else None)


def test_the_cover_and_contents_show_hostile_names_as_text(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    hostile = '<script>alert(1)</script> & "{circle}"'
    cover = book.Cover("c", hostile, hostile, "2025-2026", "build", None)
    contents = book.chapters([{"&lt;b&gt;Team&lt;/b&gt;": "team.md"}])
    front = book.front_matter(cover, contents, "nl")
    assert "<script>" not in front and "<b>" not in front
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;{circle}&#34;" in front
    assert "&lt;b&gt;Team&lt;/b&gt;" in front
    assert "woensdag" not in front and "donderdag 1 januari 2026" in front
    assert book.title_of(cover, "nl") == f"Handboek {hostile}"  # escaped where it is written
