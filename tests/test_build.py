"""`handbook-gen build` end to end: real MkDocs builds of the example circles."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from handbook_gen.cli import main
from helpers import EPOCH, ROOT

CIRCLES = ROOT / "circles"


def tree_digest(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The example circles, built once for the whole module."""
    out = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert main(["build", "--no-pdf", str(CIRCLES), "-o", str(out)]) == 0
    return out


def test_every_circle_gets_a_handbook_and_calendars(built):
    for circle in ("arkade-noord", "eemland-samen"):
        assert (built / circle / "index.html").is_file()
        assert (built / circle / "calendars" / "circle.ics").is_file()
        assert (built / circle / "calendars" / "peer-reviewers.ics").is_file()
        assert (built / circle / "calendars" / "schoolcoaches.ics").is_file()
    assert (built / "arkade-noord" / "calendars" / "school-de-regenboog.ics").is_file()
    assert (built / "arkade-noord" / "reviews" / "review-regenboog.html").is_file()


def test_index_lists_circles_by_board(built):
    index = (built / "index.html").read_text(encoding="utf-8")
    assert "Stichting Arkade" in index and "Stichting Eemland Primair" in index
    assert 'href="arkade-noord/index.html"' in index


def test_same_input_gives_byte_identical_site(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert main(["build", "--no-pdf", str(CIRCLES), "-o", str(tmp_path)]) == 0
    assert tree_digest(tmp_path) == tree_digest(built)


def test_unchanged_circle_is_skipped(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    circle = CIRCLES / "arkade-noord.yaml"
    assert main(["build", "--no-pdf", str(circle), "-o", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["build", "--no-pdf", str(circle), "-o", str(tmp_path)]) == 0
    assert "ongewijzigd" in capsys.readouterr().out


def test_bad_circle_fails_and_leaves_the_published_site_untouched(built, tmp_path, capsys):
    published = tmp_path / "site"
    shutil.copytree(built, published)
    before = tree_digest(published)
    broken = tmp_path / "arkade-noord.yaml"
    text = (CIRCLES / "arkade-noord.yaml").read_text(encoding="utf-8")
    broken.write_text(text.replace("host: de-regenboog", "host: de-regenbooog"), encoding="utf-8")
    assert main(["build", "--no-pdf", str(broken), "-o", str(published)]) == 1
    output = capsys.readouterr().out
    assert "arkade-noord.yaml:" in output and "de-regenbooog" in output
    assert tree_digest(published) == before


def test_parallel_build_gives_the_same_site(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert main(["build", "--no-pdf", str(CIRCLES), "-o", str(tmp_path), "--jobs", "2"]) == 0
    assert tree_digest(tmp_path) == tree_digest(built)


def test_relative_output_folder(tmp_path, monkeypatch):
    """`-o site` is relative to where the command runs, not to MkDocs' config folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-pdf", str(CIRCLES / "arkade-noord.yaml"), "-o", "site"]) == 0
    assert (tmp_path / "site" / "arkade-noord" / "reviews" / "review-regenboog.html").is_file()
    assert not list((tmp_path / "site" / "arkade-noord").glob(".arkade-noord.*"))


def test_malformed_source_date_epoch_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gisteren")
    assert main(["build", "--no-pdf", str(CIRCLES), "-o", str(tmp_path / "site")]) == 2
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


LINKS_THAT_VALIDATE = (
    "[daar](&#106;avascript:alert(3)) [relatief](pagina.md) [anker](#nergens) "
    "[map](../index.html) [ingepakt](<https://ok.example/pad>) [goed](https://ok.example) "
    "[ref][r]\n\n[r]: &#106;avascript:alert(4)\n"
)


def test_every_link_a_coordinator_can_write_builds_into_something_inert(tmp_path, capsys):
    """A file that validates must build: links MkDocs would refuse go nowhere instead."""
    text = (ROOT / "tests/circles/minimal.yaml").read_text(encoding="utf-8")
    description = "\n".join("    " + line for line in LINKS_THAT_VALIDATE.splitlines())
    text = text.replace("  learning_question: Hoe kiezen leerlingen zelf een strategie?\n",
                        "  learning_question: Hoe kiezen leerlingen zelf een strategie?\n"
                        f"  description: |\n{description}\n", 1)
    circle = tmp_path / "minimal.yaml"
    circle.write_text(text, encoding="utf-8")
    assert main(["validate", str(circle)]) == 0
    assert main(["build", "--no-pdf", str(circle), "-o", str(tmp_path / "site")]) == 0, capsys.readouterr()
    page = (tmp_path / "site/minimal/thema.html").read_text(encoding="utf-8")
    assert 'href="https://ok.example/pad"' in page and 'href="https://ok.example"' in page
    hrefs = re.findall(r'<a href="([^"]*)">(?:daar|relatief|anker|map|ref)</a>', page)
    assert hrefs == ["#"] * 5
