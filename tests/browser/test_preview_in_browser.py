"""`handbook-gen serve` in Chromium: the open page follows the circle file by itself.

The test saves the circle file and never reloads the page: the preview's reload script in the
page does. A saved file with errors puts the messages, as `validate` prints them, on top of the last
good handbook; the next good save takes them away.
"""

from __future__ import annotations

import re
import shutil

from playwright.sync_api import expect

from helpers import BROKEN_HOST, EXAMPLE, HOST_LINE, WAIT, page_opener, serving, validate_output

NAME = "name: Cirkel Noord\n"


def test_the_page_reloads_itself_and_shows_errors_until_they_are_fixed(browser, tmp_path):
    circle = tmp_path / "arkade-noord.yaml"
    shutil.copy(EXAMPLE, circle)
    text = circle.read_text(encoding="utf-8")
    (tmp_path / "temp").mkdir()
    wait = WAIT * 1000
    with serving(circle, tmp_path / "temp") as running, page_opener(browser, (running.url,)) as open_:
        assert running.next_outcome().startswith("Bijgewerkt")
        visit = open_(running.url + "arkade-noord/index.html")
        page = visit.page
        notice = page.locator("#hg-preview [role=alert]")
        expect(page).to_have_title(re.compile("Cirkel Noord"))
        expect(notice).to_have_count(0)
        page.evaluate("window.openedByTheTest = true")

        circle.write_text(text.replace(NAME, "name: Cirkel Noordster\n"), encoding="utf-8")
        expect(page).to_have_title(re.compile("Cirkel Noordster"), timeout=wait)
        assert page.evaluate("window.openedByTheTest") is None  # the page reloaded itself

        broken = text.replace(NAME, "name: Cirkel Noordster\n").replace(HOST_LINE, BROKEN_HOST)
        circle.write_text(broken, encoding="utf-8")
        expect(notice).to_be_visible(timeout=wait)
        page.get_by_role("button", name="Melding verbergen").click()  # to read the handbook behind it
        expect(notice).to_have_count(0)
        circle.write_text(broken, encoding="utf-8")  # saved again, still broken: the notice is back
        expect(notice).to_be_visible(timeout=wait)
        message, = validate_output(circle)
        expect(notice.locator("li")).to_have_text([message])  # markup in it stays text
        expect(notice).to_contain_text("Het cirkelbestand heeft fouten")
        expect(page).to_have_title(re.compile("Cirkel Noordster"))  # the last good handbook
        assert notice.locator("b").count() == 0

        circle.write_text(text, encoding="utf-8")
        expect(notice).to_have_count(0, timeout=wait)
        expect(page).to_have_title(re.compile("Cirkel Noord\\b"))
        assert visit.outside() == []  # only the preview itself was asked for
