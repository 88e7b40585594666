"""Builds at scale: a handbook is rebuilt exactly when one of its inputs changed, decided before
rendering; a handbook built among many equals one built alone; shards merge into the same site;
shared theme assets and --standalone."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handbook_gen import build as build_stage
from handbook_gen import cli
from handbook_gen.build import Shard, build, failed
from handbook_gen.cli import main
from handbook_gen.common.freshness import Settings
from handbook_gen.circle.validate import check_file
from helpers import EPOCH, ROOT

CHECKOUT_PARTS = ("handbook_gen", "docs_templates", "theme", "mkdocs.yml")
NO_PDF = Settings(use_history=False, pdfs=False)  # PDFs are tested in test_pdf.py; here they only cost time


def tree(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def write_circles(folder: Path) -> list[Path]:
    """The two example circles and an English copy of the first, with its own id."""
    folder.mkdir(parents=True, exist_ok=True)
    for example in sorted((ROOT / "circles").glob("*.yaml")):
        shutil.copy(example, folder / example.name)
    english = (ROOT / "circles" / "arkade-noord.yaml").read_text(encoding="utf-8")
    english = re.sub(r"^id: .*$", "id: arkade-english", english, count=1, flags=re.MULTILINE)
    english = re.sub(r"^language: .*$", "language: en", english, count=1, flags=re.MULTILINE)
    (folder / "arkade-english.yaml").write_text(english, encoding="utf-8")
    return sorted(folder.glob("*.yaml"))


@pytest.fixture(autouse=True)
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


# --- Exactly the affected handbooks are rebuilt -----------------------------------------------

@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the generator and three circles: its templates, theme and texts can be edited."""
    folder = tmp_path_factory.mktemp("checkout")
    for part in CHECKOUT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, folder / part)
    write_circles(folder / "circles")
    return folder


