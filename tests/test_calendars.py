"""The .ics feeds: who gets which event, stable UIDs, times every client reads right, escaping.

Every feed is read back twice: with icalendar (the library that wrote it) and with Mozilla's
ical.js (what Thunderbird uses) through tests/js/read-ics.mjs, so a mistake both our writer and
our reader share cannot hide. Without node or tests/js/node_modules the ical.js checks are
skipped (run scripts/install-js.sh); on CI (CI=true) they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from handbook_gen.calendars import feeds as calendars
from handbook_gen.site import paths
from handbook_gen.calendars.feeds import feeds, render
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_file
from helpers import EXAMPLE, ROOT

JS = ROOT / "tests" / "js"

# The events of circles/arkade-noord.yaml, by who takes part (circle-format.md, "Who takes part
# in what"), written out by hand rather than computed the way the code does it.
WHOLE_TEAM = {"startworkshop", "opleidingsdag", "tracking-progress", "integratieworkshop",
              "lts-team-overleg-januari", "evaluatie-voorjaar"}  # no audience: everyone, all schools
COACHES_ONLY = {"verdieping-schoolcoaches", "teambezoek-kompas"}  # audience [schoolcoaches], all schools
REGENBOOG = {"review-regenboog", "review-regenboog.preparation"}  # host de-regenboog; het-kompas, de-wegwijzer
KOMPAS = {"review-kompas", "review-kompas.preparation"}  # host het-kompas; t-startpunt, de-zeester
WORKSHOPS = {"review-regenboog.workshop", "review-kompas.workshop"}
EXPECTED = {
    "calendars/circle.ics": WHOLE_TEAM | COACHES_ONLY | REGENBOOG | KOMPAS | WORKSHOPS,
    "calendars/peer-reviewers.ics": WHOLE_TEAM | REGENBOOG | KOMPAS,
    "calendars/schoolcoaches.ics": WHOLE_TEAM | COACHES_ONLY | REGENBOOG | KOMPAS | WORKSHOPS,
    "calendars/school-de-regenboog.ics": WHOLE_TEAM | COACHES_ONLY | REGENBOOG | {"review-regenboog.workshop"},
    "calendars/school-het-kompas.ics": WHOLE_TEAM | COACHES_ONLY | REGENBOOG | KOMPAS | {"review-kompas.workshop"},
    "calendars/school-de-wegwijzer.ics": WHOLE_TEAM | COACHES_ONLY | REGENBOOG,
    "calendars/school-t-startpunt.ics": WHOLE_TEAM | COACHES_ONLY | KOMPAS,
    "calendars/school-de-zeester.ics": WHOLE_TEAM | COACHES_ONLY | KOMPAS,
}
EPOCH = 1767225600  # 2026-01-01T00:00:00Z


def uid(event_id: str) -> str:
    return f"{event_id}@arkade-noord.lts-handbook"


def event_id(uid_text: str) -> str:
    return uid_text.split("@", 1)[0]


@pytest.fixture(autouse=True)
def no_epoch(monkeypatch):
    """Tests start without SOURCE_DATE_EPOCH, whatever the shell that runs them has set."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def circle():
    return check_file(EXAMPLE).circle


def build(circle) -> dict[str, bytes]:
    return render(circle, plan(circle))


def vevents(data: bytes) -> list:
    return Calendar.from_ical(data).walk("VEVENT")


def by_uid(data: bytes) -> dict:
    return {str(vevent["UID"]): vevent for vevent in vevents(data)}


def change_event(circle, wanted: str, **changes):
    """The circle with one training, meeting, evaluation or review changed."""
    groups = {}
    for group in ("trainings", "meetings", "evaluations", "reviews"):
        groups[group] = tuple(replace(item, **changes) if item.id == wanted else item
                              for item in getattr(circle, group))
    return replace(circle, **groups)


# --- ical.js ----------------------------------------------------------------------------------

def ical_js(files: dict[str, bytes], tmp_path: Path) -> dict[str, dict]:
    """{path: what ical.js reads from it}: the calendar's properties and its events."""
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "node is not installed"
    elif not (JS / "node_modules" / "ical.js").is_dir():
        missing = "tests/js/node_modules has no ical.js; run scripts/install-js.sh"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the ical.js read-back must run on CI, but {missing}")
        pytest.skip(f"ical.js read-back skipped: {missing}")
    paths = {}
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths[str(path)] = name
    # TZ=UTC: a time ical.js could not place in its VTIMEZONE would be read as UTC and show.
    result = subprocess.run([node, str(JS / "read-ics.mjs"), *paths], capture_output=True,
                            text=True, env={**os.environ, "TZ": "UTC"}, timeout=60)
    assert result.returncode == 0, result.stderr
    return {paths[path]: read for path, read in json.loads(result.stdout).items()}


