"""The rules of the circle format (docs/circle-format.md) that a schema cannot say, and the typed Circle they guard.

Input is data that already passed the schema, so every key has the right type; each rule adds a
Problem at the path it concerns. The Circle is built only when no rule found an error.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handbook_gen.circle import visit_rules
from handbook_gen.circle.model import (ROLES, Activity, Circle, Coordinator, Moment, Person, Review, School,
                    SchoolYear, Theme, Visit, clock)
from handbook_gen.circle.problems import ERROR, WARNING, Line, Problem
from handbook_gen.common.i18n import DEFAULT_LANGUAGE

# The school years a handbook can be made for: dates, holidays and time zones need real years
# (there is no year 0), and the page of the year after (the embed year) one more.
KNOWN_SCHOOL_YEARS = (SchoolYear(2000, 2001), SchoolYear(2097, 2098))
EVENT_GROUPS = ("trainings", "meetings", "reviews", "evaluations")
NORM_SCHOOLS = (4, 5)
BUILD_YEAR_REVIEWS = 2
# Names Windows refuses for a file or folder, whatever follows a dot (con.ics too): a handbook is
# copied to USB sticks and shared folders. Compared without case, as Windows does.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                              *(f"lpt{n}" for n in range(1, 10))})
# The names the output folder needs itself, beside the handbooks (site/<id>/): never a circle id.
OUTPUT_NAMES = frozenset({"assets", "search", "feeds"})


def portable(name: str) -> bool:
    """A file or folder name that Windows accepts as well: not reserved, not ending in a dot or space."""
    return name.split(".", 1)[0].lower() not in WINDOWS_RESERVED and not name.endswith((".", " "))


class _Report:
    """Collects problems, each at the path it concerns (validate places them in the file)."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, severity: str, code: str, path: tuple, **params) -> None:
        self.problems.append(Problem(severity, code, path=tuple(path), params=params))

    def error(self, code: str, path: tuple, **params) -> None:
        self.add(ERROR, code, path, **params)

    def warning(self, code: str, path: tuple, **params) -> None:
        self.add(WARNING, code, path, **params)

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)


def check(data: dict, path: Path) -> tuple[Circle | None, list[Problem]]:
    report = _Report()
    _check_file_name(data, path, report)
    _check_names(data, report)
    school_year = _check_school_year(data, report)
    _check_timezone(data, report)
    school_ids = _check_school_ids(data, report)
    _check_event_ids(data, report)
    _check_references(data, school_ids, report)
    _check_moments(data, school_year, report)
    visit_rules.check_errors(data, report)
    if not report.has_errors:
        _check_programme(data, report)
        visit_rules.check_warnings(data, report)
    circle = None if report.has_errors else build_circle(data, path)
    return circle, report.problems


def _check_file_name(data, path: Path, report: _Report) -> None:
    refused = not portable(data["id"]) or data["id"] in OUTPUT_NAMES  # no file should be named so
    if path.suffix in (".yaml", ".yml") and path.stem != data["id"] and not refused:
        report.warning("rules.file_name", ("id",), id=data["id"], file=path.name)


def _check_names(data, report: _Report) -> None:
    """Every id becomes a file or folder name: the circle's folder, a school's or an event's feed,
    a review's page and pack. Each must be one Windows can copy; a circle's folder sits beside the
    output's own names."""
    ids = [(("id",), data["id"])]
    ids += [(("schools", i, "id"), school["id"]) for i, school in enumerate(data["schools"])]
    ids += [((group, i, "id"), event["id"]) for group in EVENT_GROUPS
            for i, event in enumerate(data.get(group, []))]
    for path, value in ids:
        if not portable(value):
            report.error("rules.reserved_name", path, id=value)
    if data["id"] in OUTPUT_NAMES:
        report.error("rules.output_name", ("id",), id=data["id"])


def _check_school_year(data, report: _Report) -> SchoolYear | None:
    written = SchoolYear.parse(data["school_year"])
    if not KNOWN_SCHOOL_YEARS[0].start <= written.start <= KNOWN_SCHOOL_YEARS[1].start:
        report.error("rules.school_year_range", ("school_year",), found=data["school_year"],
                     first=str(KNOWN_SCHOOL_YEARS[0]), last=str(KNOWN_SCHOOL_YEARS[1]))
        return None
    meant = SchoolYear.starting(written.start)
    if written != meant:
        report.error("rules.school_year", ("school_year",), found=data["school_year"],
                     suggestion=str(meant))
        return None
    return written


def _check_timezone(data, report: _Report) -> None:
    name = data.get("timezone")
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of tzdata (Europe)
        report.error("rules.timezone", ("timezone",), found=name)


