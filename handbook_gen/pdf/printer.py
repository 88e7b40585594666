"""Built handbook pages -> PDFs: per review its day pack, its preparation and its workshop, and
one PDF of all blank forms.

The PDFs are the pages the site engine already built, rendered by WeasyPrint under the theme's
own stylesheets (handbook.css, and print.css: no navigation, header, footer or search; each form
on a new A4 page), the same a browser prints a page with. In place of the engine's stylesheet
(Material's, nearly all for the screen) the PDFs have their own type (typeset.css), so they look
the same under any engine and lay out in less time; and they add ruled space for notes
(paper.css). Which pages make which PDF, in which order, is the handbook's plan (see
site/handbook.py: each page's front matter).

Every PDF is printed duplex: each sheet (`.lts-sheet`: the programme, a day card) and each form
(`.lts-form`) starts on a front page, and where one has an odd number of pages its back is a
notes page, laid out once and repeated. No page is left less than half used: the PDFs' own
stylesheet (paper.css) rules each unit's pages below its last words, so the rest of a unit's
last page is lines for notes, in the one layout pass.

Nothing is fetched from outside the handbook folder; the same pages and SOURCE_DATE_EPOCH give
the same bytes. So each PDF has a key, a hash of what it is made from, kept in the handbook's
stamp: a rebuild copies a PDF whose key did not change from the published handbook.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import posixpath
import re
import shutil
from functools import cached_property, lru_cache
from html import escape, unescape
from importlib.metadata import version
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from handbook_gen.site import paths
from handbook_gen.common.freshness import SHARED_FOLDER
from handbook_gen.common.i18n import catalog
from handbook_gen.common.files import write_atomically
from handbook_gen.site.pages import FORMS
from handbook_gen.common.reproducible import epoch_text, source_date
from handbook_gen.common.errors import HandbookError
from handbook_gen.common.resources import resource

FORM_CLASS = "lts-form"
SHEET_CLASS = "lts-sheet"  # a printed unit that is not a form: the programme, a day card
UNIT_CLASSES = (FORM_CLASS, SHEET_CLASS)
TYPESET_CSS = Path(__file__).with_name("typeset.css")  # the PDFs' type, for the engine's stylesheet
PAPER_CSS = Path(__file__).with_name("paper.css")  # what only the PDFs add to print.css


@lru_cache(maxsize=1)
def _printer_version() -> str:
    """What else a PDF depends on besides its pages: this module and the libraries that lay it
    out. Asked when a key is made, not at import: `--no-pdf` builds import this module too."""
    return " ".join([*(hashlib.sha256(path.read_bytes()).hexdigest()
                       for path in (Path(__file__), TYPESET_CSS, PAPER_CSS)),
                     *(f"{name}={version(name)}" for name in ("weasyprint", "pydyf"))])


class PdfError(HandbookError):
    """The PDFs cannot be made here; the message says what to install."""


def _weasyprint():
    """WeasyPrint, imported on first use: loading Pango takes time `validate` does not need."""
    try:
        import weasyprint
    except OSError as error:  # WeasyPrint loads Pango when imported
        raise PdfError(f"WeasyPrint cannot load Pango ({error}); install it: on Debian and Ubuntu "
                       "apt-get install libpango-1.0-0 libpangoft2-1.0-0, on macOS brew install "
                       "pango") from None
    return weasyprint


def write_pdfs(site_dir: Path, plan: dict[str, list[str]], language: str,
               shared_assets: Path | None = None, previous: Path | None = None,
               previous_keys: dict | None = None, store: Path | None = None,
               pool=None) -> dict[str, str]:
    """Write the PDFs of `plan` (a PDF's path in the handbook -> the sources of the pages it
    prints, in order) and the PDF of all blank forms (paths.FORMS_PDF) into a built handbook
    folder; returns each PDF's key (see `Printer.key`) by its path in the handbook, for the stamp.

    `shared_assets`: where the theme assets are when the pages link to them beside the handbook
    (`../assets/`) rather than inside it. A PDF is laid out only when no copy with its key is at
    hand: `previous` is the handbook as published before, whose stamp gave `previous_keys` (an
    edit to one review leaves the other packs and the blank forms as they were); `store` is a
    folder the handbooks of one build share, by key (circles without their own questions have
    the same blank forms). With a `pool` (common.processes) the PDFs are laid out side by side,
    the biggest first."""
    texts = catalog(language)
    printer = Printer(site_dir, shared_assets, notes=texts.text("handbook.day.notes"))
    title = texts.text("handbook.forms.pdf_title")
    known = previous_keys if isinstance(previous_keys, dict) else {}  # a stamp can be damaged
    keys, todo = {}, []
    for name, pages in _planned(printer.root, plan).items():
        target = printer.root / name
        keys[name] = key = printer.key(pages)
        earlier = Path(previous) / name if previous else None
        stored = Path(store) / f"{key}.pdf" if store else None
        if earlier and known.get(name) == key and earlier.is_file():
            shutil.copyfile(earlier, target)
        elif stored and stored.is_file():
            shutil.copyfile(stored, target)
        else:
            todo.append((name, pages, stored))
    if pool is None or len(todo) < 2:
        for name, pages, stored in todo:
            _lay_out(printer, name, pages, stored, title)
    else:
        todo.sort(key=lambda job: -len(job[1]))  # the most pages first: the others fill in
        jobs = [pool.submit(_lay_out_apart, site_dir, shared_assets, printer.notes, title, *job)
                for job in todo]
        for job in jobs:
            job.result()
    return keys


def _lay_out(printer: Printer, name: str, pages: list[Path], stored: Path | None, title: str) -> None:
    """Lay out one PDF of the handbook and write it; keep a copy in the build's store."""
    document = print_job(printer, pages)
    if name == paths.FORMS_PDF:
        document.metadata.title = title
    target = printer.root / name
    _write(document, target)
    if stored:
        _keep(target, stored)


