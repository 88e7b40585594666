"""The calendars page in Chromium: per feed the https address with a copy button, the webcal
link, and a QR code that a phone can scan (decoded here with zbar, as a camera would)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from handbook_gen.build import build, failed
from handbook_gen.common.freshness import Settings
from handbook_gen.calendars.feeds import feed_url, feeds, subscribe_url
from handbook_gen.circle.validate import check_file
from helpers import EXAMPLE, checked, page_opener, serve_folder


@pytest.fixture(scope="module")
def circle():
    return check_file(EXAMPLE).circle


@pytest.fixture(scope="module")
def site(tmp_path_factory, circle) -> Path:
    out = tmp_path_factory.mktemp("site")
    assert not failed(build([checked(circle)], out, Settings(use_history=False, pdfs=False)))
    return out


@pytest.fixture
def calendars_page(browser, site):
    with serve_folder(site) as base, page_opener(browser, (base,)) as open_:
        yield open_(base + "arkade-noord/agenda.html").page


def decode_qr(png: Path) -> str:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        if os.environ.get("CI") == "true":
            pytest.fail("zbarimg (Debian zbar-tools) must be installed on CI: bash scripts/install.sh")
        pytest.skip("zbarimg is missing: apt-get install zbar-tools")
    done = subprocess.run([zbarimg, "--raw", "-q", str(png)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_every_feed_has_address_webcal_link_and_a_qr_code_that_scans(calendars_page, circle, tmp_path):
    page = calendars_page
    all_feeds = feeds(circle)
    assert len(all_feeds) == 3 + len(circle.schools) + 12  # circle, 2 roles, the schools, 12 people
    checked = 0
    for feed in all_feeds:
        address = feed_url(circle, feed)
        assert address.startswith("https://")
        link = page.locator(f"a[href='{address}']")
        assert link.count() == 1 and link.inner_text() == address
        assert page.locator(f"a[href='{subscribe_url(circle, feed)}']").count() == 1
        button = page.locator(f"button.lts-copy[data-copy='{address}']")
        assert button.is_visible() and button.inner_text() == "Kopieer adres"
        if feed.person and checked >= 2 and feed is not all_feeds[-1]:
            continue  # every address is checked; a few QR codes are scanned (zbar is slow-ish)
        anchor = feed.file.removeprefix("calendars/").removesuffix(".ics").replace("/", "-")
        qr = page.locator(f"h3#{anchor} + div.lts-feed div.lts-qr svg")
        assert qr.get_attribute("role") == "img" and feed.name in qr.locator("title").text_content()
        png = tmp_path / f"{checked}.png"
        qr.screenshot(path=str(png))
        assert decode_qr(png) == address, feed.file
        checked += 1 if feed.person else 0


def test_copy_button_puts_the_address_on_the_clipboard(browser, site, circle):
    with serve_folder(site) as base, page_opener(browser, (base,)) as open_:
        visit = open_(base + "arkade-noord/agenda.html")
        visit.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
        feed = feeds(circle)[0]
        address = feed_url(circle, feed)
        button = visit.page.locator(f"button.lts-copy[data-copy='{address}']")
        button.click()
        assert visit.page.evaluate("navigator.clipboard.readText()") == address
        assert button.inner_text() == "Gekopieerd"


def test_team_page_links_each_person_to_their_own_calendar(browser, site, circle):
    with serve_folder(site) as base, page_opener(browser, (base,)) as open_:
        page = open_(base + "arkade-noord/team.html").page
        link = page.get_by_role("link", name="agenda van Bram Jansen")
        assert link.get_attribute("href") == "calendars/people/bram-jansen.ics"
        page.get_by_role("row", name="Bram Jansen").get_by_role("link", name="abonneren").click()
        page.wait_for_url("**/agenda.html#people-bram-jansen")
        assert page.locator("#people-bram-jansen").inner_text().strip() == "Bram Jansen"
