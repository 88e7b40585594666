"""Events -> iCalendar feeds: the whole circle, one per role, one per school, one per event."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import catalog
from .model import Circle
from .schedule import Event, Schedule

FEED_DIR = "calendars"


@dataclass(frozen=True)
class Feed:
    file: str  # relative to the handbook root: "calendars/peer-reviewers.ics"
    name: str  # what people see in their calendar app: "LtS Cirkel Noord — peer reviewers"
    description: str
    role: str | None = None  # the feed of one role
    school: str | None = None  # the feed of one school (its id)

    def events(self, schedule: Schedule) -> tuple[Event, ...]:
        if self.role:
            return schedule.for_role(self.role)
        if self.school:
            return schedule.for_school(self.school)
        return schedule.events


def feeds(circle: Circle) -> list[Feed]:
    """Every feed of a circle, in the order the calendars page lists them."""
    texts = catalog(circle.language)

    def feed(file, who, **kind) -> Feed:
        name = texts.text("calendars.feed_name", circle=circle.name, who=who)
        description = texts.text("calendars.feed_description", who=who, circle=circle.name,
                                 board=circle.board)
        return Feed(f"{FEED_DIR}/{file}", name, description, **kind)

    found = [feed("circle.ics", texts.text("calendars.whole_circle"))]
    found += [feed(f"{role.replace('_', '-')}.ics", texts.text(f"calendars.roles.{role}"), role=role)
              for role in ("peer_reviewers", "schoolcoaches")]
    found += [feed(f"school-{school.id}.ics", school.name, school=school.id) for school in circle.schools]
    return found


def event_path(event: Event) -> str:
    """The file that holds one event, for "zet in mijn agenda" links."""
    return f"{FEED_DIR}/events/{event.id}.ics"


def subscribe_url(circle: Circle, feed: Feed) -> str | None:
    """webcal:// link for subscribing; None when the circle has no site_url to publish under."""
    if not circle.site_url:
        return None
    scheme, rest = circle.site_url.split("://", 1)
    return f"webcal://{rest}{circle.id}/{feed.file}"
