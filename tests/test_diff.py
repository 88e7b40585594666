"""`handbook-gen diff`: every kind of change, said line by line in Dutch, from two files and from git.

Each pair of circle files is tests/circles/minimal.yaml and the same text with a few edits.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from helpers import MINIMAL, ROOT, run, write

pytestmark = pytest.mark.usefixtures("at_root")  # the command line runs in the top folder

# What moving the review of school A changes in the feeds: the review is in the whole circle's
# feed, both roles' feeds, the feeds of the host and its two reviewing schools, and the personal
# feeds of their peer reviewers and schoolcoaches, and of the coordinator (who gets every event).
REVIEW_PEOPLE = ("Bram Jansen, Fatima el Amrani, Ingrid Bakker, Joost Mulder, Henk Postma, Saskia de Boer "
                 "en Anna de Vries")
REVIEW_FEEDS = [f"agenda {feed}: aantal gewijzigde activiteiten: 1" for feed in (
    "circle.ics", "peer-reviewers.ics", "schoolcoaches.ics", "school-school-a.ics",
    "school-school-b.ics", "school-school-c.ics")] + [
    f"persoonlijke agenda's van {REVIEW_PEOPLE}: aantal gewijzigde activiteiten: 1"]
# An activity for the whole LtS-team is in every feed, the coordinator's too.
EVERYONE = ("Bram Jansen, Fatima el Amrani, Ingrid Bakker, Joost Mulder, Henk Postma, Saskia de Boer, "
            "Marloes Visser, Yusuf Demir en Anna de Vries")
EVERY_FEED = [f"agenda {feed}: aantal gewijzigde activiteiten: 1" for feed in (
    "circle.ics", "peer-reviewers.ics", "schoolcoaches.ics", "school-school-a.ics",
    "school-school-b.ics", "school-school-c.ics", "school-school-d.ics")] + [
    f"persoonlijke agenda's van {EVERYONE}: aantal gewijzigde activiteiten: 1"]


def edited(*edits: tuple[str, str], text: str | None = None) -> str:
    text = MINIMAL.read_text(encoding="utf-8") if text is None else text
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def diff(tmp_path, capsys, *edits, before=(), options=()) -> list[str]:
    """The lines under the circle's heading, for minimal.yaml (with `before`) -> with `edits`."""
    old = write(tmp_path, "oud.yaml", edited(*before))
    new = write(tmp_path, "minimal.yaml", edited(*edits))
    code, out, err = run(["diff", str(old), str(new), *options], capsys)
    assert code == 0, out + err
    heading, *lines = out.splitlines()
    assert heading == f"Cirkel Test ({new})"
    assert all(line.startswith("  ") for line in lines)
    return [line[2:] for line in lines]


def without_feeds(lines: list[str]) -> list[str]:
    feeds = ("agenda ", "calendar ", "nieuwe persoonlijke agenda", "persoonlijke agenda", "new personal calendar",
             "personal calendar")
    return [line for line in lines if not line.startswith(feeds)]


MOVE_REVIEW = ("date: 2025-11-18", "date: 2025-11-25")
INTO_AUTUMN_HOLIDAY = ("date: 2025-10-08", "date: 2025-10-22")
CANCEL_TRAINING = ('    end: "16:00"\n', '    end: "16:00"\n    cancelled: true\n')


# --- events -----------------------------------------------------------------------------------


def test_moved_review_gives_both_full_dates_and_the_feeds_it_is_in(tmp_path, capsys):
    assert diff(tmp_path, capsys, MOVE_REVIEW) == [
        "Peer review bij OBS School A: van dinsdag 18 november 2025 08:00 naar dinsdag 25 november 2025 08:00",
        *REVIEW_FEEDS,
    ]


def test_move_into_the_autumn_holiday_introduces_a_warning(tmp_path, capsys):
    assert diff(tmp_path, capsys, INTO_AUTUMN_HOLIDAY) == [
        "Opleidingsdag: van woensdag 8 oktober 2025 09:00 naar woensdag 22 oktober 2025 09:00",
        *EVERY_FEED,
        "nieuwe waarschuwing: 'Opleidingsdag' valt op woensdag 22 oktober 2025 in de Herfstvakantie "
        "(regio noord) van OBS School A, CBS School B, Daltonschool C en IKC School D. Klopt de datum?",
    ]