@pytest.fixture(scope="module")
def example_read(circle, tmp_path_factory):
    files = build(circle)
    return files, ical_js(files, tmp_path_factory.mktemp("ics"))


# --- Files and membership ---------------------------------------------------------------------

def test_render_writes_every_feed_and_one_file_per_event(circle):
    files = build(circle)
    schedule = plan(circle)
    assert list(files)[:len(feeds(circle))] == [feed.file for feed in feeds(circle)]
    people = {feed.file for feed in feeds(circle) if feed.person}
    assert set(files) == set(EXPECTED) | people | {f"calendars/events/{e.id}.ics" for e in schedule.events}
    for event in schedule.events:
        assert list(by_uid(files[paths.event_feed(event.id)])) == [event.uid]
        assert all(isinstance(data, bytes) for data in files.values())


@pytest.mark.parametrize("feed_file", sorted(EXPECTED))
def test_each_feed_holds_exactly_its_audiences_events(circle, feed_file):
    assert {event_id(u) for u in by_uid(build(circle)[feed_file])} == EXPECTED[feed_file]


def test_ical_js_reads_the_same_members(example_read):
    _, read = example_read
    for feed_file, expected in EXPECTED.items():
        assert {event_id(e["uid"]) for e in read[feed_file]["events"]} == expected, feed_file


def test_description_says_who_takes_part_in_words(circle):
    events = by_uid(build(circle)["calendars/circle.ics"])

    def first_line(event):
        return str(events[uid(event)]["DESCRIPTION"]).split("\n")[0]

    assert first_line("review-regenboog") == (
        "Voor: peer reviewers en schoolcoaches van OBS De Regenboog, CBS Het Kompas en "
        "Daltonschool De Wegwijzer.")
    assert first_line("review-regenboog.workshop") == (
        "Voor: het hele team van OBS De Regenboog, onder leiding van de schoolcoaches van de school:"
        " Fatima el Amrani.")
    assert first_line("teambezoek-kompas") == "Voor: schoolcoaches van alle scholen."
    assert first_line("opleidingsdag") == (
        "Voor: peer reviewers en schoolcoaches van alle scholen en de coördinator.")


def test_english_handbook_gets_english_texts(circle):
    english = change_event(replace(circle, language="en"), "review-regenboog", cancelled=True)
    events = by_uid(build(english)["calendars/circle.ics"])
    assert str(events[uid("review-kompas.workshop")]["DESCRIPTION"]).startswith(
        "For: the whole staff of CBS Het Kompas, led by the school's schoolcoaches: Joost Mulder.")
    assert str(events[uid("review-regenboog")]["SUMMARY"]).startswith("CANCELLED: ")


# --- Event content ----------------------------------------------------------------------------

def test_summary_location_url_and_handbook_link(circle):
    events = by_uid(build(circle)["calendars/circle.ics"])
    review = events[uid("review-regenboog")]
    assert str(review["SUMMARY"]) == "Peer review bij OBS De Regenboog"
    assert str(review["LOCATION"]) == "Regenboogstraat 1, 9711 AA Groningen"
    assert ("Meer in het handboek: https://intranet.arkade.example/handboeken/arkade-noord/"
            "reviews/review-regenboog.html") in str(review["DESCRIPTION"])
    online = events[uid("startworkshop")]  # online, a link and no location
    assert str(online["LOCATION"]) == str(online["URL"]) == "https://meet.arkade.example/lts-startworkshop"
    assert "Kennismaking met Leren tussen Scholen" in str(online["DESCRIPTION"])
    assert "planning.html#startworkshop" in str(online["DESCRIPTION"])
    assert str(events[uid("lts-team-overleg-januari")]["LOCATION"]) == "Online"  # online, no link
    assert "URL" not in events[uid("opleidingsdag")]


