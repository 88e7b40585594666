"""Events -> iCalendar feeds: the whole circle, one per role, one per school, one per event.

The feeds are published files that calendar apps subscribe to (METHOD:PUBLISH), so what matters
is that every client reads the times right and recognises an event it has seen before:
- times are local to the circle's time zone, with a VTIMEZONE written the way Outlook, Apple,
  Google and Thunderbird all read it (yearly RRULEs, see `vtimezone`);
- an event's UID comes from the circle id and event id alone, so a new title or date updates the
  event in people's calendars instead of adding a second one;
- nothing depends on the clock: two builds of the same circle give the same bytes.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from anyascii import anyascii
from icalendar import (Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress,
                       vDuration, vText)
from icalendar import Event as VEvent

from handbook_gen.site import paths
from handbook_gen.circle import rules
from handbook_gen.common.i18n import catalog
from handbook_gen.circle.model import Circle, Moment, SchoolYear
from handbook_gen.year.person_day import PersonDay, person_day
from handbook_gen.common.reproducible import source_date
from handbook_gen.year.review_day import ReviewDay, plan_day
from handbook_gen.year.schedule import Event, Schedule, identity, people


@dataclass(frozen=True)
class Feed:
    file: str  # relative to the handbook root: "calendars/peer-reviewers.ics"
    name: str  # what people see in their calendar app: "LtS Cirkel Noord — peer reviewers"
    description: str
    role: str | None = None  # the feed of one role
    school: str | None = None  # the feed of one school (its id)
    person: str | None = None  # the feed of one person: their identity (e-mail, else name)
    owner: str | None = None  # that person's name, for the handbook's "Mijn agenda"
    everything: bool = False  # the coordinator's own feed: every event, the others' for information

    def events(self, circle: Circle, schedule: Schedule) -> tuple[Event, ...]:
        if self.role:
            return schedule.for_role(self.role)
        if self.school:
            return schedule.for_school(self.school)
        if self.person and not self.everything:
            return tuple(e for e in schedule.events if self.attends(circle, e))
        return schedule.events

    def attends(self, circle: Circle, event: Event) -> bool:
        """Whether this person's feed's owner takes part (True for every feed of no one person)."""
        return self.person is None or self.person in {identity(p) for p in people(circle, event)}


@dataclass(frozen=True)
class Version:
    """How often an event changed in what a calendar shows, and when last (from git history)."""

    sequence: int
    changed: datetime


def feeds(circle: Circle) -> list[Feed]:
    """Every feed of a circle, in the order the calendars page lists them."""
    texts = catalog(circle.language)

    def feed(file, who, **kind) -> Feed:
        name = texts.text("calendars.feed_name", circle=circle.name, who=who)
        description = texts.text("calendars.feed_description", who=who, circle=circle.name,
                                 board=circle.board)
        return Feed(file, name, description, **kind)

    found = [feed(paths.CIRCLE_FEED, texts.text("calendars.whole_circle"))]
    found += [feed(paths.role_feed(role), texts.text(f"calendars.roles.{role}"), role=role)
              for role in ("peer_reviewers", "schoolcoaches")]
    found += [feed(paths.school_feed(school.id), school.name, school=school.id)
              for school in circle.schools]
    return found + person_feeds(circle)


def person_feeds(circle: Circle) -> list[Feed]:
    """One feed per person of the LtS-team: the events they attend, by role and school.

    The file name comes from the name ("Fatima el Amrani" -> people/fatima-el-amrani.ics); when
    two people would get the same name, the later one in the circle file gets "-2", "-3", ….
    A person named under two schools with the same e-mail address is one person with one feed.
    """
    texts = catalog(circle.language)
    members = [person for school in circle.schools
               for person in (*school.peer_reviewers, *school.schoolcoaches)] + [circle.coordinator]
    # The coordinator keeps the planning: their feed holds every event (also when they are on a
    # school's team), the ones they do not attend marked as free time.
    coordinator = identity(circle.coordinator)
    found, taken = [], set()
    for person in members:
        key = identity(person)
        if any(feed.person == key for feed in found):
            continue
        stem = _file_stem(person.name)
        name, number = stem, 1
        while name in taken:
            number += 1
            name = f"{stem}-{number}"
        taken.add(name)
        found.append(Feed(paths.person_feed(name),
                          texts.text("calendars.feed_name", circle=circle.name, who=person.name),
                          texts.text("calendars.coordinator_description" if key == coordinator
                                     else "calendars.person_description", who=person.name,
                                     circle=circle.name, board=circle.board),
                          person=key, owner=person.name, everything=key == coordinator))
    return found


# Appended to a file name Windows refuses ("con", "nul", …): people/con-persoon.ics.
RESERVED_SUFFIX = "-persoon"


def _file_stem(name: str) -> str:
    """'Fatima el Amrani' -> 'fatima-el-amrani', 'Özlem Yıldız' -> 'ozlem-yildiz': every letter
    written in ASCII by anyascii (ı -> i, ø -> o, ß -> ss), never empty, never a name Windows
    refuses. An ASCII name keeps the stem it always had: people subscribed to that address."""
    ascii_name = anyascii(unicodedata.normalize("NFC", name))
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "persoon"
    return stem if rules.portable(stem) else stem + RESERVED_SUFFIX


def feed_url(circle: Circle, feed: Feed) -> str | None:
    """The feed's published address (https:// or http://, as site_url); None without site_url."""
    return paths.published(circle.site_url, circle.id, feed.file) if circle.site_url else None


