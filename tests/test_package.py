"""What a board installs and runs: the wheel in a fresh virtual environment outside this
checkout, `init`, every step of the written GitHub workflow and GitLab CI file (read from the
files, run in order), and pre-commit: this repository's hook (`pre-commit try-repo`) and the
config `init` writes. Slow: it installs for real (fixtures in conftest.py), once for all of
these, as they are one module."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import yaml

from handbook_gen import __version__
from helpers import ROOT, edit_circle, sh

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


def run_github_job(repo: Path, env: dict, event: str) -> tuple[list[tuple[str, int]], str, str]:
    """Every `run:` step of the workflow's jobs, in order, as Actions would on `event`;
    `uses:` steps are GitHub's own actions and are left out. Returns (step, exit code) pairs,
    stdout and the job summary."""
    workflow = yaml.safe_load((repo / ".github/workflows/handbook.yml").read_text(encoding="utf-8"))
    summary = repo.parent / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    base = {**env, **{k: str(v) for k, v in workflow.get("env", {}).items()},
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event,
            "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(repo)}
    if event == "pull_request":
        base["GITHUB_BASE_REF"] = "main"
    results, output = [], ""
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "run" not in step:
                continue
            assert "if" not in step, "run steps decide in the script; the runner here ignores if:"
            done = sh(["bash", "-e", "-o", "pipefail", "-c", step["run"]], repo,
                      {**base, **step.get("env", {})}, check=False, timeout=600)
            results.append((step.get("name", step["run"]), done.returncode))
            output += done.stdout + done.stderr
            if done.returncode:
                return results, output, summary.read_text(encoding="utf-8")
    return results, output, summary.read_text(encoding="utf-8")


def test_github_workflow_on_a_pull_request(board, user_env):
    move_first_review(board, user_env)
    steps, output, summary = run_github_job(board, user_env, "pull_request")
    assert [code for _, code in steps] == [0] * 4, output
    assert "### Cirkelbestanden controleren" in summary and "geen fouten" in summary
    # The diff: the review moved, with both dates.
    assert re.search(r"^- Peer review bij Basisschool A: van \w+dag .+ naar \w+dag ", summary, re.MULTILINE), summary
    assert (board / "site/mijn-cirkel/index.html").is_file() and (board / "site/index.html").is_file()


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


# A GitLab `rules: if:` as the written file uses them: $VAR == "text" | $VAR, joined by &&.
def rule_holds(condition: str, variables: dict) -> bool:
    def value(term: str) -> str:
        term = term.strip()
        return variables.get(term[1:], "") if term.startswith("$") else term.strip('"')

    for part in condition.split("&&"):
        left, right = part.split("==")
        if value(left) != value(right):
            return False
    return True


def run_gitlab_pipeline(repo: Path, env: dict, variables: dict) -> tuple[dict[str, int], str]:
    """The jobs of .gitlab-ci.yml whose rules hold, stage by stage, each with its before_script."""
    config = yaml.safe_load((repo / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    variables = {"CI_PROJECT_DIR": str(repo), **variables}
    for name, value in config["variables"].items():  # GitLab expands $VAR in variables
        variables[name] = re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), m.group(0)), str(value))
    assert any(rule_holds(rule["if"], variables) for rule in config["workflow"]["rules"])
    jobs = {name: job for name, job in config.items() if isinstance(job, dict) and "script" in job}
    outcomes, output = {}, ""
    for stage in config["stages"]:
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
    assert outcomes == {"validate": 0, "handbook": 0, "pages": 0}, output
    assert (board / "public/index.html").is_file()


def test_gitlab_merge_request_with_a_broken_circle(board, user_env):
    edit_circle(board, "    peer_reviewers:\n      - name: Peer reviewer school A\n", "    peer_reviewers: []\n")
    outcomes, output = run_gitlab_pipeline(board, user_env, MERGE_REQUEST)
    assert outcomes["validate"] == 1 and "handbook" not in outcomes, output
    report = json.loads((board / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert report and all(issue["location"]["path"] == "circles/mijn-cirkel.yaml" for issue in report)
    assert any("peer_reviewers" in issue["description"] and issue["severity"] == "major" for issue in report)
    assert "circles/mijn-cirkel.yaml:" in output  # the job log says it too, as text


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


def test_the_board_pre_commit_config_as_written_by_init(board, user_env, tmp_path):
    edit_circle(board, "    peer_reviewers:\n      - name: Peer reviewer school A\n", "    peer_reviewers: []\n")
    sh("git add -A", board, user_env)
    bad = precommit(["run"], board, user_env, tmp_path / "pre-commit")
    assert bad.returncode == 1 and "circles/mijn-cirkel.yaml:" in bad.stdout, bad.stdout[-3000:] + bad.stderr[-3000:]
    sh("git checkout --quiet -- . && git reset --quiet --hard", board, user_env)
    good = precommit(["run", "--all-files"], board, user_env, tmp_path / "pre-commit")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout[-3000:] + good.stderr[-3000:]
