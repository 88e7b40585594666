"""handbook-gen: offline-first handbooks, printable forms and calendars for LtS circles."""

__version__ = "0.1.0"