def test_move_out_of_the_holiday_resolves_the_warning(tmp_path, capsys):
    lines = diff(tmp_path, capsys, before=[INTO_AUTUMN_HOLIDAY])
    assert without_feeds(lines) == [
        "Opleidingsdag: van woensdag 22 oktober 2025 09:00 naar woensdag 8 oktober 2025 09:00",
        "waarschuwing opgelost: 'Opleidingsdag' valt op woensdag 22 oktober 2025 in de Herfstvakantie "
        "(regio noord) van OBS School A, CBS School B, Daltonschool C en IKC School D. Klopt de datum?",
    ]


def test_added_and_removed_activity(tmp_path, capsys):
    extra = ("reviews:", "  - id: extra\n    title: Extra dag\n    date: 2026-01-14\nreviews:")
    assert diff(tmp_path, capsys, extra) == ["Extra dag: nieuw, op woensdag 14 januari 2026", *EVERY_FEED]
    assert diff(tmp_path, capsys, before=[extra]) == [
        "Extra dag: verwijderd (stond op woensdag 14 januari 2026)", *EVERY_FEED]


def test_cancelled_and_taken_back(tmp_path, capsys):
    assert diff(tmp_path, capsys, CANCEL_TRAINING) == [
        "Opleidingsdag: vervalt (woensdag 8 oktober 2025 09:00)", *EVERY_FEED]
    assert without_feeds(diff(tmp_path, capsys, before=[CANCEL_TRAINING])) == [
        "Opleidingsdag: gaat toch door (woensdag 8 oktober 2025 09:00)"]


def test_a_cancelled_review_takes_its_preparation_and_workshop_with_it(tmp_path, capsys):
    assert diff(tmp_path, capsys, ("    lead: school-b\n", "    lead: school-b\n    cancelled: true\n")) == [
        "Voorbereiding peer review OBS School A: vervalt (dinsdag 4 november 2025)",
        "Peer review bij OBS School A: vervalt (dinsdag 18 november 2025 08:00)",
        "Personeelsworkshop na de peer review OBS School A: vervalt (dinsdag 9 december 2025)",
        # The workshop is for the host's schoolcoaches only: not in the peer reviewers' feeds.
        "agenda circle.ics: aantal gewijzigde activiteiten: 3",
        "agenda peer-reviewers.ics: aantal gewijzigde activiteiten: 2",
        "agenda schoolcoaches.ics: aantal gewijzigde activiteiten: 3",
        "agenda school-school-a.ics: aantal gewijzigde activiteiten: 3",
        "agenda school-school-b.ics: aantal gewijzigde activiteiten: 2",
        "agenda school-school-c.ics: aantal gewijzigde activiteiten: 2",
        "persoonlijke agenda's van Bram Jansen, Ingrid Bakker, Joost Mulder, "
        "Henk Postma en Saskia de Boer: aantal gewijzigde activiteiten: 2",
        "persoonlijke agenda's van Fatima el Amrani en Anna de Vries: aantal gewijzigde activiteiten: 3",
    ]


def test_retitled_relocated_audience_end_and_description(tmp_path, capsys):
    lines = diff(tmp_path, capsys, ("title: Opleidingsdag", "title: Trainingsdag"),
                 ('    end: "16:00"\n', '    end: "17:00"\n    location: Utrecht\n'
                  '    audience: [schoolcoaches]\n    description: Neem je laptop mee.\n'))
    assert without_feeds(lines) == [
        "Trainingsdag: eindigt nu om 17:00 (was 16:00)",
        "Trainingsdag: nieuwe titel (was Opleidingsdag)",
        "Trainingsdag: locatie nu Utrecht (was geen)",
        "Trainingsdag: nu voor schoolcoaches (was voor peer reviewers, schoolcoaches en coördinator)",
        "Trainingsdag: beschrijving gewijzigd",
    ]


def test_a_move_that_keeps_the_length_says_nothing_of_the_end(tmp_path, capsys):
    lines = diff(tmp_path, capsys, ('start: "09:00"\n    end: "16:00"', 'start: "10:00"\n    end: "17:00"'))
    assert without_feeds(lines) == [
        "Opleidingsdag: van woensdag 8 oktober 2025 09:00 naar woensdag 8 oktober 2025 10:00"]


