"""What several test modules share (tests/ is on sys.path, see conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook_gen.build import build, failed
from handbook_gen.freshness import Settings
from handbook_gen.model import Circle
from handbook_gen.schedule import plan
from handbook_gen.validate import Checked, check_file


def checked(circle: Circle) -> Checked:
    """A circle made in a test (dataclasses.replace of a validated one) as validation hands it
    to the build: with its planned schedule."""
    schedule = plan(circle)
    return Checked(str(circle.source), circle, list(schedule.problems), language=circle.language,
                   schedule=schedule)


def built_site(out: Path, circle_file: Path, epoch: str, pdfs: bool = True) -> Path:
    """The output folder with the handbook of one circle file, built as `build` does (shared
    assets, PDFs unless told) with SOURCE_DATE_EPOCH and without git history."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", epoch)
        assert not failed(build([check_file(circle_file)], out, Settings(use_history=False, pdfs=pdfs)))
    return out
