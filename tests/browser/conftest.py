"""Browser fixtures: one headless Chromium for the session, a small handbook, a local web server.

The browser is Debian's chromium (/usr/bin/chromium) driven by Playwright; Playwright never
downloads a browser here. Without chromium the browser tests are skipped locally, but on CI
(CI=true) they fail, so a broken CI image cannot turn them green by skipping.

`open_page` loads a page and records every request it makes. Only the handbook itself may be
asked for: file:// URLs inside the built site, or the local http.server serving it. Anything
else is aborted before it leaves the machine and reported, so the test fails. The sample
handbook, the web server and the page opener themselves are in helpers.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from handbook_gen.site.handbook import build_handbook
from helpers import EPOCH, SAMPLE_CIRCLE, SAMPLE_DOCS, SAMPLE_NAV, page_opener, serve_folder

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def site_root(tmp_path_factory) -> Path:
    """The sample handbook, built once through build_handbook; returns the site folder."""
    out = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build_handbook(SAMPLE_CIRCLE, "Testcirkel", "nl", SAMPLE_DOCS, SAMPLE_NAV, out)
    return out


@pytest.fixture(scope="session")
def handbook(site_root) -> Path:
    return site_root / SAMPLE_CIRCLE


@pytest.fixture(scope="session")
def http_base(site_root):
    with serve_folder(site_root) as base:
        yield base


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


# A module that builds its own site defines a `site` fixture (the site folder); these serve it.
@pytest.fixture(scope="module")
def http_site(site):
    with serve_folder(site) as base:
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
