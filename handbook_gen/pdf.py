"""Built handbook pages -> PDFs: one review-day pack per review and one PDF of all blank forms.

The PDFs are the pages MkDocs already built, rendered by WeasyPrint under the theme's print
stylesheet (print.css: no navigation, header, footer or search; each form on a new A4 page). So
the PDF and a page printed from the browser come from the same HTML and CSS.

A form is `<div class="lts-form" data-copies="N">`; the review-day pack repeats the pages of each
form N times (1 when the attribute is absent), so one print run gives the day its copies. Pages
are laid out once and repeated, not laid out again.

Nothing is fetched from outside the handbook folder; the same pages and SOURCE_DATE_EPOCH give
the same bytes.
"""

from __future__ import annotations

import contextlib
import logging
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from .freshness import SHARED_FOLDER
from .i18n import catalog
from .pages import FORMS
from .reproducible import source_date

FORMS_PDF = "formulieren/formulieren.pdf"  # all blank forms; formulieren.md links it
FORM_CLASS = "lts-form"


class PdfError(Exception):
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


def write_pdfs(site_dir: Path, review_ids, language: str,
               shared_assets: Path | None = None) -> list[Path]:
    """Write `reviews/<id>.pdf` for each review and FORMS_PDF into a built handbook folder;
    returns the paths written. `shared_assets`: where the theme assets are when the pages link
    to them beside the handbook (`../assets/`) rather than inside it."""
    printer = Printer(site_dir, shared_assets)
    written = [write_review_pack(printer, review_id) for review_id in sorted(review_ids)]
    # In FORMS' order; a handbook without form pages (a test's sample) has no forms PDF.
    blank = [page for form in FORMS
             if (page := printer.root / "formulieren" / f"{form}.html").exists()]
    if blank:
        title = catalog(language).text("handbook.forms.pdf_title")
        written.append(_write(forms_document(printer, blank, title), printer.root / FORMS_PDF))
    return written


def write_review_pack(printer: Printer, review_id: str) -> Path:
    """`reviews/<id>.pdf` from the review's built page; returns its path."""
    target = printer.root / review_pdf(review_id)
    return _write(review_pack(printer, target.with_suffix(".html")), target)


def review_pdf(review_id: str) -> str:
    """Where a review's pack goes in the handbook, next to its page (linked from review.md)."""
    return f"reviews/{review_id}.pdf"


class Printer:
    """Lays out the built pages of one handbook for print.

    Every page links the same theme stylesheets, and parsing Material's takes most of a page's
    time; so each set is parsed once, handed to the pages that link it, and served to them empty.
    """

    def __init__(self, site_dir: Path, shared_assets: Path | None = None):
        self.root = Path(site_dir).resolve()
        self._parsed: dict[tuple[str, ...], list] = {}  # stylesheet URLs -> parsed CSS
        self._fetcher = handbook_fetcher(self.root, shared_assets)
        self._page_fetcher = handbook_fetcher(self.root, shared_assets, self._served_empty)

    def render(self, page: Path):
        """One built page laid out for print: a weasyprint Document."""
        html = page.read_text(encoding="utf-8")
        sheets = self._stylesheets(page.as_uri(), html)
        source = _weasyprint().HTML(string=html, base_url=page.as_uri(),
                                    url_fetcher=self._page_fetcher, media_type="print")
        _keep_only_content(source.etree_element)  # before render, which first reads the tree
        _unlink(source.etree_element)
        with _quiet_weasyprint():
            return source.render(stylesheets=sheets)

    def _stylesheets(self, page_url: str, html: str) -> list:
        urls = tuple(urljoin(page_url, href) for href in _stylesheet_links(html))
        if urls not in self._parsed:
            with _quiet_weasyprint():
                css = _weasyprint().CSS
                self._parsed[urls] = [css(url=url, url_fetcher=self._fetcher, media_type="print")
                                      for url in urls]
        return self._parsed[urls]

    def _served_empty(self, url: str) -> bool:
        return any(url in urls for urls in self._parsed)


def review_pack(printer: Printer, page: Path):
    """The review page as printed, with the pages of each form repeated data-copies times."""
    document = printer.render(page)
    pages = []
    for form, run in form_runs(document):
        pages += run * (copies(form) if form is not None else 1)
    return document.copy(pages)


