"""`handbook-gen serve`: a local preview that rebuilds when a circle file changes.

The preview is the real build (validate, pages, calendars, MkDocs) into a temporary folder,
served on 127.0.0.1 only. A file with errors is reported and the last good preview stays up, just
as a failed build leaves a published site untouched.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import build


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # one line per request would drown the validation messages


class Preview:
    """check(files) -> the valid circles, or None when a file has errors (check reports them)."""

    def __init__(self, paths: list[Path], check, port: int = 8000):
        self.paths = paths
        self.check = check
        self.folder = Path(tempfile.mkdtemp(prefix="handbook-gen-preview-"))
        handler = functools.partial(_QuietHandler, directory=str(self.folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.seen: dict[Path, float] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def changed(self) -> bool:
        """True when a circle file was added, removed or saved since the last look."""
        now = {path: path.stat().st_mtime for path in self.files()}
        changed, self.seen = now != self.seen, now
        return changed

    def files(self) -> list[Path]:
        found = []
        for path in self.paths:
            found += sorted(path.glob("*.y*ml")) if path.is_dir() else [path] if path.exists() else []
        return found

    def rebuild(self) -> bool:
        """Validate and build; with errors nothing is built and the old preview stays."""
        circles = self.check(self.files())
        if circles is None:
            return False
        return build(circles, self.folder) == 0