# --- reviews ----------------------------------------------------------------------------------


def test_review_host(tmp_path, capsys):
    lines = diff(tmp_path, capsys, ("host: school-a", "host: school-d"))
    assert without_feeds(lines) == [
        "Peer review bij IKC School D: locatie nu IKC School D (was OBS School A)",
        "Peer review bij IKC School D: gastschool nu IKC School D (was OBS School A)",
        "Personeelsworkshop na de peer review IKC School D: locatie nu IKC School D (was OBS School A)",
    ]
    assert "agenda school-school-d.ics: aantal gewijzigde activiteiten: 3" in lines


def test_review_reviewers_lead_and_focus(tmp_path, capsys):
    lines = diff(tmp_path, capsys, ("reviewers: [school-b, school-c]\n    lead: school-b",
                                    "reviewers: [school-b, school-d]\n    lead: school-d\n    focus: Samen rekenen"))
    assert without_feeds(lines) == [
        "Peer review bij OBS School A: reviewers nu CBS School B en IKC School D (was CBS School B en Daltonschool C)",
        "Peer review bij OBS School A: voorzitter nu IKC School D (was CBS School B)",
        "Peer review bij OBS School A: nieuwe focus: Samen rekenen",
    ]


def test_review_without_lead(tmp_path, capsys):
    lines = diff(tmp_path, capsys, ("    lead: school-b\n", ""))
    assert without_feeds(lines) == ["Peer review bij OBS School A: voorzitter nu geen (was CBS School B)"]


def test_preparation_and_workshop(tmp_path, capsys):
    lines = diff(tmp_path, capsys,
                 ("      date: 2025-11-04", '      date: 2025-11-05\n      start: "15:00"\n      end: "16:00"\n'
                  "      online: true\n      url: https://meet.example/intake"),
                 ("    workshop:\n      date: 2025-12-09", ""))
    assert without_feeds(lines) == [
        "Voorbereiding peer review OBS School A: van dinsdag 4 november 2025 naar woensdag 5 november 2025 15:00",
        "Voorbereiding peer review OBS School A: locatie nu online: https://meet.example/intake (was geen)",
        "Personeelsworkshop na de peer review OBS School A: verwijderd (stond op dinsdag 9 december 2025)",
    ]


# --- people, schools, coordinator, theme ------------------------------------------------------


def test_people_added_removed_moved_and_their_contact(tmp_path, capsys):
    assert diff(tmp_path, capsys,
                ("      - name: Bram Jansen\n", "      - name: Bram Jansen\n        email: b.jansen@example.org\n"
                                                "      - name: Kees Smit\n"),
                ("      - name: Joost Mulder\n", "      - name: Ingrid Bakker\n"),
                ("      - name: Henk Postma", "      - name: Henk Postma-de Vries")) == [
        "Bram Jansen: e-mailadres nu b.jansen@example.org (was geen)",
        "Kees Smit: nieuw, peer reviewer van OBS School A",
        "Ingrid Bakker: nu peer reviewer van CBS School B en schoolcoach van CBS School B "
        "(was peer reviewer van CBS School B)",
        # Without an e-mail address, a new name is a different person.
        "Henk Postma-de Vries: nieuw, peer reviewer van Daltonschool C",
        "Joost Mulder: niet meer in de cirkel (was schoolcoach van CBS School B)",
        "Henk Postma: niet meer in de cirkel (was peer reviewer van Daltonschool C)",
        # A person's review says with whom they lead a part: their teammates' calendars change.
        "persoonlijke agenda's van Bram Jansen, Fatima el Amrani, Ingrid Bakker "
        "en Saskia de Boer: aantal gewijzigde activiteiten: 1",
        "nieuwe persoonlijke agenda's: Kees Smit en Henk Postma-de Vries",
        "persoonlijke agenda's vervallen: Joost Mulder en Henk Postma",
    ]


