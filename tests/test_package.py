"""What a board installs and runs: the wheel in a fresh virtual environment outside this
checkout, `init`, every step of the written GitHub workflow and GitLab CI file (read from the
files, run in order, with and without the board's feed secret), and pre-commit: this repository's
hook (`pre-commit try-repo`) and the config `init` writes. The pinned `handbook-gen==<version>`
that `init` writes is installed from a local package index serving the fresh wheel, by the CI
jobs and by pre-commit. Slow: it installs for real (fixtures in conftest.py), once for all of
these, as they are one module."""

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


# --- a board's repository, its CI files run step by step -----------------------------------


def move_first_review(repo: Path, env: dict) -> None:
    text = (repo / "circles/mijn-cirkel.yaml").read_text(encoding="utf-8")
    day = re.search(r"host: school-a\n    date: (\d{4}-\d\d-\d\d)", text).group(1)
    later = sh(["python", "-c", f"import datetime; print(datetime.date.fromisoformat('{day}') + datetime.timedelta(days=7))"],
               repo, env).stdout.strip()
    edit_circle(repo, f"host: school-a\n    date: {day}", f"host: school-a\n    date: {later}")
    sh("git commit --quiet -am 'Review school A een week later'", repo, env)


EXPRESSION = re.compile(r"\$\{\{\s*(secrets|vars|github)\.(\w+)\s*\}\}")


def expand(value: str, context: dict) -> str:
    """`${{ secrets.X }}`, `${{ vars.X }}` and `${{ github.token }}` as Actions fills them in:
    from `context` ("secrets.X"), empty when the board has not set them."""
    expanded = EXPRESSION.sub(lambda m: context.get(f"{m.group(1)}.{m.group(2)}", ""), str(value))
    assert "${{" not in expanded, f"an expression this runner does not know: {value}"
    return expanded


def run_github_job(repo: Path, env: dict, event: str, context: dict | None = None, steps: int | None = None
                   ) -> tuple[list[tuple[str, int]], str, str]:
    """Every `run:` step of the workflow's jobs, in order, as Actions would on `event`;
    `uses:` steps are GitHub's own actions and are left out. `context` holds the board's
    secrets and variables ("secrets.NAME", "vars.NAME"); GITHUB_ENV and GITHUB_OUTPUT work as
    on a runner; `steps` stops after so many. Returns (step, exit code) pairs, stdout and the job
    summary."""
    context = context or {}
    workflow = yaml.safe_load((repo / ".github/workflows/handbook.yml").read_text(encoding="utf-8"))
    runner = repo.parent / "runner"
    runner.mkdir(exist_ok=True)
    summary, github_env, outputs = runner / "step-summary.md", runner / "env", runner / "output"
    for path in (summary, github_env, outputs):
        path.write_text("", encoding="utf-8")
    base = {**env, **{k: expand(v, context) for k, v in workflow.get("env", {}).items()},
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event,
            "GITHUB_REPOSITORY": "bestuur/handboeken", "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ENV": str(github_env), "GITHUB_OUTPUT": str(outputs), "GITHUB_WORKSPACE": str(repo),
            "GITHUB_REF": "refs/pull/1/merge" if event == "pull_request" else "refs/heads/main"}
    if event == "pull_request":
        base["GITHUB_BASE_REF"] = "main"
    results, output = [], ""
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "run" not in step:
                continue
            assert "if" not in step, "run steps decide in the script; the runner here ignores if:"
            step_env = {name: expand(value, context) for name, value in step.get("env", {}).items()}
            added = dict(line.split("=", 1) for line in github_env.read_text(encoding="utf-8").splitlines() if "=" in line)
            done = sh(["bash", "-e", "-o", "pipefail", "-c", step["run"]], repo,
                      {**base, **added, **step_env}, check=False, timeout=900)
            results.append((step.get("name", step["run"]), done.returncode))
            output += done.stdout + done.stderr
            if done.returncode or len(results) == steps:
                return results, output, summary.read_text(encoding="utf-8")
    return results, output, summary.read_text(encoding="utf-8")


