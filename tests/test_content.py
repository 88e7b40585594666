"""The programme's content, faithful to the seeds, read back from real MkDocs builds.

The example circles are built once: Cirkel Noord (a build year, Dutch), Cirkel Eemland (an embed
year, Dutch) and Cirkel Noord again in English. Each test reads the HTML a reader gets.
"""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from handbook_gen.site import pages
from handbook_gen.cli import main
from handbook_gen.year.schedule import plan
from handbook_gen.circle.validate import check_file
from helpers import ROOT

CIRCLES = ROOT / "circles"
ASPECTS = ("Koers", "Werken met data", "Lerende professionals", "Leidinggeven aan leren")
LAYERS = ("Bestuurder", "Schoolleider", "Leraar")
PHASES = ("Beginfase", "Tussenfase", "Gevorderde fase")


class Sections(HTMLParser):
    """The article of a page: its text, and its tables (rows of cell texts) per h2 heading."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.heading, self.in_heading, self.cell = "", False, None
        self.text: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.feed(page.split("<article", 1)[1].split("</article>", 1)[0])

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.heading, self.in_heading = "", True
        elif tag == "tr":
            self.tables.setdefault(self.heading, []).append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_heading = False
        elif tag in ("td", "th"):
            self.tables[self.heading][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self.in_heading:
            self.heading += data.strip()
        if self.cell is not None:
            self.cell.append(data)


def article(site: Path, page: str) -> Sections:
    return Sections((site / page).read_text(encoding="utf-8"))


def words(site: Path, page: str) -> str:
    """The article's text with white space made single, for phrases that wrap in the source."""
    return " ".join("".join(article(site, page).text).split())


def build(circle_file: Path, out: Path) -> Path:
    assert main(["build", "--no-pdf", str(circle_file), "-o", str(out)]) == 0
    return out / circle_file.stem


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("content")
    english = folder / "arkade-noord-en.yaml"
    text = (CIRCLES / "arkade-noord.yaml").read_text(encoding="utf-8")
    english.write_text(text.replace("id: arkade-noord", "id: arkade-noord-en")
                       .replace("language: nl", "language: en"), encoding="utf-8")
    return {"build": build(CIRCLES / "arkade-noord.yaml", folder / "site"),
            "embed": build(CIRCLES / "eemland-samen.yaml", folder / "site"),
            "en": build(english, folder / "site-en")}


# --- new forms --------------------------------------------------------------------------------

@pytest.mark.parametrize("form, title", [("jaarbord", "Jaarbord en periodeplanning"),
                                         ("quickscan", "Quickscan: waar beginnen we?")])
def test_new_forms_are_built_listed_and_in_the_nav(sites, form, title):
    page = (sites["build"] / f"formulieren/{form}.html").read_text(encoding="utf-8")
    assert f'<div class="lts-form" data-form="{form}">' in page
    assert "<h1 id=" in page and f">{title}</h1>" in page
    nav_link = re.compile(rf'<a href="(?:formulieren/)?{form}\.html" class="md-nav__link">\s*'
                          rf'<span class="md-ellipsis">\s*{re.escape(html.escape(title, quote=False))}')
    for other in ("index.html", "formulieren/lesbezoek.html"):
        assert nav_link.search((sites["build"] / other).read_text(encoding="utf-8")), other
    assert f'href="{form}.html"' in (sites["build"] / "formulieren/index.html").read_text(encoding="utf-8")


def test_year_board_has_five_periods_and_the_period_planning(sites):
    tables = article(sites["build"], "formulieren/jaarbord.html").tables
    board = tables["Het jaarbord"]
    assert board[0] == ["Periode", "Ongeveer", "Thema", "Doelen"]
    assert [row[:2] for row in board[1:]] == [["1", "aug–okt"], ["2", "okt–dec"], ["3", "dec–feb"],
                                               ["4", "feb–apr"], ["5", "apr–jun"]]
    assert ["Periode", "Thema", "Doel van deze periode"] in tables["Periodeplanning"]
    assert ["Onderwerp", "Minuten"] in tables["Periodeplanning"]
    assert ["Werksessie", "Datum", "Leider", "Onderwerpen"] in tables["Periodeplanning"]
    assert ["Wie gaat op bezoek", "Bij wie", "Wanneer", "Waar kijken we naar?"] in tables["Periodeplanning"]
    assert tables["Acties"][0] == ["Actie", "Wie", "Wanneer", "Klaar"]
    assert len(tables["Acties"]) == 6
    cycle = (sites["build"] / "kwaliteitscyclus.html").read_text(encoding="utf-8")
    assert '<a href="formulieren/jaarbord.html">formulier jaarbord en periodeplanning</a>' in cycle