def _lay_out_apart(site_dir: Path, shared_assets: Path | None, notes: str, title: str,
                   name: str, pages: list[Path], stored: Path | None) -> None:
    """_lay_out in a worker process, with a Printer of its own."""
    _lay_out(Printer(site_dir, shared_assets, notes), name, pages, stored, title)


def _keep(made: Path, stored: Path) -> None:
    """Put a copy in the build's store, whole or not at all: other workers read it meanwhile."""
    write_atomically(stored, made.read_bytes())


def _planned(root: Path, plan: dict[str, list[str]]) -> dict[str, list[Path]]:
    """Each PDF of the handbook by its path, with the built pages it prints."""
    planned = {name: [root / paths.built(source) for source in sources]
               for name, sources in sorted(plan.items())}
    # In FORMS' order; a handbook without form pages (a test's sample) has no forms PDF.
    blank = [page for form in FORMS
             if (page := root / paths.built(paths.form_page(form))).exists()]
    if blank:
        planned[paths.FORMS_PDF] = blank
    return planned


# Parsed stylesheets by the digest of their bytes, for every handbook this process prints: every
# page of every handbook links the same ones.
_PARSED_CSS: dict[str, object] = {}


def _parsed(digest: str, **source):
    """The stylesheet whose bytes have this digest, parsed from `source` (weasyprint.CSS's
    filename=, or url= and url_fetcher=) the first time this process asks for it."""
    if digest not in _PARSED_CSS:
        with _quiet_weasyprint():
            _PARSED_CSS[digest] = _weasyprint().CSS(media_type="print", **source)
    return _PARSED_CSS[digest]


def _own_stylesheet(path: Path):
    """A stylesheet of the generator's own, parsed once per process (an edited file anew)."""
    return _parsed(hashlib.sha256(path.read_bytes()).hexdigest(), filename=str(path))