def test_a_reviews_moments_link_the_pdf_to_print(circle):
    events = by_uid(build(circle)["calendars/circle.ics"])
    site = "https://intranet.arkade.example/handboeken/arkade-noord/reviews/"
    for event, pdf in (("review-regenboog", "review-regenboog.pdf"),
                       ("review-regenboog.preparation", "review-regenboog/voorbereiding.pdf"),
                       ("review-regenboog.workshop", "review-regenboog/workshop.pdf")):
        assert f"Om te printen: {site}{pdf}" in str(events[uid(event)]["DESCRIPTION"]), event
    assert "Om te printen" not in str(events[uid("startworkshop")]["DESCRIPTION"])


def test_no_handbook_link_without_site_url(circle):
    files = build(replace(circle, site_url=None))
    for vevent in vevents(files["calendars/circle.ics"]):
        assert "handboek" not in str(vevent["DESCRIPTION"])
        assert "Om te printen" not in str(vevent["DESCRIPTION"])


def test_email_addresses_only_with_show_email(circle):
    shown = build(circle)["calendars/circle.ics"]
    for vevent in vevents(shown):
        assert str(vevent["ORGANIZER"]) == "mailto:a.devries@arkade.example"
        assert vevent["ORGANIZER"].params["CN"] == "Anna de Vries"

    secret = change_event(replace(circle, show_email=False), "opleidingsdag",
                          description="Vragen? Mail a.devries@arkade.example.")
    addresses = {p.email for s in circle.schools for p in s.peer_reviewers + s.schoolcoaches}
    addresses.add(circle.coordinator.email)
    for name, data in build(secret).items():
        text = data.decode()
        assert "ORGANIZER" not in text and "mailto:" not in text, name
        assert not any(address in text for address in addresses), name
    events = by_uid(build(secret)["calendars/circle.ics"])
    assert "Vragen? Mail [e-mailadres weggelaten]." in str(events[uid("opleidingsdag")]["DESCRIPTION"])


# --- Calendar metadata ------------------------------------------------------------------------

def test_feed_metadata(circle):
    files = build(circle)
    for feed in feeds(circle):
        text = files[feed.file].decode()
        for line in ("VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "PRODID:-//handbook-gen//Leren tussen Scholen//NL",
                     "REFRESH-INTERVAL;VALUE=DURATION:PT12H", "X-PUBLISHED-TTL:PT12H",
                     "X-WR-TIMEZONE:Europe/Amsterdam"):
            assert f"\r\n{line}\r\n" in text, (feed.file, line)
        calendar = Calendar.from_ical(files[feed.file])
        assert str(calendar["NAME"]) == feed.name
        assert str(calendar["DESCRIPTION"]) == feed.description
    assert feeds(circle)[1].name == "LtS Cirkel Noord — peer reviewers"


def test_ical_js_reads_feed_metadata(circle, example_read):
    _, read = example_read
    for feed in feeds(circle):
        calendar = read[feed.file]["calendar"]
        assert calendar["name"] == calendar["x-wr-calname"] == feed.name
        assert calendar["description"] == feed.description
        # ical.js hands unknown X- properties over raw, escapes and all.
        assert calendar["x-wr-caldesc"].replace("\\,", ",") == feed.description
        assert calendar["prodid"] == "-//handbook-gen//Leren tussen Scholen//NL"
        assert (calendar["version"], calendar["calscale"], calendar["method"]) == ("2.0", "GREGORIAN", "PUBLISH")
        assert calendar["refresh-interval"] == calendar["x-published-ttl"] == "PT12H"
        assert calendar["x-wr-timezone"] == "Europe/Amsterdam"
        assert calendar["timezones"] == ["Europe/Amsterdam"]
    # A file for one event adds that event, not a new calendar called after it.
    single = read["calendars/events/opleidingsdag.ics"]["calendar"]
    assert single["name"] is None and single["x-wr-calname"] is None


# --- Identity and determinism -----------------------------------------------------------------

