"""What several test modules share (tests/ is on sys.path, see conftest.py)."""

from __future__ import annotations

from handbook_gen.model import Circle
from handbook_gen.schedule import plan
from handbook_gen.validate import Checked


def checked(circle: Circle) -> Checked:
    """A circle made in a test (dataclasses.replace of a validated one) as validation hands it
    to the build: with its planned schedule."""
    schedule = plan(circle)
    return Checked(str(circle.source), circle, list(schedule.problems), language=circle.language,
                   schedule=schedule)
