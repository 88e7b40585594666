"""The small handbook the browser tests build: docs and nav as the page generator hands them.

A start page with a search word, a page with a table, a page that is three forms, a review page
with text and then two forms (no front matter: it gets the print button from its forms), and a
calendar file.
"""

from __future__ import annotations

from pathlib import Path

EPOCH = "1767225600"  # 2026-01-01
CIRCLE = "test-cirkel"
SEARCH_WORD = "kwartelkoning"  # a word on one page only, for the search test

FORM = """<div class="lts-form" markdown>

# {title}

| Gegevens | |
| --- | --- |
| School | <span class="lts-write lts-write--s"></span> |
| Datum | <span class="lts-write lts-write--s"></span> |
| Observant | <span class="lts-write lts-write--s"></span> |

## Wat zie je?

<div class="lts-write"></div>

## Wat spreken we af?

<div class="lts-write lts-write--s"></div>

</div>
"""

SAMPLE_DOCS: dict[str, str | bytes] = {
    "index.md": (
        "# Overzicht\n\nWelkom bij het handboek. De "
        f"{SEARCH_WORD} is hier alleen een zoekwoord.\n\n"
        "- [Planning](planning.md)\n- [Formulieren](formulieren.md)\n"
        "- [Review](reviews/review-test.md)\n- [Agenda](calendars/circle.ics)\n"),
    "planning.md": (
        "# Planning\n\n| Datum | Wat | Wie |\n| --- | --- | --- |\n"
        "| di 4 nov 2025 | Startworkshop | LtS-team |\n"
        "| wo 12 nov 2025 | Peer review | peer reviewers |\n\n"
        "Terug naar het [overzicht](index.md).\n"),
    "formulieren.md": "---\nprint: true\n---\n" + "\n".join(
        FORM.format(title=title) for title in ("Lesbezoek", "Learning walk", "Teamgesprek")),
    "reviews/review-test.md": (
        "# Review OBS De Test\n\n| Wanneer | Waar |\n| --- | --- |\n"
        "| wo 12 nov 2025 | Teststraat 1 |\n\nZie ook de [planning](../planning.md).\n\n"
        + "\n".join(FORM.format(title=title) for title in ("Zelfevaluatie", "Reviewverslag"))),
    "calendars/circle.ics": b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//\r\nEND:VCALENDAR\r\n",
}
SAMPLE_NAV = [
    {"Overzicht": "index.md"},
    {"Planning": "planning.md"},
    {"Reviews": [{"OBS De Test": "reviews/review-test.md"}]},
    {"Formulieren": "formulieren.md"},
]
# Pages and how many A4 sheets they must print on.
FORM_PAGES = {"formulieren.html": 3, "reviews/review-test.html": 3}


def page_urls(handbook: Path, base: str) -> list[str]:
    """Every HTML page of the handbook as a URL under `base` (file:// or http://)."""
    pages = sorted(path.relative_to(handbook).as_posix() for path in handbook.rglob("*.html"))
    return [base + page for page in pages]