class Printer:
    """Lays out the built pages of one handbook for print.

    Only a page's stylesheets and its article are laid out (see _printed_html): print.css hides
    Material's chrome anyway, and leaving it out before parsing saves reading and matching the
    navigation's hundreds of elements, most of a page's time. The theme stylesheets the pages
    link are parsed once per process and handed to every page, which is served them empty.
    """

    def __init__(self, site_dir: Path, shared_assets: Path | None = None, notes: str = ""):
        self.root = Path(site_dir).resolve()
        self.notes = notes  # the notes page's title; empty: no notes page is printed
        self._files = HandbookFiles(self.root, shared_assets)
        self._digests: dict[str, str] = {}  # stylesheet URL -> digest of its bytes
        self._printed_pages: dict[tuple[Path, ...], str] = {}  # see _printed
        self._shared_assets = shared_assets

    # The fetchers load WeasyPrint: made when a PDF is laid out, not when every PDF is copied.
    @cached_property
    def _fetcher(self):
        return handbook_fetcher(self.root, self._shared_assets)

    @cached_property
    def _page_fetcher(self):
        return handbook_fetcher(self.root, self._shared_assets, self._digests.__contains__)

    def render(self, page: Path):
        """One built page laid out for print: a weasyprint Document."""
        return self.render_together([page])

    def render_together(self, pages: list[Path]):
        """Pages of one folder laid out as one document, each starting on a new sheet, under
        the PDFs' type (typeset.css), the theme's stylesheets and the PDFs' paper (paper.css)."""
        return self.lay_out(self._printed(pages), pages[0].as_uri(), _unlink, [PAPER_CSS])

    def lay_out(self, html: str, base_url: str, prepare, stylesheets: list[Path] = ()):
        """Any printed HTML made of this handbook's pages (a print job, the book: book.py),
        laid out with the PDFs' type, the theme stylesheets it links, parsed once per process,
        then `stylesheets` (files of the generator's own); `prepare` edits the parsed tree first."""
        sheets = ([_own_stylesheet(TYPESET_CSS)] + self._stylesheets(base_url, html)
                  + [_own_stylesheet(path) for path in stylesheets])
        source = _weasyprint().HTML(string=html, base_url=base_url,
                                    url_fetcher=self._page_fetcher, media_type="print")
        prepare(source.etree_element)
        with _quiet_weasyprint():
            return source.render(stylesheets=sheets)

    def key(self, pages: list[Path]) -> str:
        """A hash of all a PDF of these pages is made from: their printed HTML, the stylesheets
        and files it uses, this module, WeasyPrint's version and SOURCE_DATE_EPOCH."""
        html = self._printed(pages)
        sha = hashlib.sha256(_printer_version().encode("utf-8"))
        sha.update(f"\0{epoch_text()}\0".encode("utf-8"))
        sha.update(pages[0].parent.relative_to(self.root).as_posix().encode("utf-8"))
        sha.update(html.encode("utf-8"))
        page_url = pages[0].as_uri()
        for url in self._linked(page_url, html):
            sha.update(self._digest(url).encode("utf-8"))
        for source in _IMAGE_SOURCE.findall(html):
            sha.update(self._image_digest(urljoin(page_url, source)))
        return sha.hexdigest()

    def _image_digest(self, url: str) -> bytes:
        """An image's bytes as part of a key (its src is in the hashed HTML); none for an image
        the PDF cannot show (not part of the handbook, or missing): the fetcher refuses it too."""
        try:
            data = self._files.path(url).read_bytes() if urlsplit(url).scheme == "file" else b""
        except (ValueError, OSError):
            data = b""
        return hashlib.sha256(data).digest()

    def _printed(self, pages: list[Path]) -> str:
        """The pages' printed HTML, read once per Printer (which lives for one build of one
        handbook's PDFs): a PDF's key and its layout both need it."""
        if tuple(pages) not in self._printed_pages:
            self._printed_pages[tuple(pages)] = _printed_html(
                [page.read_text(encoding="utf-8") for page in pages], self.notes)
        return self._printed_pages[tuple(pages)]

    def _linked(self, page_url: str, html: str) -> list[str]:
        return [urljoin(page_url, href) for href in _stylesheet_links(html)]

    def _digest(self, url: str) -> str:
        if url not in self._digests:
            self._digests[url] = hashlib.sha256(self._files.path(url).read_bytes()).hexdigest()
        return self._digests[url]

    def _stylesheets(self, page_url: str, html: str) -> list:
        return [_parsed(self._digest(url), url=url, url_fetcher=self._fetcher)
                for url in self._linked(page_url, html)]