def subscribe_url(circle: Circle, feed: Feed) -> str | None:
    """webcal:// link for subscribing (Apple); None when the circle has no site_url."""
    address = feed_url(circle, feed)
    return "webcal://" + address.split("://", 1)[1] if address else None


INTRANET_SUFFIXES = (".local", ".lan", ".internal", ".intranet", ".corp", ".home.arpa", ".localdomain")


def intranet_only(site_url: str) -> bool:
    """True when the site's host cannot be on the internet: a private address or a local name.

    Google and Outlook on the web fetch feeds from their own servers, which never reach such
    a host. A public name may still be intranet-only; the calendars page says that too."""
    host = urlsplit(site_url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host.endswith(INTRANET_SUFFIXES)
    return not address.is_global


# --- Rendering ---------------------------------------------------------------------------------

PRODID = "-//handbook-gen//Leren tussen Scholen//NL"
REFRESH = timedelta(hours=12)  # how often a subscribed client should fetch a feed again
# Tried only where an address can start (not inside a run of its signs): linear on any text.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def render(circle: Circle, schedule: Schedule,
           versions: Mapping[str, Version] | None = None) -> dict[str, bytes]:
    """Every feed of the circle, then one file per event: {path relative to the handbook: .ics}.

    `versions` (by UID, from the circle file's git history) give each event its SEQUENCE and
    DTSTAMP; without them, `_sequence` and `build_stamp` decide."""
    components = _Components(circle, _versions(circle, schedule, versions))
    files = {feed.file: components.calendar(feed.events(circle, schedule), feed)
             for feed in feeds(circle)}
    for event in schedule.events:
        # No NAME here: an app that imports this file should add the event, not a new calendar.
        files[paths.event_feed(event.id)] = components.calendar((event,))
    return files


def render_public(circle: Circle, schedule: Schedule, versions: Mapping[str, Version] | None,
                  address) -> dict[str, bytes]:
    """The circle's feeds for a public host, each under the file name `address(feed)` gives
    (public_feeds: a token, never a name): the same events with the same UIDs as the handbook's
    feeds, without e-mail addresses, phone numbers or organizer, and without people's names
    when the circle file says so (public_feed_names: false). No per-event files."""
    redaction = Redaction.of(circle)
    components = _Components(circle, _versions(circle, schedule, versions), redaction)
    files = {}
    for feed in feeds(circle):
        shown = redaction.feed(circle, feed)
        files[address(feed)] = components.calendar(feed.events(circle, schedule), shown)
    return dict(sorted(files.items()))