def test_quickscan_has_a_statement_per_aspect_layer_and_phase(sites):
    scan = article(sites["build"], "formulieren/quickscan.html")
    statements = set()
    for aspect in ASPECTS:
        header, *rows = scan.tables[aspect]
        assert header == ["Laag", *PHASES], aspect
        assert [row[0] for row in rows] == list(LAYERS), aspect
        for row in rows:
            assert len(row) == 4 and all(cell.startswith("☐ ") and len(cell) > 30 for cell in row[1:])
            statements.update(row[1:])
    assert len(statements) == 4 * 3 * 3  # no statement repeated
    summary = scan.tables["Waar beginnen we?"]
    assert summary[0] == ["Aspect", *LAYERS]
    assert [row[0] for row in summary[1:5]] == list(ASPECTS)
    assert all(cell == "☐ B ☐ T ☐ G" for row in summary[1:5] for cell in row[1:])
    assert summary[5] == ["Actie", "Wie", "Wanneer"]  # the first actions, written in
    text = words(sites["build"], "formulieren/quickscan.html")
    assert "We beginnen bij (aspect, laag en fase), omdat:" in text
    assert "Gebaseerd op de Werkwijzer samen leren" in text
    assert "een eigen bewerking voor dit handboek, niet de tekst van de Werkwijzer" in text


def test_english_quickscan_and_year_board(sites):
    scan = article(sites["en"], "formulieren/quickscan.html")
    for aspect in ("Course (koers)", "Working with data", "Learning professionals", "Leading learning"):
        header, *rows = scan.tables[aspect]
        assert header == ["Layer", "Beginning phase", "Intermediate phase", "Advanced phase"]
        assert [row[0] for row in rows] == ["Board", "School leader", "Teacher"]
    assert "Based on the Werkwijzer samen leren" in words(sites["en"], "formulieren/quickscan.html")
    board = article(sites["en"], "formulieren/jaarbord.html").tables["The year board"]
    assert [row[0] for row in board[1:]] == ["1", "2", "3", "4", "5"]


def test_self_evaluation_links_to_the_quickscan(sites):
    blank = (sites["build"] / "formulieren/zelfevaluatie.html").read_text(encoding="utf-8")
    assert '<a href="quickscan.html">quickscan</a>' in blank
    review = (sites["build"] / "reviews/review-regenboog/voorbereiding.html").read_text(encoding="utf-8")
    assert '<a href="../../formulieren/quickscan.html">quickscan</a>' in review
    assert "De Quickscan van de Werkwijzer geeft" not in blank


# --- the year: team visits, the embed year, the contact ----------------------------------------

def test_team_visits_are_explained_with_the_meetings(sites):
    text = words(sites["build"], "planning.html")
    assert "Teambezoeken en overleggen" in text
    assert "leden van het LtS-team gaan op bezoek bij een team van een andere school" in text
    assert "Hoe het verloopt, spreekt de cirkel zelf af" in text
    page = (sites["build"] / "planning.html").read_text(encoding="utf-8")
    assert '<a href="#teambezoek-kompas">Teambezoek Het Kompas</a>, voor schoolcoaches' in page


def test_build_year_previews_the_embed_year(sites):
    text = words(sites["build"], "planning.html")
    assert "Volgend jaar: het Embed-jaar" in text
    assert "In schooljaar 2026-2027 volgt het tweede jaar van de cirkel" in text
    assert "één fysieke trainingsdag en twee online trainingsmomenten" in text
    # The schools without a review this year, not the two hosts.
    assert ("In het Embed-jaar ontvangen deze scholen hun review: Daltonschool De Wegwijzer, "
            "IKC 't Startpunt en OBS De Zeester.") in text
    index = (sites["build"] / "index.html").read_text(encoding="utf-8")
    assert 'href="planning.html#lts-embed"' in index
    assert 'id="lts-embed"' in (sites["build"] / "planning.html").read_text(encoding="utf-8")
    english = words(sites["en"], "planning.html")
    assert "Next year: the Embed year" in english and "one live training day and two online" in english


def test_embed_year_has_no_preview_of_itself(sites):
    page = (sites["embed"] / "planning.html").read_text(encoding="utf-8")
    assert 'id="lts-embed"' not in page and "Volgend jaar" not in page
    assert "lts-embed" not in (sites["embed"] / "index.html").read_text(encoding="utf-8")
    assert "Teambezoeken en overleggen" in words(sites["embed"], "planning.html")


