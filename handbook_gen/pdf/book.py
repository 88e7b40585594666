"""Built handbook pages -> the whole handbook as one PDF (handboek.pdf, handbook.pdf in English).

For boards whose intranet shows no HTML (SharePoint, Teams, OneDrive open a PDF inline, not an
uploaded site). Like the other PDFs (pdf.py) the book is made after the site is built, from the
built pages, with WeasyPrint under the PDFs' type (typeset.css) and the theme's stylesheets,
print.css among them: it needs no MkDocs plugin and
shows what the pages show. It holds, in this order:

- a cover: the circle, its board, the school year and the build's date (SOURCE_DATE_EPOCH only);
- a table of contents with page numbers (CSS target-counter);
- every page of the navigation in its order, each a chapter on a new page; a navigation section
  (the reviews, the forms) is a part with its pages as chapters.

The PDF's outline (bookmarks) is the navigation: a bookmark per part and chapter, named as in the
navigation, and one per h2 under its chapter. The pages' headings, ids and links are read as any
HTML, so the book does not depend on what a page holds. Every id is prefixed with its chapter's,
so a link between pages becomes a jump inside the PDF; a link to a file the book does not hold (a
calendar, a review-day pack, a page outside the navigation) gets the handbook's address on the
web when the circle has a site_url, and becomes plain text when it has none.

The review-day packs are linked, not appended: a pack is a print job that repeats each form as
often as the day needs it (four lesson visits: four copies), 30 to 40 pages per review of what
the book already shows once on the review's page; as appendices they would nearly double the
book's pages and size (eemland-samen: 97 pages of packs beside 117 of book) and bury the
chapters after them. The school leader prints the pack on its
own, duplex; the review page's link to it (shown in the book only when it has an address on the
web) reaches it.

The page margin carries the circle's name, the chapter and the page number ("7 / 84"): the PDF's
page numbers and the printed ones are the same, so the contents' numbers work in a viewer too.

The PDF's metadata holds the title and WeasyPrint's producer line, and dates only from
SOURCE_DATE_EPOCH: no author, no coordinator. Its key (see `book_key`) is kept in the stamp; an
unchanged book is copied from the published handbook rather than laid out again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import posixpath
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jinja2

from handbook_gen.site import paths
from handbook_gen.pdf import printer as pdf
from handbook_gen.common.i18n import catalog
from handbook_gen.common.reproducible import epoch_text, source_date
from handbook_gen.common.resources import resource
from handbook_gen.common import templating

BOOK_TEMPLATES = "book"  # under docs_templates/: the cover and contents, and the book's stylesheet
CHAPTER_CLASS = "lts-book-chapter"
PART_CLASS = "lts-book-part"
SHOWN_FILE_CLASS = "lts-book-file"  # an .lts-pdf-link whose file the reader can open from the book
KEPT_SCHEMES = ("http", "https", "mailto", "webcal", "tel")  # links that work from a PDF as they are


@dataclass(frozen=True)
class Cover:
    """What the book says of its circle; site_url, when given, is where the handbooks are published."""

    circle_id: str
    name: str
    board: str
    school_year: str
    year: str  # the programme's year: build, embed or sustain
    site_url: str | None = None

    def web_address(self, page: str) -> str | None:
        """A page or file of this handbook on the web; None when it is not published anywhere."""
        return paths.published(self.site_url, self.circle_id, page) if self.site_url else None


@dataclass(frozen=True)
class Chapter:
    """A navigation entry: a page (its built address) or a part (a section, with its chapters)."""

    title: str  # plain text
    page: str | None = None
    chapters: tuple[Chapter, ...] = ()
    anchor: str = ""  # its id in the book

    def pages(self) -> list[Chapter]:
        return [self] if self.page else [page for chapter in self.chapters for page in chapter.pages()]


def cover_of(circle) -> Cover:
    """What the book of a circle (model.Circle) says of it on its cover and in its links."""
    return Cover(circle.id, circle.name, circle.board, str(circle.school_year), circle.year,
                 circle.site_url)


def fingerprint(cover: Cover, language: str) -> str:
    """What the book depends on besides the built pages and the site stage's code: its cover,
    texts and date. The site stage adds it to a handbook's inputs (site.inputs_digest)."""
    texts = catalog(language)
    data = {"cover": dataclasses.asdict(cover), "texts": texts.get("handbook.book"),
            "year": texts.get("handbook.year").get(cover.year),
            "epoch": epoch_text()}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def chapters(nav: list) -> list[Chapter]:
    """The MkDocs nav as the book's chapters, numbered in order. Nav titles are HTML-escaped
    (pages.html_text); the book escapes again where it prints them."""
    counter = iter(range(1, 10**6))

    def entries(items: list) -> list[Chapter]:
        found = []
        for item in items:
            for title, value in item.items():
                anchor = f"lts-ch-{next(counter)}"
                if isinstance(value, list):
                    found.append(Chapter(html.unescape(title), None, tuple(entries(value)), anchor))
                elif isinstance(value, str) and value.endswith(".md"):
                    found.append(Chapter(html.unescape(title), paths.built(value), (), anchor))
        return found

    return entries(nav)


