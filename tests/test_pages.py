"""The pages stage: the example circle rendered in Dutch and English, then read as HTML.

Pages are turned into HTML with Python-Markdown and the extensions the handbook uses in
mkdocs.yml (plus safe_markdown), so the escaping tests look at what a browser would get.
`to_html` and `malicious_circle`, shared with the site and browser tests, are in helpers.py.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re

import markdown
import pytest
import yaml

from handbook_gen.calendars import feeds as calendars
from handbook_gen.site import pages
from handbook_gen.site import paths
from handbook_gen.circle.model import Circle
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_file
from helpers import ATTACKS, EXAMPLE, EXTENSIONS, ROOT, Elements, malicious_circle, to_html

# Each review's day pages: the programme, a day card per visitor (Regenboog has five visitors,
# Kompas four), the shared forms, the host's preparation and the workshop.
VISITORS = {"review-regenboog": 5, "review-kompas": 4}
DAY_PAGES = {f"reviews/{review}/{name}.md" for review, visitors in VISITORS.items()
             for name in ["dagprogramma", "voorbereiding", "workshop", *pages.REVIEW_FORMS,
                          *(f"dagkaart-{n}" for n in range(1, visitors + 1))]}
PAGES = {"index.md", "over-lts.md", "team.md", "thema.md", "planning.md", "reviewplan.md", "protocol.md",
         "kwaliteitscyclus.md", "agenda.md", "toegankelijkheid.md", "formulieren/index.md",
         "reviews/review-regenboog.md", "reviews/review-kompas.md"} | {
    f"formulieren/{form}.md" for form in pages.FORMS} | DAY_PAGES


# --- helpers ---------------------------------------------------------------------------------

def render(circle: Circle) -> pages.Handbook:
    return pages.render(circle, plan(circle))


def table_rows(text: str, first_cell: str) -> list[list[str]]:
    """The cells of Markdown table rows whose first cell contains first_cell."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if first_cell in cells[0]:
                rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def circle() -> Circle:
    checked = check_file(EXAMPLE)
    assert checked.circle is not None, checked.problems
    return checked.circle


@pytest.fixture(scope="module")
def handbook(circle) -> pages.Handbook:
    return render(circle)


@pytest.fixture(scope="module")
def english(circle) -> pages.Handbook:
    return render(dataclasses.replace(circle, language="en"))


# --- structure -------------------------------------------------------------------------------

def test_all_pages_and_nothing_else(handbook):
    assert set(handbook.docs) == PAGES


def test_nav_lists_every_page_once(handbook):
    def files(nav):
        for item in nav:
            for value in item.values():
                yield from files(value) if isinstance(value, list) else [value]

    listed = list(files(handbook.nav))
    # The day pages are not in the nav (every page would carry them all): their review links them.
    assert sorted(listed) == sorted(set(handbook.docs) - DAY_PAGES)
    for day_page in DAY_PAGES:
        review, name = day_page.removeprefix("reviews/").split("/")
        assert f"]({review}/{name})" in handbook.docs[f"reviews/{review}.md"], day_page
    assert handbook.nav[0] == {"Overzicht": "index.md"}
    titles = [next(iter(item)) for item in handbook.nav]
    assert titles == ["Overzicht", "Over Leren tussen Scholen", "LtS-team", "Thema", "Jaarplanning",
                      "Reviewplan", "Reviews", "Reviewprotocol", "Formulieren", "Kwaliteitscyclus",
                      "Agenda's", "Toegankelijkheid"]
    assert {"Review OBS De Regenboog": "reviews/review-regenboog.md"} in handbook.nav[6]["Reviews"]


def test_templates_are_fully_rendered(handbook, english):
    for book in (handbook, english):
        for path, text in book.docs.items():
            assert "{{" not in text and "{%" not in text and "None" not in text, path