def test_github_workflow_on_a_pull_request(board, user_env):
    move_first_review(board, user_env)
    steps, output, summary = run_github_job(board, user_env, "pull_request")
    assert [code for _, code in steps] == [0] * 6, output
    assert "### Cirkelbestanden controleren" in summary and "geen fouten" in summary
    # The diff: the review moved, with both dates.
    assert re.search(r"^- Peer review bij Basisschool A: van \w+dag .+ naar \w+dag ", summary, re.MULTILINE), summary
    assert (board / "site/mijn-cirkel/index.html").is_file() and (board / "site/index.html").is_file()
    assert (board / "site/mijn-cirkel/assets").is_dir()  # standalone: each handbook folder on its own
    with zipfile.ZipFile(board / "handboek-offline.zip") as offline:
        assert "site/mijn-cirkel/index.html" in offline.namelist()
    assert not (board.parent / "runner/output").read_text(encoding="utf-8")  # nothing to publish: private


def test_github_workflow_on_a_broken_circle(board, user_env):
    edit_circle(board, "    peer_reviewers:\n      - name: Peer reviewer school A\n", "    peer_reviewers: []\n")
    steps, output, summary = run_github_job(board, user_env, "pull_request")
    assert steps[-1] == ("Cirkelbestanden controleren", 1), output
    assert len(steps) == 2  # nothing is built from a broken file
    assert re.search(r"^::error file=circles/mijn-cirkel\.yaml,line=\d+,col=\d+::schools\[0\]\.peer_reviewers",
                     output, re.MULTILINE), output
    assert re.search(r"^\| circles/mijn-cirkel\.yaml:\d+:\d+ \| fout \| schools\[0\]\.peer_reviewers", summary,
                     re.MULTILINE), summary
    assert not (board / "site").exists()


# A GitLab `rules: if:` as the written files use them: $VAR == "text" | $VAR (set and not
# empty), joined by &&.
def rule_holds(condition: str, variables: dict) -> bool:
    def value(term: str) -> str:
        term = term.strip()
        return variables.get(term[1:], "") if term.startswith("$") else term.strip('"')

    for part in condition.split("&&"):
        if "==" in part:
            left, right = part.split("==")
            if value(left) != value(right):
                return False
        elif not value(part):
            return False
    return True


def run_gitlab_pipeline(repo: Path, env: dict, variables: dict, stages: tuple[str, ...] | None = None
                        ) -> tuple[dict[str, int], str]:
    """The jobs of .gitlab-ci.yml whose rules hold, stage by stage (or only `stages`), each with
    its before_script."""
    config = yaml.safe_load((repo / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    variables = {"CI_PROJECT_DIR": str(repo), **variables}
    for name, value in config["variables"].items():  # GitLab expands $VAR in variables
        variables[name] = re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), m.group(0)), str(value))
    assert any(rule_holds(rule["if"], variables) for rule in config["workflow"]["rules"])
    jobs = {name: job for name, job in config.items() if isinstance(job, dict) and "script" in job}
    outcomes, output = {}, ""
    for stage in stages or config["stages"]:
        for name, job in jobs.items():
            if job["stage"] != stage:
                continue
            if "rules" in job and not any(rule_holds(rule["if"], variables) for rule in job["rules"]):
                continue
            lines = job.get("before_script", config["default"]["before_script"]) + job["script"]
            done = sh(["bash", "-e", "-c", "\n".join(lines)], repo, {**env, **variables}, check=False, timeout=600)
            outcomes[name] = done.returncode
            output += done.stdout + done.stderr
        if any(outcomes.values()):
            break  # a failed stage stops the pipeline
    return outcomes, output


MERGE_REQUEST = {"CI": "true", "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
                 "CI_DEFAULT_BRANCH": "main", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}
DEFAULT_BRANCH = {"CI": "true", "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push",
                  "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_BRANCH": "main"}


def test_gitlab_merge_request_pipeline(board, user_env):
    move_first_review(board, user_env)
    outcomes, output = run_gitlab_pipeline(board, user_env, MERGE_REQUEST)
    assert outcomes == {"validate": 0, "changes": 0, "handbook": 0}, output
    assert json.loads((board / "gl-code-quality-report.json").read_text(encoding="utf-8")) == []
    changes = (board / "wijzigingen.md").read_text(encoding="utf-8")
    assert re.search(r"^- Peer review bij Basisschool A: van \w+dag .+ naar \w+dag ", changes, re.MULTILINE), changes
    assert (board / "public/mijn-cirkel/index.html").is_file()
    assert any((board / ".cache/handbook-gen").rglob("*.json"))  # the history, cached for the next job


