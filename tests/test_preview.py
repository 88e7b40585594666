"""`handbook-gen serve`, run as a coordinator runs it: a process that is stopped with Ctrl-C.

The pages it serves carry the preview's reload script; while the circle file has errors they also
carry the notice with the messages, on top of the last good handbook. The browser side (the page
reloads itself, the notice appears and goes) is tests/browser/test_preview_in_browser.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers import BROKEN_HOST, EXAMPLE, HOST_LINE, WAIT, free_port, serving, validate_output


@pytest.fixture
def circle(tmp_path) -> Path:
    copy = tmp_path / "circles" / "arkade-noord.yaml"
    copy.parent.mkdir()
    shutil.copy(EXAMPLE, copy)
    return copy


@pytest.fixture
def temp(tmp_path) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    return folder


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_serve_follows_saves_shows_errors_on_the_page_and_stops_on_ctrl_c(circle, temp):
    text = circle.read_text(encoding="utf-8")
    with serving(circle, temp) as running:
        assert running.next_outcome().startswith("Bijgewerkt")
        assert [p.name for p in temp.iterdir()][0].startswith("handbook-gen-preview-")
        status, page = fetch(running.url + "arkade-noord/team.html")
        assert status == 200 and "OBS De Regenboog" in page
        assert 'id="hg-reload"' in page and 'id="hg-preview"' not in page

        assert running.save(text.replace("OBS De Regenboog", "OBS De Regenbui")).startswith("Bijgewerkt")
        assert "OBS De Regenbui" in fetch(running.url + "arkade-noord/team.html")[1]

        assert running.save(text.replace(HOST_LINE, BROKEN_HOST)).startswith("Niet bijgewerkt")
        status, page = fetch(running.url + "arkade-noord/team.html")
        assert status == 200 and "OBS De Regenbui" in page  # the last good handbook stays
        assert 'role="alert"' in page and "Het cirkelbestand heeft fouten" in page
        message, = validate_output(circle)
        assert message.startswith(f"{circle}:151:11: error:")
        escaped = message.replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"<li>{escaped}</li>" in page and "<b>nergens" not in page

        assert running.save(text).startswith("Bijgewerkt")
        page = fetch(running.url + "arkade-noord/team.html")[1]
        assert "OBS De Regenboog" in page and 'id="hg-preview"' not in page

        code, rest, errors = running.stop()
    assert code == 0
    assert rest.strip() == "Voorbeeld gestopt."
    assert errors == ""  # no traceback
    assert list(temp.iterdir()) == []  # the preview folder is gone


def test_a_circle_broken_from_the_start_gets_the_notice_in_its_language(circle, temp):
    english = circle.read_text(encoding="utf-8").replace("language: nl", "language: en")
    circle.write_text(english.replace(HOST_LINE, BROKEN_HOST), encoding="utf-8")
    with serving(circle, temp) as running:
        assert running.next_outcome().startswith("Not updated")  # in the circle's language too
        status, page = fetch(running.url)  # no handbook was built: the page is missing
        assert status == 404
        assert '<html lang="en">' in page and "This page is not there (yet)" in page
        assert '<div id="hg-preview" lang="en">' in page and "The circle file has errors" in page
        assert f"{circle}:151:11: error: reviews[0].host: &#39;&lt;b&gt;nergens&lt;/b&gt;&#39; is not" in page
        assert 'id="hg-reload"' in page  # it reloads itself once the file is fixed

        circle.write_text(english, encoding="utf-8")
        assert running.next_outcome().startswith("Updated")
        status, page = fetch(running.url)
        assert status == 200 and "arkade-noord/index.html" in page and 'id="hg-preview"' not in page
        assert running.stop()[0] == 0


def test_a_busy_port_is_one_line_and_exit_2(circle, temp):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "handbook_gen", "serve", str(circle), "--port", str(port)],
                              capture_output=True, text=True, encoding="utf-8",
                              env={**os.environ, "TMPDIR": str(temp)}, timeout=WAIT)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (f"handbook-gen: poort {port} is niet beschikbaar (Address already in use). "
                           "Kies een andere met --port.\n")
    assert list(temp.iterdir()) == []


def test_port_must_be_a_port_number(circle):
    done = subprocess.run([sys.executable, "-m", "handbook_gen", "serve", str(circle), "--port", "70000"],
                          capture_output=True, text=True, encoding="utf-8", timeout=WAIT)
    assert done.returncode == 2
    assert "'70000' is geen poortnummer" in done.stderr


def test_a_build_that_fails_puts_its_own_notice_on_the_pages(monkeypatch):
    # A circle that validated but does not build (a bug of ours, or MkDocs refusing): the build
    # says why in the terminal; the pages say that it failed and where to look.
    from handbook_gen.engines.engine import EngineError, get_engine
    from handbook_gen.site.preview import Checks, Preview
    from handbook_gen.circle.validate import check_file

    def refuse(*arguments):
        raise EngineError("MkDocs: refused")

    monkeypatch.setattr(get_engine("mkdocs"), "render", refuse)
    checked = check_file(EXAMPLE)
    announced = []
    preview = Preview([EXAMPLE], lambda files: Checks([checked], [], "en"),
                      lambda outcomes, language: announced.append((outcomes, language)), free_port())
    try:
        assert preview.rebuild() is False
        notice = preview.server.notice.decode("utf-8")
    finally:
        preview.close()
    [(outcomes, language)] = announced
    assert language == "en" and [(o.state, o.error) for o in outcomes] == [("failed", "MkDocs: refused")]
    assert '<div id="hg-preview" lang="en">' in notice and 'role="alert"' in notice
    assert "The handbook could not be built" in notice and "<li>" not in notice
    assert not preview.folder.exists()
