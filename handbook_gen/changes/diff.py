"""Two versions of a circle -> what the change does to people, one record per change.

The validated circles and their schedules are compared, never the YAML text: comments, the order
of keys and quoting give no record. Records are data; diff_report.py puts them into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from icalendar import Calendar

from handbook_gen.calendars import feeds as calendars
from handbook_gen.site import paths
from handbook_gen.circle.model import Circle, Moment, Person, Review
from handbook_gen.circle.problems import WARNING, Problem, one_line
from handbook_gen.year.schedule import Event, Schedule, plan
from handbook_gen.circle.validate import Checked

ACTIVITY_KINDS = ("training", "meeting", "evaluation")  # events with their own title and audience
CIRCLE_FIELDS = ("name", "board", "school_year", "year", "language", "timezone", "holiday_region",
                 "site_url", "show_email", "public_feed_names")


@dataclass(frozen=True)
class Change:
    kind: str  # a key under `diff.changes` in the locale files: "event.moved"
    subject: str  # what changed, by id: an event id, school id, person, feed file, warning code
    label: Any = ""  # how the message names it: an event title, a school name, a Word
    old: Any = None
    new: Any = None


class Word(str):
    """A label that is itself translated: Word("fields.board") -> "bestuur"."""


class Roles(tuple):
    """An audience: role keys (peer_reviewers, schoolcoaches, coordinator)."""


@dataclass(frozen=True)
class Place:
    """One of a person's places in the circle: a role at a school."""

    role: str  # peer_reviewers | schoolcoaches
    school_id: str
    school: str = field(compare=False)  # its name: a renamed school moves nobody


@dataclass(frozen=True)
class Venue:
    """Where an event happens, as people would go there."""

    location: str | None
    online: bool
    url: str | None


def compare(old: Checked | None, new: Checked | None) -> list[Change]:
    """What changes from `old` to `new` (None: the file is new, or was deleted); both validated."""
    if old is None:
        circle = new.circle
        added = _events(circle, (), circle, plan(circle).events)
        return [Change("circle.added", circle.id, circle.name), *added, *_warnings([], new.problems)]
    if new is None:
        circle = old.circle
        removed = _events(circle, plan(circle).events, circle, ())
        return [Change("circle.removed", circle.id, circle.name), *removed]
    before, after = old.circle, new.circle
    schedule_before, schedule_after = plan(before), plan(after)
    return [*_circle_fields(before, after), *_coordinator(before.coordinator, after.coordinator),
            *_expert_coach(before.expert_coach, after.expert_coach),
            *_schools(before, after), *_people(before, after),
            *_events(before, schedule_before.events, after, schedule_after.events),
            *_feeds(before, schedule_before, after, schedule_after),
            *_warnings(old.problems, new.problems)]


# --- the circle, its schools and people -------------------------------------------------------


def _field(subject: str, old, new) -> list[Change]:
    return [Change("field", subject, Word(f"fields.{subject}"), old, new)] if old != new else []


def _circle_fields(before: Circle, after: Circle) -> list[Change]:
    changes = []
    for name in CIRCLE_FIELDS:
        changes += _field(name, _shown_field(before, name), _shown_field(after, name))
    for name in ("title", "learning_question"):
        changes += _field(f"theme.{name}", getattr(before.theme, name), getattr(after.theme, name))
    for name in ("description", "goals", "pupil_questions", "staff_questions"):
        if getattr(before.theme, name) != getattr(after.theme, name):
            changes.append(Change("field_text", f"theme.{name}", Word(f"fields.theme.{name}")))
    return changes


def _shown_field(circle: Circle, name: str):
    value = getattr(circle, name)
    return str(value) if name == "school_year" else value


def _coordinator(before: Person, after: Person) -> list[Change]:
    if before.name != after.name:
        return [Change("coordinator", "coordinator", Word("coordinator"), before.name, after.name)]
    return _contact(before, after)


def _expert_coach(before: Person | None, after: Person | None) -> list[Change]:
    names = (before.name if before else None, after.name if after else None)
    if names[0] != names[1]:
        return [Change("expert_coach", "expert_coach", Word("expert_coach"), *names)]
    return _contact(before, after) if before else []