def test_uid_comes_from_circle_and_event_id_only(circle):
    before = build(circle)
    moved = change_event(circle, "opleidingsdag", title="Opleidingsdag (nieuwe zaal)",
                         date=date(2025, 10, 15), start=time(10, 0), end=time(15, 0))
    after = build(moved)
    assert build(circle) == before
    for name in EXPECTED:
        assert set(by_uid(after[name])) == set(by_uid(before[name])), name
    event = by_uid(after["calendars/circle.ics"])[uid("opleidingsdag")]
    assert str(event["SUMMARY"]) == "Opleidingsdag (nieuwe zaal)"
    assert event["DTSTART"].dt == datetime(2025, 10, 15, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    other = by_uid(build(replace(circle, id="arkade-zuid"))["calendars/circle.ics"])
    assert "opleidingsdag@arkade-zuid.lts-handbook" in other


def test_an_event_is_the_same_in_every_file(circle):
    """Every shared file: a person's own feed says their part (see the tests at the end)."""
    seen: dict[str, bytes] = {}
    for name, data in build(circle).items():
        if name.startswith("calendars/people/"):
            continue
        for vevent in vevents(data):
            content = vevent.to_ical()
            assert seen.setdefault(str(vevent["UID"]), content) == content, name
    assert set(seen) == {uid(e) for e in EXPECTED["calendars/circle.ics"]}


def test_stamps_are_fixed_without_source_date_epoch(circle):
    first = build(circle)
    for vevent in vevents(first["calendars/circle.ics"]):
        assert vevent["DTSTAMP"].dt == datetime(2025, 8, 1, tzinfo=timezone.utc)
        assert vevent["LAST-MODIFIED"].dt == vevent["DTSTAMP"].dt
    assert build(circle) == first


def test_stamps_follow_source_date_epoch(circle, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    first = build(circle)
    assert build(circle) == first
    for vevent in vevents(first["calendars/circle.ics"]):
        assert vevent["DTSTAMP"].dt == datetime(2026, 1, 1, tzinfo=timezone.utc)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + 60))
    assert build(circle)["calendars/circle.ics"] != first["calendars/circle.ics"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gisteren")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        build(circle)


def test_byte_identical_across_processes():
    """Two separate runs (other hash seeds, other clock) write the very same bytes."""
    script = ("import hashlib, pathlib; from handbook_gen.calendars import feeds as calendars\n"
              "from handbook_gen.year import schedule; from handbook_gen.circle import validate\n"
              f"c = validate.check_file(pathlib.Path({str(EXAMPLE)!r})).circle\n"
              "files = calendars.render(c, schedule.plan(c))\n"
              "print(hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest())")
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": str(EPOCH)}
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                env=env, cwd=ROOT, check=True)
        digests.add(result.stdout.strip())
    assert len(digests) == 1


# --- Cancelled events -------------------------------------------------------------------------

def test_cancelled_events_stay_in_every_feed_marked_cancelled(circle, tmp_path):
    cancelled = change_event(circle, "review-regenboog", cancelled=True)
    files = build(cancelled)
    for name, expected in EXPECTED.items():
        assert {event_id(u) for u in by_uid(files[name])} == expected, name
    events = by_uid(files["calendars/circle.ics"])
    for event in REGENBOOG | {"review-regenboog.workshop"}:  # the review takes its parts with it
        vevent = events[uid(event)]
        assert vevent["STATUS"] == "CANCELLED"
        assert vevent["SEQUENCE"] > 0
        assert str(vevent["SUMMARY"]).startswith("VERVALT: ")
    assert str(events[uid("review-regenboog")]["SUMMARY"]) == "VERVALT: Peer review bij OBS De Regenboog"
    planned = events[uid("review-kompas")]
    assert (planned["STATUS"], planned["SEQUENCE"]) == ("CONFIRMED", 0)

    read = ical_js({"circle.ics": files["calendars/circle.ics"]}, tmp_path)["circle.ics"]
    statuses = {event_id(e["uid"]): (e["status"], e["sequence"], e["summary"]) for e in read["events"]}
    assert statuses["review-regenboog"] == ("CANCELLED", 1, "VERVALT: Peer review bij OBS De Regenboog")
    assert statuses["review-kompas"] == ("CONFIRMED", 0, "Peer review bij CBS Het Kompas")


# --- Escaping and folding ---------------------------------------------------------------------

NASTY_TITLE = "Eerste regel\nEND:VEVENT\nBEGIN:VEVENT\nUID:nep@example\nSUMMARY:Nep"
NASTY_LOCATION = 'Zaal 1; gebouw A, achter \\ de "kantine"'
LONG_TITLE = "Rekenen met Ëlif en Zoë 😀 — " * 8


