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
from datetime import date, time, timedelta

from handbook_gen.circle.model import Circle, Moment, Person, Review, School, Visit, minute_of_day, time_at

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
# The guideline's minutes for the parts a form guides (domain.md §3): less is a warning.
GUIDELINE = {"pupil_voice": 30, "team": 45}
# A lesson visit while the visits are not planned: about half an hour, with a timed row every
# LOG_STEP minutes on its form.
LESSON_VISIT = 30
LOG_STEP = 5
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

    stacks: tuple["Stack", ...] = ()  # what each visitor gets on the day, in print order

    def minutes(self, part: str) -> int:
        """How many minutes the programme gives a part (0: not in the programme)."""
        return sum(minute_of_day(s.end) - minute_of_day(s.start) for s in self.slots
                   if s.part == part)

    def short_parts(self) -> list[tuple[str, int, int]]:
        """(part, minutes, guideline) of each guided part the programme gives less time."""
        return [(part, self.minutes(part), guide) for part, guide in GUIDELINE.items()
                if 0 < self.minutes(part) < guide]

    @property
    def reviewers(self) -> tuple[str, ...]:
        """Everyone who visits: the reviewer schools' peer reviewers and schoolcoaches."""
        return self.leaders + self.coaches

    @property
    def groups(self) -> list[tuple[str, ...]]:
        """Who visits together while the visits are not planned: each pair (or trio) once."""
        seen: dict[frozenset, tuple[str, ...]] = {}
        for stack in self.stacks:
            members = (stack.person.name, *stack.partners)
            seen.setdefault(frozenset(members), members)
        return list(seen.values())

    @property
    def pairs(self) -> int:
        """How many pairs the visitors make (three together when odd): a learning walk's copies."""
        return max(1, len(self.groups))


@dataclass(frozen=True)
class Sheet:
    """One lesson visit of one visitor: one pre-filled lesbezoek form."""

    number: int  # 1-based, in time order among the visitor's visits
    of: int
    partners: tuple[str, ...]  # the fellow visitors
    visit: Visit | None = None  # None: the visits are not planned yet

    @property
    def rows(self) -> list[time | None]:
        """The times of the form's timed rows: every LOG_STEP minutes of the whole visit."""
        if self.visit is None:
            return [None] * (LESSON_VISIT // LOG_STEP)
        start, end = minute_of_day(self.visit.start), minute_of_day(self.visit.end)
        return [time_at(at) for at in range(start, end, LOG_STEP)]


@dataclass(frozen=True)
class Stack:
    """What one visitor holds on the day: their card and their lesbezoek forms."""

    number: int  # 1-based: the stack's place in the pack, and its page (paths.card_page)
    person: Person
    school: School
    role: str  # peer_reviewer | schoolcoach
    sheets: tuple[Sheet, ...]
    leads: tuple[str, ...]  # the parts of the day this person leads (keys of MINUTES)

    def takes_part(self, part: str) -> bool:
        """Whether this person is in a part of the day: everything but the other role's
        conversation (the schoolcoaches talk with the pupils, the peer reviewers with the team)."""
        other = {"schoolcoach": "team", "peer_reviewer": "pupil_voice"}[self.role]
        return part != other or part in self.leads

    @property
    def partners(self) -> tuple[str, ...]:
        """Everyone this person visits with, in order of first visit."""
        return tuple(dict.fromkeys(n for sheet in self.sheets for n in sheet.partners))


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
    leaders = _names(visiting, "peer_reviewers")
    coaches = _names(visiting, "schoolcoaches")
    chair = _names([circle.school(review.lead)], "peer_reviewers") if review.lead else ()
    visit_minutes = sum(b - a for part, a, b in slots if part == "visits")
    return ReviewDay(
        review=review, pupils=pupils,
        stacks=_stacks(visiting, review, chair, max(1, visit_minutes // LESSON_VISIT)),
        slots=tuple(Slot(part, time_at(a), time_at(b)) for part, a, b in slots),
        fits_pupils=not pupils or leave - arrive >= MIN_SHARE * _total(PUPIL_PARTS),
        fits_after=not pupils or end - leave >= MIN_SHARE * _total(TEAM_PARTS),
        leaders=leaders, coaches=coaches, chair=chair,
        host_leaders=_names([host], "peer_reviewers"), host_coaches=_names([host], "schoolcoaches"))


# Who leads or does which part of the day (see the programme's texts), as MINUTES keys in day
# order: the one home of these roles, for the pack (a visitor's card) and the feeds (person_day).
DUTIES = {
    "chair": ("briefing", "findings", "feedback"),  # the lead school's peer reviewer; sends the report
    "peer_reviewer": ("team",),  # the visiting peer reviewers: the team conversation
    "schoolcoach": ("pupil_voice",),  # the visiting schoolcoaches: the pupils' conversation
    "notes": ("feedback",),  # the lead school's schoolcoach notes the feedback for the report
    "host_leader": ("context", "feedback"),
    "host_coach": ("context", "follow_up", "feedback"),
}


def _stacks(visiting: list[School], review: Review, chair: tuple[str, ...],
            unplanned: int) -> tuple[Stack, ...]:
    """A stack per visitor, school by school: with planned visits each visit of theirs in time
    order; without, `unplanned` numbered visits with the fellow visitor of their pair."""
    people = [(person, school, role) for school in visiting
              for role, group in (("peer_reviewer", school.peer_reviewers),
                                  ("schoolcoach", school.schoolcoaches)) for person in group]
    pairs = _pairs([person.name for person, _, _ in people])
    stacks = []
    for number, (person, school, role) in enumerate(people, start=1):
        if review.visits:
            own = sorted((v for v in review.visits if person.name in v.visitors),
                         key=lambda v: (v.start, v.end, v.group))
            sheets = tuple(Sheet(i, len(own), tuple(n for n in v.visitors if n != person.name), v)
                           for i, v in enumerate(own, start=1))
        else:
            sheets = tuple(Sheet(i, unplanned, pairs[person.name])
                           for i in range(1, unplanned + 1))
        leads = (DUTIES["chair"] if person.name in chair else ()) + DUTIES[role]
        stacks.append(Stack(number, person, school, role, sheets, leads))
    return tuple(stacks)


def _pairs(names: list[str]) -> dict[str, tuple[str, ...]]:
    """Each visitor's fellow visitors while the visits are not planned: pairs of visitors from
    different schools where it can be (the list goes school by school, so the first half pairs
    with the second), three together when the number is odd."""
    half = (len(names) + 1) // 2
    order = [name for pair in zip(names[:half], names[half:] + [None]) for name in pair if name]
    groups = [order[i:i + 2] for i in range(0, len(order), 2)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        last = groups.pop()
        groups[-1] = groups[-1] + last
    return {name: tuple(n for n in group if n != name) for group in groups for name in group}


@dataclass(frozen=True)
class Step:
    key: str  # handbook.day.steps.<key>
    when: date | None  # None: the step's text says when


def preparation_steps(review: Review) -> list[Step]:
    """What the host and the coordinator do before the day, in order, dated from the review day
    (the protocol's advice: the pack goes out two weeks ahead) and the preparation meeting."""
    intake = review.preparation.date if review.preparation else None
    steps = [Step("self_evaluation", intake - timedelta(days=7) if intake else None),
             Step("intake", intake),
             Step("roster", review.date - timedelta(days=21)),
             Step("pack", review.date - timedelta(days=14)),
             Step("inform", review.date - timedelta(days=7)),
             Step("day", review.date)]
    return sorted(steps, key=lambda s: (s.when or review.date - timedelta(days=35)))


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
