"""One person's part of a review day: their visits and what they lead, from the day's programme.

The programme (review_day.plan_day) gives each part a time and says who leads it; this picks out
what concerns one person, so their own calendar can say it: where to be when, which groep they
visit with whom, and their role (the lead school's peer reviewer chairs; visiting peer reviewers
hold the team conversation, visiting schoolcoaches the pupils' conversation; the host's people
tell about the school and receive the feedback). Texts are in locale/<lang>/calendars.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass

from handbook_gen.circle.model import Circle, Review, School, Visit
from handbook_gen.year.review_day import DUTIES, ReviewDay, Slot, plan_day
from handbook_gen.year.schedule import identity


@dataclass(frozen=True)
class Task:
    key: str  # "<role>.<part>": its text is calendars.person.tasks.<role>.<part>
    slot: Slot
    others: tuple[str, ...]  # who else leads it with this person


@dataclass(frozen=True)
class PersonDay:
    name: str
    school: School
    role: str  # chair | peer_reviewer | schoolcoach | host_leader | host_coach
    arrive: Slot  # the first part this person is at
    visits: tuple[Visit, ...]  # their lesson visits, in time order
    tasks: tuple[Task, ...]  # what they lead or do, in time order
    day: ReviewDay

    def fellow_visitors(self, visit: Visit) -> tuple[str, ...]:
        return tuple(name for name in visit.visitors if name != self.name)


def person_day(circle: Circle, review: Review, key: str,
               day: ReviewDay | None = None) -> PersonDay | None:
    """The part of the person with this identity (schedule.identity) in the review; None if none.
    `day`: the review's planned day, when the caller already has it."""
    found = _find(circle, review, key)
    if found is None:
        return None
    school, name, is_coach = found
    day = day or plan_day(circle, review)
    slots = {slot.part: slot for slot in day.slots}
    roles = _roles(review, school, is_coach)
    tasks = []
    for role in roles:
        for part in DUTIES[role]:
            if part in slots:
                tasks.append(Task(f"{role}.{part}", slots[part], _others(day, role, name)))
    tasks.sort(key=lambda task: (task.slot.start, task.key))
    first = "context" if school.id == review.host else "briefing"
    visits = tuple(sorted((v for v in review.visits if name in v.visitors),
                          key=lambda v: (v.start, v.group)))
    return PersonDay(name, school, roles[0], slots.get(first, day.slots[0]), visits,
                     tuple(tasks), day)


def _find(circle: Circle, review: Review, key: str):
    """(school, name, is_schoolcoach) of the person in the review's host or reviewer schools."""
    for school_id in (review.host, *review.reviewers):
        school = circle.school(school_id)
        for is_coach, people in ((False, school.peer_reviewers), (True, school.schoolcoaches)):
            for person in people:
                if identity(person) == key:
                    return school, person.name, is_coach
    return None


def _roles(review: Review, school: School, is_coach: bool) -> list[str]:
    """The person's roles, the main one first."""
    if school.id == review.host:
        return ["host_coach" if is_coach else "host_leader"]
    if is_coach:
        return ["schoolcoach", "notes"] if school.id == review.lead else ["schoolcoach"]
    return ["chair", "peer_reviewer"] if school.id == review.lead else ["peer_reviewer"]


def _others(day: ReviewDay, role: str, name: str) -> tuple[str, ...]:
    together = {"peer_reviewer": day.leaders, "schoolcoach": day.coaches, "chair": day.chair,
                "host_leader": day.host_leaders + day.host_coaches,
                "host_coach": day.host_leaders + day.host_coaches}.get(role, ())
    return tuple(other for other in together if other != name)