def test_leerkracht_contact_as_the_seed_gives_it(sites):
    text = words(sites["build"], "index.html")
    assert "Contact met Stichting leerKRACHT" in text
    assert "Neem dan contact op met Ineke van der Meijden (inekevandermeijden@stichting-leerkracht.nl)." in text
    page = (sites["build"] / "index.html").read_text(encoding="utf-8")
    assert 'href="mailto:inekevandermeijden@stichting-leerkracht.nl"' in page


def test_leerkracht_contact_respects_show_email():
    circle = check_file(CIRCLES / "arkade-noord.yaml").circle
    hidden = dataclasses.replace(circle, show_email=False)
    index = pages.render(hidden, plan(hidden)).docs["index.md"]
    assert "Ineke van der Meijden." in index and "vraag het de coördinator" in index
    assert "@" not in index


# --- faithful wording -------------------------------------------------------------------------

def test_research_page_follows_seed_003(sites):
    text = words(sites["build"], "kwaliteitscyclus.html")
    assert "werkten meer samen" not in text
    assert "Leraren ervaren dat zij meer samenwerken aan het onderwijs" in text
    for ingredient in ("Ritme, structuur en focus", "Expertcoaches die schoolleiders en schoolcoaches "
                       "vragen stellen, zodat zij reflecteren", "Een beginnende lerende schoolcultuur",
                       "Een vast moment", "Een veilige sfeer", "Gedeelde verantwoordelijkheid",
                       "Facilitering in tijd", "Teams van ongeveer acht personen"):
        assert ingredient in text, ingredient
    english = words(sites["en"], "kwaliteitscyclus.html")
    assert "Teachers experience that they collaborate more" in english
    for ingredient in ("Rhythm, structure and focus", "Expert coaches", "reflect",
                       "A beginning learning school culture"):
        assert ingredient in english, ingredient


def test_inferred_norms_read_as_advice(sites):
    protocol = words(sites["build"], "protocol.html")
    assert "meestal van 08:00 tot 15:30" not in protocol
    assert ("De cirkel spreekt af wanneer het verslag er is en wanneer de workshop volgt. Ons advies: "
            "het verslag binnen ongeveer tien werkdagen, de workshop binnen zes weken.") in protocol
    assert "Wanneer (advies)" in protocol
    review = words(sites["build"], "reviews/review-regenboog.html")
    assert "op de afgesproken tijd naar de school (advies: binnen tien werkdagen)" in review
    assert "bij voorkeur twee tot zes weken na de review" in review
    team = words(sites["build"], "team.html")
    assert "op de afgesproken tijd (advies: binnen tien werkdagen)" in team
    english = words(sites["en"], "protocol.html")
    assert "usually runs from 08:00" not in english and "Our advice" in english


def test_dutch_corrections(sites):
    site = sites["build"]
    texts = {str(path.relative_to(site)): path.read_text(encoding="utf-8")
             for path in site.rglob("*") if path.suffix in (".html", ".ics")}
    for name, text in texts.items():
        assert "bekend gemaakt" not in text and "Observator" not in text, name
        assert not re.search(r"(?<!de )hele cirkel", text), name
    assert "voor de hele cirkel" in texts["calendars/circle.ics"]
    assert "Observant" in words(site, "formulieren/lesbezoek.html")
    team = words(site, "team.html")
    assert team.count("twee tot vier personen") == 1
    assert team.count("strakke planning") == 1


def test_pupil_and_staff_questions_fit_the_review(sites):
    pupils = words(sites["build"], "formulieren/stem-van-de-leerling.html")
    for question in ("In de les die wij vandaag zagen", "Gaan de lessen dit jaar anders dan vorig jaar?",
                     "Vraagt de leraar jullie weleens wat beter kan in de les?"):
        assert question in pupils, question
    assert "Wat zou je een nieuwe leerling vertellen" not in pupils
    staff = words(sites["build"], "formulieren/teamgesprek.html")
    for question in ("Welke doelen staan deze periode op jullie bord", "vast moment voor bord- en werksessies",
                     "wat doen jullie daarna met onze bevindingen in de workshop?"):
        assert question in staff, question
    assert "Welke tijd en steun krijg je daarvoor?" not in staff


# --- the programme's own texts (seeds 000 and 002), in both languages --------------------------