def test_a_person_is_recognised_by_e_mail_address_after_a_new_name(tmp_path, capsys):
    email = "        email: h.postma@example.org\n"
    lines = diff(tmp_path, capsys, ("      - name: Henk Postma\n", "      - name: Henk Postma-de Vries\n" + email),
                 before=[("      - name: Henk Postma\n", "      - name: Henk Postma\n" + email)])
    assert lines == [
        "Henk Postma-de Vries: nieuwe naam (was Henk Postma)",
        # Ingrid Bakker holds the team conversation with him: her review names him.
        "persoonlijke agenda's van Ingrid Bakker: aantal gewijzigde activiteiten: 1",
        # A personal calendar's address comes from the name.
        "nieuwe persoonlijke agenda's: Henk Postma-de Vries",
        "persoonlijke agenda's vervallen: Henk Postma",
    ]


def test_person_moved_to_another_role(tmp_path, capsys):
    assert diff(tmp_path, capsys, ("    peer_reviewers:\n      - name: Bram Jansen\n    schoolcoaches:\n",
                                   "    peer_reviewers:\n      - name: Kees Smit\n    schoolcoaches:\n"
                                   "      - name: Bram Jansen\n")) == [
        "Kees Smit: nieuw, peer reviewer van OBS School A",
        "Bram Jansen: nu schoolcoach van OBS School A (was peer reviewer van OBS School A)",
        # The workshop names the host's schoolcoaches who lead it: its text changes in every feed.
        "agenda circle.ics: aantal gewijzigde activiteiten: 1",
        "agenda schoolcoaches.ics: aantal gewijzigde activiteiten: 1",
        "agenda school-school-a.ics: aantal gewijzigde activiteiten: 1",
        "nieuwe persoonlijke agenda's: Kees Smit",
        # The workshop is his now; Fatima el Amrani's workshop names him as a co-lead, and both
        # their reviews say their new part. The coordinator sees the workshop, for information.
        "persoonlijke agenda's van Bram Jansen en Fatima el Amrani: aantal gewijzigde activiteiten: 2",
        "persoonlijke agenda's van Anna de Vries: aantal gewijzigde activiteiten: 1",
    ]


def test_schools_added_and_renamed_and_their_feeds(tmp_path, capsys):
    assert diff(tmp_path, capsys, ("    name: IKC School D\n", "    name: IKC De Ster\n"),
                ("trainings:", "  - id: school-e\n    name: OBS School E\n    peer_reviewers:\n"
                               "      - name: Eva Kok\n    schoolcoaches:\n      - name: Tim Bos\ntrainings:")) == [
        "OBS School E: nieuwe school",
        "IKC De Ster: nieuwe naam (was IKC School D)",  # and nobody in it moves
        "Eva Kok: nieuw, peer reviewer van OBS School E",
        "Tim Bos: nieuw, schoolcoach van OBS School E",
        "agenda school-school-d.ics: naam of beschrijving anders",
        "agenda school-school-e.ics: nieuw, aantal activiteiten: 1",
        "nieuwe persoonlijke agenda's: Eva Kok en Tim Bos",
    ]


def test_school_removed_and_its_feed(tmp_path, capsys):
    school_e = ("trainings:", "  - id: school-e\n    name: OBS School E\n    peer_reviewers:\n"
                              "      - name: Eva Kok\n    schoolcoaches:\n      - name: Tim Bos\ntrainings:")
    assert diff(tmp_path, capsys, before=[school_e]) == [
        "OBS School E: school verwijderd",
        "Eva Kok: niet meer in de cirkel (was peer reviewer van OBS School E)",
        "Tim Bos: niet meer in de cirkel (was schoolcoach van OBS School E)",
        "agenda school-school-e.ics: vervalt",
        "persoonlijke agenda's vervallen: Eva Kok en Tim Bos",
    ]


