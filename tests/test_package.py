"""What a board installs: the sdist and wheel, the wheel in a fresh virtual environment outside
this checkout, and pre-commit: this repository's hook (`pre-commit try-repo`) and the config
`init` writes. The pinned `handbook-gen==<version>` that `init` writes is installed from a local
package index serving the fresh wheel, by the CI jobs and by pre-commit. The CI files' own runs
are in test_board_github.py and test_board_gitlab.py. Slow: it installs for real (fixtures in
conftest.py, shared by those modules: built and installed once per run)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from handbook_gen import __version__
from board_ci import DEFAULT_BRANCH, run_github_job, run_gitlab_pipeline
from helpers import ROOT, edit_circle, serve_folder, sh

pytestmark = pytest.mark.slow  # builds and installs the wheel, runs CI jobs and pre-commit for real

SHIPPED = ("docs_templates", "theme")


def test_sdist_holds_the_sources_and_no_build_output(dist):
    [sdist] = dist.glob("handbook_gen-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ("pyproject.toml", "README.md", "mkdocs.yml", "docs_templates/pages/review.md",
                   "theme/main.html", "handbook_gen/cli.py", "handbook_gen/board/gitlab-ci.yml"):
        assert needed in names, needed
    assert not any(name.startswith(("site/", ".venv/")) or "node_modules" in name for name in names)


def test_wheel_holds_every_template_theme_file_and_the_base_config(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in SHIPPED:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                assert f"handbook_gen/_resources/{path.relative_to(ROOT).as_posix()}" in names, path
    assert "handbook_gen/_resources/mkdocs.yml" in names
    package = ROOT / "handbook_gen"
    for path in package.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"handbook_gen/{path.relative_to(package).as_posix()}" in names, path
    assert not any("__pycache__" in name or name.startswith("tests/") for name in names)


def test_installed_wheel_builds_a_circle_from_an_empty_folder(user_env, tmp_path):
    assert sh(["handbook-gen", "--version"], tmp_path, user_env).stdout.strip() == f"handbook-gen {__version__}"
    where = sh(["python", "-c", "import handbook_gen; print(handbook_gen.__file__)"], tmp_path, user_env).stdout
    assert not where.startswith(str(ROOT))  # the installed copy, not this checkout
    sh(["handbook-gen", "new", "noord"], tmp_path, user_env)
    sh(["handbook-gen", "validate", "--strict"], tmp_path, user_env)
    done = sh(["handbook-gen", "build"], tmp_path, user_env)
    assert "noord: handboek gebouwd" in done.stdout
    page = (tmp_path / "site/noord/index.html").read_text(encoding="utf-8")
    assert "Cirkel Noord" in page and "assets/stylesheets/print.css" in page
    assert (tmp_path / "site/noord/calendars/circle.ics").is_file()
    assert (tmp_path / "site/noord/formulieren/formulieren.pdf").is_file()  # paper.css is in the wheel
    assert list((tmp_path / "site/noord/reviews").glob("*.pdf"))
    assert (tmp_path / "site/index.html").is_file()
    schema = json.loads(sh(["handbook-gen", "schema"], tmp_path, user_env).stdout)
    assert schema["type"] == "object"


def test_a_bug_in_the_installed_tool_is_exit_3(user_env, tmp_path):
    (tmp_path / "circles").mkdir()
    sh(["handbook-gen", "new", "noord"], tmp_path, user_env)
    # A missing template is a packaging bug: one line, exit 3, details in a log.
    site_packages = Path(sh(["python", "-c", "import handbook_gen; print(handbook_gen.__file__)"],
                            tmp_path, user_env).stdout.strip()).parent
    broken = tmp_path / "broken-install"
    shutil.copytree(site_packages, broken / "handbook_gen")
    (broken / "handbook_gen/_resources/docs_templates/pages/index.md").unlink()
    done = sh(["python", "-m", "handbook_gen", "build"], tmp_path,
              {**user_env, "PYTHONPATH": str(broken)}, check=False)
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1 and "interne fout" in done.stderr and "Traceback" not in done.stderr


# --- installs that work before and after publishing: the board's own package index -------------


@pytest.fixture(scope="module")
def local_index(wheel, tmp_path_factory):
    """The freshly built wheel on a PEP 503 package index over HTTP on 127.0.0.1, as a board's
    own index (or PyPI after the release) would serve it: pip finds handbook-gen there and every
    other package where it always does (PIP_EXTRA_INDEX_URL)."""
    root = tmp_path_factory.mktemp("index")
    (root / "files").mkdir()
    shutil.copy2(wheel, root / "files" / wheel.name)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    project = root / "simple" / "handbook-gen"
    project.mkdir(parents=True)
    (root / "simple/index.html").write_text('<a href="handbook-gen/">handbook-gen</a>\n', encoding="utf-8")
    (project / "index.html").write_text(
        f'<a href="../../files/{wheel.name}#sha256={digest}" data-requires-python="&gt;=3.11">{wheel.name}</a>\n',
        encoding="utf-8")
    with serve_folder(root) as url:
        yield f"{url}simple/"


def fresh_ci_env(user_env: dict, folder: Path) -> dict:
    """A runner's Python: a virtual environment with nothing installed, first on PATH."""
    sh([sys.executable, "-m", "venv", str(folder)], folder.parent, user_env)
    return {**user_env, "PATH": f"{folder / 'bin'}:/usr/local/bin:/usr/bin:/bin", "VIRTUAL_ENV": str(folder)}


