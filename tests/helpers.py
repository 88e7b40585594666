"""What several test modules share: constants, builders and small tools, no fixtures.

Test modules (in tests/ and tests/browser/) import from here only, never from each other or from
a conftest.py; their shared fixtures are in tests/conftest.py and tests/browser/conftest.py.
pytest puts tests/ on sys.path (`pythonpath` in pyproject.toml).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import markdown
import pytest

from handbook_gen import cli
from handbook_gen.build import build, failed
from handbook_gen.common.freshness import Settings
from handbook_gen.circle.model import Circle, Person
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import Checked, check_file

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "circles" / "arkade-noord.yaml"
EXAMPLES = sorted((ROOT / "circles").glob("*.yaml"))
MINIMAL = ROOT / "tests/circles/minimal.yaml"
EPOCH = "1767225600"  # 2026-01-01


# --- circles and builds ----------------------------------------------------------------------

def checked(circle: Circle) -> Checked:
    """A circle made in a test (dataclasses.replace of a validated one) as validation hands it
    to the build: with its planned schedule."""
    schedule = plan(circle)
    return Checked(str(circle.source), circle, list(schedule.problems), language=circle.language,
                   schedule=schedule)


def built_site(out: Path, circle_file: Path, epoch: str, pdfs: bool = True) -> Path:
    """The output folder with the handbook of one circle file, built as `build` does (shared
    assets, PDFs unless told) with SOURCE_DATE_EPOCH and without git history."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert not failed(build([check_file(circle_file)], out, Settings(use_history=False, pdfs=pdfs)))
    return out


def handbook_pages(folder: Path) -> list[Path]:
    """Every HTML page of the handbooks in an output folder, its index included."""
    return sorted(p for p in folder.rglob("*.html") if "assets" not in p.parts)


# The A4 pages each blank form of the example prints on, in the PDFs and from Chromium alike:
# whole sheets, one double-sided sheet where it can.
FORM_PAGES = {"zelfevaluatie": 2, "lesbezoek": 2, "learning-walk": 2, "stem-van-de-leerling": 2,
              "teamgesprek": 2, "reviewverslag": 2, "workshopplan": 2, "evaluatie": 2,
              "kwaliteitskaart": 1, "jaarbord": 2, "quickscan": 3, "bezoekrooster": 1}


# --- the command line, in-process ------------------------------------------------------------

def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """The real command line, in-process; argparse's usage errors come back as their exit code."""
    try:
        code = cli.main(argv)
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- pages as a browser gets them, and circles that attack them ------------------------------

EXTENSIONS = ["attr_list", "tables", "admonition", "md_in_html", "toc", "def_list",
              "pymdownx.details", "handbook_gen.site.table_labels", "handbook_gen.site.checkboxes",
              "handbook_gen.site.safe_markdown"]


@functools.lru_cache(maxsize=4096)
def to_html(text: str) -> str:
    """Markdown of one page -> HTML, as MkDocs would make it (front matter dropped). Cached:
    the property tests render many circles whose pages are mostly the same."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.DOTALL)
    return markdown.markdown(text, extensions=EXTENSIONS)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data):
        self.text.append(data)


def replace_school(circle: Circle, index: int, **changes) -> Circle:
    schools = list(circle.schools)
    schools[index] = dataclasses.replace(schools[index], **changes)
    return dataclasses.replace(circle, schools=tuple(schools))


ATTACKS = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "markdown": "| ** [x](javascript:alert(1)) ![y](javascript:alert(2))",
    "iframe": "<iframe src=javascript:alert(3)></iframe>",
}
MARKDOWN_ATTACK = (
    "Zie [hier](javascript:alert(1)) en [daar]( JaVa\tScRiPt:alert(2) ) en ![plaatje](javascript:x)\n\n"
    "<iframe src=https://evil.example></iframe> <script>alert(4)</script> <img src=x onerror=alert(5)>\n\n"
    "*nadruk*{ onclick=alert(6) } [ref][r] [auto](<javascript:alert(7)>) [ok](https://ok.example)\n\n"
    "[r]: javascript:alert(8)\n"
)


def malicious_circle(circle: Circle) -> Circle:
    """The example circle with script in every kind of field it has."""
    evil = " ".join(ATTACKS.values())
    person = Person(name=ATTACKS["img"], email="x@evil.example", role="leraar")
    circle = replace_school(circle, 0, name=ATTACKS["script"], city=ATTACKS["markdown"],
                            address=ATTACKS["iframe"], focus=MARKDOWN_ATTACK,
                            peer_reviewers=(person,))
    circle = replace_school(circle, 1, name=ATTACKS["markdown"], schoolcoaches=(
        Person(name=evil, role="ib"),))
    trainings = list(circle.trainings)
    trainings[0] = dataclasses.replace(trainings[0], title=evil, location=evil,
                                       description=MARKDOWN_ATTACK)
    reviews = list(circle.reviews)
    reviews[0] = dataclasses.replace(reviews[0], focus=MARKDOWN_ATTACK, description=MARKDOWN_ATTACK)
    return dataclasses.replace(
        circle, name=ATTACKS["script"], board=evil, trainings=tuple(trainings),
        reviews=tuple(reviews), coordinator=dataclasses.replace(circle.coordinator, name=evil),
        theme=dataclasses.replace(circle.theme, title=ATTACKS["img"], learning_question=evil,
                                  description=MARKDOWN_ATTACK, goals=(evil, ATTACKS["markdown"])))


# --- `handbook-gen serve`, run as a process --------------------------------------------------

HOST_LINE = "host: de-regenboog"  # the example's first review's host: line 151, value at column 11
BROKEN_HOST = 'host: "<b>nergens</b>"'  # not an id, and markup if it were not escaped
WAIT = 90  # seconds a build may take on a busy machine; a hang fails instead of blocking


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Serving:
    """A running `handbook-gen serve` and what it printed so far."""

    process: subprocess.Popen
    url: str
    circle: Path
    lines: queue.Queue = field(default_factory=queue.Queue)
    printed: list[str] = field(default_factory=list)

    def next_outcome(self) -> str:
        """The next line that ends a rebuild: 'Bijgewerkt: …' or 'Niet bijgewerkt: …'."""
        while True:
            line = self.lines.get(timeout=WAIT)
            assert line is not None, f"serve ended early: {self.printed}"
            if line.startswith(("Bijgewerkt", "Niet bijgewerkt", "Updated", "Not updated")):
                return line

    def save(self, text: str) -> str:
        self.circle.write_text(text, encoding="utf-8")
        return self.next_outcome()

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C; returns the exit code, the rest of stdout and stderr."""
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=WAIT)
        rest = []
        while (line := self.lines.get(timeout=WAIT)) is not None:
            rest.append(line)
        return code, "\n".join(rest), self.process.stderr.read()