def _contact(before: Person, after: Person) -> list[Change]:
    return [Change(f"person.{name}", after.name, after.name, getattr(before, name), getattr(after, name))
            for name in ("email", "phone") if getattr(before, name) != getattr(after, name)]


def _schools(before: Circle, after: Circle) -> list[Change]:
    old = {school.id: school for school in before.schools}
    new = {school.id: school for school in after.schools}
    changes = [Change("school.added", school.id, school.name) for school in after.schools
               if school.id not in old]
    changes += [Change("school.removed", school.id, school.name) for school in before.schools
                if school.id not in new]
    changes += [Change("school.renamed", school.id, school.name, old[school.id].name, school.name)
                for school in after.schools
                if school.id in old and old[school.id].name != school.name]
    return changes


def _team(circle: Circle) -> dict[str, tuple[Person, tuple[Place, ...]]]:
    """Everyone at the schools, by name (case and spaces aside), with their places."""
    team: dict[str, tuple[Person, tuple[Place, ...]]] = {}
    for school in circle.schools:
        for role in ("peer_reviewers", "schoolcoaches"):
            for person in getattr(school, role):
                key = " ".join(person.name.lower().split())
                first, places = team.get(key, (person, ()))
                team[key] = (first, places + (Place(role, school.id, school.name),))
    return team


def _people(before: Circle, after: Circle) -> list[Change]:
    old, new = _team(before), _team(after)
    # Someone whose name changed is recognised by the same e-mail address.
    by_email = {person.email.lower(): key for key, (person, _) in old.items()
                if person.email and key not in new}
    changes = []
    matched = set()
    for key, (person, places) in new.items():
        was_key = key if key in old else by_email.get((person.email or "").lower())
        if was_key is None:
            changes.append(Change("person.added", person.name, person.name, new=places))
            continue
        matched.add(was_key)
        was, was_places = old[was_key]
        if was.name != person.name:
            changes.append(Change("person.renamed", person.name, person.name, was.name, person.name))
        if was_places != places:
            changes.append(Change("person.places", person.name, person.name, was_places, places))
        changes += _contact(was, person)
    changes += [Change("person.removed", person.name, person.name, old=places)
                for key, (person, places) in old.items() if key not in matched]
    return changes


# --- events ---------------------------------------------------------------------------------


def _events(before: Circle, old: tuple[Event, ...], after: Circle, new: tuple[Event, ...]) -> list[Change]:
    """In the new date order; the removed ones after, in the old."""
    was = {event.id: event for event in old}
    ids = {event.id for event in new}
    changes = []
    for event in new:
        if event.id in was:
            changes += _event(was[event.id], event)
            if event.kind == "review":
                changes += _review(before, was[event.id].review, after, event.review, event.title)
        else:
            changes.append(Change("event.added", event.id, event.title, new=event.moment))
    changes += [Change("event.removed", event.id, event.title, old=event.moment)
                for event in old if event.id not in ids]
    return changes


def _event(was: Event, event: Event) -> list[Change]:
    def change(kind, old=None, new=None) -> Change:
        return Change(f"event.{kind}", event.id, event.title, old, new)

    changes = []
    if was.cancelled != event.cancelled:
        changes.append(change("cancelled" if event.cancelled else "restored", new=event.moment))
    if (was.date, was.start) != (event.date, event.start):
        changes.append(change("moved", was.moment, event.moment))
    # A move that keeps an event's length says nothing of its end.
    if was.end and event.end and was.end != event.end and was.moment.length != event.moment.length:
        changes.append(change("end", was.end, event.end))
    if event.kind in ACTIVITY_KINDS and was.title != event.title:
        changes.append(change("retitled", was.title, event.title))
    if _venue(was.moment) != _venue(event.moment):
        changes.append(change("relocated", _venue(was.moment), _venue(event.moment)))
    if was.roles != event.roles:
        changes.append(change("audience", Roles(was.roles), Roles(event.roles)))
    if was.moment.description != event.moment.description:
        changes.append(change("description"))
    return changes


