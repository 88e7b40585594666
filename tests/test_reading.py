"""YAML 1.2 meaning, positions, and the typed Circle that validation hands on."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from handbook_gen.circle.model import ROLES, Moment, SchoolYear, clock, minute_of_day, time_at
from handbook_gen.circle.problems import ERROR, Line, Problem
from handbook_gen.circle.source import parse_text, read, resolve_plain
from handbook_gen.circle.validate import check_file
from helpers import ROOT

MINIMAL = ROOT / "tests/circles/minimal.yaml"


def minimal(tmp_path: Path, name: str = "minimal.yaml", **replace: str) -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- YAML 1.2 meaning ----------------------------------------------------------------------


@pytest.mark.parametrize("plain, meaning", [
    ("15:30", "15:30"),            # YAML 1.1: 930 (sexagesimal)
    ("9:00", "9:00"),
    ("2025-10-08", "2025-10-08"),  # YAML 1.1: a date object
    ("no", "no"), ("yes", "yes"), ("on", "on"), ("off", "off"), ("y", "y"), ("N", "N"),
    ("true", True), ("False", False), ("TRUE", True),
    ("~", None), ("null", None), ("", None),
    ("1", 1), ("-3", -3), ("0o17", 15), ("0x1F", 31), ("1.5", 1.5), ("1e3", 1000.0),
    ("010", 10),                   # YAML 1.1: octal 8
    ("1_000", "1_000"),            # YAML 1.1: 1000
    ("0501234567", 501234567),
    (".inf", ".inf"),              # the core schema's .inf/.nan are no number a circle needs
])
def test_plain_scalars_resolve_by_yaml_1_2_core_schema(plain, meaning):
    assert resolve_plain(plain) == meaning
    assert type(resolve_plain(plain)) is type(meaning)


def test_times_dates_and_no_stay_text_in_a_document():
    document = parse_text("start: 15:30\ndate: 2025-10-08\nlanguage: no\nquoted: '1'\nnumber: 1\n", "x.yaml")
    assert document.data == {"start": "15:30", "date": "2025-10-08", "language": "no",
                             "quoted": "1", "number": 1}


def test_unquoted_time_in_a_circle_is_the_time_written(tmp_path):
    path = minimal(tmp_path, **{'start: "09:00"': "start: 15:30", 'end: "16:00"': "end: 16:45"})
    result = check_file(path)
    assert result.problems == []
    training = result.circle.trainings[0]
    assert (training.start, training.end) == (time(15, 30), time(16, 45))


def test_language_no_is_a_clean_enum_error_not_false(tmp_path):
    path = minimal(tmp_path, **{"year: build\n": "year: build\nlanguage: no\n"})
    (problem,) = check_file(path).problems
    assert problem.code == "schema.enum"
    assert problem.params["found"] == "no"
    assert (problem.line, problem.col) == (7, 11)


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.read_bytes())
    result = check_file(path)
    assert result.problems == []
    assert result.circle.id == "minimal"


def test_windows_line_endings_are_accepted(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_bytes(MINIMAL.read_bytes().replace(b"\n", b"\r\n"))
    result = check_file(path)
    assert result.problems == []


# --- positions -----------------------------------------------------------------------------


def test_positions_of_keys_and_values():
    document, problems = read(MINIMAL)
    assert problems == []
    positions = document.positions
    assert positions.of_key(("board",)) == (4, 1)
    assert positions.of_value(("board",)) == (4, 8)
    assert positions.of_value(("schools", 2, "peer_reviewers")) == (30, 7)
    assert positions.of_value(("reviews", 0, "reviewers", 1)) == (51, 27)
    # a path below a value that has no position: the nearest part above it
    assert positions.of_value(("schools", 2, "peer_reviewers", 0, "email")) == (30, 9)


def test_a_problem_is_placed_at_its_path():
    """The checks give a path only; the document turns it into file, line and column."""
    document, _ = read(MINIMAL)
    at_value = document.place(Problem(ERROR, "rules.duplicate_reviewer", path=("reviews", 0, "reviewers", 1),
                                      params={"first_line": Line(("reviews", 0, "host"))}))
    assert (at_value.file, at_value.line, at_value.col) == (document.file, 51, 27)
    assert at_value.path == ("reviews", 0, "reviewers", 1) and at_value.params["first_line"] == 47
    at_key = document.place(Problem(ERROR, "schema.unknown_key", path=("board",), key=("board",)))
    assert (at_key.line, at_key.col) == (4, 1)

def test_alias_within_limits_is_expanded():
    document = parse_text("a: &x [1, 2]\nb: *x\n", "x.yaml")
    assert document.data == {"a": [1, 2], "b": [1, 2]}


def test_nesting_of_exactly_50_levels_is_read():
    deep = "a: " + "[" * 49 + "1" + "]" * 49 + "\n"  # the mapping is level 1
    document = parse_text(deep, "x.yaml")
    assert document.data["a"]


def test_explicit_document_markers_are_fine():
    assert parse_text("---\na: 1\n...\n", "x.yaml").data == {"a": 1}


def test_a_quoted_key_is_a_key_and_a_number_key_is_text():
    document = parse_text('"a": 1\n2025: x\n', "x.yaml")
    assert document.data == {"a": 1, "2025": "x"}


# --- the typed Circle ----------------------------------------------------------------------


def test_typed_circle_has_real_dates_and_times():
    circle = check_file(MINIMAL).circle
    training = circle.trainings[0]
    review = circle.reviews[0]
    assert training.date == date(2025, 10, 8)
    assert (training.start, training.end) == (time(9), time(16))
    assert review.date == date(2025, 11, 18)
    assert review.preparation.date == date(2025, 11, 4) and review.preparation.all_day
    assert review.workshop.date == date(2025, 12, 9)
    assert circle.school_year == SchoolYear(2025, 2026)
    assert (circle.school_year.first_day, circle.school_year.last_day) == (date(2025, 8, 1),
                                                                           date(2026, 7, 31))
    assert isinstance(circle.schools, tuple) and isinstance(circle.reviews[0].reviewers, tuple)



def test_school_year_runs_from_august_to_july():
    year = SchoolYear.parse("2025-2026")
    assert year == SchoolYear.starting(2025) and str(year) == "2025-2026"
    assert (year.first_day, year.last_day) == (date(2025, 8, 1), date(2026, 7, 31))
    assert date(2025, 8, 1) in year and date(2026, 7, 31) in year
    assert date(2025, 7, 31) not in year and date(2026, 8, 1) not in year
    assert year.years == (2025, 2026) and str(year.next) == "2026-2027"
    assert SchoolYear.parse("2025-2027") != SchoolYear.starting(2025)  # rules.py refuses it


def test_clock_times_and_minutes_of_the_day():
    assert clock("8:05") == time(8, 5) and clock("13:30") == time(13, 30)
    assert minute_of_day(time(8, 5)) == 485 and time_at(485) == time(8, 5)
    assert time_at(24 * 60 + 30) == time(23, 59)  # a day planned past midnight ends at its end
    assert Moment(date(2025, 10, 8), time(9), time(16, 30)).length == 450
    assert Moment(date(2025, 10, 8)).length is None

def test_typed_circle_resolves_defaults():
    circle = check_file(MINIMAL).circle
    assert circle.language == "nl"
    assert circle.timezone == "Europe/Amsterdam"
    assert circle.show_email is True
    assert circle.site_url is None
    assert circle.trainings[0].audience == ROLES  # no audience: the whole LtS-team
    assert circle.trainings[0].online is False and circle.trainings[0].cancelled is False
    school = circle.schools[0]
    assert school.holiday_region == "noord"  # the circle's region
    assert school.reviewed_before is False and school.study_days == ()
    assert school.city is None and school.focus is None


def test_review_focus_falls_back_to_host_focus_then_learning_question(tmp_path):
    circle = check_file(MINIMAL).circle
    assert circle.reviews[0].focus == "Hoe kiezen leerlingen zelf een strategie?"
    path = minimal(tmp_path, **{"    name: OBS School A\n":
                                "    name: OBS School A\n    focus: |\n      Het rekenmuurtje in groep 5.\n"})
    assert check_file(path).circle.reviews[0].focus == "Het rekenmuurtje in groep 5."
    path = minimal(tmp_path, **{"    name: OBS School A\n": "    name: OBS School A\n    focus: Muurtje\n",
                                "    lead: school-b\n": "    lead: school-b\n    focus: Eigen focus\n"})
    assert check_file(path).circle.reviews[0].focus == "Eigen focus"


def test_evaluations_are_for_the_whole_team(tmp_path):
    path = minimal(tmp_path, **{"reviews:": (
        "evaluations:\n  - id: evaluatie\n    title: Evaluatie\n    date: 2026-05-20\n"
        "    audience: [schoolcoaches]\nreviews:")})
    result = check_file(path)
    assert result.problems == []
    assert result.circle.evaluations[0].audience == ROLES


def test_audience_is_kept_in_role_order(tmp_path):
    path = minimal(tmp_path, **{'    end: "16:00"\n': '    end: "16:00"\n    audience: [coordinator, schoolcoaches]\n'})
    assert check_file(path).circle.trainings[0].audience == ("schoolcoaches", "coordinator")


def test_given_values_override_defaults_and_text_is_stripped(tmp_path):
    path = minimal(tmp_path, **{
        "holiday_region: noord\n": ("holiday_region: noord\nlanguage: en\ntimezone: Europe/Brussels\n"
                                    "show_email: false\nsite_url: https://intranet.example.nl/hb\n"),
        "name: Cirkel Test": "name: '  Cirkel Test  '",
        "    name: IKC School D\n": "    name: IKC School D\n    holiday_region: zuid\n    study_days: [2026-02-02, 2025-10-01]\n",
    })
    result = check_file(path)
    assert result.problems == []
    circle = result.circle
    assert (circle.language, circle.timezone, circle.show_email) == ("en", "Europe/Brussels", False)
    assert circle.site_url == "https://intranet.example.nl/hb/"
    assert circle.name == "Cirkel Test"
    school_d = circle.school("school-d")
    assert school_d.holiday_region == "zuid"
    assert school_d.study_days == (date(2025, 10, 1), date(2026, 2, 2))


def test_empty_optional_value_counts_as_not_given(tmp_path):
    path = minimal(tmp_path, **{"holiday_region: noord\n": "holiday_region: noord\ntimezone:\nlanguage:\n"})
    result = check_file(path)
    assert result.problems == []
    assert (result.circle.timezone, result.circle.language) == ("Europe/Amsterdam", "nl")


def test_no_circle_when_there_are_errors():
    result = check_file(ROOT / "tests/broken/reviewer-is-host.yaml")
    assert result.circle is None
    assert result.problems


def test_a_circle_with_only_warnings_is_built():
    result = check_file(ROOT / "tests/broken/weekend.yaml")
    assert result.circle is not None
    assert [p.severity for p in result.problems] == ["warning"]


def test_a_number_too_long_for_python_is_text_not_a_crash(tmp_path):
    digits = "9" * 5000  # int() refuses more than 4300 digits
    assert resolve_plain(digits) == digits
    path = minimal(tmp_path, **{"format: 1": f"format: {digits}"})
    (problem,) = check_file(path).problems
    assert (problem.code, problem.line, problem.col) == ("schema.enum", 1, 9)
    assert len(problem.params["found"]) <= 60  # the message quotes it cut short


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x0b", "\x1b", "\x7f", "\ufffe"])
def test_a_pasted_control_character_is_named_at_its_line_and_column(character, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(f"format: 1\nname: Cirkel{character}Noord\n".encode("utf-8", "surrogatepass"))
    document, problems = read(path)
    assert document is None
    [problem] = problems
    assert (problem.code, problem.line, problem.col) == ("file.control_character", 2, 13)
    assert problem.params["code"] == f"U+{ord(character):04X}"


def test_nul_bytes_throughout_are_no_text(tmp_path):
    path = tmp_path / "plaatje.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
    _, [problem] = read(path)
    assert problem.code == "file.binary" and problem.line is None