def test_gitlab_pipeline_on_the_default_branch_publishes_pages(board, user_env):
    outcomes, output = run_gitlab_pipeline(board, user_env, DEFAULT_BRANCH)
    assert outcomes == {"validate": 0, "handbook": 0, "pages": 0}, output  # no feeds job: not configured
    assert (board / "public/index.html").is_file()
    with zipfile.ZipFile(board / "handboek-offline.zip") as offline:
        assert "public/mijn-cirkel/index.html" in offline.namelist()


def test_gitlab_merge_request_with_a_broken_circle(board, user_env):
    edit_circle(board, "    peer_reviewers:\n      - name: Peer reviewer school A\n", "    peer_reviewers: []\n")
    outcomes, output = run_gitlab_pipeline(board, user_env, MERGE_REQUEST)
    assert outcomes["validate"] == 1 and "handbook" not in outcomes, output
    report = json.loads((board / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert report and all(issue["location"]["path"] == "circles/mijn-cirkel.yaml" for issue in report)
    assert any("peer_reviewers" in issue["description"] and issue["severity"] == "major" for issue in report)
    assert "circles/mijn-cirkel.yaml:" in output  # the job log says it too, as text


# --- with the board's feed secret: feeds for a public host, checked before they go out ----------
# `build` with HANDBOOK_FEED_SECRET and `handbook-gen privacy` come with the feeds work (issue 22);
# until the installed tool has them, these tests say so and skip.

SECRET = "k7Qw2Zp9Lr4Tx8Vb1Nm6Hs3Jd5Fg0Ca2Ye7Uo9"  # 38 characters, as a board would set it


def needs_privacy_command(env: dict, repo: Path) -> None:
    if sh(["handbook-gen", "privacy", "--help"], repo, env, check=False).returncode != 0:
        pytest.skip("the installed handbook-gen has no `privacy` command yet (issue 22, the feeds work)")


def test_github_workflow_with_a_feed_secret_checks_the_feeds(board, user_env):
    needs_privacy_command(user_env, board)
    context = {"secrets.HANDBOOK_FEED_SECRET": SECRET, "vars.HANDBOOK_FEEDS_URL": "https://feeds.example.org/lts/"}
    steps, output, _ = run_github_job(board, user_env, "push", context)
    assert [code for _, code in steps] == [0] * 6, output
    assert ("Privacycontrole van de agenda's", 0) in steps
    assert any((board / "site/feeds").rglob("*.ics")), output
    # GitHub Pages is not reachable here: nothing is published, and the run says why.
    assert "::notice::GitHub Pages staat uit" in output
    assert not (board.parent / "runner/output").read_text(encoding="utf-8")


def test_gitlab_pipeline_with_a_feed_secret_publishes_the_feeds_to_the_public_project(board, user_env, tmp_path):
    needs_privacy_command(user_env, board)
    host = tmp_path / "feeds-host.git"
    sh(["git", "init", "--quiet", "--bare", "-b", "main", str(host)], tmp_path, user_env)
    variables = {**DEFAULT_BRANCH, "CI_COMMIT_SHORT_SHA": "abc1234", "HANDBOOK_FEED_SECRET": SECRET,
                 "HANDBOOK_FEEDS_URL": "https://bestuur.gitlab.io/agendas/",
                 "HANDBOOK_FEEDS_REPOSITORY": host.as_uri()}
    outcomes, output = run_gitlab_pipeline(board, user_env, variables)
    assert outcomes == {"validate": 0, "handbook": 0, "pages": 0, "feeds": 0}, output
    published = sh(["git", "--git-dir", str(host), "ls-tree", "-r", "--name-only", "main"], tmp_path, user_env).stdout
    assert ".gitlab-ci.yml" in published.splitlines()
    assert any(name.startswith("public/") and name.endswith(".ics") for name in published.splitlines()), published
    assert not any(name.startswith("public/") and name.endswith(".html") for name in published.splitlines())


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
