"""The circle format's rules for the review day: pupil hours and the lesson visits of a review.

Called by rules.check with its report; input already passed the schema. Errors first (a visit
that cannot be planned), warnings (the programme's advice) only for a file without errors.
"""

from __future__ import annotations

import difflib
from datetime import date, time
from itertools import combinations

from handbook_gen.circle.model import DEFAULT_PUPIL_HOURS, WEEKDAYS, clock

HOURS_KEYS = ("default",) + WEEKDAYS


def hours(text: str) -> tuple[time, time]:
    """'8:30-14:30' -> (08:30, 14:30)."""
    start, end = text.split("-")
    return clock(start), clock(end)


def pupil_hours(data: dict | None) -> tuple[tuple[time, time], ...]:
    """A school's pupil_hours, Monday to Friday: the day's own, else `default`, else the usual."""
    data = data or {}
    return tuple(hours(data[day]) if day in data else
                 hours(data["default"]) if "default" in data else usual
                 for day, usual in zip(WEEKDAYS, DEFAULT_PUPIL_HOURS))


def check_errors(data, report) -> None:
    for i, school in enumerate(data["schools"]):
        for key in HOURS_KEYS:
            text = school.get("pupil_hours", {}).get(key)
            if text and hours(text)[1] <= hours(text)[0]:
                report.error("rules.hours_order", ("schools", i, "pupil_hours", key), found=text)
    schools = {school["id"]: school for school in data["schools"]}
    for i, review in enumerate(data["reviews"]):
        known = _visitor_names(review, schools)
        for j, visit in enumerate(review.get("visits", [])):
            _check_visit(review, visit, ("reviews", i, "visits", j), known, report)


def _visitor_names(review, schools) -> list[str]:
    """Who may visit a lesson: the peer reviewers and schoolcoaches of the reviewer schools."""
    return [person["name"].strip() for school_id in review["reviewers"] if school_id in schools
            for role in ("peer_reviewers", "schoolcoaches") for person in schools[school_id][role]]


def _check_visit(review, visit, path, known: list[str], report) -> None:
    start, end = clock(visit["start"]), clock(visit["end"])
    if end <= start:
        report.error("rules.end_before_start", path + ("end",), start=visit["start"], end=visit["end"])
    elif "start" in review and "end" in review and not (
            clock(review["start"]) <= start and end <= clock(review["end"])):
        report.error("rules.visit_outside_review", path + ("start",), start=visit["start"],
                     end=visit["end"], review_start=review["start"], review_end=review["end"])
    seen: set[str] = set()
    for k, name in enumerate(visit["visitors"]):
        name = name.strip()
        if name in seen:
            report.error("rules.duplicate_visitor", path + ("visitors", k), name=name)
        elif name not in known:
            # difflib is quadratic in the length: a name longer than any real one gets no suggestion.
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6) if len(name) <= 100 else []
            if close:
                report.error("rules.unknown_visitor_suggest", path + ("visitors", k), name=name,
                             suggestion=close[0])
            else:
                report.error("rules.unknown_visitor", path + ("visitors", k), name=name,
                             known=", ".join(known))
        seen.add(name)


def check_warnings(data, report) -> None:
    schools = {school["id"]: school for school in data["schools"]}
    for i, review in enumerate(data["reviews"]):
        if review.get("cancelled"):
            continue
        visits = [(("reviews", i, "visits", j), visit)
                  for j, visit in enumerate(review.get("visits", []))]
        day = date.fromisoformat(review["date"])
        if day.weekday() < len(WEEKDAYS) and review["host"] in schools:
            in_school = pupil_hours(schools[review["host"]].get("pupil_hours"))[day.weekday()]
            for path, visit in visits:
                _check_pupil_hours(visit, path, in_school, report)
        for (_, first), (path, second) in combinations(visits, 2):
            _check_overlap(first, second, path, report)


def _check_pupil_hours(visit, path, in_school: tuple[time, time], report) -> None:
    if clock(visit["start"]) < in_school[0] or clock(visit["end"]) > in_school[1]:
        report.warning("rules.visit_outside_pupil_hours", path + ("start",), start=visit["start"],
                       end=visit["end"], pupils=f"{in_school[0]:%H:%M}–{in_school[1]:%H:%M}")


def _check_overlap(first, second, path, report) -> None:
    if not (clock(first["start"]) < clock(second["end"])
            and clock(second["start"]) < clock(first["end"])):
        return
    shared = sorted({n.strip() for n in first["visitors"]} & {n.strip() for n in second["visitors"]})
    if shared:
        report.warning("rules.visitor_overlap", path + ("start",), names=", ".join(shared),
                       group=first["group"].strip(), other_start=first["start"])
