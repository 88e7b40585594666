"""`handbook-gen serve`: a live preview of the handbooks while a circle file is being edited.

The preview is the real build (validate, pages, calendars, MkDocs) into a temporary folder, served
on 127.0.0.1 by MkDocs' own live-reload server: after every save the files are checked and built
again, and every open page reloads itself. A file with errors builds nothing, just as a failed
build leaves a published site untouched: the pages keep the last good handbook and show the
messages on top of it, until a save without errors takes the notice away.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from mkdocs.livereload import LiveReloadServer

from .build import Outcome, build, failed
from .freshness import Settings
from .i18n import catalog
from .resources import package_dir
from .validate import Checked

HOST = "127.0.0.1"  # the preview is for the person at this computer, not for the network
PREVIEW = Settings(pdfs=False)
TEMPLATE = "preview.html"  # in the package: the notice and the page for a missing page


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
                 announce: Callable[[list[Outcome] | None, str], None], port: int = 8000):
        self.paths = paths
        self.check = check
        self.announce = announce
        self.folder = Path(tempfile.mkdtemp(prefix="handbook-gen-preview-"))
        try:
            self.server = _Server(self.rebuild, port, self.folder)
        except OSError:  # the port is taken: nothing is left behind
            shutil.rmtree(self.folder)
            raise
        for path in paths:
            self.server.watch(str(path), recursive=False)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def run(self) -> None:
        """Build, then serve and rebuild on every save until Ctrl-C; the folder goes with it."""
        quiet = logging.getLogger("mkdocs.livereload")
        level = quiet.level
        quiet.setLevel(logging.ERROR)  # one line per missing favicon would drown the messages
        try:
            self.rebuild()
            self.server.serve()
        except KeyboardInterrupt:
            pass  # Ctrl-C is how a preview ends
        finally:
            quiet.setLevel(level)
            self.close()

    def close(self) -> None:
        """Stop serving and watching, and remove the preview folder."""
        self.server.shutdown()
        shutil.rmtree(self.folder, ignore_errors=True)

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
        # Without PDFs: they take seconds a circle, too long to wait for after every save.
        outcomes = None if checks.checked is None else build(checks.checked, self.folder, PREVIEW)
        updated = outcomes is not None and not failed(outcomes)
        self.server.language = checks.language
        if updated:
            self.server.notice = b""
        else:  # a file with errors, or a circle that did not build (announce says why)
            self.server.notice = _render("notice", checks.language, failed=outcomes is not None,
                                         messages=[] if outcomes is not None else checks.messages)
        self.announce(outcomes, checks.language)
        return updated


class _Server(LiveReloadServer):
    """MkDocs' live-reload server, bound at once, with the preview's notice on every page.

    It uses two names MkDocs 1.6 keeps private, _inject_js_into_html and _visible_epoch (MkDocs has
    no public hook for either); the serve tests fail if they change.
    """

    def __init__(self, builder: Callable[[], object], port: int, root: Path):
        super().__init__(builder, HOST, port, str(root))
        self.notice = b""  # HTML put before </body> of every page while the files have errors
        self.language = "nl"  # of the circle last checked, for the page that is missing
        self.error_handler = self._missing_page
        try:  # here rather than in serve(), so a busy port is reported before the first build
            super().server_bind()
            super().server_activate()
        except OSError:
            self.server_close()
            raise

    def server_bind(self) -> None:
        pass  # done in __init__; serve() calls it again

    def server_activate(self) -> None:
        pass  # done in __init__; serve() calls it again

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        # MkDocs adds its reload script to every HTML page it serves; the notice goes with it.
        end = content.rfind(b"</body>")
        end = len(content) if end < 0 else end
        return super()._inject_js_into_html(content[:end] + self.notice + content[end:], epoch)

    def _missing_page(self, code: int) -> bytes | None:
        """A page that is not there (yet: the first build had errors) still reloads itself."""
        if code != 404:
            return None
        return self._inject_js_into_html(_render("missing", self.language), self._visible_epoch)


def _render(part: str, language: str, **values) -> bytes:
    texts = catalog(language)
    environment = Environment(loader=FileSystemLoader(package_dir()), autoescape=True,
                              undefined=StrictUndefined)
    page = environment.get_template(TEMPLATE).render(part=part, language=texts.language,
                                                     text=texts.message, **values)
    return page.encode("utf-8")