def print_job(printer: Printer, pages: list[Path]):
    """The pages as one duplex print job: each unit (sheet or form) from a front page, an odd
    one followed by the notes page (see the module)."""
    document = printer.render_together(pages)
    runs = form_runs(document)
    notes = runs.pop()[1] if printer.notes else []  # the notes sheet, printed last
    printed = []
    for _, run in runs:
        printed += run + (notes[:1] if len(run) % 2 else [])
    return document.copy(printed)


def _is_unit(element) -> bool:
    classes = (element.get("class") or "").split()
    return any(name in classes for name in UNIT_CLASSES)


_ARTICLE_START = '<article class="md-content__inner'  # Material's page content
_IMAGE_SOURCE = re.compile(r'<img[^>]*?\ssrc="([^"]+)"')
_STYLESHEET_LINK = re.compile(r'<link rel="stylesheet"[^>]*>')
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r'\shref="([^"]*)"')


def _printed_html(pages: list[str], notes: str = "") -> str:
    """The pages as one printed document: the first page's <html> and <body> tags and the
    theme's stylesheets it links (theme_stylesheet_links), titled by its heading, then each
    page's article (Material's .md-content__inner), each after the first on a new sheet; with a
    `notes` title, a lined notes page last (see print_job). Nothing else of the page's <head> is
    kept: the site's name in its <title> and the prev/next links change with other pages, and
    would make its PDF be laid out again for nothing.
    A page that is not a Material page is printed whole, with all its stylesheets (only one
    such page at a time)."""
    first = pages[0]
    body = first.find("<body")
    body_end = first.find(">", body) + 1
    if body < 0 or any(_ARTICLE_START not in page for page in pages):
        if len(pages) > 1:
            raise ValueError("only Material pages can be printed together")
        return first
    articles = [page[page.index(_ARTICLE_START):page.index("</article>") + len("</article>")]
                for page in pages]
    heading = _HEADING.search(articles[0])
    title = _TAG.sub("", heading.group(1)).strip() if heading else ""
    articles[1:] = [article.replace("<article ", '<article style="break-before: page" ', 1)
                    for article in articles[1:]]
    html_start = first.find("<html")
    head = (first[html_start:first.find(">", html_start) + 1]
            + f'<head><meta charset="utf-8"><title>{title}</title>'
            + "".join(theme_stylesheet_links(first[:body])) + "</head>")
    if notes:
        articles.append(_NOTES_PAGE.format(title=escape(notes)))
    return head + first[body:body_end] + "".join(articles) + "</body></html>"


# A page of lines for notes: the back of a unit with an odd number of pages.
_NOTES_PAGE = ('<article class="md-content__inner md-typeset">'
               '<div class="lts-sheet lts-notes"><h1>{title}</h1></div></article>')


def _unlink(root) -> None:
    """Links become plain text: on paper a link is its text, and in a PDF a link to another page
    would be a file: URL naming the folder the PDF happened to be built in."""
    for link in root.iter("a"):
        link.attrib.pop("href", None)


def form_runs(document) -> list[tuple[object | None, list]]:
    """The document's pages in runs of consecutive pages showing the same unit, a form or a
    sheet (its element), or none (None). A unit starts on a new page, so a page belongs to at
    most one."""
    runs: list[tuple[object | None, list]] = []
    for sheet in document.pages:
        form = _form_on(sheet)
        if runs and runs[-1][0] is form:
            runs[-1][1].append(sheet)
        else:
            runs.append((form, [sheet]))
    return runs


def _form_on(sheet):
    """The .lts-form element laid out on a page, or None."""
    boxes = [sheet._page_box]  # weasyprint keeps a page's box tree here; no public accessor
    while boxes:
        box = boxes.pop()
        element = getattr(box, "element", None)
        if element is not None and _is_unit(element):
            return element
        boxes.extend(getattr(box, "children", ()))
    return None


