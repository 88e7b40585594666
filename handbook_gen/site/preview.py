"""`handbook-gen serve`: a live preview of the handbooks while a circle file is being edited.

The preview is the real build (validate, pages, calendars, site engine) into a temporary folder,
served on 127.0.0.1 by a small server of our own (standard library): it polls the circle files'
modification times, checks and builds again after every save, and every open page, which carries
a small script that waits for the next build (a long poll), reloads itself. A file with errors
builds nothing, just as a failed build leaves a published site untouched: the pages keep the last
good handbook and show the messages on top of it, until a save without errors takes them away.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit


from handbook_gen.build import Outcome, build, failed
from handbook_gen.engines.engine import DEFAULT
from handbook_gen.common.freshness import Settings
from handbook_gen.common.i18n import catalog
from handbook_gen.circle.validate import Checked
from handbook_gen.common.i18n import DEFAULT_LANGUAGE
from handbook_gen.common import templating

HOST = "127.0.0.1"  # the preview is for the person at this computer, not for the network
TEMPLATE = "preview.html"  # in the package: the notice, the reload script, the missing page
POLL = 0.25  # seconds between two looks at the circle files' modification times
WAIT = 30  # seconds a page's request for the next build is held open before it asks again
RELOAD = "/.handbook-gen/reload"  # the long poll: answers with the build number once it is past `since`


@dataclass
class Checks:
    """What checking the circle files gave: the circles to build, or the messages that stop it."""

    checked: list[Checked] | None  # the validated circles; None when a file has errors
    messages: list[str]  # every problem, as `validate` prints it
    language: str  # of the notice on the pages and of the lines in the terminal


class Preview:
    """check(files) -> Checks (and reports the problems); announce(outcomes, language) after each
    build: the build's outcomes, None when the files had errors."""

    def __init__(self, paths: list[Path], check: Callable[[list[Path]], Checks],
                 announce: Callable[[list[Outcome] | None, str], None], port: int = 8000,
                 engine: str = DEFAULT):
        self.paths = paths
        self.check = check
        self.announce = announce
        # Without PDFs: they take seconds a circle, too long to wait for after every save.
        self.settings = Settings(pdfs=False, engine=engine)
        self.folder = Path(tempfile.mkdtemp(prefix="handbook-gen-preview-"))
        try:
            self.server = _Server((HOST, port), self.folder)
        except OSError:  # the port is taken: nothing is left behind
            shutil.rmtree(self.folder)
            raise
        self.stopping = threading.Event()
        self.serving = False

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def run(self) -> None:
        """Build, then serve and rebuild on every save until Ctrl-C; the folder goes with it."""
        watcher = threading.Thread(target=self.watch, name="handbook-gen-watch", daemon=True)
        try:
            self.watching_from = self.snapshot()  # a save during the first build is seen
            self.rebuild()
            watcher.start()
            self.serving = True
            self.server.serve_forever(poll_interval=POLL)
        except KeyboardInterrupt:
            pass  # Ctrl-C is how a preview ends
        finally:
            self.close()
            if watcher.is_alive():
                watcher.join(timeout=WAIT)  # a build under way finishes (into a removed folder)

    def close(self) -> None:
        """Stop serving and watching, and remove the preview folder."""
        self.stopping.set()
        if self.serving:
            self.server.shutdown()  # returns at once when serve_forever has already ended
        self.server.server_close()
        self.server.wake_all()
        shutil.rmtree(self.folder, ignore_errors=True)

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        """Each circle file's modification time and size: a save changes one of them."""
        found = {}
        for path in self.files():
            try:
                info = path.stat()
            except OSError:  # removed meanwhile: it is simply not there
                continue
            found[path] = (info.st_mtime_ns, info.st_size)
        return found

    def watch(self) -> None:
        """Poll the circle files; after a save, build again (editors write a file in steps)."""
        seen = self.watching_from
        while not self.stopping.wait(POLL):
            now = self.snapshot()
            if now == seen:
                continue
            while not self.stopping.wait(POLL / 2) and (later := self.snapshot()) != now:
                now = later  # still being written
            seen = now
            if not self.stopping.is_set():
                self.rebuild()

    def files(self) -> list[Path]:
        found = []
        for path in self.paths:
            found += sorted(path.glob("*.y*ml")) if path.is_dir() else [path] if path.exists() else []
        return found

    def rebuild(self) -> bool:
        """Check and build; with errors nothing is built and the pages get the notice instead.

        Never raises for a bad file: the server reloads the pages only after a build that returned.
        """
        checks = self.check(self.files())
        outcomes = None if checks.checked is None else build(checks.checked, self.folder, self.settings)
        updated = outcomes is not None and not failed(outcomes)
        self.server.language = checks.language
        if updated:
            self.server.notice = b""
        else:  # a file with errors, or a circle that did not build (announce says why)
            self.server.notice = _render("notice", checks.language, failed=outcomes is not None,
                                         messages=[] if outcomes is not None else checks.messages)
        self.announce(outcomes, checks.language)
        self.server.built()  # every open page reloads itself
        return updated


class _Server(ThreadingHTTPServer):
    """Serves the preview folder, with the reload script (and the notice) in every page."""

    daemon_threads = True  # a page's open long poll does not keep the process alive
    block_on_close = False

    def __init__(self, address: tuple[str, int], root: Path):
        super().__init__(address, _Handler)  # binds at once: a busy port is reported before a build
        self.root = root
        self.notice = b""  # HTML put before </body> of every page while the files have errors
        self.language = DEFAULT_LANGUAGE  # of the circle last checked, for the page that is missing
        self.build_number = 0  # one more after every build: the pages wait for it to change
        self.changed = threading.Condition()

    def built(self) -> None:
        with self.changed:
            self.build_number += 1
            self.changed.notify_all()

    def wake_all(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def next_build(self, since: int) -> int:
        """The build number, once it is past `since` (or WAIT seconds have gone by)."""
        with self.changed:
            self.changed.wait_for(lambda: self.build_number != since, timeout=WAIT)
            return self.build_number

    def page(self, html: bytes) -> bytes:
        """`html` with the notice and the reload script before its </body>."""
        end = html.rfind(b"</body>")
        end = len(html) if end < 0 else end
        script = _render("reload", self.language, build=self.build_number, url=RELOAD)
        return html[:end] + self.notice + script + html[end:]


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def __init__(self, *arguments, **options):
        super().__init__(*arguments, directory=str(arguments[2].root), **options)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == RELOAD:
            since = parse_qs(url.query).get("since", ["-1"])[0]
            number = self.server.next_build(int(since) if since.lstrip("-").isdigit() else -1)
            return self._send(HTTPStatus.OK, str(number).encode("ascii"), "text/plain")
        path = Path(self.translate_path(url.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._send(HTTPStatus.OK, self.server.page(path.read_bytes()), "text/html; charset=utf-8")
        if not path.exists():  # not there (yet: the first build had errors); it still reloads itself
            missing = self.server.page(_render("missing", self.server.language))
            return self._send(HTTPStatus.NOT_FOUND, missing, "text/html; charset=utf-8")
        return super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reloaded page is the new build
        super().end_headers()

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *arguments) -> None:
        pass  # one line per request would drown the messages in the terminal

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload while the long poll was open)


def _render(part: str, language: str, **values) -> bytes:
    texts = catalog(language)
    template = templating.environment(Path(__file__).parent).get_template(TEMPLATE)
    page = template.render(part=part, language=texts.language, text=texts.message, **values)
    return page.encode("utf-8")