def _versions(circle: Circle, schedule: Schedule,
              versions: Mapping[str, Version] | None) -> dict[str, Version]:
    stamp = build_stamp(circle)
    return {e.uid: (versions[e.uid] if versions and e.uid in versions
                    else Version(_sequence(e), stamp)) for e in schedule.events}


# A phone number in free text: digits with the marks people write between them ("06-1234 5678",
# "+31 (0)30 123 45 67"); phone_like decides on the number of digits.
PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-.()/]{4,20}\d(?!\w)")
URL = re.compile(r"\b(?:https?|webcal)://\S+", re.IGNORECASE)


def phone_digits(text: str) -> str:
    """A phone number as its digits, the Dutch country code written as a leading 0:
    '+31 6 1234 5678', '0031612345678' and '06-12345678' are all '0612345678'."""
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    if text.lstrip().startswith("+"):
        digits = "00" + digits
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    return digits


DATE = re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b")  # 01-09-2025, 1/9/25


def phone_like(match: re.Match) -> bool:
    """Ten digits or more (a Dutch number has ten; fewer is a postcode or a year), and not a date
    or a date and time ('01-09-2025 09:00')."""
    text = match.group()
    if DATE.search(text) or match.string[match.end():match.end() + 1] == ":":
        return False
    return 10 <= len(re.sub(r"\D", "", text)) <= 14


def known_phones(circle: Circle) -> set[str]:
    """The phone numbers the circle file holds, as phone_digits."""
    return {phone_digits(p.phone) for p in _everyone(circle) if p.phone and len(phone_digits(p.phone)) >= 6}


def known_emails(circle: Circle) -> set[str]:
    """The e-mail addresses the circle file holds, in lower case."""
    return {p.email.strip().lower() for p in _everyone(circle) if p.email}


def _everyone(circle: Circle) -> list:
    """The people of the circle file: the team, the coordinator and the expert coach."""
    members = [circle.coordinator, *(p for s in circle.schools for p in (*s.peer_reviewers, *s.schoolcoaches))]
    return members + ([circle.expert_coach] if circle.expert_coach else [])


@dataclass(frozen=True)
class Redaction:
    """What the feeds at secret addresses leave out: every e-mail address and phone number
    (whatever show_email says: anyone with the link reads them), and people's names when the
    circle file sets public_feed_names: false."""

    language: str
    names: bool
    known_names: tuple[str, ...]  # longest first: "Anna de Vries" before "Anna"
    phones: frozenset[str]  # the circle's, as phone_digits

    @classmethod
    def of(cls, circle: Circle) -> Redaction:
        return cls(circle.language, circle.public_feed_names,
                   tuple(sorted(set(person_names(circle)), key=lambda n: (-len(n), n))),
                   frozenset(known_phones(circle)))

    def clean(self, text: str) -> str:
        texts = catalog(self.language)
        text = EMAIL.sub(texts.text("calendars.email_hidden"), text)
        hidden = texts.text("calendars.phone_hidden")

        def phone(match: re.Match) -> str:
            number = match.group()
            return hidden if phone_like(match) or phone_digits(number) in self.phones else number

        # Not inside a web address: a meeting link's long number (Zoom's) is no phone number.
        pieces, last = [], 0
        for url in URL.finditer(text):
            pieces += [PHONE.sub(phone, text[last:url.start()]), url.group()]
            last = url.end()
        text = "".join(pieces) + PHONE.sub(phone, text[last:])
        if not self.names:
            for name in self.known_names:
                text = name_pattern(name).sub(texts.text("calendars.name_hidden"), text)
        return text

    def feed(self, circle: Circle, feed: Feed) -> Feed:
        """The feed's name and description as the public copy shows them."""
        if feed.person and not self.names:
            texts = catalog(circle.language)
            who = texts.text("calendars.one_person")
            return Feed(feed.file, texts.text("calendars.feed_name", circle=circle.name, who=who),
                        texts.text("calendars.person_description", who=who, circle=circle.name,
                                   board=circle.board), person=feed.person)
        return Feed(feed.file, self.clean(feed.name), self.clean(feed.description),
                    feed.role, feed.school, feed.person)


