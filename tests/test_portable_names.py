"""Every name a build writes is one Windows accepts: a handbook is copied to USB sticks and shared
folders (the offline case). Ids that Windows or the output itself reserves are refused by validate
(tests/broken/reserved-*.yaml, output-name-circle-id.yaml); person feeds get a suffix instead.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from handbook_gen.calendars import feeds as calendars
from handbook_gen.circle import rules
from handbook_gen.cli import main
from helpers import EXAMPLE, ROOT

WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_MAX_NAME = 255  # characters in one file or folder name
WINDOWS_MAX_PATH = 260  # characters in a whole path (MAX_PATH), from the drive: C:\ + folder + …


def windows_problems(relative: str) -> list[str]:
    """What Windows would refuse in a path below the output folder, one reason per part."""
    problems = []
    for part in relative.split("/"):
        if part.split(".", 1)[0].lower() in rules.WINDOWS_RESERVED:
            problems.append(f"{part}: a reserved name")
        if part.endswith((".", " ")):
            problems.append(f"{part}: ends in a dot or space")
        if WINDOWS_FORBIDDEN.search(part):
            problems.append(f"{part}: a character Windows forbids")
        if len(part) > WINDOWS_MAX_NAME:
            problems.append(f"{part}: longer than {WINDOWS_MAX_NAME}")
    # Room for a folder such as D:\handboeken\ in front of it.
    if len(relative) > WINDOWS_MAX_PATH - len("D:\\handboeken\\"):
        problems.append(f"{relative}: longer than MAX_PATH")
    return problems


def test_the_checker_finds_what_windows_refuses():
    assert windows_problems("arkade-noord/calendars/people/bram-jansen.ics") == []
    for bad in ("x/con.ics", "x/NUL", "x/lpt1.pdf", "x/a.", "x/a ", "x/a:b", "x/a?b", "x/" + "a" * 256):
        assert windows_problems(bad), bad


def test_portable():
    assert rules.portable("arkade-noord") and rules.portable("console") and rules.portable("com10")
    for name in ("con", "CON", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9", "con.ics",
                 "nul.preparation.ics", "name.", "name "):
        assert not rules.portable(name), name


def old_stem(name: str) -> str:
    """The file stem before anyascii: people subscribed to these addresses."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "persoon"


def test_person_stems_stay_for_names_that_had_one():
    names = ["Fatima el Amrani", "Bram Jansen", "Anna de Vries", "Joost  Mulder", "IKC 't Startpunt",
             "Anne-Marie O'Neil", "José Gonçalves", "Chloé Lefèvre", "Zoë de Wit", "A" * 80, "", "-"]
    for name in names:
        assert calendars._file_stem(name) == old_stem(name), name


def test_person_stems_transliterate():
    assert calendars._file_stem("Özlem Yıldız") == "ozlem-yildiz"
    assert calendars._file_stem("Søren Ørsted") == "soren-orsted"
    assert calendars._file_stem("Jürgen Weiß") == "jurgen-weiss"
    assert calendars._file_stem("Łukasz Ærø") == "lukasz-aero"


def test_person_stems_are_never_reserved():
    assert calendars._file_stem("Con") == "con-persoon"
    assert calendars._file_stem("NUL") == "nul-persoon"
    assert calendars._file_stem("Com 1") == "com-1"  # not reserved: no suffix needed
    assert calendars._file_stem("com1") == "com1-persoon"
    for name in ("con", "prn", "aux", "nul", "com5", "lpt7"):
        assert rules.portable(calendars._file_stem(name))


@pytest.mark.slow
def test_every_path_of_a_built_handbook_is_portable(tmp_path):
    """The example circles, and one whose people are named as Windows reserves: built, no PDFs."""
    circles = tmp_path / "circles"
    shutil.copytree(ROOT / "circles", circles)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["id"] = "windows-namen"
    for school, name in zip(data["schools"], ("Con", "Nul", "Aux", "Özlem Yıldız", "Lpt1")):
        school["peer_reviewers"][0] = {"name": name}
    # The visits named the old peer reviewers: a circle without visits builds as well.
    for review in data["reviews"]:
        review.pop("visits", None)
    (circles / "windows-namen.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "site"
    assert main(["build", "--no-history", "--no-pdf", str(circles), "-o", str(out)]) == 0
    paths = [p.relative_to(out).as_posix() for p in out.rglob("*")]
    assert "windows-namen/calendars/people/con-persoon.ics" in paths
    assert "windows-namen/calendars/people/ozlem-yildiz.ics" in paths
    assert len(paths) > 100
    problems = [problem for path in paths for problem in windows_problems(path)]
    assert problems == []
