"""SEQUENCE and DTSTAMP from the circle file's git history (history.py), through a real build."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from icalendar import Calendar

from handbook_gen.calendars import feeds as calendars
from handbook_gen.changes import history
from handbook_gen.cli import main
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_file
from helpers import ROOT

MINIMAL = ROOT / "tests/circles/minimal.yaml"
DAY = 86400


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name, value in {"GIT_AUTHOR_NAME": "Coördinator", "GIT_AUTHOR_EMAIL": "c@example.org",
                        "GIT_COMMITTER_NAME": "Coördinator", "GIT_COMMITTER_EMAIL": "c@example.org",
                        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(name, value)


def git(repo: Path, *args: str, when: int | None = None) -> str:
    env = {**os.environ}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{when} +0000"
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def commit(repo: Path, circle: Path, text: str, when: int, message: str) -> None:
    circle.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, when=when)


T0 = 1760000000  # 2025-10-09


@pytest.fixture
def repo(tmp_path) -> tuple[Path, Path, list[str]]:
    """Three commits after the first: a review moved, a training cancelled, the cancellation
    taken back; and one that only adds a comment."""
    repo = tmp_path / "bestuur"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    circle = repo / "circles" / "minimal.yaml"
    circle.parent.mkdir()
    text = MINIMAL.read_text(encoding="utf-8")
    review_date = re.search(r"reviews:\n(?:.*\n)*?    date: (\S+)", text).group(1)
    training = re.search(r"trainings:\n  - id: (\S+)", text).group(1)
    commit(repo, circle, text, T0, "Start")
    moved = text.replace(f"    date: {review_date}", f"    date: {review_date[:-2]}{int(review_date[-2:]) + 1:02d}", 1)
    commit(repo, circle, moved, T0 + DAY, "Review een dag later")
    cancelled = moved.replace(f"  - id: {training}\n", f"  - id: {training}\n    cancelled: true\n", 1)
    commit(repo, circle, cancelled, T0 + 2 * DAY, "Training vervalt")
    commit(repo, circle, moved, T0 + 3 * DAY, "Training gaat toch door")
    commit(repo, circle, "# alleen een opmerking\n" + moved, T0 + 4 * DAY, "Opmerking")
    return repo, circle, [training, check_file(circle).circle.reviews[0].id]


def feed(site: Path) -> dict[str, tuple[int, str]]:
    data = (site / "minimal" / "calendars" / "circle.ics").read_bytes()
    return {str(e["UID"]).split("@")[0]: (int(e["SEQUENCE"]), e["DTSTAMP"].to_ical().decode())
            for e in Calendar.from_ical(data).walk("VEVENT")}


def stamp(seconds: int) -> str:
    return subprocess.run(["date", "-u", "-d", f"@{seconds}", "+%Y%m%dT%H%M%SZ"], check=True,
                          capture_output=True, text=True).stdout.strip()


def build(circle: Path, out: Path, *extra: str) -> int:
    return main(["build", "--no-pdf", str(circle), "-o", str(out), *extra])


def versions(circle: Path) -> dict[str, tuple[int, str]]:
    """What the build gives each event, without building the site around it."""
    found = history.read(check_file(circle).circle)
    return {uid.split("@")[0]: (v.sequence, v.changed.strftime("%Y%m%dT%H%M%SZ"))
            for uid, v in found.versions.items()}


def test_sequence_counts_the_revisions_that_changed_what_a_calendar_shows(repo, tmp_path):
    _, circle, (training, review) = repo
    assert build(circle, tmp_path / "site") == 0
    events = feed(tmp_path / "site")
    assert events[review] == (1, stamp(T0 + DAY))  # moved once
    assert events[f"{training}"] == (2, stamp(T0 + 3 * DAY))  # cancelled, then taken back: 2
    untouched = [uid for uid in events if uid not in (review, training)]
    assert untouched and all(events[uid] == (0, stamp(T0)) for uid in untouched)


def test_the_same_history_gives_the_same_bytes(repo, tmp_path):
    _, circle, _ = repo
    loaded = check_file(circle).circle
    first = calendars.render(loaded, plan(loaded), history.read(loaded).versions)
    assert any((tmp_path / "cache").rglob("*.json"))
    again = calendars.render(loaded, plan(loaded), history.read(loaded).versions)  # from the cache
    assert first == again


def test_an_uncommitted_change_counts_as_one_more_revision(repo, tmp_path):
    _, circle, (training, review) = repo
    circle.write_text(circle.read_text(encoding="utf-8").replace(
        f"  - id: {training}\n", f"  - id: {training}\n    cancelled: true\n", 1), encoding="utf-8")
    assert versions(circle)[training][0] == 3


def test_a_broken_revision_is_skipped(repo, tmp_path):
    repo_dir, circle, (training, review) = repo
    good = circle.read_text(encoding="utf-8")
    commit(repo_dir, circle, good.replace("format: 1", "format: 1\nonbekend: x"), T0 + 5 * DAY, "Kapot")
    commit(repo_dir, circle, good, T0 + 6 * DAY, "Hersteld")
    assert versions(circle)[review] == (1, stamp(T0 + DAY))


def test_without_history_the_old_numbers(repo, tmp_path):
    _, circle, (training, review) = repo
    build(circle, tmp_path / "site", "--no-history")
    events = feed(tmp_path / "site")
    assert {sequence for sequence, _ in events.values()} == {0}


def test_a_shallow_clone_says_so_in_one_line(repo, tmp_path, capsys):
    repo_dir, _, _ = repo
    clone = tmp_path / "ondiep"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo_dir}", str(clone)], check=True)
    capsys.readouterr()
    assert build(clone / "circles/minimal.yaml", tmp_path / "site") == 0
    err = capsys.readouterr().err
    assert err.count("ondiepe kloon") == 1 and "fetch-depth: 0" in err


def test_a_file_outside_git_has_no_history(tmp_path):
    circle = tmp_path / "minimal.yaml"
    circle.write_bytes(MINIMAL.read_bytes())
    assert history.read(check_file(circle).circle) is None


def test_a_renamed_file_keeps_its_history(repo, tmp_path):
    repo_dir, circle, (training, review) = repo
    git(repo_dir, "mv", "circles/minimal.yaml", "circles/minimal-renamed.yaml")
    git(repo_dir, "commit", "-q", "-m", "Andere bestandsnaam", when=T0 + 7 * DAY)
    assert versions(repo_dir / "circles/minimal-renamed.yaml")[review] == (1, stamp(T0 + DAY))