def _ctrl_c_as_in_a_terminal() -> None:
    """A command started in the background (`cmd &` in a script) inherits an ignored SIGINT, and
    Python then leaves it ignored; in a terminal Ctrl-C always reaches the preview."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def serving(circle: Path, temp: Path):
    """`python -m handbook_gen serve circle` with its temporary folder in `temp`."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "handbook_gen", "serve", str(circle), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**os.environ, "TMPDIR": str(temp)}, preexec_fn=_ctrl_c_as_in_a_terminal)
    running = Serving(process, f"http://127.0.0.1:{port}/", circle)

    def read() -> None:
        for line in process.stdout:
            running.printed.append(line.rstrip("\n"))
            running.lines.put(line.rstrip("\n"))
        running.lines.put(None)  # the process closed its output

    threading.Thread(target=read, daemon=True).start()
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def validate_output(path: Path) -> list[str]:
    """What `handbook-gen validate` prints for a file, without its summary line."""
    done = subprocess.run([sys.executable, "-m", "handbook_gen", "validate", str(path)],
                          capture_output=True, text=True, encoding="utf-8")
    return done.stdout.splitlines()[:-1]


# --- the installed tool (test_package.py; fixtures in conftest.py) -------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "Coördinator", "GIT_AUTHOR_EMAIL": "coordinator@example.org",
           "GIT_COMMITTER_NAME": "Coördinator", "GIT_COMMITTER_EMAIL": "coordinator@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def sh(command: list[str] | str, cwd: Path, env: dict | None = None, check: bool = True,
       timeout: int = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          shell=isinstance(command, str), executable="/bin/bash" if isinstance(command, str) else None)
    if check and done.returncode != 0:
        raise AssertionError(f"{command} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def edit_circle(repo: Path, old: str, new: str) -> None:
    circle = repo / "circles/mijn-cirkel.yaml"
    text = circle.read_text(encoding="utf-8")
    assert old in text
    circle.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- in the browser: a local web server and pages opened with their requests watched ----------

# URLs that never leave the page: inline data, blobs and blank frames (the search iframe).
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@contextlib.contextmanager
def serve_folder(folder: Path):
    """http://127.0.0.1:<port>/ serving folder from a thread, for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@dataclass
class Visit:
    """A page opened by `page_opener`, with every request it made and the ones refused."""

    page: object
    is_inside: object
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)  # alert() and the like, dismissed

    def outside(self) -> list[str]:
        """Requests for anything but the handbook: refused, or seen but not routed."""
        return sorted(set(self.refused) | {url for url in self.requests if not self.is_inside(url)})


def _watch(context, page, is_inside, current) -> None:
    """Refuse every request outside the handbook; note each request and dialog in the Visit
    that `current()` gives (the page's, or the walker's latest)."""
    def route(route):
        if is_inside(route.request.url):
            route.continue_()
        else:
            current().refused.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on("request", lambda request: current().requests.append(request.url))
    page.on("dialog", lambda dialog: (current().dialogs.append(dialog.message), dialog.dismiss()))


def _inside(allowed: tuple[str, ...]):
    return lambda url: url.startswith(allowed) or url.startswith(LOCAL_SCHEMES)


@contextlib.contextmanager
def page_opener(browser, allowed: tuple[str, ...]):
    """open_(url, media, wait_until) -> Visit, allowing only URLs that start with one of
    `allowed`. A test that opens many pages closes each one's context when done with it."""
    contexts = []
    is_inside = _inside(allowed)

    def open_(url: str, media: str = "screen", wait_until: str = "load") -> Visit:
        context = browser.new_context(service_workers="block")
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page, is_inside)
        _watch(context, page, is_inside, lambda: visit)
        page.emulate_media(media=media)
        page.goto(url, wait_until=wait_until)
        return visit

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()


