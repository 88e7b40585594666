"""The handbook's languages: texts from locale/<lang>/<area>.yaml and Babel for dates.

Each file holds one area (messages, events, handbook, calendars); its texts are looked up as
"<area>.<key>", e.g. catalog("nl").text("events.review", host="OBS De Regenboog").
"""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache
from pathlib import Path

import yaml
from babel.dates import format_date, format_time
from babel.lists import format_list

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCALE_DIR = Path(__file__).parent.parent / "locale"  # beside the schema, at the package top
BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}


class Catalog:
    """All texts of one language, looked up by dotted key ("messages.required")."""

    def __init__(self, language: str, texts: dict):
        self.language = language
        self.texts = texts

    def get(self, key: str):
        node = self.texts
        for part in key.split("."):
            node = node[part]
        return node

    def text(self, key: str, /, **params) -> str:
        template = self.get(key)
        return template.format(**params) if params else template

    def count(self, number: int, noun: str) -> str:
        """'1 bestand', '0 bestanden', '2 bestanden': a number with its noun (counts.yaml)."""
        one, other = self.get(f"counts.{noun}")
        return f"{number} {one if number == 1 else other}"

    def message(self, code: str, /, **params) -> str:
        return self.text(f"messages.{code}", **params)

    def long_date(self, day: date) -> str:
        """'woensdag 12 november 2025'."""
        return format_date(day, format="full", locale=BABEL_LOCALES[self.language])

    def short_date(self, day: date) -> str:
        """'wo 12 nov. 2025'."""
        return format_date(day, format="EEE d MMM y", locale=BABEL_LOCALES[self.language])

    def series(self, items: list[str]) -> str:
        """'A, B en C' in Dutch, 'A, B and C' in English."""
        return format_list(items, locale=BABEL_LOCALES[self.language])

    def clock(self, moment: time) -> str:
        """24-hour time in both languages: '08:30'."""
        return format_time(moment, format="HH:mm", locale=BABEL_LOCALES[self.language])


# Our own locale files: libyaml's loader where installed, ten times faster than pure Python.
TRUSTED_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=None)
def catalog(language: str = DEFAULT_LANGUAGE) -> Catalog:
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    texts = {}
    for path in sorted((LOCALE_DIR / language).glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            texts[path.stem] = yaml.load(handle, Loader=TRUSTED_LOADER)
    return Catalog(language, texts)
