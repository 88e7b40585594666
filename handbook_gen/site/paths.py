"""Where each page and feed of a handbook lives, relative to the handbook's root.

A page has a source, the Markdown file MkDocs reads (`planning.md`), and an address in the built
site (`planning.html`: no directory URLs, so a handbook also works from file://). Links between
pages name the source, which MkDocs checks; what is read outside MkDocs (a feed's link to a page,
the PDFs printed from built pages) names the address. Handbooks are published at
<site_url><circle id>/.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath

REVIEWS = "reviews"  # a page per review, with its review-day pack beside it
FORMS = "formulieren"  # a page per blank form, their index, and one PDF of them all
FORMS_INDEX = f"{FORMS}/index.md"
FORMS_PDF = f"{FORMS}/formulieren.pdf"  # formulieren.md links it
FEEDS = "calendars"
CIRCLE_FEED = f"{FEEDS}/circle.ics"
PEOPLE_FEEDS = f"{FEEDS}/people"


# --- pages ---------------------------------------------------------------------------------

def page(name: str) -> str:
    """A page at the top: 'planning' -> 'planning.md'."""
    return f"{name}.md"


def review_page(review_id: str) -> str:
    return f"{REVIEWS}/{review_id}.md"


def review_pdf(review_id: str) -> str:
    """A review's review-day pack, next to its page (review.md links it)."""
    return f"{REVIEWS}/{review_id}.pdf"


def review_folder(review_id: str) -> str:
    """The folder of a review's day pages: programme, day cards, forms and their PDFs."""
    return f"{REVIEWS}/{review_id}"


def programme_page(review_id: str) -> str:
    return f"{review_folder(review_id)}/dagprogramma.md"


def card_page(review_id: str, number: int) -> str:
    """A visitor's day card with their lesson visit forms; numbered, so no name is in the address."""
    return f"{review_folder(review_id)}/dagkaart-{number}.md"


def review_form_page(review_id: str, form: str) -> str:
    """One of a review's shared forms, pre-filled."""
    return f"{review_folder(review_id)}/{form}.md"


def preparation_page(review_id: str) -> str:
    """The host's preparation: what to send when, and the self-evaluation."""
    return f"{review_folder(review_id)}/voorbereiding.md"


def workshop_page(review_id: str) -> str:
    """The staff workshop after the review: its plan and the review's findings."""
    return f"{review_folder(review_id)}/workshop.md"


def preparation_pdf(review_id: str) -> str:
    return f"{review_folder(review_id)}/voorbereiding.pdf"


def workshop_pdf(review_id: str) -> str:
    return f"{review_folder(review_id)}/workshop.pdf"


def review_of(source: str) -> str | None:
    """The review a source is the page of: 'reviews/r1.md' -> 'r1'; None for any other file."""
    path = PurePosixPath(source)
    return path.stem if path.parent.as_posix() == REVIEWS and source.endswith(".md") else None


def form_page(form: str) -> str:
    return f"{FORMS}/{form}.md"


BOOK_PDFS = {"nl": "handboek.pdf", "en": "handbook.pdf"}  # the whole handbook; index.md links it


def book_pdf(language: str) -> str:
    """The whole handbook as one PDF (book.py), at the handbook's top, named in its language."""
    return BOOK_PDFS[language]


def built(source: str) -> str:
    """A page's address in the built site: 'planning.md#x' -> 'planning.html#x'."""
    path, mark, anchor = source.partition("#")
    return path.removesuffix(".md") + ".html" + mark + anchor


def link(target: str, page: str) -> str:
    """A link from a page to a file (its anchor kept), both relative to the handbook's root."""
    path, mark, anchor = target.partition("#")
    return os.path.relpath(path, os.path.dirname(page) or ".").replace(os.sep, "/") + mark + anchor


# --- feeds ---------------------------------------------------------------------------------

def role_feed(role: str) -> str:
    """'peer_reviewers' -> 'calendars/peer-reviewers.ics'."""
    return f"{FEEDS}/{role.replace('_', '-')}.ics"


def school_feed(school_id: str) -> str:
    return f"{FEEDS}/school-{school_id}.ics"


def person_feed(stem: str) -> str:
    return f"{PEOPLE_FEEDS}/{stem}.ics"


def event_feed(event_id: str) -> str:
    """The file that holds one event, for "zet in mijn agenda" links."""
    return f"{FEEDS}/events/{event_id}.ics"


def feed_name(feed: str) -> str:
    """A feed by its place among the feeds: 'calendars/people/bram.ics' -> 'people/bram'."""
    return feed.removeprefix(f"{FEEDS}/").removesuffix(".ics")


# --- on the web ----------------------------------------------------------------------------

def published(site_url: str, circle_id: str, path: str) -> str:
    """Where a file of a circle's handbook is on the web."""
    return f"{site_url}{circle_id}/{path}"