# --- Writing, or copying when nothing changed ------------------------------------------------

def write_book(site_dir: Path, nav: list, cover: Cover, language: str,
               shared_assets: Path | None = None, previous: Path | None = None,
               previous_key: str | None = None) -> dict[str, str]:
    """Write the book (paths.book_pdf) into a built handbook folder; returns {its path: its key}
    for the stamp. `previous` is the handbook as published before, whose stamp gave
    `previous_key`: when the key is the same, the book is copied from there."""
    printer = pdf.Printer(site_dir, shared_assets)
    name = paths.book_pdf(language)
    contents = [chapter for chapter in chapters(nav) if _present(printer.root, chapter)]
    if not contents:
        return {}  # nothing to bind (a handbook without pages of its navigation)
    front = front_matter(cover, contents, language)
    key = book_key(printer, contents, cover, front)
    earlier = Path(previous) / name if previous else None
    target = printer.root / name
    if earlier and previous_key == key and earlier.is_file():
        shutil.copyfile(earlier, target)
    else:
        pdf._write(lay_out(printer, contents, cover, front, language), target)
    return {name: key}


def _present(root: Path, chapter: Chapter) -> bool:
    """A chapter whose page was built (a part: one with such a chapter)."""
    return all((root / page.page).is_file() for page in chapter.pages()) and bool(chapter.pages())


def book_key(printer: pdf.Printer, contents: list[Chapter], cover: Cover, front: str) -> str:
    """A hash of all the book is made from: each page's PDF key (its printed HTML, stylesheets,
    images, WeasyPrint, pdf.py and SOURCE_DATE_EPOCH), where it sits in the book, the cover and
    contents, where links outside the book point, this module and the book's template."""
    sha = hashlib.sha256(_book_version().encode("utf-8"))
    sha.update(f"\0{cover.circle_id}\0{cover.site_url or ''}\0".encode("utf-8"))
    sha.update(front.encode("utf-8"))
    for chapter in (page for chapter in contents for page in chapter.pages()):
        sha.update(f"\0{chapter.anchor}\0{chapter.page}\0".encode("utf-8"))
        sha.update(printer.key([printer.root / chapter.page]).encode("utf-8"))
    return sha.hexdigest()


@lru_cache(maxsize=1)
def _book_version() -> str:
    files = [Path(__file__), *sorted(resource("docs_templates").joinpath(BOOK_TEMPLATES).glob("*"))]
    sha = hashlib.sha256()
    for path in files:
        sha.update(f"\0{path.name}\0".encode("utf-8"))
        sha.update(path.read_bytes())
    return sha.hexdigest()


# --- The book's HTML ----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _environment() -> jinja2.Environment:
    return templating.environment(resource("docs_templates"), trim_blocks=True, lstrip_blocks=True)


def front_matter(cover: Cover, contents: list[Chapter], language: str) -> str:
    """The cover and the table of contents, as HTML (docs_templates/book/front.html.j2)."""
    texts = catalog(language)
    built = source_date()
    return _environment().get_template(f"{BOOK_TEMPLATES}/front.html.j2").render(
        cover=cover, contents=contents, online=cover.web_address(""),
        year=texts.text(f"handbook.year.{cover.year}"),
        date=texts.long_date(built.date()) if built else None,
        t=lambda key, **params: texts.text(f"handbook.book.{key}", **params))


def title_of(cover: Cover, language: str) -> str:
    """The PDF's title, its only metadata besides the producer."""
    return catalog(language).text("handbook.book.title", circle=cover.name)


_ARTICLE = re.compile(r'<article class="md-content__inner.*?</article>', re.DOTALL)