def test_coordinator_theme_and_circle_name(tmp_path, capsys):
    old = write(tmp_path, "oud.yaml", edited())
    new = write(tmp_path, "minimal.yaml", edited(
        ("  name: Anna de Vries", "  name: Piet de Boer"), ("title: Rekenen", "title: Taal"),
        ("name: Cirkel Test", "name: Cirkel Proef"),
        ("learning_question: Hoe", "goals: [Meer plezier in rekenen]\n  learning_question: Waarom")))
    code, out, _ = run(["diff", str(old), str(new)], capsys)
    assert code == 0
    assert out.splitlines() == [
        f"Cirkel Proef ({new})",
        "  naam van de cirkel: nu Cirkel Proef (was Cirkel Test)",
        "  thema: nu Taal (was Rekenen)",
        "  leervraag: nu Waarom kiezen leerlingen zelf een strategie? (was Hoe kiezen leerlingen zelf een strategie?)",
        "  doelen gewijzigd",
        "  coördinator: nu Piet de Boer (was Anna de Vries)",
        # The review has no focus of its own: it looks at the learning question.
        "  Peer review bij OBS School A: nieuwe focus: Waarom kiezen leerlingen zelf een strategie?",
        *[f"  agenda {feed}: naam of beschrijving anders" for feed in (
            "circle.ics", "peer-reviewers.ics", "schoolcoaches.ics", "school-school-a.ics",
            "school-school-b.ics", "school-school-c.ics", "school-school-d.ics")],
        "  persoonlijke agenda's met een andere naam of beschrijving: Bram Jansen, Fatima el Amrani, "
        "Ingrid Bakker, Joost Mulder, Henk Postma, Saskia de Boer, Marloes Visser en Yusuf Demir",
        "  nieuwe persoonlijke agenda's: Piet de Boer",
        "  persoonlijke agenda's vervallen: Anna de Vries",
    ]


def test_expert_coach_and_own_questions(tmp_path, capsys):
    coach = ("coordinator:\n", "expert_coach:\n  name: Ineke Bakker\ncoordinator:\n")
    questions = ("  title: Rekenen\n", "  title: Rekenen\n  pupil_questions: [\"Hoe reken jij?\"]\n")
    assert diff(tmp_path, capsys, coach, questions) == [
        "vragen voor de leerlingen gewijzigd", "expertcoach: nu Ineke Bakker (was geen)"]
    assert diff(tmp_path, capsys, before=[coach]) == ["expertcoach: nu geen (was Ineke Bakker)"]


def test_visits_of_a_review(tmp_path, capsys):
    visits = ("      date: 2025-12-09\n", "      date: 2025-12-09\n    visits:\n      - start: \"09:00\"\n"
              "        end: \"09:45\"\n        group: groep 5\n        visitors: [Henk Postma]\n")
    # Only the personal calendars show the visits: each says whose they are.
    assert diff(tmp_path, capsys, visits) == [
        "Peer review bij OBS School A: bezoekrooster gewijzigd, aantal lesbezoeken nu 1 (was 0)",
        "persoonlijke agenda's van Bram Jansen, Fatima el Amrani, Ingrid Bakker, "
        "Joost Mulder, Henk Postma en Saskia de Boer: aantal gewijzigde activiteiten: 1"]


def test_coordinator_e_mail_changes_every_event_of_every_feed(tmp_path, capsys):
    # The coordinator is the ORGANIZER of each event.
    lines = diff(tmp_path, capsys, ("  school: school-a\n", "  school: school-a\n  email: anna@example.org\n"))
    assert lines[0] == "Anna de Vries: e-mailadres nu anna@example.org (was geen)"
    assert lines[1:] == [f"agenda {feed}: aantal gewijzigde activiteiten: {count}" for feed, count in (
        ("circle.ics", 4), ("peer-reviewers.ics", 3), ("schoolcoaches.ics", 4), ("school-school-a.ics", 4),
        ("school-school-b.ics", 3), ("school-school-c.ics", 3), ("school-school-d.ics", 1))] + [
        "persoonlijke agenda's van Bram Jansen, Ingrid Bakker, Joost Mulder, "
        "Henk Postma en Saskia de Boer: aantal gewijzigde activiteiten: 3",
        "persoonlijke agenda's van Fatima el Amrani en Anna de Vries: aantal gewijzigde activiteiten: 4",
        "persoonlijke agenda's van Marloes Visser en Yusuf Demir: aantal gewijzigde activiteiten: 1",
    ]


# --- no change in content, errors, options ----------------------------------------------------


