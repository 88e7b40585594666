"""Circle + schedule -> the Markdown pages and nav of one handbook.

The pages are Jinja2 templates in docs_templates/pages/ (one per kind of page; its README says
how the folder is laid out): structure shared by both languages, short labels from
locale/<lang>/handbook.yaml, long prose (protocol, forms, quality cycle, roles) in
docs_templates/text/<lang>/. No handbook text lives here.

Escaping is on by default: every `{{ value }}` that is not already marked safe goes through
`md_text`, which turns all Markdown and HTML syntax into character references. So a school named
`<script>` or `| ** [x](javascript:…)` shows as text, in running text, in table cells, in link
text and in HTML attributes alike. Templates mark a value safe only through the filters below,
each made for one place a value can land (a Markdown field, a URL, an anchor id).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from handbook_gen.calendars import feeds as calendars
from handbook_gen.site import paths
from handbook_gen.common.i18n import catalog
from handbook_gen.circle.model import Circle, Review
from handbook_gen.site.safe_markdown import SAFE_SCHEMES, is_safe
from handbook_gen.site.safe_markdown import scheme as scheme_of
from handbook_gen.common.reproducible import source_date
from handbook_gen.common.resources import resource
from handbook_gen.year.review_day import GUIDELINE, LESSON_VISIT, LOG_STEP, plan_day, preparation_steps, workshop_outline
from handbook_gen.year.schedule import Event, Schedule, identity
from handbook_gen.common import templating

# The blank forms, file name under formulieren/ and locale key: those of a review in its order,
# then the school's own planning tools (seeds 002 and 004).
FORMS = ("zelfevaluatie", "lesbezoek", "learning-walk", "stem-van-de-leerling", "teamgesprek",
         "reviewverslag", "workshopplan", "evaluatie", "kwaliteitskaart", "jaarbord", "quickscan")
# The forms of a review day every visitor shares, each a page of the review, pre-filled, and in
# this order at the end of the day's pack (the lesson visits are in each visitor's stack; the
# self-evaluation is the host's preparation, the workshop plan the workshop's).
REVIEW_FORMS = ("stem-van-de-leerling", "teamgesprek", "reviewverslag")
NEXT_EVENTS = 5
PAGE_TEMPLATES = "pages"  # under docs_templates/, the loader's root: one template per kind of page
# The handbook's pages in nav order: (nav title key, page name). A page's template is
# docs_templates/pages/<name>.md; no name: a section of pages made per circle (reviews, forms).
PAGES = (("index", "index"), ("about", "over-lts"), ("team", "team"), ("thema", "thema"), ("planning", "planning"),
         ("reviewplan", "reviewplan"), ("reviews", None), ("protocol", "protocol"), ("forms", None),
         ("kwaliteitscyclus", "kwaliteitscyclus"), ("agenda", "agenda"),
         ("accessibility", "toegankelijkheid"))


@dataclass(frozen=True)
class Handbook:
    site_name: str  # HTML-escaped: Material prints site_name and nav titles without escaping
    docs: dict[str, str]  # relative path -> Markdown
    nav: list  # MkDocs nav; titles HTML-escaped like site_name


# --- Escaping: one function per place a circle value can land. -----------------------------

# Letters, digits, spaces and a few harmless marks stay; everything else (Markdown syntax, HTML
# syntax, '|' of tables, ':' of definition lists, '_' of emphasis) becomes a character reference,
# which Markdown passes through and a browser shows as the character itself.
_UNSAFE_TEXT = re.compile(r"[^\w ,;?%@€'’‘]|_")


def md_text(value) -> Markup:
    """Plain text for Markdown text, a table cell, link text or a double-quoted HTML attribute."""
    if isinstance(value, Markup):
        return value
    text = " ".join(str(value).split())  # one line: a newline could end a table row or start a block
    return Markup(_UNSAFE_TEXT.sub(lambda m: f"&#{ord(m.group())};", text))


def _finalize(value):
    """Every {{ value }} is escaped unless a filter already made it safe for its place."""
    if value is None:
        return ""
    return md_text(value)


def link_url(url: str) -> Markup:
    """A URL as a Markdown link destination: safe scheme only, no characters that end the link."""
    if not is_safe(url):
        return Markup("#")
    return Markup(quote(url.strip(), safe="/:?#=&;@!$*+,%~"))


def mailto(email: str) -> Markup:
    return link_url("mailto:" + quote(email, safe="@.+-_"))


def anchor(event_id: str) -> Markup:
    """An event id as an HTML id. Ids are slugs, '.' included; anything else is dropped."""
    return Markup(re.sub(r"[^a-z0-9.\-]", "", event_id))


def feed_anchor(feed_file: str) -> Markup:
    """The calendars page's id for a feed: 'calendars/people/bram-jansen.ics' -> 'people-bram-jansen'."""
    return anchor(paths.feed_name(feed_file).replace("/", "-"))


