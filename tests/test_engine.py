"""The engine seam (engine.py) and our steps after the engine (postprocess.py), without an engine
run: on small pages in memory and in a temporary folder. The real builds under each engine are in
tests/test_site.py (MkDocs) and tests/browser/test_engines.py (ProperDocs, Zensical)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from handbook_gen.site import postprocess
from handbook_gen.engines.engine import EngineError, check_installed, get_engine
from helpers import EXAMPLE, run

SHARED = {"stylesheets/main.css", "javascripts/bundle.js", "javascripts/workers/search.js"}


@pytest.mark.parametrize("depth, prefix", [(0, ""), (0, "./"), (1, "../"), (2, "../../")])
def test_links_to_shared_assets_go_one_folder_up(depth, prefix):
    html = (f'<link rel="stylesheet" href="{prefix}assets/stylesheets/main.css">'
            f'<script src="{prefix}assets/javascripts/bundle.js"></script>'
            f'<script id="__config">{{"search": "{prefix}assets/javascripts/workers/search.js"}}</script>')
    up = "../" * depth
    assert postprocess.link_shared_assets(html, depth, SHARED) == (
        f'<link rel="stylesheet" href="../{up}assets/stylesheets/main.css">'
        f'<script src="../{up}assets/javascripts/bundle.js"></script>'
        f'<script id="__config">{{"search": "../{up}assets/javascripts/workers/search.js"}}</script>')


def test_other_links_stay():
    html = ('<a href="assets/stylesheets/main.css">at depth 1 this is not the root assets/</a>'
            '<img src="../assets/images/own.png">'  # not a shared file
            '<p>"assets/stylesheets/main.css" as text at the wrong depth</p>')
    assert postprocess.link_shared_assets(html, 1, SHARED) == html


def test_finish_writes_the_search_script_names_the_engine_compacts_and_drops_the_copies(tmp_path):
    site = tmp_path / "site"
    (site / "search").mkdir(parents=True)
    (site / "search" / "search_index.json").write_text('{"docs": []}', encoding="utf-8")
    (site / "assets" / "stylesheets").mkdir(parents=True)
    (site / "assets" / "stylesheets" / "main.css").write_text("body{}", encoding="utf-8")
    (site / "assets" / "own.txt").write_text("mine", encoding="utf-8")
    (site / "reviews").mkdir()
    page = ('<html>\n  <head>\n    <meta name="generator" content="mkdocs-1.6.1">\n'
            '    <link href="../assets/stylesheets/main.css">\n  </head>\n\n'
            '  <body><pre>\n  kept\n\n  as is</pre></body>\n</html>')
    (site / "reviews" / "r.html").write_text(page, encoding="utf-8")
    engine = SimpleNamespace(search_index="search/search_index.json", generator="probe-1 & co")

    postprocess.finish(site, engine, {"stylesheets/main.css"})

    assert (site / "search" / "search_index.js").read_text(encoding="utf-8") == 'var __index = {"docs": []}'
    assert (site / "reviews" / "r.html").read_text(encoding="utf-8") == (
        '<html>\n<head>\n<meta name="generator" content="probe-1 &amp; co">\n'
        '<link href="../../assets/stylesheets/main.css">\n</head>\n'
        '<body><pre>\n  kept\n\n  as is</pre></body>\n</html>')
    assert sorted(p.relative_to(site).as_posix() for p in (site / "assets").rglob("*")) == ["assets/own.txt"]


def test_publish_shared_assets_writes_them_once_with_a_stamp(tmp_path):
    source = tmp_path / "theme.css"
    source.write_text("body{}", encoding="utf-8")
    target = tmp_path / "out" / "assets"
    postprocess.publish_shared_assets(target, {"stylesheets/theme.css": source}, {"generator": "g"})
    assert (target / "stylesheets" / "theme.css").read_text(encoding="utf-8") == "body{}"
    assert json.loads((target / ".handbook-gen.json").read_text(encoding="utf-8")) == {"generator": "g"}


def test_the_default_engine_says_what_it_is():
    engine = get_engine()
    assert engine.name == "mkdocs"
    assert engine.version == "mkdocs 1.6.1, mkdocs-material 9.8.2"  # as pinned in pyproject.toml
    assert engine.generator == "mkdocs-1.6.1, mkdocs-material-9.8.2"  # Material's own line


def test_the_index_page_names_handbook_gen_and_the_engine(tmp_path):
    from handbook_gen.build import _generator
    from handbook_gen.site.index_page import write_index

    assert _generator("mkdocs") == "handbook-gen 0.1.0, mkdocs-1.6.1, mkdocs-material-9.8.2"
    circle = {"id": "cirkel-c", "name": "C", "board": "B", "school_year": "2025-2026", "year": "build"}
    write_index([circle], tmp_path, 'x & "y"')
    assert '<meta name="generator" content="x &amp; &#34;y&#34;">' in (tmp_path / "index.html").read_text(encoding="utf-8")
    write_index([circle], tmp_path)  # without a generator line: the mark that proves the page is ours
    assert '<meta name="generator" content="handbook-gen">' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_an_unknown_engine_is_refused():
    with pytest.raises(EngineError, match="unknown engine 'hugo'"):
        get_engine("hugo")
    with pytest.raises(EngineError, match="unknown engine 'hugo'"):
        check_installed("hugo")


@pytest.mark.parametrize("language, said", [
    ("nl", "handbook-gen: site-engine properdocs kan niet worden gebruikt: properdocs is niet geïnstalleerd. "
           "Installeer het met: pip install 'handbook-gen[properdocs]'\n"),
    ("en", "handbook-gen: site engine properdocs cannot be used: properdocs is not installed. "
           "Install it with: pip install 'handbook-gen[properdocs]'\n"),
])
def test_an_engine_that_is_not_installed_is_one_line_in_the_users_language_and_exit_2(
        capsys, tmp_path, monkeypatch, language, said):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: None if name == "properdocs"
                        else find_spec(name, *rest))
    code, out, err = run(["--lang", language, "build", str(EXAMPLE), "--engine", "properdocs", "--no-pdf",
                          "-o", str(tmp_path / "site")], capsys)
    assert code == 2 and out == ""
    assert err == said
    assert not (tmp_path / "site").exists()  # nothing built, nothing touched


def test_the_engine_option_lists_the_engines(capsys):
    code, out, err = run(["build", "--engine", "hugo"], capsys)
    assert code == 2
    assert "ongeldige keuze: 'hugo'" in err and "'mkdocs', 'properdocs', 'zensical'" in err


def test_the_engines_workflow_runs_the_acceptance_checks_per_engine():
    """.github/workflows/engines.yml: each non-default engine installed from its extra, the
    examples built with it, then tests/browser/test_engines.py for that engine; ProperDocs must
    pass, Zensical (experimental) may fail without failing the run."""
    import tomllib

    import yaml

    from helpers import ROOT

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "engines.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["engine"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert job["strategy"]["matrix"]["engine"] == ["properdocs", "zensical"]
    assert all(name in extras for name in job["strategy"]["matrix"]["engine"])
    assert job["continue-on-error"] == "${{ matrix.engine == 'zensical' }}"
    steps = " ".join(step.get("run", "") for step in job["steps"])
    assert """pip install ".[${{ matrix.engine }}]\"""" in steps
    assert "--engine ${{ matrix.engine }}" in steps
    assert "tests/browser/test_engines.py -k ${{ matrix.engine }}" in steps
    assert (ROOT / "tests" / "browser" / "test_engines.py").is_file()
