"""Browser fixtures: one headless Chromium for the session, a small handbook, a local web server.

The browser is Debian's chromium (/usr/bin/chromium) driven by Playwright; Playwright never
downloads a browser here. Without chromium the browser tests are skipped locally, but on CI
(CI=true) they fail, so a broken CI image cannot turn them green by skipping.

`open_page` loads a page and records every request it makes. Only the handbook itself may be
asked for: file:// URLs inside the built site, or the local http.server serving it. Anything
else is aborted before it leaves the machine and reported, so the test fails.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from handbook_gen.site import build_handbook
from handbook_sample import CIRCLE, EPOCH, SAMPLE_DOCS, SAMPLE_NAV

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# URLs that never leave the page: inline data, blobs and blank frames (the search iframe).
LOCAL_SCHEMES = ("data:", "blob:", "about:")


@pytest.fixture(scope="session")
def site_root(tmp_path_factory) -> Path:
    """The sample handbook, built once through build_handbook; returns the site folder."""
    out = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build_handbook(CIRCLE, "Testcirkel", "nl", SAMPLE_DOCS, SAMPLE_NAV, out)
    return out


@pytest.fixture(scope="session")
def handbook(site_root) -> Path:
    return site_root / CIRCLE


@contextlib.contextmanager
def serve(folder: Path):
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


@pytest.fixture(scope="session")
def http_base(site_root):
    with serve(site_root) as base:
        yield base


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install Debian's chromium: bash scripts/install.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run on CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page opened by `open_page`, with every request it made and the ones refused."""

    page: object
    is_inside: object
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests for anything but the handbook: refused, or seen but not routed."""
        return sorted(set(self.refused) | {url for url in self.requests if not self.is_inside(url)})


@contextlib.contextmanager
def page_opener(browser, allowed: tuple[str, ...]):
    """open_(url, media) -> Visit, allowing only URLs that start with one of `allowed`."""
    contexts = []

    def is_inside(url: str) -> bool:
        return url.startswith(allowed) or url.startswith(LOCAL_SCHEMES)

    def open_(url: str, media: str = "screen") -> Visit:
        context = browser.new_context(service_workers="block")
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page, is_inside)

        def route(route):
            if is_inside(route.request.url):
                route.continue_()
            else:
                visit.refused.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page.on("request", lambda request: visit.requests.append(request.url))
        page.emulate_media(media=media)
        page.goto(url, wait_until="load")
        return visit

    try:
        yield open_
    finally:
        for context in contexts:
            context.close()


# A module that builds its own site defines a `site` fixture (the site folder); these serve it.
@pytest.fixture(scope="module")
def http_site(site):
    with serve(site) as base:
        yield base


@pytest.fixture
def open_built(browser, site, http_site):
    """open_built(url) -> Visit for the module's `site`."""
    with page_opener(browser, (site.as_uri() + "/", http_site)) as open_:
        yield open_


@pytest.fixture
def open_page(browser, site_root, http_base):
    """open_page(url) -> Visit for the sample handbook; contexts are closed after the test."""
    with page_opener(browser, (site_root.as_uri() + "/", http_base)) as open_:
        yield open_