def test_text_with_ical_syntax_stays_one_event(circle, tmp_path):
    nasty = change_event(replace(circle, name="Noord, Zuid\nEND:VCALENDAR"), "opleidingsdag",
                         title=NASTY_TITLE, location=NASTY_LOCATION,
                         description="Regel 1\nEND:VCALENDAR\n; , \\")
    files = build(nasty)
    data = files["calendars/circle.ics"]
    events = by_uid(data)
    assert len(events) == len(EXPECTED["calendars/circle.ics"])
    assert str(events[uid("opleidingsdag")]["SUMMARY"]) == NASTY_TITLE
    assert str(events[uid("opleidingsdag")]["LOCATION"]) == NASTY_LOCATION
    assert data.count(b"\r\nBEGIN:VEVENT\r\n") == len(events)

    read = ical_js({"circle.ics": data}, tmp_path)["circle.ics"]["events"]
    assert len(read) == len(events)
    (event,) = [e for e in read if e["uid"] == uid("opleidingsdag")]
    assert (event["summary"], event["location"]) == (NASTY_TITLE, NASTY_LOCATION)
    assert "Regel 1\nEND:VCALENDAR\n; , \\" in event["description"]
    assert not [e for e in read if e["uid"] == "nep@example"]
    calendar = ical_js({"circle.ics": data}, tmp_path)["circle.ics"]["calendar"]
    # ical.js does not know NAME (RFC 7986) as text, so it hands the value over still escaped.
    assert calendar["name"] == "LtS Noord\\, Zuid\\nEND:VCALENDAR — de hele cirkel"
    assert len(read) == len(events)
    assert "\r\nX-WR-CALNAME:LtS Noord\\, Zuid\\nEND:VCALENDAR — de hele cirkel\r\n" in data.decode()


def test_long_lines_fold_at_75_octets_without_splitting_characters(circle, tmp_path):
    files = build(change_event(circle, "opleidingsdag", title=LONG_TITLE))
    data = files["calendars/circle.ics"]
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # something was folded
    for line in lines:
        line.decode("utf-8")  # raises if a fold cut a character in two
    assert str(by_uid(data)[uid("opleidingsdag")]["SUMMARY"]) == LONG_TITLE
    read = ical_js({"circle.ics": data}, tmp_path)["circle.ics"]["events"]
    assert [e["summary"] for e in read if e["uid"] == uid("opleidingsdag")] == [LONG_TITLE]


# --- Dates and times --------------------------------------------------------------------------

def test_all_day_events_are_dates_with_exclusive_end(circle, tmp_path):
    all_day = change_event(circle, "opleidingsdag", start=None, end=None)
    files = build(all_day)
    text = files["calendars/circle.ics"].decode()
    assert "DTSTART;VALUE=DATE:20251008\r\nDTEND;VALUE=DATE:20251009\r\n" in text
    single = files["calendars/events/opleidingsdag.ics"]
    assert b"VTIMEZONE" not in single  # nothing in it refers to a time zone
    read = ical_js({"circle.ics": files["calendars/circle.ics"], "one.ics": single}, tmp_path)
    for name in read:
        (event,) = [e for e in read[name]["events"] if e["uid"] == uid("opleidingsdag")]
        assert (event["allDay"], event["start"], event["end"]) == (True, "2025-10-08", "2025-10-09")