def person_names(circle: Circle) -> list[str]:
    """Every person's name the circle file holds: the team, the expert coach, and the teachers
    and visitors of the lesson visits."""
    names = [p.name for p in _everyone(circle)]
    for review in circle.reviews:
        for visit in review.visits:
            names += [*visit.visitors, *([visit.teacher] if visit.teacher else [])]
    return [name for name in names if name.strip()]


def name_pattern(name: str) -> re.Pattern:
    """A name as a whole word, any case, with any white space (or a folded line) between its parts."""
    parts = [re.escape(part) for part in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def fingerprint(circle: Circle, event: Event) -> str:
    """A hash of what a calendar shows of the event: its VEVENT without SEQUENCE and stamps."""
    shown = _vevent(circle, event, Version(0, datetime(2000, 1, 1, tzinfo=timezone.utc)))
    return hashlib.sha256(shown.to_ical()).hexdigest()


def build_stamp(circle: Circle) -> datetime:
    """DTSTAMP and LAST-MODIFIED of every event: SOURCE_DATE_EPOCH, else the school year's start.

    Never the clock, so a rebuild of the same input gives the same bytes. A build that sets
    SOURCE_DATE_EPOCH to the last commit of the circle file gets a stamp that grows with every
    change, which is what clients compare when SEQUENCE stays the same (see `_sequence`).
    """
    return source_date() or datetime.combine(circle.school_year.first_day, time.min, timezone.utc)


class _Components:
    """The .ics of the circle's calendars. An event is in many of them (the circle's, its
    roles', schools' and people's, its own file): its VEVENT, and the time zone, are serialized
    once and the same bytes go into each."""

    END = b"END:VCALENDAR\r\n"

    def __init__(self, circle: Circle, versions: Mapping[str, Version],
                 public: Redaction | None = None):
        self.circle = circle
        self.versions = versions
        self.public = public  # the feeds at secret addresses: see Redaction
        self._events: dict[tuple, bytes] = {}  # by (uid, view)
        self._timezone: bytes | None = None
        self._attendees: dict[str, set[str]] = {}  # identities by event uid
        self._days: dict[str, ReviewDay] = {}  # planned review days by review id

    def calendar(self, events, feed: Feed | None = None) -> bytes:
        """A calendar of these events, described as `feed` when given: its own properties
        (icalendar writes those before its components), then its components."""
        calendar = Calendar()
        calendar.add("PRODID", PRODID)
        calendar.add("VERSION", "2.0")
        calendar.add("CALSCALE", "GREGORIAN")
        calendar.add("METHOD", "PUBLISH")
        calendar.add("X-WR-TIMEZONE", vText(self.circle.timezone))
        if feed is not None:
            _describe(calendar, feed)
        properties = calendar.to_ical()
        parts = [self.timezone()] if any(not event.moment.all_day for event in events) else []
        parts += [self.event(event, feed) for event in events]
        return properties.removesuffix(self.END) + b"".join(parts) + self.END

    def event(self, event: Event, feed: Feed | None = None) -> bytes:
        """The event as a feed shows it: in a person's feed a review says that person's part, and
        in the coordinator's an event they do not attend is free time, for information."""
        view = self.view(event, feed)
        key = (event.uid, view)
        if key not in self._events:
            if view is None:
                version = self.versions[event.uid]
                self._events[key] = _vevent(self.circle, event, version, self.public).to_ical()
            else:
                # The shared VEVENT with another DESCRIPTION (and TRANSP): serializing a whole
                # VEVENT per person costs more than the rest of the feeds together.
                part = None if view == INFORMATION else self._part(event, view)
                description = _description(self.circle, event, self.public, view, part)
                if self.public:
                    description = self.public.clean(description)
                self._events[key] = _with_description(self.event(event), description,
                                                      transparent=view == INFORMATION)
        return self._events[key]

    def view(self, event: Event, feed: Feed | None) -> str | None:
        """How a feed shows an event: None as everywhere, INFORMATION (the coordinator's feed,
        an event they do not attend), or the person's identity when it is a review they are in
        (not in public feeds that leave names out: a person's part names the others)."""
        if feed is None or feed.person is None:
            return None
        if event.uid not in self._attendees:
            self._attendees[event.uid] = {identity(p) for p in people(self.circle, event)}
        if feed.person not in self._attendees[event.uid]:
            return INFORMATION
        named = self.public is None or self.public.names
        if event.kind == "review" and named and self._part(event, feed.person) is not None:
            return feed.person
        return None

    def _part(self, event: Event, person: str) -> PersonDay | None:
        review = event.review
        if review.id not in self._days:
            self._days[review.id] = plan_day(self.circle, review)
        return person_day(self.circle, review, person, self._days[review.id])


    def timezone(self) -> bytes:
        if self._timezone is None:
            self._timezone = vtimezone(self.circle.timezone, self.circle.school_year).to_ical()
        return self._timezone


def _describe(calendar: Calendar, feed: Feed) -> None:
    """The feed's name, description and refresh hint: RFC 7986, and the X-WR-* that Apple, Google
    and Outlook read. NAME and the X- values are wrapped in vText: icalendar 7 does not know
    them as text and would refuse a name with a line break instead of escaping it."""
    calendar.add("NAME", vText(feed.name))
    calendar.add("X-WR-CALNAME", vText(feed.name))
    calendar.add("DESCRIPTION", feed.description)
    calendar.add("X-WR-CALDESC", vText(feed.description))
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))


