"""The typed circle: what validation hands to the schedule, pages and calendars stages.

Every value is already checked and has its defaults resolved: dates are `date`, times are `time`,
optional text is None rather than empty, and lists are tuples so a Circle can be hashed and shared.
The school year and clock times are read and counted here too, so each stage reads them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from handbook_gen.common.i18n import DEFAULT_LANGUAGE

ROLES = ("peer_reviewers", "schoolcoaches", "coordinator")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
# When pupils are in school if the file does not say: most primary schools, short on Wednesday.
_SCHOOL_DAY, _SHORT_DAY = (time(8, 30), time(14, 30)), (time(8, 30), time(12, 15))
DEFAULT_PUPIL_HOURS = (_SCHOOL_DAY, _SCHOOL_DAY, _SHORT_DAY, _SCHOOL_DAY, _SCHOOL_DAY)  # by WEEKDAYS


def clock(text: str) -> time:
    """A checked 'H:MM' or 'HH:MM' as a time."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def minute_of_day(moment: time) -> int:
    """Minutes since midnight: the times of one day as numbers to add and compare."""
    return moment.hour * 60 + moment.minute


def time_at(minute: int) -> time:
    """A minute of the day (since midnight) as a time; past the end of the day, its last minute."""
    return time(*divmod(min(minute, 24 * 60 - 1), 60))


@dataclass(frozen=True)
class SchoolYear:
    """A school year, written "2025-2026": 1 August of `start` up to and including 31 July of `end`."""

    start: int
    end: int  # start + 1 in every checked circle: rules.py refuses any other

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        """'2025-2026' (already in the schema's form) -> SchoolYear(2025, 2026)."""
        start, end = text.split("-")
        return cls(int(start), int(end))

    @classmethod
    def starting(cls, year: int) -> SchoolYear:
        return cls(year, year + 1)

    @property
    def first_day(self) -> date:
        return date(self.start, 8, 1)

    @property
    def last_day(self) -> date:
        return date(self.end, 7, 31)

    @property
    def years(self) -> tuple[int, int]:
        """The two calendar years it spans."""
        return self.start, self.end

    @property
    def next(self) -> SchoolYear:
        return SchoolYear.starting(self.end)

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


@dataclass(frozen=True)
class Person:
    name: str
    email: str | None = None
    phone: str | None = None
    role: str | None = None  # schoolcoaches only: leraar | ib | kc | other


@dataclass(frozen=True)
class Coordinator(Person):
    school: str | None = None  # a school id of the circle


@dataclass(frozen=True)
class School:
    id: str
    name: str
    peer_reviewers: tuple[Person, ...]
    schoolcoaches: tuple[Person, ...]
    holiday_region: str | None  # resolved: the school's own, else the circle's; None: unknown
    city: str | None = None
    address: str | None = None
    focus: str | None = None  # markdown
    study_days: tuple[date, ...] = ()
    reviewed_before: bool = False
    pupil_hours: tuple[tuple[time, time], ...] = DEFAULT_PUPIL_HOURS  # (start, end), monday-friday
    pupil_hours_assumed: bool = False  # True: the file gives none, the usual hours are assumed

    def pupils_in(self, day: date) -> tuple[time, time] | None:
        """When pupils are in school on that day; None on a weekend."""
        return self.pupil_hours[day.weekday()] if day.weekday() < len(WEEKDAYS) else None


@dataclass(frozen=True)
class Moment:
    """When and where something happens: the shared keys of every dated event."""

    date: date
    start: time | None = None  # start and end together, or neither (all-day)
    end: time | None = None
    location: str | None = None
    online: bool = False
    url: str | None = None
    description: str | None = None  # markdown
    cancelled: bool = False

    @property
    def all_day(self) -> bool:
        return self.start is None

    @property
    def length(self) -> int | None:
        """How long it lasts, in minutes; None all day."""
        return None if self.all_day else minute_of_day(self.end) - minute_of_day(self.start)


@dataclass(frozen=True)
class Activity(Moment):
    """A training, meeting or evaluation: a moment with its own id, title and audience."""

    id: str = ""
    title: str = ""
    audience: tuple[str, ...] = ROLES  # a subset of ROLES, in ROLES order


@dataclass(frozen=True)
class Visit:
    """One lesson visit of a review day: who visits which groep, when, in whose lesson."""

    start: time
    end: time
    group: str
    visitors: tuple[str, ...]  # names of peer reviewers or schoolcoaches of the reviewer schools
    teacher: str | None = None


@dataclass(frozen=True)
class Review(Moment):
    """One peer review: the reviewers' peer reviewers visit the host school."""

    id: str = ""
    host: str = ""  # school id
    reviewers: tuple[str, ...] = ()  # school ids, never the host
    lead: str | None = None  # one of reviewers
    focus: str = ""  # markdown; resolved: review's own, else host's focus, else learning question
    preparation: Moment | None = None  # before the review day
    workshop: Moment | None = None  # after the review day
    visits: tuple[Visit, ...] = ()  # in the file's order


@dataclass(frozen=True)
class Theme:
    title: str
    learning_question: str
    description: str | None = None  # markdown
    goals: tuple[str, ...] = ()
    pupil_questions: tuple[str, ...] = ()  # the circle's own; empty: the forms' general ones
    staff_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Circle:
    id: str
    name: str
    board: str
    school_year: SchoolYear
    year: str  # build | embed
    coordinator: Coordinator
    theme: Theme
    schools: tuple[School, ...]
    trainings: tuple[Activity, ...]
    reviews: tuple[Review, ...]
    meetings: tuple[Activity, ...] = ()
    evaluations: tuple[Activity, ...] = ()
    language: str = DEFAULT_LANGUAGE
    timezone: str = "Europe/Amsterdam"
    holiday_region: str | None = None
    site_url: str | None = None  # always ends with "/"
    show_email: bool = True
    public_feed_names: bool = True  # people's names in the feeds at secret addresses
    expert_coach: Person | None = None  # leerKRACHT's expertcoach of the circle
    format: int = 1
    source: Path = field(default=Path("circle.yaml"), compare=False)

    def school(self, school_id: str) -> School:
        return next(school for school in self.schools if school.id == school_id)