def test_rendering_is_deterministic(circle, handbook, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert render(circle) == handbook


def test_link_destinations_are_plain(handbook, english):
    """MkDocs checks link targets before entities are decoded: no &#…; in a destination."""
    for book in (handbook, english):
        for path, text in book.docs.items():
            assert not re.search(r"\]\([^)\s]*&#", text), path


def test_relative_links_resolve(handbook, circle):
    """What MkDocs --strict checks: every relative link and anchor points at something."""
    calendar_files = {feed.file for feed in calendars.feeds(circle)} | {
        paths.event_feed(event.id) for event in plan(circle).events}
    pdf_files = {paths.FORMS_PDF} | {pdf(review.id) for review in circle.reviews
                                     for pdf in (paths.review_pdf, paths.preparation_pdf, paths.workshop_pdf)}
    pdf_files.add(paths.book_pdf(circle.language))  # the whole handbook (book.py)
    html = {path: to_html(text) for path, text in handbook.docs.items()}
    ids = {path: {attrs["id"] for _, attrs in Elements(page).tags if "id" in attrs}
           for path, page in html.items()}
    for path, page in html.items():
        for tag, attrs in Elements(page).tags:
            href = attrs.get("href")
            if tag != "a" or not href or ":" in href:
                continue
            target, _, fragment = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), target)) \
                if target else path
            assert target in handbook.docs or target in calendar_files | pdf_files, (path, href)
            if fragment and target in ids:
                assert fragment in ids[target], (path, href)


# --- content ---------------------------------------------------------------------------------

def test_overview(handbook):
    index = handbook.docs["index.md"]
    assert "# Cirkel Noord" in index
    for text in ("Stichting Arkade", "Build-jaar", "twee peer reviews", "Rekenonderwijs",
                 "strategieën bij verhaaltjessommen", "maandag 29 september 2025"):
        assert text in index
    assert "[Reviewprotocol](protocol.md)" in index and "[Agenda's](agenda.md)" in index