def forms_document(printer: Printer, pages: list[Path], title: str):
    """The blank forms' pages one after another, as one Document."""
    documents = [printer.render(page) for page in pages]
    combined = documents[0].copy([sheet for document in documents for sheet in document.pages])
    combined.metadata.title = title
    return combined


def _keep_only_content(root) -> None:
    """Leave the page's <body> holding only its article (Material's .md-content__inner).

    print.css hides Material's chrome anyway; removing it first saves matching Material's
    selectors against the navigation's hundreds of elements, most of a page's layout time."""
    body = root.find("body")
    article = next((element for element in body.iter("article")
                    if "md-content__inner" in (element.get("class") or "").split()), None)
    if article is None:
        return  # not a Material page: print it as it is
    for child in list(body):
        body.remove(child)
    body.append(article)


def _unlink(root) -> None:
    """Links become plain text: on paper a link is its text, and in a PDF a link to another page
    would be a file: URL naming the folder the PDF happened to be built in."""
    for link in root.iter("a"):
        link.attrib.pop("href", None)


def form_runs(document) -> list[tuple[object | None, list]]:
    """The document's pages in runs of consecutive pages showing the same form (its element),
    or no form (None). A form starts on a new page, so a page belongs to at most one form."""
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
        if element is not None and FORM_CLASS in (element.get("class") or "").split():
            return element
        boxes.extend(getattr(box, "children", ()))
    return None


def copies(form) -> int:
    """How many copies of a form the day needs: its data-copies, 1 when absent or unreadable."""
    value = form.get("data-copies") or ""
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _write(document, target: Path) -> Path:
    """Write the PDF reproducibly: dates from SOURCE_DATE_EPOCH (none without it) and a file
    identifier from the content, not from the clock or a random number."""
    epoch = source_date()
    stamp = epoch.strftime("%Y-%m-%dT%H:%M:%SZ") if epoch else None
    document.metadata.created = document.metadata.modified = stamp
    temporary = target.with_name(f".{target.name}.tmp")
    with _quiet_weasyprint():
        document.write_pdf(temporary, pdf_identifier=True)  # True: a hash of the content
    temporary.replace(target)
    return target


def handbook_fetcher(root: Path, shared_assets: Path | None = None, served_empty=lambda url: False):
    """A WeasyPrint URL fetcher for file: URLs inside `root` and inline data: URLs; anything
    else (the network, files elsewhere) is refused, so a PDF shows only the handbook.

    With `shared_assets`, the assets/ folder beside `root` that the pages link to is read from
    there (a handbook being built sits in a work folder, away from the published assets).
    URLs for which `served_empty` says so are answered with an empty stylesheet."""
    weasyprint = _weasyprint()
    beside = root.parent / SHARED_FOLDER  # where the pages' ../assets/ links point
    shared = Path(shared_assets).resolve() if shared_assets else None
    allowed = [root] + ([shared] if shared else [])

    class HandbookFetcher(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if served_empty(url):
                return weasyprint.urls.URLFetcherResponse(url, b"", {"Content-Type": "text/css"})
            parts = urlsplit(url)
            if parts.scheme == "data":  # inline content: nothing is fetched
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"not part of the handbook: {url}")
            path = Path(unquote(parts.path)).resolve()
            if shared and path.is_relative_to(beside):
                path = shared / path.relative_to(beside)
            if not any(path.is_relative_to(folder) for folder in allowed):
                raise ValueError(f"outside the handbook folder: {url}")
            return super().fetch(path.as_uri(), headers)

    return HandbookFetcher(allowed_protocols=("file", "data"))


class _LinkedStylesheets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _stylesheet_links(html: str) -> list[str]:
    """The hrefs of a page's <link rel="stylesheet">, in order."""
    parser = _LinkedStylesheets()
    parser.feed(html)
    return parser.hrefs


@contextlib.contextmanager
def _quiet_weasyprint():
    """Keep WeasyPrint's warnings about Material's screen-only CSS off the terminal."""
    logger = logging.getLogger("weasyprint")
    saved = logger.level, logger.propagate
    logger.setLevel(logging.ERROR)
    logger.propagate = False
    try:
        yield
    finally:
        logger.setLevel(saved[0])
        logger.propagate = saved[1]
