"""A review day planned around the school day: the programme's parts with times and names.

The guideline (domain.md §3) runs 08:00-15:30 and ignores when pupils are in school. Here the
parts that need pupils (lesson visits, the pupils' conversation, follow-up visits) are put in
the host's pupil hours for that weekday, and the parts that need the teachers (the team
conversation, the feedback) after the pupils have left. Each side keeps the guideline's
proportions; the reviewers' own parts (lunch, ordering the findings) go where there is room.
Templates only render this: the texts of the parts are in locale/<lang>/handbook.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from .model import Circle, Moment, Review, School, minute_of_day, time_at

# Guideline minutes of each part of the day (domain.md §3).
MINUTES = {"briefing": 30, "context": 30, "visits": 75, "break": 15, "pupil_voice": 30,
           "lunch": 45, "follow_up": 60, "findings": 45, "team": 45, "feedback": 45, "closing": 15}
PUPIL_PARTS = ("visits", "break", "pupil_voice", "follow_up")  # while pupils are in school
OPENING = ("briefing", "context")  # before the first visit; may start before the pupils arrive
FLEXIBLE = ("lunch", "findings")  # the reviewers on their own: before or after the pupils leave
TEAM_PARTS = ("team", "feedback", "closing")  # need the teachers: after the pupils leave
MORNING = ("briefing", "context", "visits", "break", "pupil_voice", "lunch", "follow_up", "findings")
AFTERNOON = ("lunch", "team", "findings", "feedback", "closing")
STANDARD_DAY = (time(8, 0), time(15, 30))
GRID = 5  # minutes
# The workshop plan's outline (check-in, findings, dialogue, actions, closing) in the form's
# proportions; a workshop without times gets the usual slot.
OUTLINE = {"check_in": 10, "findings": 15, "dialogue": 30, "actions": 20, "closing": 5}
WORKSHOP_MINUTES = 120
# Less than this share of the guideline's time for a side of the day is no room: a warning.
MIN_SHARE = 0.5


@dataclass(frozen=True)
class Slot:
    part: str  # a key of MINUTES; its texts are handbook.review.parts.<part>
    start: time
    end: time


@dataclass(frozen=True)
class ReviewDay:
    review: Review
    slots: tuple[Slot, ...]
    pupils: tuple[time, time] | None  # when pupils are in school that day; None: a weekend
    fits_pupils: bool  # enough time for the pupil parts while pupils are in school
    fits_after: bool  # enough time for the team's parts after the pupils leave
    leaders: tuple[str, ...]  # the visiting peer reviewers
    coaches: tuple[str, ...]  # the visiting schoolcoaches
    chair: tuple[str, ...]  # the lead school's peer reviewers; empty: no lead chosen
    host_leaders: tuple[str, ...]
    host_coaches: tuple[str, ...]

    @property
    def reviewers(self) -> tuple[str, ...]:
        """Everyone who visits: the reviewer schools' peer reviewers and schoolcoaches."""
        return self.leaders + self.coaches

    @property
    def copies(self) -> dict[str, int]:
        """How many copies of each form the day needs.

        Everyone who observes writes their own lesbezoek: one per visitor per visit, or one per
        reviewer while the visits are not planned. A learning walk is done in pairs. The pupils'
        conversation is led by the visiting schoolcoaches and the team conversation by the
        visiting peer reviewers (see the programme), each with their own copy. The host fills
        in one self-evaluation, the lead writes one report, the host's coaches one workshop plan.
        """
        observers = sum(len(v.visitors) for v in self.review.visits) or len(self.reviewers)
        return {"zelfevaluatie": 1, "lesbezoek": observers,
                "learning-walk": (len(self.reviewers) + 1) // 2,
                "stem-van-de-leerling": len(self.coaches), "teamgesprek": len(self.leaders),
                "reviewverslag": 1, "workshopplan": 1, "bezoekrooster": 1}