def test_overview_next_events_follow_source_date_epoch(circle, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 1 January 2026
    index = render(circle).docs["index.md"]
    assert '<div class="lts-upcoming" data-show="5" role="region" aria-labelledby="lts-next" markdown>' in index
    assert "## Eerstvolgende activiteiten { #lts-next }" in index
    next_rows = table_rows(index.split("Eerstvolgende activiteiten")[1], "2026")
    assert next_rows[0][0] == '<span class="lts-date" data-date="2026-01-21"></span>woensdag 21 januari 2026'
    assert len(next_rows) == 9  # all still to come; the reader's browser shows the first five
    assert "maandag 29 september 2025" not in index


def test_planning_lists_every_event_with_anchor_and_ics(handbook, circle):
    planning = handbook.docs["planning.md"]
    events = plan(circle).events
    for event in events:
        assert f'<a id="{event.id}"></a>' in planning
        assert f"(calendars/events/{event.id}.ics)" in planning
    rows = [line for line in planning.splitlines() if '<a id="' in line]
    assert len(rows) == len(events)
    assert rows[0].startswith("| maandag 29 september 2025 | 15&#58;30–17&#58;00 |")
    assert "dinsdag 18 november 2025" in planning


def test_cancelled_events_are_marked(circle):
    trainings = list(circle.trainings)
    trainings[1] = dataclasses.replace(trainings[1], cancelled=True)
    reviews = list(circle.reviews)
    reviews[1] = dataclasses.replace(reviews[1], cancelled=True)
    book = render(dataclasses.replace(circle, trainings=tuple(trainings), reviews=tuple(reviews)))
    planning = book.docs["planning.md"]
    assert "<del>Opleidingsdag</del> **vervalt**" in planning
    # A cancelled review takes its preparation and workshop with it.
    assert "<del>Voorbereiding peer review CBS Het Kompas</del> **vervalt**" in planning
    assert "<del>Personeelsworkshop na de peer review CBS Het Kompas</del> **vervalt**" in planning
    rows = [line for line in planning.splitlines() if '<a id="' in line]
    assert sum("**vervalt**" in row for row in rows) == 4
    assert "Deze review vervalt." in book.docs["reviews/review-kompas.md"]
    assert "Deze review vervalt." not in book.docs["reviews/review-regenboog.md"]
    # Not by strike-through (or its colour) alone: every <del> on every page says so in words.
    for path, text in book.docs.items():
        for line in text.splitlines():
            assert line.count("<del>") <= line.count("**vervalt**"), (path, line)
    assert "<del>" in book.docs["reviewplan.md"]


def test_tables_have_a_header_for_every_column(handbook, english):
    """Two-column fact tables name their value column for screen readers; no <th> is empty."""
    for book in (handbook, english):
        for path, text in book.docs.items():
            html = to_html(text)
            assert not re.search(r"<th[^>]*>\s*</th>", html), path
            assert html.count("<thead>") == html.count("<table>"), path
    index = to_html(handbook.docs["index.md"])
    assert '<th><span class="lts-visually-hidden">Waarde</span></th>' in index


def test_links_say_where_they_go(handbook, circle):
    agenda = handbook.docs["agenda.md"]
    for feed in calendars.feeds(circle):
        which = f'<span class="lts-visually-hidden"> (agenda {pages.md_text(feed.name)})</span>'
        file_name = pages.md_text(feed.file.split("/")[-1])
        assert f"[{file_name} (agendabestand){which}]({feed.file})" in agenda, feed.name
        assert f"[abonneren op {pages.md_text(feed.name)} (webcal" in agenda, feed.name
    planning = handbook.docs["planning.md"]
    assert ("[zet in mijn agenda<span class=\"lts-visually-hidden\"> (Online Startworkshop, "
            "maandag 29 september 2025)</span>](calendars/events/startworkshop.ics)") in planning
    for path, text in handbook.docs.items():
        link_texts = {link.lower() for link in re.findall(r"\[([^\]]*)\]\(", text)}
        assert not {"klik hier", "hier", "link", "deze link"} & link_texts, path


def test_accessibility_statement_names_the_coordinator(circle, handbook, english):
    page = handbook.docs["toegankelijkheid.md"]
    assert page.startswith("# Toegankelijkheid\n")
    for text in ("WCAG 2.1, niveau AA", "axe-core", "toetsenbord", "Afdrukken", "## Een probleem melden",
                 "**Anna de Vries**", "(mailto:a.devries@arkade.example)"):
        assert text in page, text
    assert "[Toegankelijkheid](toegankelijkheid.md)" in handbook.docs["index.md"]
    hidden = render(dataclasses.replace(circle, show_email=False)).docs["toegankelijkheid.md"]
    assert "**Anna de Vries**" in hidden and "adresboek" in hidden and "@" not in hidden
    statement = english.docs["toegankelijkheid.md"]
    assert statement.startswith("# Accessibility\n") and "## Reporting a problem" in statement


def test_team_shows_roles_and_emails(handbook):
    team = handbook.docs["team.md"]
    assert "| Priya Ramdin | Schoolcoach (kwaliteitscoördinator) |" in team
    assert "| Joost Mulder | Schoolcoach (IB'er) |" in team
    assert "(mailto:b.jansen@regenboog.example)" in team
    assert "De lerende leider die kritisch durft te kijken" in team
    assert "De aanjager van verandering" in team
    assert "**Anna de Vries**, werkt op OBS De Regenboog" in team


def test_no_email_anywhere_when_show_email_is_false(circle):
    book = render(dataclasses.replace(circle, show_email=False))
    addresses = [p.email for s in circle.schools for p in s.peer_reviewers + s.schoolcoaches]
    addresses.append(circle.coordinator.email)
    for path, text in book.docs.items():
        html = to_html(text)
        assert "mailto" not in text and "mailto" not in html, path
        assert "@" not in html, path
        for address in filter(None, addresses):
            assert address not in text, (path, address)
    assert circle.coordinator.phone not in book.docs["team.md"]
    assert "het bestuur heeft ervoor gekozen" in book.docs["team.md"]


def test_review_matrix(handbook):
    plan_page = handbook.docs["reviewplan.md"]
    header = table_rows(plan_page, "Ontvangende school")[0]
    assert header[1:] == ["OBS De Regenboog", "CBS Het Kompas", "Daltonschool De Wegwijzer",
                          "IKC 't Startpunt", "OBS De Zeester"]
    regenboog = table_rows(plan_page, "**OBS De Regenboog**")[0]
    assert regenboog[1] == "—"
    assert regenboog[2] == "[dinsdag 18 november 2025](reviews/review-regenboog.md) (voorzitter)"
    assert regenboog[3] == "[dinsdag 18 november 2025](reviews/review-regenboog.md)"
    assert regenboog[4] == regenboog[5] == ""
    kompas = table_rows(plan_page, "**CBS Het Kompas**")[0]
    assert "(voorzitter)" in kompas[5] and "(voorzitter)" not in kompas[4]
    assert "geen review dit jaar" in table_rows(plan_page, "**OBS De Zeester**")[0][0]


def test_review_page(handbook):
    page = handbook.docs["reviews/review-regenboog.md"]
    assert page.startswith("---\nprint: true\n---\n")
    for text in ("dinsdag 18 november 2025, 08&#58;00–16&#58;15",
                 "Ingrid Bakker, peer reviewer van CBS Het Kompas",
                 "- Priya Ramdin, schoolcoach (kwaliteitscoördinator)",
                 "dinsdag 4 november 2025", "dinsdag 9 december 2025",
                 "hardop uitleggen", "(../calendars/events/review-regenboog.ics)",
                 "[Dagprogramma](review-regenboog/dagprogramma.md)",
                 "[Dagkaart van Priya Ramdin](review-regenboog/dagkaart-5.md)",
                 "[Stem van de leerling](review-regenboog/stem-van-de-leerling.md)"):
        assert text in page, text
    # Short: who, when, what to prepare and links; the programme and the forms have pages of their own.
    assert "lts-form" not in page and "| Tijd |" not in page
    programme = handbook.docs["reviews/review-regenboog/dagprogramma.md"]
    assert "| 10&#58;55–11&#58;30 | Stem van de leerling" in programme  # around the pupils' hours


def test_a_card_link_counts_its_visit_forms_in_plain_dutch():
    """"1 formulier", "2 formulieren": never "formulier(en)" on a page a reviewer reads."""
    eemland = check_file(ROOT / "circles" / "eemland-samen.yaml").circle
    review = eemland.reviews[0]
    assert len(review.visits) > 1 and len(review.visits[0].visitors) == 2
    first_only = dataclasses.replace(eemland, reviews=(dataclasses.replace(review, visits=review.visits[:1]),
                                                       *eemland.reviews[1:]))
    for circle, first_visitor, forms in ((eemland, review.visits[0].visitors[0], "2 formulieren"),
                                         (first_only, review.visits[0].visitors[0], "1 formulier")):
        page = render(circle).docs[f"reviews/{review.id}.md"]
        assert re.search(rf"\[Dagkaart van {first_visitor}\]\([^)]+\): waar en wanneer, met wie, en "
                         rf"{forms} lesbezoek, al ingevuld", page), page
        assert "(en)" not in page


def test_review_day_forms_are_prefilled(handbook):
    day = {name.removeprefix("reviews/review-regenboog/"): text for name, text in handbook.docs.items()
           if name.startswith("reviews/review-regenboog/")}
    for form in pages.REVIEW_FORMS:
        html = to_html(day[f"{form}.md"])
        assert html.count('<div class="lts-form"') == 1, form
        assert "| School | OBS De Regenboog |" in day[f"{form}.md"], form
        assert "| Focus | Hoe zetten we het rekenmuurtje in bij groep 5" in day[f"{form}.md"], form
    assert ("| Reviewers | Ingrid Bakker (CBS Het Kompas), Joost Mulder (CBS Het Kompas), Henk Postma"
            " (Daltonschool De Wegwijzer), Saskia de Boer (Daltonschool De Wegwijzer) en Priya Ramdin"
            " (Daltonschool De Wegwijzer) |") in day["reviewverslag.md"]
    workshop = day["workshop.md"]
    assert "| Datum en tijd van de workshop | dinsdag 9 december 2025, 14&#58;30–16&#58;00 |" in workshop
    # This review has no visits yet: the host fills in the visit schedule while preparing.
    preparation = to_html(day["voorbereiding.md"])
    assert 'data-form="zelfevaluatie"' in preparation and 'data-form="bezoekrooster"' in preparation
    # A visitor's card and numbered lesson visits with the names known.
    card = day["dagkaart-1.md"]
    visits = int(re.search(r"\| Bezoek \| bezoek 1 van (\d+) \|", card).group(1))
    assert visits >= 2 and card.count('data-form="lesbezoek"') == visits
    for text in ("| Observant | Ingrid Bakker |", f"| Bezoek | bezoek {visits} van {visits} |",
                 "| Datum | dinsdag 18 november 2025 |"):
        assert text in card, text
    partner = re.search(r"\| Samen met \| ([^|]+) \|", card).group(1).strip()
    assert partner in ("Henk Postma", "Saskia de Boer", "Priya Ramdin")


def test_blank_forms_have_space_to_write_and_no_pupil_names(handbook):
    for form in pages.FORMS:
        page = handbook.docs[f"formulieren/{form}.md"]
        assert page.startswith("---\nprint: true\n---\n"), form
        html = to_html(page)
        assert len(re.findall(r'<div class="lts-form"[ >]', html)) == 1, form
        assert "| School | <span class=\"lts-write lts-write--s\"></span> |" in page or \
            form == "kwaliteitskaart" or "School of team" in page, form
        assert "Schrijf op dit formulier geen namen van leerlingen." in page, form
        assert "lts-write" in html and "OBS De Regenboog" not in page, form
    self_evaluation = handbook.docs["formulieren/zelfevaluatie.md"]
    for aspect in ("Koers", "Werken met data", "Lerende professionals", "Leidinggeven aan leren"):
        assert f"| **{aspect}**" in self_evaluation
    assert self_evaluation.count("☐ B ☐ T ☐ G") == 12


def test_forms_stay_inside_their_box(handbook):
    """md_in_html must not close .lts-form early: every write space lies inside a form."""
    for path, text in handbook.docs.items():
        html = to_html(text)
        assert "<p>|" not in html, path
        assert "lts-write" not in outside_forms(html), path


def outside_forms(html: str) -> str:
    """The HTML without the .lts-form blocks (each up to its own </div>: forms hold divs too)."""
    kept, depth, start = [], 0, 0
    for tag in re.finditer(r'<div\b[^>]*>|</div>', html):
        if depth == 0 and 'class="lts-form' in tag.group():
            kept.append(html[start:tag.start()])
            depth = 1
        elif depth and tag.group() == "</div>":
            depth -= 1
            start = tag.end() if depth == 0 else start
        elif depth:
            depth += 1
    return "".join(kept) + (html[start:] if depth == 0 else "")


def test_programme_fits_the_review_times(circle):
    reviews = list(circle.reviews)
    reviews[0] = dataclasses.replace(reviews[0], start=reviews[0].start.replace(hour=9),
                                     end=reviews[0].end.replace(hour=14, minute=0))
    page = render(dataclasses.replace(circle, reviews=tuple(reviews))).docs[
        "reviews/review-regenboog/dagprogramma.md"]
    times = [row[0] for row in table_rows(page, "&#58;") if "–" in row[0]]
    assert times[0].startswith("09&#58;00") and times[-1].endswith("14&#58;00")
    # Pupils stay until 14:30: no time is left for the team's parts after they leave.
    assert "De tijden van deze review laten daar te weinig ruimte voor." in page


def test_minimal_review_and_no_reviews(circle):
    bare = dataclasses.replace(circle.reviews[0], lead=None, start=None, end=None,
                               preparation=None, workshop=None)
    docs = render(dataclasses.replace(circle, reviews=(bare,))).docs
    page = docs["reviews/review-regenboog.md"]
    assert "Nog af te spreken: de reviewers kiezen samen wie de dag voorzit." in page
    assert "Er is nog geen voorbereidingsgesprek gepland." in page
    assert "De workshop is nog niet gepland." in page
    assert "| 08&#58;00–08&#58;35 | Briefing" in docs["reviews/review-regenboog/dagprogramma.md"]
    book = render(dataclasses.replace(circle, reviews=()))
    assert not any(path.startswith("reviews/") for path in book.docs)
    assert "Er zijn nog geen reviews gepland." in book.docs["reviewplan.md"]
    assert "Reviews" not in [next(iter(item)) for item in book.nav]


def test_wednesday_review_is_planned_around_the_short_day(circle, handbook):
    programme = handbook.docs["reviews/review-regenboog/dagprogramma.md"]
    assert "van 08&#58;30 tot 14&#58;30 op school" in programme
    assert "aangenomen schooltijden" in programme  # arkade-noord gives no pupil hours
    reviews = list(circle.reviews)
    reviews[0] = dataclasses.replace(reviews[0], date=reviews[0].date.replace(day=19))
    page = render(dataclasses.replace(circle, reviews=tuple(reviews))).docs[
        "reviews/review-regenboog/dagprogramma.md"]
    assert "van 08&#58;30 tot 12&#58;15 op school" in page
    pupil_voice = next(row for row in table_rows(page, "&#58;") if "Stem van de leerling" in row[1])
    assert pupil_voice[0].split("–")[1] <= "12&#58;15"


def test_calendars_page(handbook, circle):
    agenda = handbook.docs["agenda.md"]
    for feed in calendars.feeds(circle):
        assert f"({feed.file})" in agenda
        assert f"({calendars.subscribe_url(circle, feed)})" in agenda
    for app in ("Outlook, klassiek", "Outlook, nieuw en op het web", "Apple Agenda", "Thunderbird",
                "Google Agenda"):
        assert f"**{app}**" in agenda
    assert "Google Agenda haalt haar weg" in agenda  # Google drops cancelled events
    assert "geef hem in de volgende stap zelf een naam" in agenda  # Thunderbird ignores NAME
    assert "## Mijn agenda" in agenda
    for feed in calendars.feeds(circle):
        if feed.person:
            assert f"### {pages.md_text(feed.owner)} {{ #people-" in agenda
    # arkade-noord's site_url has a public name: the general warning, not the intranet one.
    assert "vanaf internet bereikbaar" in agenda and "!!! warning" not in agenda
    intranet = render(dataclasses.replace(circle, site_url="https://intranet.arkade.local/lts/")).docs["agenda.md"]
    assert "!!! warning" in intranet and "intranet.arkade.local" in intranet
    no_site = render(dataclasses.replace(circle, site_url=None)).docs["agenda.md"]
    assert "(webcal://" not in no_site and "webadres van het handboek in het cirkelbestand" in no_site


def test_quality_cycle_and_protocol_speak_the_programme(handbook):
    cycle = handbook.docs["kwaliteitscyclus.md"]
    for text in ("Vast moment", "veilige sfeer", "Gedeelde verantwoordelijkheid",
                 "ongeveer acht", "schoolleider", "Facilitering in tijd", "15 minuten",
                 "75 minuten", "6 tot 8 weken", "Kwaliteitskaart"):
        assert text.lower() in cycle.lower(), text
    protocol = handbook.docs["protocol.md"]
    for text in ("Ontwikkelgericht", "Vertrouwelijk", "Het verslag is van de school",
                 "10 werkdagen", "2 tot 6 weken", "jaarbord", "AVG"):
        assert text in protocol, text


# --- English ---------------------------------------------------------------------------------

def test_english_handbook(english):
    assert set(english.docs) == PAGES
    assert [next(iter(item)) for item in english.nav][:5] == [
        "Overview", "About Leren tussen Scholen", "LtS team", "Theme", "Year planning"]
    review = english.docs["reviews/review-kompas.md"]
    assert "Thursday, 19 March 2026, 08&#58;00–16&#58;15" in review
    form = english.docs["reviews/review-kompas/teamgesprek.md"]
    assert "| School | CBS Het Kompas |" in form
    assert "Do not write pupils' names on this form." in form
    assert "[Day card of Marloes Visser](review-kompas/dagkaart-1.md)" in review
    assert "Lesson visit" in english.docs["formulieren/lesbezoek.md"]
    dutch = re.compile(r"\b(Jaarplanning|vervalt|Voorzitter|leerlingen|zet in mijn agenda)\b")
    for path, text in english.docs.items():
        own = text.replace("verhaaltjessom", "")  # circle values stay Dutch
        found = [m for m in dutch.findall(own) if m not in ("leerlingen",)]
        assert not found, (path, found)


def test_both_languages_have_the_same_texts():
    def keys(node, prefix=""):
        if not isinstance(node, dict):
            return {prefix}
        return set().union(*(keys(value, f"{prefix}.{key}") for key, value in node.items()))

    locale = ROOT / "handbook_gen" / "locale"
    nl = yaml.safe_load((locale / "nl" / "handbook.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((locale / "en" / "handbook.yaml").read_text(encoding="utf-8"))
    assert keys(nl) == keys(en)
    texts = ROOT / "docs_templates" / "text"
    files = {lang: sorted(p.relative_to(texts / lang) for p in (texts / lang).rglob("*.md"))
             for lang in ("nl", "en")}
    assert files["nl"] == files["en"]


# --- escaping --------------------------------------------------------------------------------

def assert_inert(html: str, where: str) -> None:
    elements = Elements(html)
    for tag, attrs in elements.tags:
        assert tag not in ("script", "img", "iframe"), (where, tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (where, tag, name)
            if name in ("href", "src"):
                assert not re.sub(r"[\x00-\x20]", "", value).lower().startswith("javascript"), (
                    where, value)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html, where
    assert not re.search(r"<[^>]*\sonerror=", html), where  # as an attribute, not as text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_malicious_circle_renders_inert(circle, language):
    evil = malicious_circle(dataclasses.replace(circle, language=language))
    book = render(evil)
    assert set(book.docs) == PAGES
    for path, text in book.docs.items():
        assert_inert(to_html(text), path)
    # The names still show, as text.
    team = Elements(to_html(book.docs["team.md"]))
    assert ATTACKS["script"] in "".join(team.text)
    assert ATTACKS["img"] in "".join(team.text)
    assert "<" not in book.site_name and "<" not in str(book.nav)
    assert "‹script›" in book.site_name


def test_nav_titles_survive_materials_striptags():
    """Material prints nav titles raw, and `page.title | striptags` (which unescapes) in <title>."""
    from markupsafe import Markup
    title = pages.html_text("</title><script>alert(1)</script> & \"Noord\"")
    assert "<" not in title and ">" not in title
    assert "<" not in Markup(title).striptags()
    assert Markup(title).striptags() == '‹/title›‹script›alert(1)‹/script› & "Noord"'


def test_malicious_circle_keeps_tables_intact(circle):
    book = render(malicious_circle(circle))
    html = to_html(book.docs["reviewplan.md"])
    header = re.search(r"<thead>(.*?)</thead>", html, re.DOTALL).group(1)
    assert header.count("<th") == 1 + len(circle.schools)
    assert "| ** [x](javascript:alert(1))" in "".join(Elements(html).text)


def test_markdown_fields_keep_markdown_but_not_html(circle):
    description = "Resultaten op **contextopgaven**; zie [de toets](https://cito.example/m?a=1&b=2).\n\n<b>vet</b>"
    book = render(dataclasses.replace(
        circle, theme=dataclasses.replace(circle.theme, description=description)))
    html = to_html(book.docs["thema.md"])
    assert "<strong>contextopgaven</strong>" in html
    assert '<a href="https://cito.example/m?a=1&amp;b=2">de toets</a>' in html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html and "<b>" not in html


def test_md_text_escapes_every_markdown_and_html_sign():
    text = pages.md_text("a|b *c* _d_ [e](f) <g> & `h` # 1. {i} :j ~k ~~l~~ \\m")
    for sign in "|*_[]()<>&`#.{}:~\\":
        assert sign not in text.replace("&#", "").replace(";", ""), sign
    assert pages.md_text("Fatima el Amrani, IKC 't Startpunt") == "Fatima el Amrani, IKC 't Startpunt"
    assert pages.md_text("twee\nregels") == "twee regels"


def test_link_url_keeps_links_from_breaking_out():
    assert pages.link_url("https://a.example/x y(1)<2>") == "https://a.example/x%20y%281%29%3C2%3E"
    assert pages.link_url("javascript:alert(1)") == "#"
    assert pages.link_url(" JavaScript\t:alert(1)") == "#"
    assert pages.link_url("webcal://a.example/c.ics") == "webcal://a.example/c.ics"
    assert pages.link_url("../calendars/events/x.preparation.ics") == "../calendars/events/x.preparation.ics"


@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))",
    "[x](JavaScript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "![x](javascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox)",
    "*x*{ onclick=alert(1) }",
    "[x](https://ok.example){ onmouseover=alert(1) }",
])
def test_safe_markdown_removes_script_links(source):
    """The second line of defence, on raw Markdown that the pages stage never produces."""
    html = markdown.markdown(source, extensions=EXTENSIONS)
    for tag, attrs in Elements(html).tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name in ("href", "src"):
                assert re.match(r"^(https?:|mailto:|webcal:|[^:]*$)", value), html


def test_safe_markdown_keeps_good_links():
    html = markdown.markdown(
        "[a](https://a.example) [b](mailto:b@c.example) [c](webcal://c.example/x.ics) "
        "[d](../planning.md#startworkshop) [e](planning.md)", extensions=EXTENSIONS)
    hrefs = [attrs["href"] for tag, attrs in Elements(html).tags if tag == "a"]
    assert hrefs == ["https://a.example", "mailto:b@c.example", "webcal://c.example/x.ics",
                     "../planning.md#startworkshop", "planning.md"]