def test_the_pinned_version_installs_from_the_boards_index_in_ci_and_pre_commit(local_index, user_env, tmp_path):
    repo = tmp_path / "bestuur"
    repo.mkdir()
    sh("git init --quiet -b main", repo, user_env)
    sh(["handbook-gen", "init"], repo, user_env)  # no --install: the pin, handbook-gen==<this version>
    pin = f"handbook-gen=={__version__}"
    assert yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))[
        "repos"][0]["hooks"][0]["additional_dependencies"] == [pin]
    sh("git add -A && git commit --quiet -m Start", repo, user_env)
    ci_env = fresh_ci_env(user_env, tmp_path / "runner-python")
    # Without the index the pin cannot be installed: what a board met before the first release.
    missing = sh(["python", "-m", "pip", "install", "--quiet", pin], repo, ci_env, check=False, timeout=600)
    assert missing.returncode != 0

    # GitHub: the board sets the repository variable PIP_EXTRA_INDEX_URL. (Install and check: the
    # build after them is the one the tests above run.)
    steps, output, _ = run_github_job(repo, ci_env, "push", {"vars.PIP_EXTRA_INDEX_URL": local_index}, steps=2)
    assert steps == [("handbook-gen installeren", 0), ("Cirkelbestanden controleren", 0)], output
    installed = sh(["python", "-c", "import handbook_gen; print(handbook_gen.__version__, handbook_gen.__file__)"],
                   repo, ci_env).stdout.split()
    assert installed[0] == __version__ and installed[1].startswith(str(tmp_path / "runner-python"))

    # GitLab: a CI/CD variable reaches pip as it is (the same runner Python without handbook-gen;
    # the check stage only).
    sh(["python", "-m", "pip", "uninstall", "--quiet", "--yes", "handbook-gen"], repo, ci_env)
    gitlab_env = {**ci_env, "PIP_EXTRA_INDEX_URL": local_index}
    outcomes, output = run_gitlab_pipeline(repo, gitlab_env, DEFAULT_BRANCH, stages=("check",))
    assert outcomes == {"validate": 0}, output
    assert sh(["python", "-m", "pip", "show", "handbook-gen"], repo, gitlab_env).returncode == 0

    # pre-commit: the hook's own environment installs the pin from pip's configured index.
    hook_env = {**user_env, "PIP_EXTRA_INDEX_URL": local_index}
    good = precommit(["run", "--all-files"], repo, hook_env, tmp_path / "pre-commit")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout[-3000:] + good.stderr[-3000:]
    edit_circle(repo, "    peer_reviewers:\n      - name: Peer reviewer school A\n", "    peer_reviewers: []\n")
    bad = precommit(["run", "--all-files"], repo, hook_env, tmp_path / "pre-commit")
    assert bad.returncode == 1 and "circles/mijn-cirkel.yaml:" in bad.stdout, bad.stdout[-3000:]


# --- pre-commit, installing the tool for real ----------------------------------------------------

def precommit(args: list[str], repo: Path, env: dict, home: Path) -> subprocess.CompletedProcess:
    return sh([sys.executable, "-m", "pre_commit", *args], repo, {**env, "PRE_COMMIT_HOME": str(home)},
              check=False, timeout=900)


def test_this_repository_as_a_pre_commit_hook(board, user_env, tmp_path):
    """`pre-commit try-repo` installs the hook from this checkout, as a board's config would."""
    good = precommit(["try-repo", str(ROOT), "handbook-gen-validate", "--all-files"], board, user_env,
                     tmp_path / "pre-commit")
    assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
    assert "Passed" in good.stdout
    edit_circle(board, "    peer_reviewers:\n      - name: Peer reviewer school A\n", "    peer_reviewers: []\n")
    bad = precommit(["try-repo", str(ROOT), "handbook-gen-validate", "--all-files"], board, user_env,
                    tmp_path / "pre-commit")
    assert bad.returncode == 1 and "Failed" in bad.stdout
    assert re.search(r"circles/mijn-cirkel\.yaml:\d+:\d+: error: schools\[0\]\.peer_reviewers", bad.stdout)
