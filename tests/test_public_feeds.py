"""Feeds at secret addresses (public_feeds.py) and the privacy check (privacy.py).

The feeds are read back with icalendar; the builds are real (`handbook-gen build --no-pdf`, in
process) and share their output folders through module fixtures.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from icalendar import Calendar

from handbook_gen.calendars import feeds as calendars
from handbook_gen.calendars import public_feeds
from handbook_gen.calendars.feeds import feeds, render, render_public
from handbook_gen.calendars.privacy import Known, scan, scan_text
from handbook_gen.calendars.public_feeds import FeedsError, PublicFeeds, from_settings
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_file
from helpers import EPOCH, EXAMPLE, ROOT, run

SECRET_A = "a" * 20 + "-first-secret-of-the-board"
SECRET_B = "b" * 20 + "-second-secret-after-a-leak"
URL = "https://feeds.example.org/lts/"
TOKEN_FILE = re.compile(r"^[a-z2-7]{32}\.ics$")  # 160 bits in base32


@pytest.fixture(scope="module")
def circle():
    return check_file(EXAMPLE).circle


def people_of(circle):
    return [circle.coordinator, *(p for s in circle.schools for p in (*s.peer_reviewers, *s.schoolcoaches))]


def public_files(circle, secret=SECRET_A) -> dict[str, bytes]:
    public = PublicFeeds(secret, URL)
    return render_public(circle, plan(circle), None, lambda feed: public.file(circle.id, feed))


# --- addresses -----------------------------------------------------------------------------

def test_a_token_is_long_stable_and_depends_on_secret_circle_and_feed(circle):
    every = feeds(circle)
    first, again, other = PublicFeeds(SECRET_A, URL), PublicFeeds(SECRET_A, URL), PublicFeeds(SECRET_B, URL)
    tokens = [first.token(circle.id, feed) for feed in every]
    assert all(re.fullmatch(r"[a-z2-7]{32}", token) for token in tokens)
    assert len(set(tokens)) == len(tokens)
    assert tokens == [again.token(circle.id, feed) for feed in every]
    assert not set(tokens) & {other.token(circle.id, feed) for feed in every}
    assert first.token("other-circle", every[0]) != tokens[0]
    assert first.address(circle.id, every[0]) == f"{URL}{tokens[0]}.ics"
    assert SECRET_A not in repr(first)  # never in a log or traceback


def test_settings_refuse_a_short_secret_and_need_a_public_address():
    assert from_settings(None, {}) is None
    with pytest.raises(FeedsError) as short:
        from_settings(URL, {public_feeds.SECRET_ENV: "x" * 31})
    assert short.value.code == "short_secret"
    with pytest.raises(FeedsError) as missing:
        from_settings(None, {public_feeds.SECRET_ENV: SECRET_A})
    assert missing.value.code == "no_url"
    with pytest.raises(FeedsError):
        from_settings("feeds.example.org", {public_feeds.SECRET_ENV: SECRET_A})
    made = from_settings(None, {public_feeds.SECRET_ENV: SECRET_A, public_feeds.URL_ENV: URL.rstrip("/")})
    assert made.url == URL


def test_the_source_key_holds_a_fingerprint_of_the_secret_not_the_secret():
    from handbook_gen.common.freshness import Settings

    data = Settings(public_feeds=PublicFeeds(SECRET_A, URL)).key_data()
    assert SECRET_A not in str(data)
    assert data != Settings(public_feeds=PublicFeeds(SECRET_B, URL)).key_data()


# --- what a public feed holds ----------------------------------------------------------------

def test_public_feeds_have_the_handbook_feeds_events_and_uids_without_email_or_phone(circle):
    # The coordinator's phone number and an address in a description, as a coordinator might write.
    circle = replace(circle, trainings=tuple(
        replace(t, description=f"Vragen? Bel {circle.coordinator.phone} of mail {circle.coordinator.email}.")
        for t in circle.trainings))
    private = render(circle, plan(circle))
    public = PublicFeeds(SECRET_A, URL)
    files = public_files(circle)
    assert set(files) == {public.file(circle.id, feed) for feed in feeds(circle)}
    emails = {p.email for p in people_of(circle) if p.email}
    assert circle.coordinator.phone and b"050 123 4567" in b"".join(private.values())
    for feed in feeds(circle):
        data = files[public.file(circle.id, feed)]
        parsed = Calendar.from_ical(data)
        uids = [str(e["UID"]) for e in parsed.walk("VEVENT")]
        assert uids == [str(e["UID"]) for e in Calendar.from_ical(private[feed.file]).walk("VEVENT")]
        unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
        assert "mailto:" not in unfolded and "ORGANIZER" not in unfolded
        assert not any(email in unfolded for email in emails)
        assert "050 123 4567" not in unfolded and not calendars.EMAIL.search(
            unfolded.replace("@arkade-noord.lts-handbook", ""))
        assert str(parsed["X-WR-CALNAME"]) == feed.name  # names stay by default


def test_a_planted_email_and_phone_number_in_a_description_stay_out(circle):
    planted = replace(circle, trainings=tuple(
        replace(t, description="Bel 06-12345678 of +31 6 1234 5678, mail x.y@school.example. "
                               "Doe mee: https://zoom.us/j/91234567890")
        for t in circle.trainings))
    text = b"".join(public_files(planted).values()).replace(b"\r\n ", b"").decode("utf-8")
    assert "06-12345678" not in text and "1234 5678" not in text and "x.y@school.example" not in text
    assert "[telefoonnummer weggelaten]" in text and "[e-mailadres weggelaten]" in text
    assert "https://zoom.us/j/91234567890" in text  # a meeting link's number is no phone number
    dated = replace(circle, trainings=tuple(replace(t, description="Op 01-09-2025 09:00 in lokaal 12.")
                                            for t in circle.trainings))
    assert "01-09-2025 09:00" in b"".join(public_files(dated).values()).decode("utf-8")


def test_names_stay_out_when_the_circle_file_says_so(circle):
    unnamed = replace(circle, public_feed_names=False)
    files = public_files(unnamed)
    text = b"".join(files.values()).replace(b"\r\n ", b"").decode("utf-8")
    for person in people_of(circle):
        assert person.name not in text, person.name
    named = b"".join(public_files(circle).values()).replace(b"\r\n ", b"").decode("utf-8")
    assert circle.coordinator.name in named
    names = {str(Calendar.from_ical(data)["X-WR-CALNAME"]) for data in files.values()}
    assert "LtS Cirkel Noord — mijn agenda" in names
    # the same events, by UID
    uids = lambda found: sorted(str(e["UID"]) for d in found.values() for e in Calendar.from_ical(d).walk("VEVENT"))
    assert uids(files) == uids(public_files(circle))


def test_the_setting_is_in_the_schema_and_read_from_the_file(tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8").replace("show_email: true", "show_email: true\npublic_feed_names: false")
    path = tmp_path / EXAMPLE.name
    path.write_text(text, encoding="utf-8")
    assert check_file(path).circle.public_feed_names is False
    path.write_text(text.replace("public_feed_names: false", "public_feed_names: nee"), encoding="utf-8")
    problems = check_file(path).problems
    assert problems and problems[0].line == text.splitlines().index("public_feed_names: false") + 1


# --- the privacy check ------------------------------------------------------------------------

def test_privacy_scan_finds_a_folded_email_an_escaped_one_and_a_phone(circle, tmp_path):
    known = Known.of([("circles/arkade-noord.yaml", circle)])
    email = circle.coordinator.email
    folded = f"BEGIN:VCALENDAR\r\nDESCRIPTION:Mail {email[:6]}\r\n {email[6:]} nu\r\nEND:VCALENDAR\r\n"
    path = tmp_path / "x.ics"
    path.write_text(folded, encoding="utf-8", newline="")
    found = scan([path], known)
    assert [(f.line, f.column, f.kind) for f in found] == [(2, 18, "email")]
    html_text = "<p>\n  mail " + email.replace(".", "&#46;") + "</p>"
    assert [(f.line, f.column, f.kind) for f in scan_text("x.html", html_text, known)] == [(2, 8, "email")]
    assert [f.kind for f in scan_text("x.txt", "tel: +31 50 1234567", known)] == ["phone"]
    assert scan_text("x.txt", f"{circle.coordinator.name} belt", known) == []  # names are in


@pytest.fixture
def circles_dir(tmp_path) -> Path:
    folder = tmp_path / "circles"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / EXAMPLE.name)
    return folder


def test_privacy_command_reports_file_and_place_and_exits_1(circles_dir, tmp_path, capsys):
    public = tmp_path / "public"
    public.mkdir()
    (public / "clean.ics").write_bytes(b"BEGIN:VCALENDAR\r\nSUMMARY:Startworkshop\r\nEND:VCALENDAR\r\n")
    code, out, err = run(["privacy", str(public), "--circles", str(circles_dir)], capsys)
    assert code == 0, out + err
    assert "gevonden in 1 bestand." in out
    (public / "sub").mkdir()
    (public / "sub" / "leak.ics").write_text("BEGIN:VCALENDAR\nX:ok\nDESCRIPTION:bel 050-1234567 of\n"
                                             "  mail a.devries@arkade.example\n", encoding="utf-8")
    code, out, err = run(["privacy", str(public), "--circles", str(circles_dir)], capsys)
    assert code == 1
    assert f"{public / 'sub' / 'leak.ics'}:3:17: telefoonnummer van een persoon uit" in out
    assert f"{public / 'sub' / 'leak.ics'}:4:8: e-mailadres" in out  # on the folded line
    assert "a.devries" not in out + err  # the log does not repeat what it found
    assert "2 plekken met persoonsgegevens" in err
    # a name counts only where the circle file leaves names out of public feeds
    (public / "sub" / "leak.ics").write_text("SUMMARY:Overleg met Anna de Vries\n", encoding="utf-8")
    assert run(["privacy", str(public), "--circles", str(circles_dir)], capsys)[0] == 0
    yaml_file = circles_dir / EXAMPLE.name
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + "public_feed_names: false\n", encoding="utf-8")
    code, out, _ = run(["privacy", str(public), "--circles", str(circles_dir), "--lang", "en"], capsys)
    assert code == 1 and f"{public / 'sub' / 'leak.ics'}:1:21: name of a person from" in out
    # a name in a file's address counts in every circle
    (public / "sub" / "leak.ics").unlink()
    (public / "anna-de-vries.ics").write_text("", encoding="utf-8")
    code, out, _ = run(["privacy", str(public), "--circles", str(circles_dir)], capsys)
    assert code == 1 and "anna-de-vries.ics: naam van een persoon" in out


def test_privacy_command_without_circle_files_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(["privacy", str(tmp_path), "--circles", str(tmp_path / "none")], capsys)
    assert code == 2 and "--circles" in err


def test_a_short_secret_is_refused_before_anything_is_built(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(public_feeds.SECRET_ENV, "too-short")
    code, out, err = run(["build", str(EXAMPLE), "-o", str(tmp_path / "site"), "--no-pdf",
                          "--feeds-url", URL], capsys)
    assert code == 2
    assert "secrets.token_urlsafe(32)" in err and "HANDBOOK_FEED_SECRET" in err
    assert not (tmp_path / "site").exists()


# --- real builds -----------------------------------------------------------------------------

def build(out: Path, capsys, monkeypatch, secret: str | None, *extra: str,
          circles: list[Path] = (EXAMPLE,)) -> tuple[int, str, str]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    if secret:
        monkeypatch.setenv(public_feeds.SECRET_ENV, secret)
    else:
        monkeypatch.delenv(public_feeds.SECRET_ENV, raising=False)
    monkeypatch.delenv(public_feeds.URL_ENV, raising=False)
    return run(["build", *map(str, circles), "-o", str(out), "--no-pdf", "--no-history",
                "--jobs", "1", *extra], capsys)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_feeds_folder_over_builds_and_secrets(tmp_path, capsys, monkeypatch, circle):
    out = tmp_path / "site"
    code, out_text, err = build(out, capsys, monkeypatch, SECRET_A, "--feeds-url", URL)
    assert code == 0, err
    feeds_dir = out / "feeds"
    first = snapshot(feeds_dir)
    tokens = [name for name in first if name != public_feeds.MARK]
    assert len(tokens) == len(feeds(circle)) and all(TOKEN_FILE.match(name) for name in tokens)
    assert f"Agenda's op geheime adressen: {len(tokens)} bestanden in {feeds_dir}" in out_text
    names = [p.name.lower() for p in people_of(circle)] + [calendars._file_stem(p.name) for p in people_of(circle)]
    assert not any(name in token or token.startswith(name) for token in tokens for name in names)
    for name in tokens:
        Calendar.from_ical(first[name])  # each parses
    # the same secret: the same addresses and bytes, also when the handbook is current
    assert build(out, capsys, monkeypatch, SECRET_A, "--feeds-url", URL)[0] == 0
    assert snapshot(feeds_dir) == first
    shutil.rmtree(feeds_dir)  # a lost feeds folder: the handbook is built again to make it
    assert build(out, capsys, monkeypatch, SECRET_A, "--feeds-url", URL)[0] == 0
    assert snapshot(feeds_dir) == first
    # the privacy check passes the folder, and the team and calendars pages list its addresses
    assert run(["privacy", str(feeds_dir), "--circles", str(EXAMPLE.parent)], capsys)[0] == 0
    agenda = (out / circle.id / "agenda.html").read_text(encoding="utf-8")
    team = (out / circle.id / "team.html").read_text(encoding="utf-8")
    public = PublicFeeds(SECRET_A, URL)
    for feed in feeds(circle):
        address = public.address(circle.id, feed)
        assert f'href="{address}"' in agenda
        assert f'href="webcal://{address.split("://")[1]}"' in agenda
        if feed.person:
            assert f'href="{address}"' in team and f'href="webcal://{address.split("://")[1]}"' in team
    assert "Abonneren op een geheim adres" in agenda
    # a new secret: all new addresses, the old files gone
    assert build(out, capsys, monkeypatch, SECRET_B, "--feeds-url", URL)[0] == 0
    second = snapshot(feeds_dir)
    assert len(second) == len(first) and not (set(second) & set(tokens))
    assert f'href="{public.address(circle.id, feeds(circle)[0])}"' not in \
        (out / circle.id / "agenda.html").read_text(encoding="utf-8")
    # no secret: the handbook as before, the calendars page explains, the feeds folder is gone
    code, _, err = build(out, capsys, monkeypatch, None)
    assert code == 0 and not feeds_dir.exists() and "HANDBOOK_FEED_SECRET" in err
    agenda = (out / circle.id / "agenda.html").read_text(encoding="utf-8")
    assert "Staat dit handboek achter een inlog" in agenda and "eigen servers op internet" in agenda
    assert "Abonneren op een geheim adres" not in agenda


@pytest.mark.slow
def test_shards_copied_together_make_the_whole_folder(tmp_path, capsys, monkeypatch):
    circles = sorted((ROOT / "circles").glob("*.yaml"))
    whole = tmp_path / "whole"
    assert build(whole, capsys, monkeypatch, SECRET_A, "--feeds-url", URL, circles=circles)[0] == 0
    merged = tmp_path / "merged"
    merged.mkdir()
    for number in (1, 2):
        part = tmp_path / f"part{number}"
        feeds_out = tmp_path / f"feeds{number}"
        code, _, err = build(part, capsys, monkeypatch, SECRET_A, "--feeds-url", URL, "--shard",
                             f"{number}/2", "--feeds-out", str(feeds_out), circles=circles)
        assert code == 0, err
        shutil.copytree(feeds_out, merged, dirs_exist_ok=True)
    assert snapshot(merged) == snapshot(whole / "feeds")


def test_a_feeds_folder_that_is_not_ours_is_left_alone(tmp_path, capsys, monkeypatch):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "index.html").write_text("their site", encoding="utf-8")
    code, _, err = build(tmp_path / "site", capsys, monkeypatch, SECRET_A, "--feeds-url", URL,
                         "--feeds-out", str(theirs))
    assert code == 2 and ".handbook-gen-feeds" in err
    assert (theirs / "index.html").read_text(encoding="utf-8") == "their site"
    assert not (tmp_path / "site").exists()


def test_a_feeds_folder_around_the_handbooks_is_refused(tmp_path, capsys, monkeypatch):
    code, _, err = build(tmp_path / "public" / "site", capsys, monkeypatch, SECRET_A, "--feeds-url",
                         URL, "--feeds-out", str(tmp_path / "public"))
    assert code == 2 and "--feeds-out" in err
    assert not (tmp_path / "public").exists()


def test_thunderbirds_parser_reads_the_public_feeds_as_the_handbooks(circle, tmp_path):
    """ical.js (Thunderbird's parser) reads the same events at the same instants from a public
    feed as from the handbook's, without organizer. Skipped like test_calendars' read-backs."""
    node, script = shutil.which("node"), ROOT / "tests" / "js" / "read-ics.mjs"
    if node is None or not (ROOT / "tests" / "js" / "node_modules" / "ical.js").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("the ical.js read-back must run on CI")
        pytest.skip("ical.js read-back skipped: run scripts/install-js.sh")
    public = PublicFeeds(SECRET_A, URL)
    private = render(circle, plan(circle))
    files = public_files(circle)
    paths = {}
    for feed in feeds(circle):
        for kind, data in (("private", private[feed.file]), ("public", files[public.file(circle.id, feed)])):
            path = tmp_path / kind / public.file(circle.id, feed)
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
            paths[(kind, feed.file)] = str(path)
    result = subprocess.run([node, str(script), *paths.values()], capture_output=True, text=True,
                            env={**os.environ, "TZ": "UTC"}, timeout=60)
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    for feed in feeds(circle):
        mine, theirs = read[paths[("private", feed.file)]], read[paths[("public", feed.file)]]
        assert [(e["uid"], e["start"], e["end"], e["summary"]) for e in theirs["events"]] == \
            [(e["uid"], e["start"], e["end"], e["summary"]) for e in mine["events"]]
        assert all(e["organizer"] is None for e in theirs["events"])