def _venue(moment: Moment) -> Venue:
    return Venue(moment.location, moment.online, moment.url if moment.online else None)


def _review(before: Circle, was: Review, after: Circle, review: Review, title: str) -> list[Change]:
    """Who visits whom, who leads and what they look at; compared by school id, shown by name."""
    def names(circle: Circle, ids) -> tuple[str, ...]:
        return tuple(circle.school(school_id).name for school_id in ids if school_id)

    compared = (("host", (was.host,), (review.host,)),
                ("reviewers", was.reviewers, review.reviewers),
                ("lead", (was.lead,), (review.lead,)))
    changes = [Change(f"review.{kind}", review.id, title, names(before, old), names(after, new))
               for kind, old, new in compared if old != new]
    if was.focus != review.focus:
        changes.append(Change("review.focus", review.id, title, one_line(was.focus), one_line(review.focus)))
    if was.visits != review.visits:  # the named programme: the visitors' day changes
        changes.append(Change("review.visits", review.id, title, len(was.visits), len(review.visits)))
    return changes


# --- feeds and warnings -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Published:
    """One feed as it would be published: its bytes, and each event's part by UID."""

    feed: calendars.Feed
    content: bytes
    events: dict[str, bytes]


def _published(circle: Circle, schedule: Schedule) -> dict[str, _Published]:
    files = calendars.render(circle, schedule)
    found = {}
    for feed in calendars.feeds(circle):
        events = Calendar.from_ical(files[feed.file]).walk("VEVENT")
        found[feed.file] = _Published(feed, files[feed.file], {str(e["UID"]): e.to_ical() for e in events})
    return found


def _feeds(before: Circle, old_schedule: Schedule, after: Circle, new_schedule: Schedule) -> list[Change]:
    """The shared feeds one by one; the personal ones in one line per kind of change: there are
    as many as there are people, and who gets a changed calendar is what matters."""
    old = _published(before, old_schedule)
    new = _published(after, new_schedule)
    changes = []
    people: dict[tuple, tuple[str, ...]] = {}  # (kind, events differing) -> owners of personal feeds
    for file, published in new.items():
        kind, differing = _feed_change(old.get(file), published)
        if kind is None:
            continue
        if published.feed.person:
            key = (kind, differing)
            people[key] = people.get(key, ()) + (published.feed.owner,)
        else:
            name = PurePosixPath(file).name  # "circle.ics", as the calendars page lists it
            changes.append(Change(f"feed.{kind}", file, name, new=differing))
    removed = [published.feed for file, published in old.items() if file not in new]
    changes += [Change("feed.removed", feed.file, PurePosixPath(feed.file).name)
                for feed in removed if not feed.person]
    if any(feed.person for feed in removed):
        people[("removed", 0)] = tuple(feed.owner for feed in removed if feed.person)
    changes += [Change(f"feed.people.{kind}", paths.PEOPLE_FEEDS, differing, new=owners)
                for (kind, differing), owners in people.items()]
    return changes


def _feed_change(old: _Published | None, new: _Published) -> tuple[str | None, int]:
    """How a feed changes ("added", "changed", "described" or None) and in how many events."""
    if old is None:
        return "added", len(new.events)
    if old.content == new.content:
        return None, 0
    differing = sum(old.events.get(uid) != new.events.get(uid) for uid in set(old.events) | set(new.events))
    return ("changed" if differing else "described"), differing


def _warning_key(problem: Problem) -> tuple:
    """A warning regardless of where it stands in the file: a moved line is the same warning."""
    return problem.code, tuple(sorted((name, one_line(value)) for name, value in problem.params.items()))


def _warnings(old: list[Problem], new: list[Problem]) -> list[Change]:
    old = [p for p in old if p.severity == WARNING]
    new = [p for p in new if p.severity == WARNING]
    before = {_warning_key(p) for p in old}
    after = {_warning_key(p) for p in new}
    return ([Change("warning.added", p.code, new=p) for p in new if _warning_key(p) not in before]
            + [Change("warning.resolved", p.code, old=p) for p in old if _warning_key(p) not in after])