def book_html(root: Path, contents: list[Chapter], cover: Cover, front: str, language: str) -> str:
    """One HTML document: the start page's <html>, stylesheets and <body>, the cover and
    contents, then each chapter's article in a <section>, a part's chapters inside the part's."""
    first = (root / _first_page(contents)).read_text(encoding="utf-8")
    body = first.find("<body")
    html_tag = first[first.find("<html"):first.find(">", first.find("<html")) + 1]
    title = html.escape(title_of(cover, language), quote=False)
    head = (f'{html_tag}<head><meta charset="utf-8"><title>{title}</title>'
            + "".join(pdf.theme_stylesheet_links(first[:body])) + "</head>")
    parts = [head, first[body:first.find(">", body) + 1], front]
    for chapter in contents:
        parts.append(_chapter_html(root, chapter))
    return "".join(parts) + "</body></html>"


def _first_page(contents: list[Chapter]) -> str:
    """The book's first page (the start page): its stylesheet links are the book's."""
    return contents[0].pages()[0].page


def _chapter_html(root: Path, chapter: Chapter) -> str:
    title = html.escape(chapter.title)
    if not chapter.page:
        inner = "".join(_chapter_html(root, child) for child in chapter.chapters)
        return f'<section class="{PART_CLASS}" id="{chapter.anchor}" data-title="{title}">{inner}</section>'
    page = (root / chapter.page).read_text(encoding="utf-8")
    found = _ARTICLE.search(page)
    article = found.group(0) if found else ""
    return (f'<section class="{CHAPTER_CLASS}" id="{chapter.anchor}" data-title="{title}" '
            f'data-page="{html.escape(chapter.page)}">{article}</section>')


# --- Links, ids and images of the chapters, made to work inside one document ---------------------

class Links:
    """Where each link of a chapter goes in the book: a page of the book becomes its chapter's
    anchor (and the anchor's id within it), anything else its address on the web or nothing."""

    def __init__(self, contents: list[Chapter], cover: Cover, language: str):
        self.anchors = {chapter.page: chapter.anchor
                        for part in contents for chapter in part.pages()}
        self.ids: set[str] = set()  # every id in the book, once prefixed
        self.cover = cover
        self.book = paths.book_pdf(language)

    def target(self, page: str, href: str) -> str | None:
        """The href a link of `page` gets in the book; None: no link, its text stays."""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            return href if parts.scheme in KEPT_SCHEMES else None
        address = posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path)) \
            if parts.path else page
        if address in self.anchors:
            anchor = self.anchors[address]
            inner = f"{anchor}-{parts.fragment}"
            return f"#{inner}" if parts.fragment and inner in self.ids else f"#{anchor}"
        if address == self.book:
            return None  # the start page's link to this very book
        web = self.cover.web_address(page)
        return urljoin(web, href) if web else None


def prepare(root_element, root: Path, links: Links) -> None:
    """Make a parsed book document whole: prefix the chapters' ids, point their links into the
    book (see Links), their images at the files they name, and show the links to files that
    the reader can open from the book."""
    found = [(element, element.get("data-page")) for element in root_element.iter("section")
             if element.get("class") == CHAPTER_CLASS]
    for chapter, _ in found:
        for element in _html_elements(chapter):
            if element is not chapter and element.get("id"):
                element.set("id", f"{chapter.get('id')}-{element.get('id')}")
                links.ids.add(element.get("id"))
    for chapter, page in found:
        for element in _html_elements(chapter):
            if element.tag == "a" and element.get("href") is not None:
                _relink(element, links.target(page, element.get("href")))
            elif element.tag == "img" and element.get("src"):
                element.set("src", urljoin((root / page).as_uri(), element.get("src")))
        for holder in _html_elements(chapter):
            if "lts-pdf-link" in (holder.get("class") or "").split() and any(
                    link.get("href") for link in holder.iter("a")):
                holder.set("class", f"{holder.get('class')} {SHOWN_FILE_CLASS}")


def _html_elements(element):
    """The HTML elements under `element`, itself included; not an inline SVG's own elements
    (namespaced), whose ids and references stay within the SVG."""
    return (found for found in element.iter()
            if isinstance(found.tag, str) and not found.tag.startswith("{"))


def _relink(link, target: str | None) -> None:
    if target is None:
        link.attrib.pop("href")  # its text stays, as on paper
    else:
        link.set("href", target)


def lay_out(printer: pdf.Printer, contents: list[Chapter], cover: Cover, front: str, language: str):
    """The book as a weasyprint Document."""
    source_html = book_html(printer.root, contents, cover, front, language)
    links = Links(contents, cover, language)
    stylesheet = resource("docs_templates") / BOOK_TEMPLATES / "book.css"
    return printer.lay_out(source_html, (printer.root / _first_page(contents)).as_uri(),
                           lambda tree: prepare(tree, printer.root, links), [stylesheet])
