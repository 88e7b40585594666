// Reads .ics files with Mozilla's ical.js (the parser Thunderbird uses) and prints what a calendar
// client would see, as JSON: { "<path>": { calendar: {...}, events: [...] } }.
// Used by tests/test_calendars.py to check the feeds with a parser that is not the one that wrote them.
// Usage: node read-ics.mjs FILE.ics [FILE.ics ...]
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

// A timed value as a UTC instant. ical.js resolves TZID through the file's own VTIMEZONE
// (Component.getTimeZoneByID); without one the time would be floating and read as local time,
// so the tests run this with TZ=UTC to make such a mistake show.
function instant(time) {
  if (!time) return null;
  if (time.isDate) return time.toString(); // "2026-02-02": all-day, no instant
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function text(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function readEvent(component) {
  const event = new ICAL.Event(component);
  const start = event.startDate;
  return {
    uid: event.uid,
    summary: event.summary,
    status: text(component, "status"),
    sequence: event.sequence,
    start: instant(start),
    end: instant(event.endDate),
    allDay: Boolean(start && start.isDate),
    tzid: start && !start.isDate && start.zone ? start.zone.tzid : null,
    location: event.location,
    description: event.description,
    url: text(component, "url"),
    organizer: text(component, "organizer"),
  };
}

function readCalendar(path) {
  const root = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  const names = ["name", "x-wr-calname", "description", "x-wr-caldesc", "method", "prodid",
    "version", "calscale", "refresh-interval", "x-published-ttl", "x-wr-timezone"];
  const calendar = Object.fromEntries(names.map((name) => [name, text(root, name)]));
  calendar.timezones = root.getAllSubcomponents("vtimezone").map((zone) => text(zone, "tzid"));
  calendar.components = root.getAllSubcomponents().map((child) => child.name);
  return { calendar, events: root.getAllSubcomponents("vevent").map(readEvent) };
}

const result = {};
for (const path of process.argv.slice(2)) result[path] = readCalendar(path);
process.stdout.write(JSON.stringify(result, null, 1) + "\n");
