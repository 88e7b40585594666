"""The other site engines, proven on the examples: ProperDocs (CI) and Zensical (experimental).

Each engine gets its own virtual environment once per run (module-scoped): this test run's
libraries (a .pth file names its site-packages) plus the engine package exactly as pinned in
pyproject.toml's extra. The examples are built with `handbook-gen build --engine NAME` in it, and
the output gets the acceptance checks: offline search over file:// in Chromium, 0 axe violations,
the print view, and for Zensical a search dialog in Dutch. The GitHub job
.github/workflows/engines.yml does the same from a plain `pip install '.[properdocs]'`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers import EPOCH, ROOT, page_opener

pytestmark = pytest.mark.slow

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ("index.html", "team.html", "formulieren/lesbezoek.html", "reviews/review-regenboog.html")
SEARCH_WORD = "Regenboog"  # on several pages of arkade-noord
STAMP = ".handbook-gen.json"  # names the engine, so it differs by design
GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def pinned(extra: str) -> list[str]:
    """The engine's requirement(s), as pyproject.toml pins them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["optional-dependencies"][extra]


def engine_python(folder: Path, extra: str) -> Path:
    """A venv with this run's libraries and the engine's pinned package; its python."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    inside = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    Path(inside, "handbook-gen-test.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *pinned(extra)], check=True, timeout=600)
    return python


def build_examples(python: Path, engine: str, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([str(python), "-m", "handbook_gen", "build", str(ROOT / "circles"), "--no-pdf",
                           "--no-history", "--engine", engine, "-o", str(out)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module", params=["properdocs", "zensical"])
def engine_venv(request, tmp_path_factory) -> tuple[str, Path]:
    """(engine name, the python of its venv): one venv per engine per run."""
    name = request.param
    return name, engine_python(tmp_path_factory.mktemp(f"venv-{name}"), name)


@pytest.fixture(scope="module")
def engine(engine_venv, tmp_path_factory) -> tuple[str, Path]:
    """(engine name, output folder of the examples built with it)."""
    name, python = engine_venv
    out = tmp_path_factory.mktemp(f"site-{name}")
    done = build_examples(python, name, out)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # the engine's own output stays off the terminal
    return name, out


def test_properdocs_makes_the_pages_mkdocs_makes(engine, tmp_path):
    """A drop-in: the same bytes, but for the line that names the engine (and the stamps)."""
    name, out = engine
    if name != "properdocs":
        pytest.skip("Zensical renders its own templates (docs/engines.md lists what differs)")
    done = build_examples(Path(sys.executable), "mkdocs", tmp_path)
    assert done.returncode == 0, done.stderr
    theirs = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and p.name != STAMP)
    ours = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file() and p.name != STAMP)
    assert theirs == ours
    for path in ours:
        mine, other = (tmp_path / path).read_bytes(), (out / path).read_bytes()
        if path.suffix == ".html":
            mine, other = GENERATOR.sub(b"", mine), GENERATOR.sub(b"", other)
        assert mine == other, path


def test_a_zensical_failure_is_one_line_with_its_place(engine_venv, tmp_path):
    name, python = engine_venv
    if name != "zensical":
        pytest.skip("the MkDocs-family message is tested with MkDocs itself (test_site.py)")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Start\n\n[kapot](bestaat-niet.md)\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: Proef\nuse_directory_urls: false\n", encoding="utf-8")
    probe = ("import sys; from pathlib import Path; from handbook_gen.engines.engine_zensical import ENGINE\n"
             "try: ENGINE.render(Path('mkdocs.yml').resolve(), Path('site').resolve(), '')\n"
             "except Exception as error: print(type(error).__name__, error); sys.exit(1)")
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "EngineError Zensical: page does not exist (index.md:3:9).\n", "")


def test_the_stamp_and_the_pages_name_the_engine(engine):
    name, out = engine
    stamp = json.loads((out / "arkade-noord" / ".handbook-gen.json").read_text(encoding="utf-8"))
    version = pinned(name)[0].split("==")[1]
    assert stamp["engine"].startswith(f"{name} {version}")
    page = (out / "arkade-noord" / "index.html").read_text(encoding="utf-8")
    assert f'<meta name="generator" content="{name}-{version}' in page
    index = (out / "index.html").read_text(encoding="utf-8")  # the output folder's front page
    assert f'<meta name="generator" content="handbook-gen 0.1.0, {name}-{version}' in index
    assert not (out / "arkade-noord" / "assets").exists()  # shared assets: none of its own


def test_offline_search_works_from_file(engine, browser):
    name, out = engine
    handbook = out / "arkade-noord"
    with page_opener(browser, (handbook.parent.as_uri() + "/",)) as open_:
        visit = open_((handbook / "index.html").as_uri())
        page = visit.page
        if name == "zensical":
            page.locator(".md-search__button").first.click()
            field = page.locator("dialog input")
        else:
            field = page.locator(".md-search__input")
        field.fill(SEARCH_WORD)
        result = page.locator(".md-search-result__item, dialog [role=option]").first
        result.wait_for(state="visible", timeout=15_000)
        assert "Regenboog" in result.inner_text()
        assert visit.outside() == []


def test_zensical_search_speaks_dutch(engine, browser):
    name, out = engine
    if name != "zensical":
        pytest.skip("the MkDocs-family engines use Material's own translations")
    handbook = out / "arkade-noord"
    with page_opener(browser, (handbook.parent.as_uri() + "/",)) as open_:
        page = open_((handbook / "index.html").as_uri()).page
        page.locator(".md-search__button").first.click()
        field = page.locator("dialog input")
        field.wait_for(state="visible")
        assert field.get_attribute("placeholder") == "Zoeken"
        assert page.locator("dialog").get_attribute("aria-label") == "Zoeken"
        field.fill(SEARCH_WORD)
        status = page.locator("dialog [role=status]")
        expect(status).to_have_text(re.compile(r"^\d+ resultaten$"), timeout=15_000)  # not "results"
        expect(page.locator("dialog [role=listbox]")).to_have_attribute("aria-label", "Zoekresultaten")


def test_no_axe_violations_on_screen_and_in_print(engine, browser):
    name, out = engine
    if not AXE.is_file():
        missing = "tests/js/node_modules has no axe-core; run scripts/install-js.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the accessibility checks must run on CI, but {missing}")
        pytest.skip(missing)
    handbook = out / "arkade-noord"
    found = {}
    with page_opener(browser, (handbook.parent.as_uri() + "/",)) as open_:
        for path in PAGES:
            for media in ("screen", "print"):
                page = open_((handbook / path).as_uri(), media=media).page
                page.add_script_tag(path=str(AXE))
                violations = page.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r =>"
                    " r.violations.flatMap(rule => rule.nodes.map(n => rule.id + ': ' + n.target.join(' '))))",
                    WCAG_AA)
                if violations:
                    found[f"{path} ({media})"] = violations
    assert found == {}


def test_print_shows_the_form_without_the_chrome(engine, browser):
    name, out = engine
    handbook = out / "arkade-noord"
    with page_opener(browser, (handbook.parent.as_uri() + "/",)) as open_:
        page = open_((handbook / "formulieren" / "lesbezoek.html").as_uri(), media="print").page
        for selector in (".md-header", ".md-sidebar--primary", ".md-footer", ".lts-print-button"):
            assert not page.locator(selector).first.is_visible(), selector
        assert page.locator(".lts-form").first.is_visible()
        assert page.pdf(format="A4", prefer_css_page_size=True).startswith(b"%PDF")