# A reference definition, `[label]: address`, as Python-Markdown reads one (a label holds no
# bracket, so a try from each line start ends at the next bracket: linear on any text).
_REFERENCE = re.compile(r"^( {0,3}\[[^\[\]]*\]:[ \t]*\n?[ \t]*)(\S+)", re.MULTILINE)
_BRACKET = re.compile(r"[\[\]]")
_PAREN = re.compile(r"[()]")
_AS_TEXT = {"[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;", '"': "&#34;", "'": "&#39;"}


def _pairs(text: str, signs: re.Pattern, opening: str) -> dict[int, int]:
    """Where each opening sign is closed, nesting counted; an unclosed one is left out. One pass."""
    closed, open_at = {}, []
    for sign in signs.finditer(text):
        if sign.group() == opening:
            open_at.append(sign.start())
        elif open_at:
            closed[open_at.pop()] = sign.start()
    return closed


_BACKTICKS = re.compile(r"(?<!\\)`+")  # as Python-Markdown: an escaped backtick opens nothing


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where the code spans are: a run of backticks up to the next run of as many (in one pass)."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    spans, seen, index = [], {length: 0 for length in by_length}, 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        while seen[end - start] < len(same) and same[seen[end - start]] <= index:
            seen[end - start] += 1
        if seen[end - start] == len(same):  # never closed: backticks as text
            index += 1
            continue
        closer = same[seen[end - start]]
        spans.append((start, runs[closer][1]))
        index = closer + 1
    return spans


def _outside_code(text: str, change) -> str:
    """`change` applied to the text between the code spans; a code span shows as it is written."""
    out, pos = [], 0
    for start, end in _code_spans(text):
        out += [change(text[pos:start]), text[start:end]]
        pos = end
    out.append(change(text[pos:]))
    return "".join(out)


def _safe_destinations(text: str) -> str:
    """Links as Python-Markdown can read them in linear time, to addresses that are safe.

    Python-Markdown looks for the end of a link from every '[' and every '](' it meets: thousands
    of unclosed links made that quadratic. Here one pass pairs the brackets and parentheses first.
    A '[' or ']' without its partner, and brackets inside a link's text, show as text; a '](' whose
    '(' is never closed is no link; a link's destination is written anew, with no bracket or quote
    left in it, so Markdown's search ends at its ')'. Only absolute http(s), mailto and webcal
    addresses stay; anything else goes nowhere ("#"): a script scheme, but also a relative link or
    an anchor, which a coordinator cannot mean (the handbook's pages are not theirs to link) and
    which MkDocs' strict link check would turn into a failed build. So every text that validates builds.
    """
    closing = _pairs(text, _BRACKET, "[")
    parens = _pairs(text, _PAREN, "(")
    references = _REFERENCE.search(text) is not None
    out, pos = [], 0
    for sign in _BRACKET.finditer(text):
        at = sign.start()
        if at < pos:  # inside a link written out already
            continue
        end = closing.get(at)
        if end is None:  # a ']', or a '[' never closed
            out += [text[pos:at], _AS_TEXT[sign.group()]]
            pos = at + 1
            continue
        inner = _BRACKET.sub(lambda m: _AS_TEXT[m.group()], text[at + 1:end])
        close = parens.get(end + 1) if text.startswith("(", end + 1) else None
        # Without a reference definition in the field, brackets that make no link are text only.
        opening, closing_sign = ("[", "]") if close or references else ("&#91;", "&#93;")
        out += [text[pos:at], opening, inner, closing_sign]
        pos = end + 1
        if text.startswith("(", pos):  # a '(' never closed makes no link: shown as text
            out.append("&#40;" if close is None else f"({_destination(text[pos + 1:close])})")
            pos = pos + 1 if close is None else close + 1
    out.append(text[pos:])

    def reference(match: re.Match) -> str:
        kept = _absolute_safe(_unwrapped(match.group(2)))
        return match.group(1) + (match.group(2) if kept else "#")

    return _REFERENCE.sub(reference, "".join(out))


