"""`handbook-gen serve`: the preview rebuilds on save and keeps the last good version."""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from handbook_gen.cli import check_all
from handbook_gen.preview import Preview

EXAMPLE = Path(__file__).resolve().parent.parent / "circles" / "arkade-noord.yaml"


def check(files):
    results = check_all(files)
    has_errors = any(p.severity == "error" for r in results for p in r.problems)
    return None if has_errors else [r.circle for r in results]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def save(path: Path, text: str, tick: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (1_800_000_000 + tick, 1_800_000_000 + tick))  # a save the poll must notice


@pytest.fixture
def preview(tmp_path):
    circle = tmp_path / "arkade-noord.yaml"
    shutil.copy(EXAMPLE, circle)
    running = Preview([tmp_path], check, port=0)
    running.start()
    yield running, circle
    running.stop()


def test_preview_follows_saves_and_keeps_the_last_good_version(preview):
    running, circle = preview
    page = running.url + "arkade-noord/team.html"
    assert running.changed() and running.rebuild()
    assert "OBS De Regenboog" in fetch(page)
    assert not running.changed()

    text = circle.read_text(encoding="utf-8")
    save(circle, text.replace("OBS De Regenboog", "OBS De Regenbui"), 1)
    assert running.changed() and running.rebuild()
    assert "OBS De Regenbui" in fetch(page)

    save(circle, text.replace("host: de-regenboog", "host: nergens"), 2)
    assert running.changed() and not running.rebuild()
    assert "OBS De Regenbui" in fetch(page)


def test_stopping_removes_the_preview_folder(tmp_path):
    running = Preview([tmp_path], check, port=0)
    running.start()
    running.stop()
    assert not running.folder.exists()