def test_comments_order_and_quoting_are_no_change(tmp_path, capsys):
    # The old and new file have the same warning, on another line: it is the same warning.
    assert diff(tmp_path, capsys, INTO_AUTUMN_HOLIDAY,
                ("format: 1\n", "# Cirkel Test, bewerkt door Anna\nformat: 1\n"),
                ('start: "09:00"', "start: '09:00'"),
                ("  - id: opleidingsdag\n    title: Opleidingsdag\n",
                 "  - title: \"Opleidingsdag\"   # de live dag\n    id: opleidingsdag\n"),
                ("reviewers: [school-b, school-c]", "reviewers:\n      - school-b\n      - school-c"),
                before=[INTO_AUTUMN_HOLIDAY]) == ["geen inhoudelijke wijzigingen"]


def test_a_broken_file_gives_its_errors_and_no_diff(tmp_path, capsys):
    old = write(tmp_path, "oud.yaml", edited())
    new = write(tmp_path, "minimal.yaml", edited(("host: school-a", "host: school-x"), MOVE_REVIEW))
    code, out, _ = run(["diff", str(old), str(new)], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"{new}:47:11: error: reviews[0].host: er is geen school met id 'school-x' in deze cirkel. "
        "Kies uit: school-a, school-b, school-c, school-d.",
        "1 bestand gecontroleerd: 1 fout, 0 waarschuwingen.",
    ]
    code, out, _ = run(["diff", "--format", "markdown", str(new), str(old)], capsys)  # the old one broken
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == lines[-1] == "```"  # a block of its own in a job summary
    assert lines[1].startswith(f"{new}:47:11: error: reviews[0].host") and "Peer review" not in out


def test_lang_gives_the_lines_in_another_language(tmp_path, capsys):
    assert without_feeds(diff(tmp_path, capsys, MOVE_REVIEW, options=["--lang", "en"])) == [
        "Peer review bij OBS School A: from Tuesday, 18 November 2025 08:00 to Tuesday, 25 November 2025 08:00"]


def test_exit_code_option(tmp_path, capsys):
    old = write(tmp_path, "oud.yaml", edited())
    new = write(tmp_path, "minimal.yaml", edited(MOVE_REVIEW))
    same = write(tmp_path, "zelfde.yaml", edited(("format: 1", "format: 1  # alleen een opmerking")))
    assert run(["diff", str(old), str(new)], capsys)[0] == 0
    assert run(["diff", "--exit-code", str(old), str(new)], capsys)[0] == 1
    assert run(["diff", "--exit-code", str(old), str(same)], capsys)[0] == 0