def _destination(written: str) -> str:
    """A link's destination (between its parentheses) written anew: the address percent-encoded,
    or '#' when it is not safe, and a quoted title with its quotes and brackets as text."""
    address, _, title = _unwrapped(written).strip().partition(" ")
    if written.lstrip(" \t\n").startswith("&lt;"):  # <address>: its '<' is escaped by now
        address, _, title = _unwrapped(written).strip().partition(">")
    if not _absolute_safe(address):
        return "#"
    title = title.strip()
    quoted = len(title) >= 2 and title[0] == title[-1] and title[0] in "\"'"
    if not quoted:
        return link_url(address)
    shown = re.sub(r"[\[\]()\"']", lambda m: _AS_TEXT[m.group()], title[1:-1])
    return f'{link_url(address)} "{shown}"'


def _absolute_safe(destination: str) -> bool:
    return scheme_of(destination) in SAFE_SCHEMES


def _unwrapped(destination: str) -> str:
    """A destination without the <…> Markdown allows around it (its '<' is escaped by now)."""
    destination = destination.lstrip(" \t\n")
    return destination[4:] if destination.startswith("&lt;") else destination


def md_field(value) -> Markup:
    """A markdown field: Markdown stays, raw HTML shows as text, unsafe links go nowhere.

    Images are shown as links to the image.

    '{' and '}' are escaped too: with attr_list, `{ onclick=… }` would set any attribute."""
    if value is None:
        return Markup("")
    text = str(value).strip().replace("&", "&amp;").replace("<", "&lt;")
    text = text.replace("{", "&#123;").replace("}", "&#125;")
    # Images become links: a handbook that works offline loads nothing from elsewhere.
    text = text.replace("![", "&#33;[")
    return Markup(_outside_code(text, _safe_destinations))


def md_inline(value) -> Markup:
    """A markdown field inside a table cell: one line, and '|' cannot end the cell."""
    text = " ".join(str(md_field(value)).split())
    return Markup(text.replace("|", "&#124;"))


def html_text(value: str) -> str:
    """Nav titles and the site name, which Material prints into HTML unescaped.

    '<' and '>' become look-alike quotation marks instead of entities: Material's <title> runs
    the page title through `striptags`, which decodes entities again, so `&lt;/title&gt;` would
    end the title there. Names never need a real '<'."""
    value = value.replace("<", "‹").replace(">", "›")
    return html.escape(value, quote=False).replace('"', "&quot;")


# --- Data for the templates (no text: that is the templates' job). -------------------------

def build_date() -> date | None:
    """The day of the build, only when SOURCE_DATE_EPOCH fixes it: output must be reproducible."""
    stamp = source_date()
    return stamp.date() if stamp else None


def next_events(schedule: Schedule, today: date | None) -> list[Event]:
    """The events still to come at build time; the reader's browser narrows them to NEXT_EVENTS."""
    return [e for e in schedule.events if not e.cancelled and (today is None or e.date >= today)]


def date_mark(day: date) -> Markup:
    """A marker that lets upcoming.js hide rows dated before the reader's today."""
    return Markup(f'<span class="lts-date" data-date="{day.isoformat()}"></span>')