def test_vtimezone_has_yearly_rules_and_no_rdates(circle):
    zone = Calendar.from_ical(build(circle)["calendars/circle.ics"]).walk("VTIMEZONE")
    assert len(zone) == 1 and zone[0]["TZID"] == "Europe/Amsterdam"
    parts = {part.name: part for part in zone[0].subcomponents}
    assert set(parts) == {"STANDARD", "DAYLIGHT"}
    assert "RDATE" not in zone[0].to_ical().decode()
    assert parts["DAYLIGHT"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert parts["STANDARD"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    # The onset is wall-clock time before the change (RFC 5545): 02:00 in March, 03:00 in October.
    assert parts["DAYLIGHT"]["DTSTART"].dt == datetime(2025, 3, 30, 2, 0)
    assert parts["STANDARD"]["DTSTART"].dt == datetime(2025, 10, 26, 3, 0)
    assert parts["DAYLIGHT"]["TZOFFSETTO"].to_ical() == "+0200"


def test_ical_js_reads_summer_and_winter_time(example_read):
    files, read = example_read
    events = {event_id(e["uid"]): e for e in read["calendars/circle.ics"]["events"]}
    summer = events["evaluatie-voorjaar"]  # 2026-05-20 15:00-17:00, summer time (UTC+2)
    assert (summer["start"], summer["end"], summer["tzid"]) == (
        "2026-05-20T13:00:00Z", "2026-05-20T15:00:00Z", "Europe/Amsterdam")
    winter = events["review-regenboog.preparation"]  # 2025-11-04 15:00-16:00, winter time (UTC+1)
    assert (winter["start"], winter["end"]) == ("2025-11-04T14:00:00Z", "2025-11-04T15:00:00Z")
    assert events["integratieworkshop"]["start"] == "2026-06-17T11:00:00Z"  # 13:00 in June
    single = read["calendars/events/evaluatie-voorjaar.ics"]["events"]
    assert [e["start"] for e in single] == ["2026-05-20T13:00:00Z"]


def test_ical_js_depends_on_the_vtimezone(example_read, tmp_path):
    """Guard on the guard: without our VTIMEZONE ical.js reads 15:00 as floating (here: UTC),
    so the instants above really come from the VTIMEZONE the feed carries."""
    files, _ = example_read
    text = files["calendars/events/evaluatie-voorjaar.ics"].decode()
    start, end = text.index("BEGIN:VTIMEZONE"), text.index("END:VTIMEZONE\r\n") + len("END:VTIMEZONE\r\n")
    stripped = (text[:start] + text[end:]).encode()
    (event,) = ical_js({"bare.ics": stripped}, tmp_path)["bare.ics"]["events"]
    assert event["start"] == "2026-05-20T15:00:00Z"


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "America/New_York", "Australia/Sydney",
                                  "Asia/Tokyo", "Europe/Dublin", "Africa/Casablanca"])