INFORMATION = "information"  # the view of an event in the coordinator's feed that they do not attend


def _with_description(vevent: bytes, description: str, transparent: bool) -> bytes:
    """A serialized VEVENT with its DESCRIPTION (a line and its folded continuations, which
    start with a space) replaced, and TRANSP:TRANSPARENT before it when `transparent`."""
    carrier = VEvent()
    carrier.add("DESCRIPTION", description)
    lines = carrier.to_ical().split(b"\r\n", 1)[1].rsplit(b"END:VEVENT", 1)[0]
    if transparent:
        lines = b"TRANSP:TRANSPARENT\r\n" + lines
    start = vevent.index(b"\r\nDESCRIPTION:") + 2
    end = vevent.index(b"\r\n", start) + 2
    while vevent[end:end + 1] == b" ":
        end = vevent.index(b"\r\n", end) + 2
    return vevent[:start] + lines + vevent[end:]


def _vevent(circle: Circle, event: Event, version: Version,
            public: Redaction | None = None) -> VEvent:
    """The event as calendars show it; `public`: as the feeds at secret addresses show it."""
    texts = catalog(circle.language)
    clean = public.clean if public else (lambda text: text)
    moment = event.moment
    vevent = VEvent()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", version.changed)
    vevent.add("LAST-MODIFIED", version.changed)
    vevent.add("SEQUENCE", version.sequence)
    vevent.add("STATUS", "CANCELLED" if event.cancelled else "CONFIRMED")
    if event.cancelled:
        vevent.add("SUMMARY", clean(texts.text("calendars.cancelled", title=event.title)))
    else:
        vevent.add("SUMMARY", clean(event.title))
    start, end = _when(circle, moment)
    vevent.add("DTSTART", start)
    vevent.add("DTEND", end)
    location = _location(circle, moment)
    if location:
        vevent.add("LOCATION", clean(location))
    if moment.url and clean(moment.url) == moment.url:
        vevent.add("URL", moment.url)
    vevent.add("DESCRIPTION", clean(_description(circle, event, public)))
    organizer = None if public else _organizer(circle)
    if organizer is not None:
        vevent.add("ORGANIZER", organizer)
    return vevent