def qr_code(url: str, label: str) -> Markup:
    """An inline SVG QR code of a feed's address, for phones and printed pages. No network."""
    svg = _qr_matrix(url).svg_inline(scale=3, border=2, svgclass="lts-qr-code", title=label)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


@lru_cache(maxsize=4096)
def _qr_matrix(url: str):
    """The QR code of an address. Encoding tries all eight masks for the most readable one, most
    of a calendars page's time; a rebuild of the same circle (serve, a batch) asks again."""
    import segno  # only the calendars page draws QR codes

    return segno.make(url, error="m")


# --- Rendering. -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def environment(language: str) -> jinja2.Environment:
    """One environment per language and process: every circle's pages reuse its compiled
    templates (the loader still notices an edited template, for `serve`)."""
    texts = catalog(language)
    env = templating.environment(resource("docs_templates"), finalize=_finalize,
                                 extensions=["jinja2.ext.do"], trim_blocks=True,
                                 lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(md=md_text, md_field=md_field, md_inline=md_inline, url=link_url,
                       mailto=mailto, anchor=anchor, date_mark=date_mark, long_date=texts.long_date,
                       anchor_of=feed_anchor,
                       clock=texts.clock, school=_school)

    def label(key: str, **params) -> Markup:
        # Locale texts are trusted Markdown; the values put into them are not.
        return Markup(texts.text(f"handbook.{key}", **{k: md_text(v) for k, v in params.items()}))

    env.globals.update(t=label, lang=language,
                       labels=lambda key: _trusted(texts.get(f"handbook.{key}")),
                       guideline={"pupil_minutes": GUIDELINE["pupil_voice"],
                                  "team_minutes": GUIDELINE["team"]},
                       blank_log_rows=LESSON_VISIT // LOG_STEP + 3)  # a blank form: 45 minutes
    env.filters.update(combine=lambda mapping, extra: {**mapping, **extra},
                       part_name=lambda part: Markup(texts.text(f"handbook.day.parts.{part}")))
    return env


@jinja2.pass_context
def _school(context, school_id: str):
    """school id -> School of the circle being rendered (`ids|map('school')`)."""
    return context["circle"].school(school_id)


def _trusted(node):
    """Locale data (lists, mappings) with its texts marked as the trusted Markdown they are."""
    if isinstance(node, str):
        return Markup(node)
    if isinstance(node, list):
        return [_trusted(item) for item in node]
    if isinstance(node, dict):
        return {key: _trusted(value) for key, value in node.items()}
    return node


def render(circle: Circle, schedule: Schedule, public=None) -> Handbook:
    """The pages of the handbook; `public` (public_feeds.PublicFeeds): its feeds also have
    secret addresses on a public host, which the team and calendars pages list."""
    env = environment(circle.language)
    texts = catalog(circle.language)
    feeds = calendars.feeds(circle)

    def feed_url(feed):
        return public.address(circle.id, feed) if public else calendars.feed_url(circle, feed)

    def subscribe_url(feed):
        address = feed_url(feed)
        return "webcal://" + address.split("://", 1)[1] if address else None
    context = {
        "circle": circle, "schedule": schedule, "events": schedule.events,
        "reviews": [e for e in schedule.events if e.kind == "review"],
        "feeds": feeds, "forms": FORMS, "review_forms": REVIEW_FORMS,
        "shared_feeds": [feed for feed in feeds if not feed.person],
        "person_feeds": [feed for feed in feeds if feed.person],
        "feed_of": lambda person: next(f for f in feeds if f.person == identity(person)),
        "feed_url": feed_url, "public_feeds": public is not None,
        "qr": lambda feed: qr_code(feed_url(feed), texts.text("handbook.agenda.qr", name=feed.name)),
        "intranet_only": bool(circle.site_url) and calendars.intranet_only(circle.site_url),
        "site_host": urlsplit(circle.site_url).hostname if circle.site_url else None,
        "next_events": next_events(schedule, build_date()), "next_count": NEXT_EVENTS,
        "subscribe_url": subscribe_url,
        "event_ics": lambda event, page: link_url(paths.link(paths.event_feed(event.id), page)),
        "event_link": lambda event, page: link_url(paths.link(event.page, page)),
        "form_url": lambda form, page: link_url(paths.link(paths.form_page(form), page)),
        "day_of": lambda review: plan_day(circle, review), "workshop_outline": workshop_outline,
        "school": circle.school, "events_of": lambda review: _review_events(schedule, review),
        "paths": paths, "pack_forms": REVIEW_FORMS,
        "page_link": lambda target, page: link_url(paths.link(target, page)),
        "preparation_steps": lambda review: [
            {"key": step.key, "when": texts.long_date(step.when) if step.when else
             texts.text(f"handbook.day.steps.{step.key}.when")}
            for step in preparation_steps(review)],
        "book_pdf": paths.book_pdf(circle.language),  # the whole handbook as one PDF (book.py)
    }
    docs: dict[str, str] = {}

    def page(path: str, template: str, **extra) -> None:
        docs[path] = env.get_template(f"{PAGE_TEMPLATES}/{template}").render(
            **context, page=path, **extra)

    for _, name in PAGES:
        if name:
            page(paths.page(name), f"{name}.md")
    for event in context["reviews"]:
        page(paths.review_page(event.review.id), "review.md", event=event, review=event.review)
        _review_day_pages(event, context["day_of"](event.review), page)
    page(paths.FORMS_INDEX, "formulieren.md")
    for form in FORMS:
        page(paths.form_page(form), "formulier.md", form=form)
    site_name = html_text(texts.text("handbook.site_name", circle=circle.name, board=circle.board))
    return Handbook(site_name, dict(sorted(docs.items())), _nav(circle, context["reviews"], texts))


def _review_day_pages(event: Event, day, page) -> None:
    """The pages of one review's day (see paths), each naming the PDFs it is printed in and its
    place there (front matter `pdfs`, read by site.py): the day's pack is the programme, then
    each visitor's day card with their lesson visits, then the shared forms."""
    review = event.review
    pack = paths.review_pdf(review.id)

    def day_page(path: str, kind: str, pdfs: dict, searchable: bool = True, **extra) -> None:
        page(path, "review_day.md", event=event, review=review, kind=kind, pdfs=pdfs,
             searchable=searchable, **extra)

    day_page(paths.programme_page(review.id), "programme", {pack: 0})
    for stack in day.stacks:
        day_page(paths.card_page(review.id, stack.number), "card", {pack: stack.number},
                 searchable=False, stack=stack)
    for place, form in enumerate(REVIEW_FORMS, start=len(day.stacks) + 1):
        day_page(paths.review_form_page(review.id, form), "form", {pack: place},
                 searchable=False, form=form)
    day_page(paths.preparation_page(review.id), "preparation",
             {paths.preparation_pdf(review.id): 0})
    day_page(paths.workshop_page(review.id), "workshop", {paths.workshop_pdf(review.id): 0})


def _review_events(schedule: Schedule, review: Review) -> dict[str, Event]:
    """A review's own events by kind: review, preparation, workshop (None when it has none)."""
    own = {e.kind: e for e in schedule.events if e.review is not None and e.review.id == review.id}
    return {kind: own.get(kind) for kind in ("review", "preparation", "workshop")}


def _nav(circle: Circle, reviews: list[Event], texts) -> list:
    def title(key: str, **params) -> str:
        return html_text(texts.text(f"handbook.nav.{key}", **params))

    sections = {
        "reviews": [{title("review", host=circle.school(e.review.host).name):
                     paths.review_page(e.review.id)} for e in reviews],
        "forms": [{title("forms_index"): paths.FORMS_INDEX}] + [
            {html_text(texts.text(f"handbook.forms.{form}.title")): paths.form_page(form)}
            for form in FORMS],
    }
    # A section without pages (a circle without reviews) is left out.
    return [{title(key): paths.page(name) if name else sections[key]} for key, name in PAGES
            if name or sections[key]]