def _write(document, target: Path) -> Path:
    """Write the PDF reproducibly: dates from SOURCE_DATE_EPOCH (none without it) and a file
    identifier from the content, not from the clock or a random number."""
    epoch = source_date()
    stamp = epoch.strftime("%Y-%m-%dT%H:%M:%SZ") if epoch else None
    document.metadata.created = document.metadata.modified = stamp
    with _quiet_weasyprint():
        data = document.write_pdf(pdf_identifier=True)  # True: a hash of the content
    write_atomically(target, data)  # a unique temporary name: never half a PDF, nor a shared one
    return target


class HandbookFiles:
    """Which file a file: URL of a handbook's page names, when it is part of the handbook: a file
    inside the handbook folder, or in the shared assets folder its pages link to beside it."""

    def __init__(self, root: Path, shared_assets: Path | None = None):
        self.root = Path(root).resolve()
        self.beside = self.root.parent / SHARED_FOLDER  # where the pages' ../assets/ links point
        self.shared = Path(shared_assets).resolve() if shared_assets else None
        self.allowed = [self.root] + ([self.shared] if self.shared else [])

    def path(self, url: str) -> Path:
        """The file `url` names; ValueError when it is not part of the handbook."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"not part of the handbook: {url}")
        path = Path(unquote(parts.path)).resolve()
        if self.shared and path.is_relative_to(self.beside):
            path = self.shared / path.relative_to(self.beside)
        if not any(path.is_relative_to(folder) for folder in self.allowed):
            raise ValueError(f"outside the handbook folder: {url}")
        return path


def handbook_fetcher(root: Path, shared_assets: Path | None = None, served_empty=lambda url: False):
    """A WeasyPrint URL fetcher for the handbook's files (see HandbookFiles) and inline data:
    URLs; anything else (the network, files elsewhere) is refused, so a PDF shows only the
    handbook. A handbook being built sits in a work folder, away from the published shared
    assets: `shared_assets` says where they are. URLs for which `served_empty` says so are
    answered with an empty stylesheet."""
    weasyprint = _weasyprint()
    files = HandbookFiles(root, shared_assets)

    class HandbookFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if served_empty(url):
                return weasyprint.urls.URLFetcherResponse(url, b"", {"Content-Type": "text/css"})
            if urlsplit(url).scheme == "data":  # inline content: nothing is fetched
                return super().fetch(url, headers)
            return super().fetch(files.path(url).as_uri(), headers)

    return HandbookFetcher(allowed_protocols=("file", "data"))


def _stylesheet_links(html: str) -> list[str]:
    """The hrefs of the <link rel="stylesheet"> in a page's <head>, in order."""
    head = html[:html.find("<body")]
    return [unescape(href) for link in _STYLESHEET_LINK.findall(head)
            for href in _HREF.findall(link)]


def theme_stylesheet_links(head: str) -> list[str]:
    """The <link rel="stylesheet"> tags in `head` that link a stylesheet of the theme's own
    (theme/assets/stylesheets), in order: the only ones of a page's a PDF uses."""
    return [link for link in _STYLESHEET_LINK.findall(head)
            if any(_is_theme_stylesheet(href) for href in _HREF.findall(link))]


def _is_theme_stylesheet(href: str) -> bool:
    folder, name = posixpath.split(urlsplit(unescape(href)).path)
    return folder.endswith("assets/stylesheets") and name in _theme_stylesheets()


@lru_cache(maxsize=1)
def _theme_stylesheets() -> frozenset[str]:
    """The file names of the theme's own stylesheets, which the pages link beside the engine's."""
    return frozenset(path.name for path in (resource("theme") / "assets" / "stylesheets").glob("*.css"))


@contextlib.contextmanager
def _quiet_weasyprint():
    """Keep WeasyPrint's warnings about screen-only CSS (handbook.css) off the terminal."""
    logger = logging.getLogger("weasyprint")
    saved = logger.level, logger.propagate
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