def plan_day(circle: Circle, review: Review) -> ReviewDay:
    host = circle.school(review.host)
    visiting = [circle.school(s) for s in review.reviewers]
    pupils = host.pupils_in(review.date)
    start, end = (minute_of_day(t) for t in _day(review, pupils))
    # On a weekend (already a warning) nobody's hours limit the day: the guideline, fitted.
    leave = _clamp(minute_of_day(pupils[1]), start, end) if pupils else None
    arrive = _clamp(minute_of_day(pupils[0]), start, leave) if pupils else None
    if pupils:
        morning, afternoon = _sides(leave - start, end - leave)
        visits = ((min(v.start for v in review.visits), max(v.end for v in review.visits))
                  if review.visits else ())
        slots = _fit_morning(morning, start, arrive, leave, visits) + _fit(afternoon, leave, end)
    else:
        slots = _fit(MORNING + TEAM_PARTS, start, end)
    return ReviewDay(
        review=review, pupils=pupils,
        slots=tuple(Slot(part, time_at(a), time_at(b)) for part, a, b in slots),
        fits_pupils=not pupils or leave - arrive >= MIN_SHARE * _total(PUPIL_PARTS),
        fits_after=not pupils or end - leave >= MIN_SHARE * _total(TEAM_PARTS),
        leaders=_names(visiting, "peer_reviewers"), coaches=_names(visiting, "schoolcoaches"),
        chair=_names([circle.school(review.lead)], "peer_reviewers") if review.lead else (),
        host_leaders=_names([host], "peer_reviewers"), host_coaches=_names([host], "schoolcoaches"))


def _day(review: Review, pupils) -> tuple[time, time]:
    """The review's own times; without them the guideline day, long enough after the pupils leave."""
    if review.start:
        return review.start, review.end
    latest = minute_of_day(pupils[1]) + _total(TEAM_PARTS) if pupils else 0
    return STANDARD_DAY[0], max(STANDARD_DAY[1], time_at(latest))


def _sides(morning_room: int, afternoon_room: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The parts before and after the pupils leave: the flexible ones on the side they crowd least."""
    fixed_morning = tuple(p for p in MORNING if p not in FLEXIBLE)
    fixed_afternoon = tuple(p for p in AFTERNOON if p not in FLEXIBLE)

    def tightest(flexible_in_morning: bool) -> float:
        extra = _total(FLEXIBLE)
        return min(morning_room / (_total(fixed_morning) + extra * flexible_in_morning),
                   afternoon_room / (_total(fixed_afternoon) + extra * (not flexible_in_morning)))

    if tightest(True) >= tightest(False):
        return MORNING, fixed_afternoon
    return fixed_morning, AFTERNOON


def _fit_morning(parts, start: int, arrive: int, leave: int, visits: tuple) -> list:
    """The opening from the start, the rest from when pupils are there until they leave.

    Planned visits fix when the visiting happens: the other parts fit around them."""
    opening = [p for p in parts if p in OPENING]
    rest = [p for p in parts if p not in OPENING]
    if visits:
        first, last = (_clamp(minute_of_day(moment), start, leave) for moment in visits)
        later = [p for p in rest if p != "visits"]
        return _fit(opening, start, first) + [("visits", first, last)] + _fit(later, last, leave)
    split = max(start + _on_grid((leave - start) * _total(opening) / _total(parts)), arrive)
    return _fit(opening, start, split) + _fit(rest, split, leave)


def _fit(parts, start: int, end: int, minutes=MINUTES) -> list[tuple[str, int, int]]:
    """Parts in [start, end] (minutes of the day) in the proportions of `minutes`, on the grid."""
    fitted, done, at, total = [], 0, start, _total(parts, minutes)
    for part in parts:
        done += minutes[part]
        until = end if done == total else min(end, start + _on_grid((end - start) * done / total))
        fitted.append((part, at, until))
        at = until
    return fitted


def workshop_outline(workshop: Moment | None) -> dict[str, int]:
    """Minutes of each part of the staff workshop, adding up to its length."""
    length = WORKSHOP_MINUTES
    if workshop is not None and workshop.start is not None:
        length = workshop.length
    return {part: end - start for part, start, end in _fit(list(OUTLINE), 0, length, OUTLINE)}


def _names(schools: list[School], role: str) -> tuple[str, ...]:
    return tuple(person.name for school in schools for person in getattr(school, role))


def _total(parts, minutes=MINUTES) -> int:
    return sum(minutes[part] for part in parts)


def _on_grid(minutes: float) -> int:
    return round(minutes / GRID) * GRID


def _clamp(minutes: int, low: int, high: int) -> int:
    return max(low, min(minutes, high))