def _sequence(event: Event) -> int:
    """Without history (no git, or --no-history): 0 for a planned event, 1 for a cancelled one.

    With the circle file's git history, history.py counts the revisions that changed what a
    calendar shows instead, which also covers moves and restored events. Without it:
    SEQUENCE must never go down, or clients that honour it (Outlook, Apple on import) take the
    newer copy for an old one and keep the stale event. The generator keeps no history, so it
    cannot count revisions, and a number derived from the content (a hash) would go down as
    often as up. So: a constant for planned events, and a higher one for a cancellation, the
    change a client must not miss. Moves and new titles keep SEQUENCE and are picked up because
    the UID is the same (subscribed feeds replace their copy on every refresh) and, for imported
    files, by the later DTSTAMP (RFC 5546: same SEQUENCE, later DTSTAMP wins) when the build sets
    SOURCE_DATE_EPOCH. Limit: taking a cancellation back goes from 1 to 0; subscribed feeds follow,
    but an imported cancelled copy has to be removed by hand.
    """
    return 1 if event.cancelled else 0


def _when(circle: Circle, moment: Moment) -> tuple[date, date] | tuple[datetime, datetime]:
    if moment.all_day:
        # DTEND of an all-day event is exclusive (RFC 5545 3.6.1): the next day.
        return moment.date, moment.date + timedelta(days=1)
    zone = ZoneInfo(circle.timezone)
    return (datetime.combine(moment.date, moment.start, zone),
            datetime.combine(moment.date, moment.end, zone))


def _location(circle: Circle, moment: Moment) -> str | None:
    if moment.location:
        return moment.location
    if moment.online:
        return moment.url or catalog(circle.language).text("calendars.online")
    return None


def _description(circle: Circle, event: Event, public: Redaction | None = None,
                 view: str | None = None, part: PersonDay | None = None) -> str:
    """Who takes part, the event's own text, the meeting link and the handbook page; first, in
    a person's feed, their own part of a review, or that the event is there for information.
    `public`: as the feeds at secret addresses show it."""
    texts = catalog(circle.language)
    named = public is None or public.names
    who = (_workshop_audience(circle, event, named) if event.kind == "workshop"
           else _audience(circle, event))
    parts = []
    if view == INFORMATION:
        parts.append(texts.text("calendars.person.information"))
    elif part is not None:
        parts += _person_part(circle, part)
    parts.append(texts.text("calendars.for", who=who))
    if event.moment.description:
        own = event.moment.description.strip()
        if not circle.show_email or public:
            own = EMAIL.sub(texts.text("calendars.email_hidden"), own)
        parts.append(own)
    if event.moment.url:
        parts.append(texts.text("calendars.join", url=event.moment.url))
    if circle.site_url:
        page = paths.published(circle.site_url, circle.id, paths.built(event.page))
        parts.append(texts.text("calendars.handbook", url=page))
        if event.review is not None and event.kind in PRINTED:
            printed = PRINTED[event.kind](event.review.id)
            parts.append(texts.text("calendars.pdf", url=paths.published(
                circle.site_url, circle.id, printed)))
    return "\n\n".join(parts)


# The PDF to print for a review's moments: the day's pack, the host's preparation, the workshop.
PRINTED = {"review": paths.review_pdf, "preparation": paths.preparation_pdf,
           "workshop": paths.workshop_pdf}