def test_ical_js_agrees_with_zoneinfo_around_every_change(circle, zone, tmp_path):
    """Events just before and after each offset change of the school year, in zones with EU, US,
    southern, no, negative and irregular (Ramadan) summer time, land on the right UTC instant."""
    tz = ZoneInfo(zone)
    moments = []
    for observance in calendars._observances(zone, circle.school_year):
        onset = observance[0].onset  # wall-clock time; two hours off it is clear of the change
        moments += [onset - timedelta(hours=2), onset + timedelta(hours=2)]
    moments += [datetime(2025, 11, 4, 15), datetime(2026, 6, 10, 15)]
    moments = [m for m in moments if m.date() in circle.school_year]
    trainings = tuple(replace(circle.trainings[0], id=f"moment-{n}", date=m.date(), start=m.time(),
                              end=time(min(m.hour + 1, 23), 59))
                      for n, m in enumerate(moments))
    shifted = replace(circle, timezone=zone, trainings=trainings)
    read = ical_js({"circle.ics": build(shifted)["calendars/circle.ics"]}, tmp_path)["circle.ics"]
    assert read["calendar"]["timezones"] == [zone]
    starts = {e["uid"]: e["start"] for e in read["events"]}
    for n, moment in enumerate(moments):
        expected = moment.replace(tzinfo=tz).astimezone(timezone.utc)
        assert starts[f"moment-{n}@arkade-noord.lts-handbook"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ"), moment


# --- a calendar per person ------------------------------------------------------------------

# Who attends what (the audience rules, written out by hand): a peer reviewer the whole-team
# events and the reviews (with preparation) their school hosts or visits; a schoolcoach also the
# coaches-only events and the workshop of their own school's review; the coordinator the events
# that name no audience.
PERSON_EXPECTED = {
    "calendars/people/bram-jansen.ics": WHOLE_TEAM | REGENBOOG,  # peer reviewer, de-regenboog (host)
    "calendars/people/fatima-el-amrani.ics": WHOLE_TEAM | COACHES_ONLY | REGENBOOG | {"review-regenboog.workshop"},
    "calendars/people/ingrid-bakker.ics": WHOLE_TEAM | REGENBOOG | KOMPAS,  # het-kompas visits and hosts
    "calendars/people/priya-ramdin.ics": WHOLE_TEAM | COACHES_ONLY | REGENBOOG,  # coach, de-wegwijzer visits
    "calendars/people/lotte-smit.ics": WHOLE_TEAM | COACHES_ONLY | KOMPAS,  # coach, de-zeester visits
    # The coordinator attends the events that name no audience, and gets every event: the
    # others marked as free time, for information.
    "calendars/people/anna-de-vries.ics": EXPECTED["calendars/circle.ics"],
}
COORDINATOR_ATTENDS = WHOLE_TEAM


@pytest.mark.parametrize("feed_file", sorted(PERSON_EXPECTED))
def test_person_feed_holds_exactly_what_that_person_attends(circle, feed_file):
    assert {event_id(u) for u in by_uid(build(circle)[feed_file])} == PERSON_EXPECTED[feed_file]


def test_every_member_of_the_team_has_a_feed_named_after_them(circle):
    files = build(circle)
    people = [f for f in files if f.startswith("calendars/people/")]
    assert len(people) == 12  # 11 peer reviewers and schoolcoaches, and the coordinator
    calendar = Calendar.from_ical(files["calendars/people/fatima-el-amrani.ics"])
    assert str(calendar["NAME"]) == "LtS Cirkel Noord — Fatima el Amrani"
    assert "Fatima el Amrani" in str(calendar["X-WR-CALDESC"])


def test_person_feed_names_are_stable_and_collisions_numbered(circle):
    school = circle.schools[0]
    twin = replace(school.schoolcoaches[0], name="Bram Jänsen", email="ander@regenboog.example")
    same = replace(circle.schools[1].schoolcoaches[0], email=school.peer_reviewers[0].email)
    schools = (replace(school, schoolcoaches=(*school.schoolcoaches, twin)),
               replace(circle.schools[1], schoolcoaches=(same,)), *circle.schools[2:])
    feeds_of = {f.owner: f.file for f in feeds(replace(circle, schools=schools)) if f.person}
    assert feeds_of["Bram Jansen"] == "calendars/people/bram-jansen.ics"
    assert feeds_of["Bram Jänsen"] == "calendars/people/bram-jansen-2.ics"
    assert same.name not in feeds_of  # one e-mail address: one person, one feed


def test_events_keep_their_uid_in_the_person_feeds(circle):
    """The same event everywhere: only its description (a person's part) and TRANSP may differ."""
    files = build(circle)
    whole = by_uid(files["calendars/circle.ics"])
    for name in PERSON_EXPECTED:
        for uid_text, vevent in by_uid(files[name]).items():
            own = {key: vevent[key].to_ical() for key in vevent if key not in ("DESCRIPTION", "TRANSP")}
            assert own == {key: whole[uid_text][key].to_ical() for key in whole[uid_text]
                           if key != "DESCRIPTION"}


def test_person_feeds_hide_email_addresses_when_asked(circle):
    secret = replace(circle, show_email=False)
    for name, data in build(secret).items():
        if name.startswith("calendars/people/"):
            assert b"@regenboog.example" not in data and b"mailto:" not in data


def test_person_feeds_parse_in_ical_js(circle, tmp_path):
    files = {name: data for name, data in build(circle).items() if name in PERSON_EXPECTED}
    read = ical_js(files, tmp_path)
    for name, expected in PERSON_EXPECTED.items():
        assert {event_id(e["uid"]) for e in read[name]["events"]} == expected


@pytest.mark.parametrize("site_url, inside", [
    ("https://intranet/handboeken/", True), ("http://10.1.2.3/lts/", True), ("https://[fd00::1]/", True),
    ("https://lts.stichting.local/", True), ("https://wiki.bestuur.internal/", True),
    ("https://handboeken.stichting.nl/", False), ("https://93.184.216.34/", False),
])
def test_intranet_only_addresses(site_url, inside):
    from handbook_gen.calendars.feeds import intranet_only

    assert intranet_only(site_url) is inside


# --- a person's part of the day, the coordinator's overview -----------------------------------

def description(files: dict[str, bytes], feed_file: str, event: str) -> str:
    return next(str(vevent["DESCRIPTION"]) for uid_text, vevent in by_uid(files[feed_file]).items()
                if event_id(uid_text) == event)


def test_coordinator_feed_has_every_event_and_marks_the_others_as_free_time(circle):
    files = build(circle)
    events = by_uid(files["calendars/people/anna-de-vries.ics"])
    assert set(events) == set(by_uid(files["calendars/circle.ics"]))
    for uid_text, vevent in events.items():
        attends = event_id(uid_text) in COORDINATOR_ATTENDS
        assert vevent.get("TRANSP") == (None if attends else "TRANSPARENT"), uid_text
        assert str(vevent["DESCRIPTION"]).startswith("Ter informatie") is not attends, uid_text
    assert "ter informatie" in str(Calendar.from_ical(files["calendars/people/anna-de-vries.ics"])["X-WR-CALDESC"])
    # Nobody else's feed is changed by it: in the circle's feed nothing is free time.
    assert not any(v.get("TRANSP") for v in by_uid(files["calendars/circle.ics"]).values())


def test_coordinator_on_a_school_team_also_gets_every_event(circle):
    """A coordinator who is also a school's peer reviewer (same e-mail) has one feed: everything."""
    member = circle.schools[0].peer_reviewers[0]
    coordinator = replace(circle.coordinator, name=member.name, email=member.email)
    files = build(replace(circle, coordinator=coordinator))
    events = by_uid(files["calendars/people/bram-jansen.ics"])
    assert set(events) == set(by_uid(files["calendars/circle.ics"]))
    assert "Jouw rol" in str(events[uid("review-regenboog")]["DESCRIPTION"])  # their own review
    assert events[uid("review-kompas")].get("TRANSP") == "TRANSPARENT"


def test_review_in_a_visitors_feed_names_their_visits_and_role():
    """In eemland-samen the visits are planned: each visitor's feed lists exactly their own."""
    eemland = check_file(ROOT / "circles" / "eemland-samen.yaml").circle
    files = build(eemland)
    review = next(r for r in eemland.reviews if r.visits)
    names = {p.name for s in review.reviewers for p in (*eemland.school(s).peer_reviewers,
                                                         *eemland.school(s).schoolcoaches)}
    for name in names:
        text = description(files, f"calendars/people/{calendars._file_stem(name)}.ics", review.id)
        mine = [v for v in review.visits if name in v.visitors]
        assert mine, name
        for visit in mine:
            line = f"- {visit.start:%H:%M}–{visit.end:%H:%M} {visit.group}"
            assert line in text, (name, line)
            others = [v for v in visit.visitors if v != name]
            assert all(other in text.split(line, 1)[1].split("\n", 1)[0] for other in others)
        for visit in review.visits:
            if name not in visit.visitors:
                assert f" {visit.group}," not in text and not text.endswith(visit.group), (name, visit.group)
    # The lead school's peer reviewer chairs; its schoolcoach takes notes at the feedback.
    lead = eemland.school(review.lead)
    chair = description(files, f"calendars/people/{calendars._file_stem(lead.peer_reviewers[0].name)}.ics", review.id)
    assert "Jouw rol: voorzitter van de dag" in chair and "je leidt de terugkoppeling" in chair
    notes = description(files, f"calendars/people/{calendars._file_stem(lead.schoolcoaches[0].name)}.ics", review.id)
    assert "je maakt aantekeningen bij de terugkoppeling" in notes
    assert "je leidt het gesprek met leerlingen" in notes
    other = next(s for s in review.reviewers if s != review.lead)
    reviewer = description(files, f"calendars/people/{calendars._file_stem(eemland.school(other).peer_reviewers[0].name)}.ics", review.id)
    assert "Jouw rol: peer reviewer van" in reviewer and "voorzitter" not in reviewer.split("\n")[0]
    assert "je voert het teamgesprek" in reviewer
    # The host's people: the conversation about the school and the feedback, no visits.
    host = eemland.school(review.host)
    leader = description(files, f"calendars/people/{calendars._file_stem(host.peer_reviewers[0].name)}.ics", review.id)
    assert "de ontvangende school" in leader and "Jouw lesbezoeken" not in leader
    assert "je krijgt de terugkoppeling" in leader
    # The review's own file and the circle's feed keep the description everyone shares.
    assert "Jouw rol" not in description(files, "calendars/circle.ics", review.id)
    assert b"Jouw rol" not in files[paths.event_feed(review.id)]


def test_without_visits_the_feed_says_the_schedule_follows(circle):
    files = build(circle)
    text = description(files, "calendars/people/priya-ramdin.ics", "review-regenboog")
    assert "Jouw rol: schoolcoach van" in text
    assert "Het bezoekrooster staat nog niet vast" in text
    assert "Jouw lesbezoeken" not in text


def test_a_persons_part_is_in_english_in_an_english_handbook(circle):
    files = build(replace(circle, language="en"))
    text = description(files, "calendars/people/priya-ramdin.ics", "review-regenboog")
    assert "Your role: schoolcoach of" in text and "What you do:" in text
    coordinator = description(files, "calendars/people/anna-de-vries.ics", "review-regenboog")
    assert coordinator.startswith("For information")