@pytest.mark.parametrize("argv", [
    ["diff"],
    ["diff", "tests/circles/minimal.yaml"],
    ["diff", "a.yaml", "b.yaml", "c.yaml"],
    ["diff", "tests/circles/minimal.yaml", "nergens.yaml"],
    ["diff", "--format", "html", "tests/circles/minimal.yaml", "tests/circles/minimal.yaml"],
])
def test_wrong_usage_exits_2(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.strip() and "Traceback" not in out + err


def test_two_folders_are_not_two_files(capsys):
    assert run(["diff", "tests/circles", "circles"], capsys)[2] == (
        "handbook-gen: geef twee cirkelbestanden (OUD NIEUW), of --base REF met eventueel mappen of bestanden.\n")


def test_malformed_source_date_epoch_is_usage(monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gisteren")
    code, _, err = run(["diff", str(MINIMAL), str(MINIMAL)], capsys)
    assert code == 2 and "SOURCE_DATE_EPOCH" in err


def test_markdown_for_a_pull_request(tmp_path, capsys):
    old = write(tmp_path, "oud.yaml", edited())
    new = write(tmp_path, "minimal.yaml", edited(MOVE_REVIEW, ("name: Bram Jansen", "name: Bram *Jansen* <b>")))
    code, out, _ = run(["diff", "--format", "markdown", str(old), str(new)], capsys)
    assert code == 0
    assert out == "\n".join([
        "## Wat deze wijziging doet",
        "",
        f"### Cirkel Test ({new})".replace("_", "\\_"),
        "",
        # What the coordinator wrote is shown as text, never as Markdown or HTML.
        "- Bram \\*Jansen\\* \\<b\\>: nieuw, peer reviewer van OBS School A",
        "- Bram Jansen: niet meer in de cirkel (was peer reviewer van OBS School A)",
        "- Peer review bij OBS School A: van dinsdag 18 november 2025 08:00 naar dinsdag 25 november 2025 08:00",
        *[f"- {line}" for line in REVIEW_FEEDS[:-1]],
        "- nieuwe persoonlijke agenda's: Bram \\*Jansen\\* \\<b\\>",
        "- persoonlijke agenda's van Fatima el Amrani, Ingrid Bakker, Joost Mulder, "
        "Henk Postma, Saskia de Boer en Anna de Vries: aantal gewijzigde activiteiten: 1",
        "- persoonlijke agenda's vervallen: Bram Jansen",
    ]) + "\n"


def test_json_for_tools(tmp_path, capsys):
    old = write(tmp_path, "oud.yaml", edited())
    new = write(tmp_path, "minimal.yaml", edited(MOVE_REVIEW, INTO_AUTUMN_HOLIDAY))
    code, out, _ = run(["diff", "--format", "json", str(old), str(new)], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["changes"] == 12  # two moves, seven feeds, two lines of personal feeds, one warning
    [circle] = report["circles"]
    assert (circle["file"], circle["id"], circle["status"]) == (str(new), "minimal", "changed")
    moved = circle["changes"][1]
    assert moved["kind"] == "event.moved" and moved["subject"] == "review-a"
    assert (moved["old"]["date"], moved["old"]["start"], moved["new"]["date"]) == ("2025-11-18", "08:00", "2025-11-25")
    assert moved["message"].startswith("Peer review bij OBS School A: van dinsdag 18 november 2025 08:00")
    feed = circle["changes"][2]
    assert (feed["kind"], feed["subject"], feed["new"]) == ("feed.changed", "calendars/circle.ics", 2)
    warning = circle["changes"][-1]
    assert (warning["kind"], warning["new"]["code"], warning["new"]["line"]) == (
        "warning.added", "dates.school_holiday", 42)


def test_an_english_circle_gets_english_lines(tmp_path, capsys):
    english = ("year: build\n", "year: build\nlanguage: en\n")
    lines = diff(tmp_path, capsys, english, MOVE_REVIEW, CANCEL_TRAINING, before=[english])
    assert without_feeds(lines) == [
        "Opleidingsdag: cancelled (Wednesday, 8 October 2025 09:00)",
        "Peer review at OBS School A: from Tuesday, 18 November 2025 08:00 to Tuesday, 25 November 2025 08:00",
    ]
    assert "calendar circle.ics: number of changed events: 2" in lines


def test_diff_texts_exist_in_both_languages():
    def keys(node, prefix=""):
        if isinstance(node, dict):
            return {k for key, value in node.items() for k in keys(value, f"{prefix}{key}.")}
        return {prefix}

    nl, en = (yaml.safe_load((ROOT / f"handbook_gen/locale/{lang}/diff.yaml").read_text(encoding="utf-8"))
              for lang in ("nl", "en"))
    assert keys(nl) == keys(en)


# --- against a git revision -------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path, monkeypatch):
    """A repository with two commits: minimal.yaml edited, tweede.yaml deleted, derde.yaml new,
    vast.yaml untouched."""
    for name, value in (("NAME", "Test"), ("EMAIL", "test@example.org")):
        monkeypatch.setenv(f"GIT_AUTHOR_{name}", value)
        monkeypatch.setenv(f"GIT_COMMITTER_{name}", value)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.chdir(tmp_path)
    circles = tmp_path / "circles"
    circles.mkdir()

    def circle(circle_id: str, name: str, *edits) -> str:
        return edited(("id: minimal", f"id: {circle_id}"), ("name: Cirkel Test", f"name: {name}"), *edits)

    git("init", "-q")
    write(circles, "minimal.yaml", edited())
    write(circles, "tweede.yaml", circle("tweede", "Cirkel Tweede"))
    write(circles, "vast.yaml", circle("vast", "Cirkel Vast"))
    git("add", "-A")
    git("commit", "-q", "-m", "eerste")
    write(circles, "minimal.yaml", edited(MOVE_REVIEW, ("format: 1", "format: 1  # verplaatst")))
    (circles / "tweede.yaml").unlink()
    write(circles, "derde.yaml", circle("derde", "Cirkel Derde", CANCEL_TRAINING))
    git("add", "-A")
    git("commit", "-q", "-m", "tweede")
    return tmp_path


def test_git_base_reports_new_deleted_and_changed_files(repository, capsys):
    code, out, err = run(["diff", "--base", "HEAD~1"], capsys)
    assert code == 0, err
    assert out.split("\n\n") == [
        "\n".join([
            "Cirkel Derde (circles/derde.yaml)",
            "  nieuwe cirkel",
            "  Opleidingsdag: nieuw, op woensdag 8 oktober 2025 09:00",
            "  Voorbereiding peer review OBS School A: nieuw, op dinsdag 4 november 2025",
            "  Peer review bij OBS School A: nieuw, op dinsdag 18 november 2025 08:00",
            "  Personeelsworkshop na de peer review OBS School A: nieuw, op dinsdag 9 december 2025",
        ]),
        "\n".join([
            "Cirkel Test (circles/minimal.yaml)",
            "  Peer review bij OBS School A: van dinsdag 18 november 2025 08:00 naar dinsdag 25 november 2025 08:00",
            *[f"  {line}" for line in REVIEW_FEEDS],
        ]),
        "\n".join([
            "Cirkel Tweede (circles/tweede.yaml)",
            "  cirkel verwijderd",
            "  Opleidingsdag: verwijderd (stond op woensdag 8 oktober 2025 09:00)",
            "  Voorbereiding peer review OBS School A: verwijderd (stond op dinsdag 4 november 2025)",
            "  Peer review bij OBS School A: verwijderd (stond op dinsdag 18 november 2025 08:00)",
            "  Personeelsworkshop na de peer review OBS School A: verwijderd (stond op dinsdag 9 december 2025)",
        ]) + "\n",
    ]


def test_git_base_with_a_file_path_and_the_working_tree(repository, capsys):
    assert run(["diff", "--base", "HEAD", "circles/minimal.yaml"], capsys)[1] == "geen inhoudelijke wijzigingen\n"
    code, out, _ = run(["diff", "--base", "HEAD~1", "circles/minimal.yaml", "circles"], capsys)
    assert out.count("Cirkel Test (circles/minimal.yaml)") == 1  # named twice, compared once
    write(repository / "circles", "minimal.yaml", edited(INTO_AUTUMN_HOLIDAY, MOVE_REVIEW))  # not committed
    code, out, _ = run(["diff", "--base", "HEAD", "--exit-code", "circles/minimal.yaml"], capsys)
    assert code == 1
    assert out.splitlines()[1] == (
        "  Opleidingsdag: van woensdag 8 oktober 2025 09:00 naar woensdag 22 oktober 2025 09:00")
    code, out, _ = run(["diff", "--base", "HEAD~1", "--format", "markdown", "circles/tweede.yaml"], capsys)
    assert code == 0
    assert out.splitlines()[2:5] == ["### Cirkel Tweede (circles/tweede.yaml)", "", "- cirkel verwijderd"]


def test_git_base_with_an_error_in_the_old_version_names_it_as_git_does(repository, capsys):
    write(repository / "circles", "minimal.yaml", edited(("host: school-a", "host: school-x")))
    git("commit", "-q", "-am", "kapot")
    write(repository / "circles", "minimal.yaml", edited())
    code, out, _ = run(["diff", "--base", "HEAD", "circles"], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith("HEAD:circles/minimal.yaml:47:11: error: reviews[0].host: ")


def test_git_base_wrong_revision_or_folder_is_usage(repository, capsys):
    code, _, err = run(["diff", "--base", "nergens"], capsys)
    assert code == 2
    assert "'nergens' is geen versie die git kent." in err
    code, _, err = run(["diff", "--base", "HEAD", "nergens"], capsys)
    assert (code, err) == (2, "handbook-gen: nergens bestaat niet.\n")


def test_git_base_outside_a_repository_is_usage(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    write(tmp_path, "minimal.yaml", edited())
    code, _, err = run(["diff", "--base", "HEAD", "minimal.yaml"], capsys)
    assert code == 2
    assert err.startswith("handbook-gen: git kon HEAD niet lezen: fatal: not a git repository")