def _person_part(circle: Circle, part: PersonDay) -> list[str]:
    """Paragraphs on one person's review day: their role, when to be there, their visits, tasks."""
    texts = catalog(circle.language)

    def text(key: str, **params) -> str:
        return texts.text(f"calendars.person.{key}", **params)

    def span(slot) -> str:
        return f"{texts.clock(slot.start)}–{texts.clock(slot.end)}"

    def together(names) -> str:
        return text("with", names=texts.series(list(names))) if names else ""

    paragraphs = [text("role", role=text(f"roles.{part.role}", school=part.school.name)),
                  text(f"arrive.{'host' if part.role.startswith('host') else 'visitor'}",
                       time=texts.clock(part.arrive.start))]
    if not part.role.startswith("host"):
        if part.visits:
            lines = [text("visit", time=f"{texts.clock(v.start)}–{texts.clock(v.end)}", group=v.group)
                     + (text("visit_teacher", teacher=v.teacher) if v.teacher else "")
                     + together(part.fellow_visitors(v)) for v in part.visits]
            paragraphs.append("\n".join([text("visits_title"), *(f"- {line}" for line in lines)]))
        elif part.day.review.visits:
            paragraphs.append(text("no_own_visits"))
        else:
            paragraphs.append(text("no_visits"))
    lines = [text(f"tasks.{task.key}", time=span(task.slot)) + together(task.others)
             for task in part.tasks]
    paragraphs.append("\n".join([text("tasks_title"), *(f"- {line}" for line in lines)]))
    return paragraphs


def _workshop_audience(circle: Circle, event: Event, named: bool = True) -> str:
    """The staff workshop is for the host's whole staff, led by its schoolcoaches (the feed's audience)."""
    texts = catalog(circle.language)
    host = circle.school(event.review.host)
    if not named:
        return texts.text("calendars.workshop_for_unnamed", school=host.name)
    return texts.text("calendars.workshop_for", school=host.name,
                      coaches=texts.series([coach.name for coach in host.schoolcoaches]))


def _audience(circle: Circle, event: Event) -> str:
    """'peer reviewers en schoolcoaches van OBS De Regenboog en CBS Het Kompas'."""
    texts = catalog(circle.language)
    roles = [texts.text(f"calendars.roles.{role}") for role in event.roles if role != "coordinator"]
    who = []
    if roles:
        if len(event.schools) == len(circle.schools):
            schools = texts.text("calendars.all_schools")
        else:
            schools = texts.series([circle.school(s).name for s in event.schools])
        who.append(texts.text("calendars.roles_of", roles=texts.series(roles),
                              schools=schools))
    if "coordinator" in event.roles:
        who.append(texts.text("calendars.the_coordinator"))
    return texts.series(who)


def _organizer(circle: Circle) -> vCalAddress | None:
    """The coordinator, only when the circle shows e-mail addresses (show_email)."""
    person = circle.coordinator
    if not (circle.show_email and person.email):
        return None
    organizer = vCalAddress(f"mailto:{person.email}")
    organizer.params["CN"] = person.name
    return organizer


# --- VTIMEZONE ---------------------------------------------------------------------------------
#
# icalendar's own VTIMEZONE (Timezone.from_tzid, add_missing_timezones) lists every change since
# 1970 as RDATEs and puts each onset in the new offset's wall time (03:00 for summer time, where
# RFC 5545 wants the old offset's 02:00). Outlook is known to misread RDATE-only zones and shows
# summer-time events an hour off, and so does ical.js (Thunderbird's parser): with that VTIMEZONE
# it reads 15:00 on 20 May 2026 in Amsterdam as 14:00Z instead of 13:00Z (checked with ical.js
# 2.2.1 and icalendar 7.3). What every client reads right is what Google and Outlook write
# themselves: one STANDARD and one DAYLIGHT part, each with a yearly RRULE. So: find the zone's
# real changes in the school year's two calendar years, express them as yearly rules, and check
# the rules give exactly those changes. A zone whose changes fit no such rule gets one part per
# change instead (still no RDATE); a zone without changes gets a single STANDARD part.

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Change:
    onset: datetime  # naive wall-clock time in the offset before the change (RFC 5545 3.6.5)
    before: timedelta
    after: timedelta
    name: str  # TZNAME after the change: "CEST"
    daylight: bool


Observance = tuple[_Change, "dict | None"]  # a change and its yearly RRULE, if it has one