def _duplicates(items: list[tuple[str, tuple]], report: _Report, code: str) -> None:
    """items: (id, path of that id); every repeat is an error naming the first."""
    first_seen: dict[str, tuple] = {}
    for value, path in items:
        if value in first_seen:
            report.error(code, path, id=value, first_line=Line(first_seen[value]))
        else:
            first_seen[value] = path


def _check_school_ids(data, report: _Report) -> set[str]:
    items = [(school["id"], ("schools", i, "id")) for i, school in enumerate(data["schools"])]
    _duplicates(items, report, "rules.duplicate_school")
    return {value for value, _ in items}


def _check_event_ids(data, report: _Report) -> None:
    # The groups in the file's order (a mapping keeps it): the id written first is the first seen.
    items = [(event["id"], (group, i, "id"))
             for group in data if group in EVENT_GROUPS for i, event in enumerate(data[group])]
    _duplicates(items, report, "rules.duplicate_event")


def _check_references(data, school_ids: set[str], report: _Report) -> None:
    known = ", ".join(sorted(school_ids))

    def must_exist(value, path):
        if value not in school_ids:
            report.error("rules.unknown_school", path, id=value, known=known)

    if "school" in data["coordinator"]:
        must_exist(data["coordinator"]["school"], ("coordinator", "school"))
    for i, review in enumerate(data["reviews"]):
        path = ("reviews", i)
        must_exist(review["host"], path + ("host",))
        for j, reviewer in enumerate(review["reviewers"]):
            must_exist(reviewer, path + ("reviewers", j))
            if reviewer == review["host"]:
                report.error("rules.reviewer_is_host", path + ("reviewers", j), id=reviewer)
        _duplicates([(r, path + ("reviewers", j)) for j, r in enumerate(review["reviewers"])],
                    report, "rules.duplicate_reviewer")
        if "lead" in review and review["lead"] not in review["reviewers"]:
            report.error("rules.lead_not_reviewer", path + ("lead",), id=review["lead"],
                         reviewers=", ".join(review["reviewers"]))


def _moments(data):
    """Every dated thing: (path, mapping) for trainings, meetings, evaluations, reviews and theirs."""
    for group in EVENT_GROUPS:
        for i, event in enumerate(data.get(group, [])):
            yield (group, i), event
            for part in ("preparation", "workshop"):
                if group == "reviews" and part in event:
                    yield (group, i, part), event[part]


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_moments(data, school_year: SchoolYear | None, report: _Report) -> None:
    for i, school in enumerate(data["schools"]):
        for j, day in enumerate(school.get("study_days", [])):
            if _parse_date(day) is None:
                report.error("rules.bad_date", ("schools", i, "study_days", j), found=day)
    for path, moment in _moments(data):
        day = _parse_date(moment["date"])
        if day is None:
            report.error("rules.bad_date", path + ("date",), found=moment["date"])
        elif school_year and day not in school_year:
            report.error("rules.outside_year", path + ("date",), found=moment["date"],
                         school_year=str(school_year))
        _check_times(moment, path, report)
    for i, review in enumerate(data["reviews"]):
        _check_order(review, ("reviews", i), report)


def _check_times(moment, path, report: _Report) -> None:
    has_start, has_end = "start" in moment, "end" in moment
    if has_start != has_end:
        given, missing = ("start", "end") if has_start else ("end", "start")
        report.error("rules.start_end_together", path + (given,), given=given, missing=missing)
    elif has_start and _time(moment["end"]) <= _time(moment["start"]):
        report.error("rules.end_before_start", path + ("end",), start=moment["start"],
                     end=moment["end"])


def _check_order(review, path, report: _Report) -> None:
    day = _parse_date(review["date"])
    for part, code, wrong in (("preparation", "rules.preparation_after", lambda d: d >= day),
                              ("workshop", "rules.workshop_before", lambda d: d <= day)):
        other = _parse_date(review[part]["date"]) if part in review else None
        if day and other and wrong(other):
            report.error(code, path + (part, "date"), found=review[part]["date"],
                         review_date=review["date"])


def _check_programme(data, report: _Report) -> None:
    """The programme's norms: warnings, since a circle may have good reasons to differ."""
    count = len(data["schools"])
    if not NORM_SCHOOLS[0] <= count <= NORM_SCHOOLS[1]:
        report.warning("rules.school_count", ("schools",), count=count)
    live = [(i, r) for i, r in enumerate(data["reviews"]) if not r.get("cancelled")]
    if data["year"] == "build" and len(live) > BUILD_YEAR_REVIEWS:
        report.warning("rules.too_many_reviews", ("reviews",), count=len(live))
    hosts = Counter(review["host"] for _, review in live)
    for i, review in live:
        if hosts[review["host"]] > 1:
            report.warning("rules.hosts_twice", ("reviews", i, "host"), id=review["host"],
                           count=hosts[review["host"]])
            hosts[review["host"]] = 0  # one warning per school is enough
    if data["year"] == "embed":
        for i, school in enumerate(data["schools"]):
            if school["id"] not in hosts and not school.get("reviewed_before"):
                report.warning("rules.never_reviewed", ("schools", i, "id"), id=school["id"])


