"""Calendars: events become .ics feeds (circle, role, school, person), the public
feeds at secret addresses, and the privacy check of what goes public."""