SEED_ELEMENTS = {
    "nl": {
        "over-lts.html": (
            # seed 002: leerKRACHT's four core values
            "Vertrouwen in de leraar", "Voor de leerling", "Duurzame verandering",
            "Elke dag samen een beetje beter",
            # seed 000: why take part
            "Feedback en reflectie die blijven", "Een onderbouwde aanpak",
            "Leiderschap en eigenaarschap groeien", "Een vast traject met ruimte", "Een netwerk dat blijft",
            # seed 000: what it yields
            "Leerlingen krijgen beter onderwijs", "Schoolleiders groeien in kennis en vakmanschap",
            "improvement champions", "Besturen versterken de samenwerking",
            # seed 002: what research says about effective professional development
            "aansluit bij het dagelijkse werk", "samen gebeurt, in kleine groepen", "actief is",
            "focust op één concreet thema", "regelmatige opvolging", "inzichten uit onderzoek",
            "ingebed in de dagelijkse organisatie en het beleid",
            # seed 000: the whole LtS-team reviews
            "peer reviewers én schoolcoaches"),
        "kwaliteitscyclus.html": (
            # seed 002: the leerKRACHT start
            "groepen van 60 tot 80 leerlingen", "1,5 tot 2 uur per week", "Startdag met het hele team",
            "jaarbord", "bordsessie van 15 minuten", "werksessie van 75 minuten",
            # the kwaliteitskaart where people look for it
            "Kwaliteitskaart", "Formulier kwaliteitskaart, om te printen"),
        "reviewplan.html": ("Het hele LtS-team van de bezoekende scholen voert de review uit: de peer "
                            "reviewers én de schoolcoaches. De peer reviewer van de voorzittende school "
                            "zit de dag voor.",),
    },
    "en": {
        "over-lts.html": (
            "Trust in the teacher", "For the pupil", "Lasting change", "Every day a little better, together",
            "vertrouwen in de leraar", "elke dag samen een beetje beter",
            "Feedback and reflection that last", "A well-founded approach", "Leadership and ownership grow",
            "A fixed route with room", "A network that lasts",
            "Pupils get better teaching", "School leaders grow in knowledge and craft",
            "improvement champions", "Boards strengthen the collaboration",
            "connects with teachers' daily work", "happens together, in small groups", "is active",
            "focuses on one concrete theme", "frequent follow-up", "insights from research",
            "embedded in the school's daily organisation and policy",
            "peer reviewers and schoolcoaches"),
        "kwaliteitscyclus.html": (
            "groups of 60 to 80 pupils", "1.5 to 2 hours a week", "Start day with the whole staff",
            "year board", "board session of 15 minutes", "work session of 75 minutes",
            "Quality card", "Quality card form, to print"),
        "reviewplan.html": ("The whole LtS team of the visiting schools carries out the review: the peer "
                            "reviewers and the schoolcoaches. The peer reviewer of the lead school chairs "
                            "the day.",),
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_seed_elements_are_in_the_handbook(sites, language):
    site = sites["build" if language == "nl" else "en"]
    for page, phrases in SEED_ELEMENTS[language].items():
        text = words(site, page)
        missing = [phrase for phrase in phrases if phrase not in text]
        assert missing == [], (language, page)


def test_about_page_is_in_the_nav_and_marks_advice(sites):
    for key, title, advice in (("build", "Over Leren tussen Scholen", "Advies"),
                               ("en", "About Leren tussen Scholen", "Advice")):
        index = (sites[key] / "index.html").read_text(encoding="utf-8")
        assert 'href="over-lts.html"' in index and title in index
        about = (sites[key] / "over-lts.html").read_text(encoding="utf-8")
        assert f'<p class="admonition-title">{advice}' in about  # advice is marked as advice
        cycle = (sites[key] / "kwaliteitscyclus.html").read_text(encoding="utf-8")
        assert 'href="formulieren/kwaliteitskaart.html"' in cycle
        assert f'<p class="admonition-title">{advice}' in cycle


def test_the_kwaliteitskaart_is_linked_from_the_workshop_and_evaluation_parts(sites):
    protocol = (sites["build"] / "protocol.html").read_text(encoding="utf-8")
    assert protocol.count('href="kwaliteitscyclus.html#kwaliteitskaart"') == 2
    review = (sites["build"] / "reviews/review-regenboog.html").read_text(encoding="utf-8")
    assert 'href="../kwaliteitscyclus.html#kwaliteitskaart"' in review
    english = (sites["en"] / "protocol.html").read_text(encoding="utf-8")
    assert english.count('href="kwaliteitscyclus.html#quality-card"') == 2


def test_no_seed_typo_is_copied(sites):
    for key in ("build", "embed", "en"):
        for path in sites[key].rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for typo in ("beschikbar", "meetbaat", "Vorbereiden", "LeerKracht-scholen"):
                assert typo not in text, (path, typo)