@contextlib.contextmanager
def page_walker(browser, allowed: tuple[str, ...], init_script: Path | None = None):
    """go(url, media, wait_until) -> Visit: like page_opener, but one tab goes from page to page,
    as a reader's does (one context, its storage kept), which is several times faster when a test
    opens many pages. `init_script` is run in every page before its own scripts."""
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    is_inside = _inside(allowed)
    latest = [Visit(page, is_inside)]  # the visit of the page now open
    _watch(context, page, is_inside, lambda: latest[0])
    if init_script:
        page.add_init_script(path=str(init_script))

    def go(url: str, media: str = "screen", wait_until: str = "load") -> Visit:
        latest[0] = Visit(page, is_inside)
        page.emulate_media(media=media)
        page.goto(url, wait_until=wait_until)
        return latest[0]

    try:
        yield go
    finally:
        context.close()


def one_of_each_kind(pages: list[Path], site: Path) -> list[Path]:
    """Every page, but of each review's day pages (programme, day cards, forms, preparation,
    workshop: the same templates for every review and visitor) only those of a handbook's first
    review, and its first day card: the other reviews' differ in names, not in structure."""
    first_review = {}
    chosen = []
    for path in pages:
        parts = path.relative_to(site).parts
        if len(parts) == 4 and parts[1] == "reviews":  # <handbook>/reviews/<review>/<page>.html
            review = first_review.setdefault(parts[0], parts[2])
            if review != parts[2] or (parts[3].startswith("dagkaart-") and parts[3] != "dagkaart-1.html"):
                continue
        chosen.append(path)
    return chosen


# --- the small handbook the browser tests build: docs and nav as the page generator hands them --
# A start page with a search word, a page with a table, a page that is three forms, a review page
# with text and then two forms (no front matter: it gets the print button from its forms), and a
# calendar file.

SAMPLE_CIRCLE = "test-cirkel"
SEARCH_WORD = "kwartelkoning"  # a word on one page only, for the search test

SAMPLE_FORM = """<div class="lts-form" markdown>

# {title}

| Gegevens | |
| --- | --- |
| School | <span class="lts-write lts-write--s"></span> |
| Datum | <span class="lts-write lts-write--s"></span> |
| Observant | <span class="lts-write lts-write--s"></span> |

## Wat zie je?

<div class="lts-write"></div>

## Wat spreken we af?

<div class="lts-write lts-write--s"></div>

</div>
"""

SAMPLE_DOCS: dict[str, str | bytes] = {
    "index.md": (
        "# Overzicht\n\nWelkom bij het handboek. De "
        f"{SEARCH_WORD} is hier alleen een zoekwoord.\n\n"
        "- [Planning](planning.md)\n- [Formulieren](formulieren.md)\n"
        "- [Review](reviews/review-test.md)\n- [Agenda](calendars/circle.ics)\n"),
    "planning.md": (
        "# Planning\n\n| Datum | Wat | Wie |\n| --- | --- | --- |\n"
        "| di 4 nov 2025 | Startworkshop | LtS-team |\n"
        "| wo 12 nov 2025 | Peer review | peer reviewers |\n\n"
        "Terug naar het [overzicht](index.md).\n"),
    "formulieren.md": "---\nprint: true\n---\n" + "\n".join(
        SAMPLE_FORM.format(title=title) for title in ("Lesbezoek", "Learning walk", "Teamgesprek")),
    "reviews/review-test.md": (
        "# Review OBS De Test\n\n| Wanneer | Waar |\n| --- | --- |\n"
        "| wo 12 nov 2025 | Teststraat 1 |\n\nZie ook de [planning](../planning.md).\n\n"
        + "\n".join(SAMPLE_FORM.format(title=title) for title in ("Zelfevaluatie", "Reviewverslag"))),
    "calendars/circle.ics": b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//\r\nEND:VCALENDAR\r\n",
}
SAMPLE_NAV = [
    {"Overzicht": "index.md"},
    {"Planning": "planning.md"},
    {"Reviews": [{"OBS De Test": "reviews/review-test.md"}]},
    {"Formulieren": "formulieren.md"},
]
# The sample's pages with forms and how many A4 sheets they must print on.
SAMPLE_FORM_SHEETS = {"formulieren.html": 3, "reviews/review-test.html": 3}


def page_urls(handbook: Path, base: str) -> list[str]:
    """Every HTML page of the handbook as a URL under `base` (file:// or http://)."""
    pages = sorted(path.relative_to(handbook).as_posix() for path in handbook.rglob("*.html"))
    return [base + page for page in pages]