def rebuilt(checkout: Path, *options: str, epoch: str = EPOCH) -> set[str]:
    """Build the checkout's circles with its own generator; the handbooks published anew
    (a published folder is replaced as a whole, so its inode changes)."""
    out = checkout / "site"
    before = {p.name: p.stat().st_ino for p in out.iterdir() if p.is_dir()} if out.exists() else {}
    done = subprocess.run([sys.executable, "-m", "handbook_gen", "build", "circles", "-o", "site",
                           "--no-pdf", *options], cwd=checkout, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": epoch})
    assert done.returncode == 0, done.stderr
    after = {p.name: p.stat().st_ino for p in out.iterdir() if p.is_dir()}
    return {name for name, inode in after.items() if before.get(name) != inode} - {"assets"}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ALL = {"arkade-noord", "arkade-english", "eemland-samen"}


def test_each_kind_of_input_rebuilds_exactly_the_handbooks_it_affects(checkout):
    assert rebuilt(checkout) == ALL
    assert rebuilt(checkout) == set()

    edit(checkout / "circles/eemland-samen.yaml", "name: Cirkel Eemland", "name: Cirkel Eemland-Zuid")
    assert rebuilt(checkout) == {"eemland-samen"}

    edit(checkout / "docs_templates/text/en/rollen.md", "\n", "\nThe roles, in short.\n")  # English text
    assert rebuilt(checkout) == {"arkade-english"}

    edit(checkout / "handbook_gen/locale/nl/handbook.yaml", "Lesbezoek", "Lesbezoek (les)")
    assert rebuilt(checkout) == {"arkade-noord", "eemland-samen"}

    # A stylesheet is a shared asset: the shared copy changes, no handbook does.
    stylesheet = checkout / "theme/assets/stylesheets/handbook.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    assert rebuilt(checkout) == set()
    assert "/* edited */" in (checkout / "site/assets/stylesheets/handbook.css").read_text(encoding="utf-8")

    edit(checkout / "theme/main.html", "{% extends", "{#- edited -#}\n{% extends")  # a theme template
    assert rebuilt(checkout) == ALL

    edit(checkout / "handbook_gen/__init__.py", '__version__ = "', '__version__ = "9')
    assert rebuilt(checkout) == ALL

    assert rebuilt(checkout, epoch=str(int(EPOCH) + 86400)) == ALL
    assert rebuilt(checkout, epoch=str(int(EPOCH) + 86400)) == set()


def test_nothing_changed_is_decided_without_reading_or_rendering_a_circle(checkout):
    rebuilt(checkout)
    probe = "\n".join([
        "import sys, handbook_gen.cli as cli, handbook_gen.circle.validate as validate",
        "def refuse(path, *args): raise RuntimeError(f'{path} was read again')",
        "validate.check_file = refuse",
        "code = cli.main(['build', 'circles', '-o', 'site', '--no-pdf'])",
        "print(code, [m for m in ('mkdocs', 'handbook_gen.site.pages', 'handbook_gen.calendars.feeds') if m in sys.modules])",
    ])
    done = subprocess.run([sys.executable, "-c", probe], cwd=checkout, capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout + done.stderr


# --- Built among many = built alone; shards -----------------------------------------------------

@pytest.fixture(scope="module")
def circles(tmp_path_factory) -> list:
    folder = tmp_path_factory.mktemp("circles")
    return [check_file(path) for path in write_circles(folder)]


@pytest.fixture(scope="module")
def together(circles, tmp_path_factory) -> Path:
    """All circles built by one call, in two worker processes."""
    out = tmp_path_factory.mktemp("together")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        assert not failed(build(circles, out, NO_PDF, workers=2))
    return out


def test_a_handbook_built_among_many_is_byte_identical_to_one_built_alone(circles, together, tmp_path):
    english = next(result for result in circles if result.circle.language == "en")
    assert not failed(build([english], tmp_path, NO_PDF))
    alone, among = tree(tmp_path), tree(together)
    handbook = {name: digest for name, digest in alone.items() if name.startswith("arkade-english/")}
    assert handbook and all(among[name] == digest for name, digest in handbook.items())
    assert {n for n in among if n.startswith("arkade-english/")} == set(handbook)
    assert {n: d for n, d in alone.items() if n.startswith("assets/")} == \
        {n: d for n, d in among.items() if n.startswith("assets/")}


def test_four_shards_merged_by_copying_equal_one_build(circles, together, tmp_path):
    merged = tmp_path / "merged"
    for number in range(1, 5):
        part = tmp_path / f"shard-{number}"
        assert not failed(build(circles, part, NO_PDF, shard=Shard(number, 4)))
        shutil.copytree(part, merged, dirs_exist_ok=True)
    assert tree(merged) == tree(together)


def test_shards_split_the_circles_stably():
    ids = [f"cirkel-{number}" for number in range(200)]
    owners = [[number for number in range(1, 5) if Shard(number, 4).holds(i)] for i in ids]
    assert all(len(owner) == 1 for owner in owners)  # every circle in exactly one shard
    assert {owner[0] for owner in owners} == {1, 2, 3, 4}
    assert Shard(3, 4).holds("arkade-noord") == Shard(3, 4).holds("arkade-noord")


# --- Shared theme assets and --standalone -------------------------------------------------------

def asset_links(handbook: Path) -> set[tuple[Path, str]]:
    links = set()
    for page in handbook.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        links |= {(page, link) for link in re.findall(r'(?:href|src)="([^"#:]*assets/[^"]+)"', html)}
        links |= {(page, link) for link in re.findall(r'"search": "([^"]+)"', html)}
    return links


def test_shared_assets_are_stored_once_and_every_page_finds_them(together):
    handbook = together / "arkade-noord"
    assert not (handbook / "assets").exists()
    links = asset_links(handbook)
    assert len({link for _, link in links}) > 5
    for page, link in links:
        target = (page.parent / link).resolve()
        assert target.is_relative_to(together / "assets") and target.is_file(), (page, link)
    assert (handbook / "search/search_index.js").is_file()  # search stays per circle


def test_standalone_handbook_carries_its_own_assets(circles, tmp_path, capsys):
    files = [result.file for result in circles]
    assert main(["build", "--no-pdf", *files, "-o", str(tmp_path), "--standalone", "--jobs", "1"]) == 0
    assert not (tmp_path / "assets").exists()
    for result in circles:
        handbook = tmp_path / result.circle.id
        copied = tmp_path / "copied-alone" / result.circle.id
        shutil.copytree(handbook, copied)
        for page, link in asset_links(copied):
            target = (page.parent / link).resolve()
            assert target.is_relative_to(copied) and target.is_file(), (page, link)


def test_a_file_saved_while_it_is_built_is_built_again_next_time(tmp_path, monkeypatch, capsys):
    """The coordinator saves again after `build` read the file: the handbook shows the earlier
    text, so the next build must not take it for current."""
    circle = tmp_path / "arkade-noord.yaml"
    shutil.copy(ROOT / "circles/arkade-noord.yaml", circle)
    read = build_stage.check_files

    def read_then_saved(*args):
        results = read(*args)
        edit(circle, "name: Cirkel Noord", "name: Cirkel Noord-Oost")
        return results

    monkeypatch.setattr(build_stage, "check_files", read_then_saved)
    assert main(["build", "--no-pdf", str(circle), "-o", str(tmp_path / "site")]) == 0
    monkeypatch.setattr(build_stage, "check_files", read)
    capsys.readouterr()
    assert main(["build", "--no-pdf", str(circle), "-o", str(tmp_path / "site")]) == 0
    assert "ongewijzigd" not in capsys.readouterr().out
    assert "Cirkel Noord-Oost" in (tmp_path / "site/arkade-noord/index.html").read_text(encoding="utf-8")


def test_warnings_of_a_current_handbook_are_reported_again(tmp_path, capsys):
    circle = ROOT / "tests/broken/hosts-twice.yaml"  # valid, with a warning
    out = tmp_path / "site"
    assert main(["build", "--no-pdf", str(circle), "-o", str(out)]) == 0
    first = capsys.readouterr().out
    assert main(["build", "--no-pdf", str(circle), "-o", str(out)]) == 0
    again = capsys.readouterr().out
    warnings = [line for line in first.splitlines() if ": warning: " in line]
    assert len(warnings) == 1 and "hosts-twice.yaml:48:11" in warnings[0]
    assert "ongewijzigd" in again and warnings == [l for l in again.splitlines() if ": warning: " in l]
    assert main(["build", "--no-pdf", str(circle), "-o", str(out), "--strict"]) == 1


@pytest.mark.parametrize("option", [["--jobs", "0"], ["--jobs", "twee"], ["--shard", "5/4"],
                                    ["--shard", "0/4"], ["--shard", "1"]])
def test_wrong_jobs_or_shard_is_a_usage_error(option, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["build", "--no-pdf", str(ROOT / "circles"), "-o", str(tmp_path), *option])
    assert stopped.value.code == 2
    assert option[1] in capsys.readouterr().err