# --- building the typed circle -------------------------------------------------------------


def _time(text: str | None) -> time | None:
    return None if text is None else clock(text)


def _text(value: str | None) -> str | None:
    """Surrounding white space stripped; empty text counts as not given."""
    value = value.strip() if isinstance(value, str) else value
    return value or None


def _person(data, cls=Person, **extra) -> Person:
    return cls(name=_text(data["name"]), email=_text(data.get("email")),
               phone=_text(data.get("phone")), **extra)


def _moment_fields(data) -> dict:
    return dict(date=date.fromisoformat(data["date"]), start=_time(data.get("start")),
                end=_time(data.get("end")), location=_text(data.get("location")),
                online=data.get("online", False), url=_text(data.get("url")),
                description=_text(data.get("description")), cancelled=data.get("cancelled", False))


def _activity(data, everyone: bool = False) -> Activity:
    audience = ROLES if everyone else tuple(r for r in ROLES if r in data.get("audience", ROLES))
    return Activity(**_moment_fields(data), id=data["id"], title=_text(data["title"]),
                    audience=audience)


def _school(data, circle_region: str | None) -> School:
    return School(
        id=data["id"], name=_text(data["name"]), city=_text(data.get("city")),
        address=_text(data.get("address")),
        peer_reviewers=tuple(_person(p) for p in data["peer_reviewers"]),
        schoolcoaches=tuple(_person(p, role=p.get("role")) for p in data["schoolcoaches"]),
        focus=_text(data.get("focus")),
        holiday_region=data.get("holiday_region", circle_region),
        study_days=tuple(sorted(date.fromisoformat(d) for d in data.get("study_days", []))),
        reviewed_before=data.get("reviewed_before", False),
        pupil_hours=visit_rules.pupil_hours(data.get("pupil_hours")),
        pupil_hours_assumed="pupil_hours" not in data,
    )


def _review(data, schools: dict[str, School], learning_question: str) -> Review:
    focus = _text(data.get("focus")) or schools[data["host"]].focus or learning_question
    optional = {part: Moment(**_moment_fields(data[part]))
                for part in ("preparation", "workshop") if part in data}
    visits = tuple(Visit(start=clock(v["start"]), end=clock(v["end"]), group=_text(v["group"]),
                         teacher=_text(v.get("teacher")),
                         visitors=tuple(_text(name) for name in v["visitors"]))
                   for v in data.get("visits", []))
    return Review(**_moment_fields(data), id=data["id"], host=data["host"],
                  reviewers=tuple(data["reviewers"]), lead=data.get("lead"), focus=focus,
                  visits=visits, **optional)


def build_circle(data: dict, path: Path) -> Circle:
    theme = data["theme"]
    region = data.get("holiday_region")
    schools = tuple(_school(s, region) for s in data["schools"])
    by_id = {school.id: school for school in schools}
    learning_question = _text(theme["learning_question"])
    site_url = data.get("site_url")
    return Circle(
        format=data["format"], id=data["id"], name=_text(data["name"]), board=_text(data["board"]),
        school_year=SchoolYear.parse(data["school_year"]), year=data["year"],
        language=data.get("language", DEFAULT_LANGUAGE), timezone=data.get("timezone", "Europe/Amsterdam"),
        holiday_region=region,
        site_url=(site_url if site_url.endswith("/") else site_url + "/") if site_url else None,
        show_email=data.get("show_email", True),
        public_feed_names=data.get("public_feed_names", True),
        expert_coach=_person(data["expert_coach"]) if "expert_coach" in data else None,
        coordinator=_person(data["coordinator"], Coordinator, school=data["coordinator"].get("school")),
        theme=Theme(title=_text(theme["title"]), learning_question=learning_question,
                    description=_text(theme.get("description")),
                    goals=tuple(_text(g) for g in theme.get("goals", [])),
                    pupil_questions=tuple(_text(q) for q in theme.get("pupil_questions", [])),
                    staff_questions=tuple(_text(q) for q in theme.get("staff_questions", []))),
        schools=schools,
        trainings=tuple(_activity(t) for t in data["trainings"]),
        reviews=tuple(_review(r, by_id, learning_question) for r in data["reviews"]),
        meetings=tuple(_activity(m) for m in data.get("meetings", [])),
        evaluations=tuple(_activity(e, everyone=True) for e in data.get("evaluations", [])),
        source=path,
    )
