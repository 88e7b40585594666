"""The starter circle file that `new` and `init` write: filled in, and valid in any school year.

The text is a Jinja2 template beside this module (starter.yaml in Dutch, starter.en.yaml in
English); this module only picks its dates and the editor's schema reference.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from handbook_gen.common.resources import schema_path
from handbook_gen.common.i18n import DEFAULT_LANGUAGE

SCHEMA_FILE = ".handbook-gen/circle.schema.json"  # where `init` puts the schema in a board's repository

# Starter dates: (month, day on or after which, weekday 0=Monday) - chosen clear of the school
# holidays and public holidays of every region, and of Wednesday afternoons for review days.
STARTER_DATES = {
    "startworkshop": (9, 22, 0), "opleidingsdag": (10, 1, 2), "preparation_a": (11, 3, 1),
    "review_a": (11, 17, 1), "workshop_a": (12, 8, 1), "tracking": (2, 2, 2),
    "verdieping": (3, 9, 0), "review_d": (3, 19, 3), "evaluatie": (5, 18, 2),
    "integratie": (6, 10, 2),
}


def starter_text(circle_id: str, today: date, language: str = DEFAULT_LANGUAGE,
                 schema: str = "../handbook_gen/circle.schema.json") -> str:
    """The starter circle for the school year that today falls in (or, in July, the next)."""
    first_year = today.year if today.month >= 7 else today.year - 1
    dates = {}
    for name, (month, day, weekday) in STARTER_DATES.items():
        earliest = date(first_year if month >= 8 else first_year + 1, month, day)
        dates[name] = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
    from handbook_gen.common import templating  # only new and init need Jinja2

    template = templating.environment(Path(__file__).parent, html=False,
                                      keep_trailing_newline=True).get_template(
        "starter.en.yaml" if language == "en" else "starter.yaml")
    return template.render(id=circle_id, title=circle_id.replace("-", " ").title(), schema=schema,
                           first_year=first_year, dates=dates, letters="abcde")


def schema_reference(folder: Path) -> str:
    """The schema for the editor line of a circle file in `folder`, as a path relative to it.

    A board's repository has its own copy (written by `init`) in a parent folder; elsewhere the
    schema inside the installed package is named.
    """
    folder = folder.resolve()
    for parent in (folder, *folder.parents):
        if (parent / SCHEMA_FILE).is_file():
            return _relative(parent / SCHEMA_FILE, folder)
    return _relative(schema_path(), folder)


def _relative(target: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(target, folder)).as_posix()
    except ValueError:  # another drive on Windows
        return target.as_posix()
