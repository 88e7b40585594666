"""Fixtures shared by the test modules; what they share besides fixtures is in helpers.py.

`at_root` runs a test in the repository's top folder, where the command line's relative paths
(tests/broken/…) point; the modules that need it say so with `pytest.mark.usefixtures`.

`example_output` is the example built with its PDFs and books, for test_pdf.py and test_book.py.
The others are those of the installed tool (helpers `sh`, `edit_circle`), used by test_package.py
and test_board_*.py. These are made once per run, shared by the xdist workers (`made_once`).

The run order: the longest modules first (LONGEST_FIRST), so both workers finish together.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from handbook_gen.build import build, failed
from handbook_gen.circle.validate import check_file
from handbook_gen.common.freshness import Settings
from helpers import EPOCH, EXAMPLE, GIT_ENV, MINIMAL, ROOT, sh, write


# The end-to-end modules: each builds real sites (MkDocs), PDFs, a wheel, runs CI files or
# kills builds; everything under tests/browser/ drives Chromium. Elsewhere a test that uses one of
# the SLOW_FIXTURES (a real build, a wheel) is slow too.
SLOW_MODULES = {"test_build", "test_incremental", "test_kill", "test_package", "test_board_github",
                "test_board_gitlab", "test_pdf", "test_site", "test_preview", "test_workflows",
                "test_property", "test_content", "test_hostile_text"}
SLOW_FIXTURES = {"built", "site", "site_root", "handbook", "examples", "example_site", "dist",
                 "wheel", "user_env", "board", "browser", "http_base", "built_pdfs", "example_output"}


# The longest modules, longest first (measured: pytest --durations). xdist hands out whole
# modules in collection order (--no-loadscope-reorder, pyproject.toml), so these start first and
# the short ones fill in at the end, rather than one long module running alone while the other
# worker has nothing left. Neighbours here never wait on the same made_once fixture at the start.
LONGEST_FIRST = ["test_package", "test_pdf", "browser/test_accessibility", "test_workflows",
                 "test_kill", "browser/test_example_handbooks", "test_hostile_text",
                 "test_board_gitlab", "test_book", "test_incremental", "browser/test_engines",
                 "test_board_github", "browser/test_day_pages"]


def run_order(item) -> int:
    """Where an item's module comes in LONGEST_FIRST; the others after, as collected."""
    module = item.path.relative_to(ROOT / "tests").with_suffix("").as_posix()
    return LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)


def is_slow(item) -> bool:
    return (item.path.stem in SLOW_MODULES or "browser" in item.path.parts
            or bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))))


def pytest_collection_modifyitems(config, items):
    """`-m 'not slow'` is the inner loop: tests on in-memory circles only. The fuzz run (10,000
    cases) is only taken when asked for by name (`-m fuzz`), whatever else -m selects."""
    if missing := [name for name in LONGEST_FIRST if not (ROOT / "tests" / f"{name}.py").is_file()]:
        raise pytest.UsageError(f"tests/conftest.py: LONGEST_FIRST names no module {missing}")
    wants_fuzz = "fuzz" in (config.option.markexpr or "") and "not fuzz" not in config.option.markexpr
    kept, dropped = [], []
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
        (kept if wants_fuzz or not item.get_closest_marker("fuzz") else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = sorted(kept, key=run_order)  # stable: a module's own tests keep their order


@pytest.fixture
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def made_once(tmp_path_factory, worker_id: str, name: str, make) -> Path:
    """The folder `name`, made by `make(folder)` once per test run: with xdist, by the first worker
    that asks, under a lock, and used by all (the wheel and its venv take half a minute)."""
    run_folder = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        run_folder = run_folder.parent  # the run's folder, above each worker's own
    folder = run_folder / name
    with FileLock(str(folder) + ".lock"):
        if not (folder / ".made").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a half-made one from a worker that failed
            folder.mkdir()
            make(folder)
            (folder / ".made").touch()
    return folder


@pytest.fixture(scope="session")
def example_output(tmp_path_factory, worker_id) -> Path:
    """An output folder with arkade-noord (Dutch, with a site_url) and minimal-en (English,
    without), built with their PDFs and books under SOURCE_DATE_EPOCH, once per run for
    test_pdf.py and test_book.py. Read only: a test copies what it changes."""
    def make(out: Path) -> None:
        english = MINIMAL.read_text(encoding="utf-8").replace("id: minimal", "id: minimal-en", 1)
        english_file = write(out, "minimal-en.yaml", english.replace("format: 1", "format: 1\nlanguage: en", 1))
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
            checked = [check_file(EXAMPLE), check_file(english_file)]
            assert checked[1].circle.language == "en" and not checked[1].circle.site_url
            assert not failed(build(checked, out / "site", Settings(use_history=False)))

    return made_once(tmp_path_factory, worker_id, "example-output", make) / "site"


@pytest.fixture(scope="session")
def dist(tmp_path_factory, worker_id) -> Path:
    """The sdist, and the wheel built from that sdist (so the sdist is complete too)."""
    def make(out: Path) -> None:
        sh([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=out, timeout=600)

    return made_once(tmp_path_factory, worker_id, "dist", make)


@pytest.fixture(scope="session")
def wheel(dist) -> Path:
    [built] = dist.glob("handbook_gen-*.whl")
    return built


@pytest.fixture(scope="session")
def user_env(tmp_path_factory, worker_id, wheel) -> dict:
    """A fresh virtual environment with only the wheel (and what it needs) installed in it.
    Shared by the tests of one run: none installs anything else into it."""
    def make(venv: Path) -> None:
        sh([sys.executable, "-m", "venv", str(venv)], cwd=venv)
        install = [str(venv / "bin/python"), "-m", "pip", "install", "--quiet", str(wheel)]
        if sh(install, cwd=venv, check=False, timeout=600).returncode != 0:
            # Once more, fetching anew: a package registry sometimes hands out a broken download
            # (seen on CI: a wheel whose hash did not match). A real failure fails again.
            sh(install + ["--no-cache-dir"], cwd=venv, timeout=600)

    venv = made_once(tmp_path_factory, worker_id, "venv", make)
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONPATH", "SOURCE_DATE_EPOCH") and not key.startswith(("GITHUB_", "CI_"))}
    env.update(GIT_ENV, PATH=f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", VIRTUAL_ENV=str(venv))
    return env


@pytest.fixture
def board(user_env, wheel, tmp_path) -> Path:
    """A board's repository made with `init`, pushed to an `origin`, with a branch that moves a review."""
    origin = tmp_path / "origin.git"
    sh(["git", "init", "--quiet", "--bare", "-b", "main", str(origin)], tmp_path, user_env)
    repo = tmp_path / "bestuur"
    sh(["git", "clone", "--quiet", str(origin), str(repo)], tmp_path, user_env)
    sh(["handbook-gen", "init", "--install", str(wheel)], repo, user_env)
    sh("git checkout --quiet -b main && git add -A && git commit --quiet -m 'Start' && git push --quiet origin main",
       repo, user_env)
    sh("git checkout --quiet -b review-later", repo, user_env)
    return repo