def vtimezone(tzid: str, school_year: SchoolYear) -> Timezone:
    """A VTIMEZONE for `tzid` (an IANA name) that is right throughout the school year."""
    component = Timezone()
    component.add("TZID", tzid)
    component.add("X-LIC-LOCATION", tzid)  # the IANA name, for clients that look it up
    for change, rule in _observances(tzid, school_year):
        part = TimezoneDaylight() if change.daylight else TimezoneStandard()
        part.add("DTSTART", change.onset)
        if rule:
            part.add("RRULE", rule)
        part.add("TZNAME", change.name)
        part.add("TZOFFSETFROM", change.before)
        part.add("TZOFFSETTO", change.after)
        component.add_component(part)
    return component


@lru_cache(maxsize=32)
def _observances(tzid: str, school_year: SchoolYear) -> tuple[Observance, ...]:
    """The parts of the VTIMEZONE: (change, its yearly RRULE or None), in time order."""
    zone = ZoneInfo(tzid)
    years = school_year.years
    changes = [change for year in years for change in _changes(zone, year)]
    rules = _yearly_rules(changes, len(years), school_year.first_day)
    if rules:
        return rules
    # No simple yearly rule: the state on 1 January, then every change on its own.
    first = datetime(school_year.start, 1, 1, tzinfo=timezone.utc).astimezone(zone)
    start = _Change(first.replace(tzinfo=None), first.utcoffset(), first.utcoffset(),
                    first.tzname(), bool(first.dst()))
    return tuple((change, None) for change in [start, *changes])


def _changes(zone: ZoneInfo, year: int) -> list[_Change]:
    """The moments in `year` when the zone's UTC offset changes: day by day, then to the minute."""
    found = []
    day = datetime(year, 1, 1, tzinfo=timezone.utc)
    while day.year == year:
        if _offset(zone, day) != _offset(zone, day + timedelta(days=1)):
            found.append(_change_within(zone, day))
        day += timedelta(days=1)
    return found


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset()


def _change_within(zone: ZoneInfo, day: datetime) -> _Change:
    before = _offset(zone, day)
    low, high = 0, 24 * 60  # minutes into the day: still `before` at low, changed at high
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, day + timedelta(minutes=middle)) == before:
            low = middle
        else:
            high = middle
    after = (day + timedelta(minutes=high)).astimezone(zone)
    onset = (day + timedelta(minutes=high) + before).replace(tzinfo=None)
    # DAYLIGHT is the move to the larger offset, even where tzdata calls winter the "daylight"
    # time (Europe/Dublin's negative DST): that is how Outlook and Apple expect the two parts.
    return _Change(onset, before, after.utcoffset(), after.tzname(), after.utcoffset() > before)


def _yearly_rules(changes: list[_Change], years: int, first_day: date):
    """Each kind of change once a year on the same weekday rule, or None when that is not so."""
    kinds: dict[tuple, list[_Change]] = {}
    for change in changes:
        kind = (change.before, change.after, change.name, change.daylight)
        kinds.setdefault(kind, []).append(change)
    if not changes or any(len(group) != years for group in kinds.values()):
        return None
    found = []
    for group in kinds.values():
        rule = _weekday_rule([change.onset for change in group])
        if rule is None:
            return None
        found.append((group[0], rule))
    if min(change.onset.date() for change, _ in found) > first_day:
        return None  # the rules would start too late to cover the school year
    return tuple(sorted(found, key=lambda pair: pair[0].onset))


def _weekday_rule(onsets: list[datetime]) -> dict | None:
    """RRULE parts for 'the last (or n-th) <weekday> of <month> at <time>' that fit every onset."""
    first = onsets[0]
    if any((o.month, o.weekday(), o.time()) != (first.month, first.weekday(), first.time())
           for o in onsets):
        return None
    fitting = set.intersection(*(_positions(onset) for onset in onsets))
    if not fitting:
        return None
    position = -1 if -1 in fitting else fitting.pop()
    weekday = WEEKDAYS[first.weekday()]
    return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"{position}{weekday}"}


def _positions(day: datetime) -> set[int]:
    """Which BYDAY positions describe this day in its month: n-th, and -1 when it is the last."""
    positions = {(day.day - 1) // 7 + 1}
    if day.day + 7 > monthrange(day.year, day.month)[1]:
        positions.add(-1)
    return positions
