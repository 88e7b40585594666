"""Circle -> the year's events, each with who takes part and a UID that never changes.

Also the checks that need the whole year: weekends, public and school holidays, study days, and
people who would have to be in two places at once. Those are warnings: schools deviate from the
advisory dates, and the coordinator knows best.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from itertools import combinations

from handbook_gen.year import holiday_data
from handbook_gen.site import paths
from handbook_gen.common.i18n import catalog
from handbook_gen.circle.model import Activity, Circle, Moment, Person, Review
from handbook_gen.circle.problems import WARNING, Problem
from handbook_gen.year.review_day import plan_day

UID_DOMAIN = "lts-handbook"
KIND_ORDER = ("training", "meeting", "preparation", "review", "workshop", "evaluation")
REVIEW_ROLES = ("peer_reviewers", "schoolcoaches")


@dataclass(frozen=True)
class Event:
    uid: str  # from the circle id and event id alone: stable across builds and feeds
    id: str  # unique in the circle: an event id, or "<review-id>.preparation" / ".workshop"
    kind: str  # one of KIND_ORDER
    title: str  # in the handbook's language
    moment: Moment  # date, times, location, online, url, description, cancelled
    roles: tuple[str, ...]  # subset of ROLES, in ROLES order
    schools: tuple[str, ...]  # ids of the schools that take part, in circle order
    path: tuple  # where the event stands in the circle file
    review: Review | None = None  # the review a review, preparation or workshop belongs to

    @property
    def date(self) -> date:
        return self.moment.date

    @property
    def start(self) -> time | None:
        return self.moment.start

    @property
    def end(self) -> time | None:
        return self.moment.end

    @property
    def cancelled(self) -> bool:
        return self.moment.cancelled

    @property
    def page(self) -> str:
        """The source of the handbook page that tells about this event, with its anchor there."""
        if self.review is not None:
            return paths.review_page(self.review.id)
        return f"{paths.page('planning')}#{self.id}"

    def sort_key(self) -> tuple:
        start = self.start or time.min
        return (self.date, not self.moment.all_day, start, KIND_ORDER.index(self.kind), self.id)


@dataclass(frozen=True)
class Schedule:
    events: tuple[Event, ...]
    problems: tuple[Problem, ...]  # at their paths: validate places them in the file

    def for_role(self, role: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if role in e.roles)

    def for_school(self, school_id: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if school_id in e.schools)


def uid(circle_id: str, event_id: str) -> str:
    return f"{event_id}@{circle_id}.{UID_DOMAIN}"


def plan(circle: Circle) -> Schedule:
    """All events of the circle in date order, and the warnings about their dates (at their paths)."""
    events = sorted(_events(circle), key=Event.sort_key)
    problems = (_date_warnings(circle, events) + _overlap_warnings(circle, events)
                + _day_warnings(circle, events))
    return Schedule(tuple(events), tuple(problems))


def _events(circle: Circle):
    texts = catalog(circle.language)
    everyone = tuple(school.id for school in circle.schools)
    # Evaluations are for everyone: validation gives them the whole team as audience.
    for group, kind in (("trainings", "training"), ("meetings", "meeting"),
                        ("evaluations", "evaluation")):
        for index, activity in enumerate(getattr(circle, group)):
            yield _activity_event(circle, kind, activity, (group, index), everyone)
    for index, review in enumerate(circle.reviews):
        host = circle.school(review.host)
        visiting = tuple(s.id for s in circle.schools if s.id == review.host or s.id in review.reviewers)
        path = ("reviews", index)
        at_host = host.address or ", ".join(filter(None, (host.name, host.city)))
        day = Moment(**{**_moment_fields(review), "location": review.location or at_host})
        yield Event(uid(circle.id, review.id), review.id, "review",
                    texts.text("events.review", host=host.name), day, REVIEW_ROLES, visiting,
                    path, review)
        if review.preparation:
            event_id = f"{review.id}.preparation"
            yield Event(uid(circle.id, event_id), event_id, "preparation",
                        texts.text("events.preparation", host=host.name),
                        _cancelled_with(review.preparation, review), REVIEW_ROLES, visiting,
                        path + ("preparation",), review)
        if review.workshop:
            event_id = f"{review.id}.workshop"
            workshop = review.workshop
            if not workshop.location and not workshop.online:
                workshop = Moment(**{**_moment_fields(workshop), "location": at_host})
            yield Event(uid(circle.id, event_id), event_id, "workshop",
                        texts.text("events.workshop", host=host.name),
                        _cancelled_with(workshop, review), ("schoolcoaches",), (host.id,),
                        path + ("workshop",), review)


def _moment_fields(moment: Moment) -> dict:
    return {name: getattr(moment, name) for name in Moment.__dataclass_fields__}


def _cancelled_with(moment: Moment, review: Review) -> Moment:
    """A cancelled review takes its preparation and workshop with it."""
    if review.cancelled and not moment.cancelled:
        return Moment(**{**_moment_fields(moment), "cancelled": True})
    return moment


def _activity_event(circle, kind, activity: Activity, path, everyone) -> Event:
    return Event(uid(circle.id, activity.id), activity.id, kind, activity.title,
                 Moment(**_moment_fields(activity)), activity.audience, everyone, path)


def people(circle: Circle, event: Event) -> list[Person]:
    """Everyone expected at an event, in a stable order."""
    found: list[Person] = []
    for school in circle.schools:
        if school.id not in event.schools:
            continue
        if "peer_reviewers" in event.roles:
            found.extend(school.peer_reviewers)
        if "schoolcoaches" in event.roles:
            found.extend(school.schoolcoaches)
    if "coordinator" in event.roles:
        found.append(circle.coordinator)
    return found


def identity(person: Person) -> str:
    """Who a person is across schools and roles: their e-mail address, else their name."""
    return (person.email or person.name).strip().lower()


def _warning(event: Event, code: str, **params) -> Problem:
    return Problem(WARNING, code, path=event.path + ("date",), params={"event": event.title, **params})


def _date_warnings(circle: Circle, events: list[Event]) -> list[Problem]:
    texts = catalog(circle.language)
    years = circle.school_year.years
    language = "nl" if circle.language == "nl" else "en_US"
    public = holiday_data.public(years, language)
    problems = []
    for event in events:
        if event.cancelled:
            continue
        day = event.date
        when = texts.long_date(day)
        if day.weekday() >= 5:
            problems.append(_warning(event, "dates.weekend", date=when))
        if day in public:
            problems.append(_warning(event, "dates.public_holiday", date=when, holiday=public[day]))
        in_holiday: dict[tuple[str, str], list[str]] = {}  # (holiday, region) -> school names
        for school in (circle.school(s) for s in event.schools):
            if school.holiday_region:
                vacation = holiday_data.school(school.holiday_region, years, language).get(day)
                if vacation:
                    in_holiday.setdefault((vacation, school.holiday_region), []).append(school.name)
            if day in school.study_days:
                problems.append(_warning(event, "dates.study_day", date=when, school=school.name))
        # One warning per holiday and region, naming its schools: not one per school.
        for (vacation, region), names in sorted(in_holiday.items()):
            problems.append(_warning(event, "dates.school_holiday", date=when, holiday=vacation,
                                     region=region, school=texts.series(names)))
    return problems


def _overlap(first: Event, second: Event) -> bool:
    if first.date != second.date:
        return False
    if first.moment.all_day or second.moment.all_day:
        return True
    return first.start < second.end and second.start < first.end


def _overlap_warnings(circle: Circle, events: list[Event]) -> list[Problem]:
    live = [e for e in events if not e.cancelled]
    attendees = {e.id: {identity(p): p.name for p in people(circle, e)} for e in live}
    problems = []
    for first, second in combinations(live, 2):
        if not _overlap(first, second):
            continue
        shared = sorted(set(attendees[first.id]) & set(attendees[second.id]))
        if shared:
            names = catalog(circle.language).series([attendees[first.id][key] for key in shared])
            problems.append(_warning(second, "dates.overlap", people=names, other=first.title,
                                     date=catalog(circle.language).long_date(second.date)))
    return problems


def _day_warnings(circle: Circle, events: list[Event]) -> list[Problem]:
    """A review whose own times leave no room for its pupils' parts, or for its team's parts."""
    problems = []
    for event in events:
        if event.kind != "review" or event.cancelled or event.start is None:
            continue
        day = plan_day(circle, event.review)
        for fits, code in ((day.fits_pupils, "rules.no_room_for_pupils"),
                           (day.fits_after, "rules.no_room_after_pupils")):
            if not fits:  # only on a weekday: day.pupils is known
                problems.append(Problem(WARNING, code, path=event.path + ("start",), params={
                    "start": event.start.strftime("%H:%M"), "end": event.end.strftime("%H:%M"),
                    "pupils": "–".join(t.strftime("%H:%M") for t in day.pupils)}))
        if day.fits_pupils and day.fits_after:  # else the warning above says it already
            problems += _short_part_warnings(event, day)
    return problems


def _short_part_warnings(event: Event, day) -> list[Problem]:
    """A conversation the programme gives less time than the guideline (domain.md §3)."""
    return [Problem(WARNING, f"rules.short_{part}", path=event.path + ("end",), params={
        "start": event.start.strftime("%H:%M"), "end": event.end.strftime("%H:%M"),
        "minutes": minutes, "guideline": guideline})
        for part, minutes, guideline in day.short_parts()]
