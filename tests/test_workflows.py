"""This repository's own GitHub workflows, step by step: the circle files' checks (circles.yml)
run on a pull request in a clone, the weekly fuzz job (fuzz.yml) selects the fuzz test, and the
release (release.yml) builds, checks and tries the wheel as it would on a version tag; all of
them pass actionlint. (The workflows `init` writes for a board are tested in test_package.py,
with the wheel, and linted in test_init.py.)"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from handbook_gen import __version__
from helpers import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
TOOLS = Path(sys.executable).parent  # where pip put handbook-gen for this checkout


def run_steps(job: dict, repo: Path, event: str, env: dict, context: dict) -> list[tuple[str, int, str]]:
    """Every `run:` step as Actions would on `event` (`uses:` steps are GitHub's own), with the
    `${{ github.x }}` in its env taken from `context`: (step, exit code, output). The install
    step is what this checkout's set-up already did."""
    done = []
    for step in job["steps"]:
        if "run" not in step or step["run"].startswith(("pip install", "python -m pip install")):
            continue
        if step.get("if") not in (None, f"github.event_name == '{event}'"):
            continue
        step_env = {name: expand(value, context) for name, value in step.get("env", {}).items()}
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=repo,
                                env={**env, **step_env}, capture_output=True, text=True, timeout=600)
        done.append((step.get("name", step["run"]), result.returncode, result.stdout + result.stderr))
    return done


def expand(value: str, context: dict) -> str:
    for name, known in context.items():
        value = value.replace("${{ github.%s }}" % name, known)
    assert "${{" not in value, f"an expression this test does not know: {value}"
    return value


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.mark.slow
def test_the_circles_workflow_on_a_pull_request_that_moves_a_review(tmp_path):
    workflow = yaml.safe_load((WORKFLOWS / "circles.yml").read_text(encoding="utf-8"))
    assert [step.get("run") for step in workflow["jobs"]["validate"]["steps"]][2] == "pip install ."
    repo = tmp_path / "repo"
    git(tmp_path, "clone", "--quiet", str(ROOT), str(repo))
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # the pull request's base
    circle = repo / "circles" / "arkade-noord.yaml"
    circle.write_text(circle.read_text(encoding="utf-8").replace(
        "    date: 2025-11-18\n", "    date: 2025-11-25\n", 1), encoding="utf-8")
    git(repo, "-c", "user.name=Coördinator", "-c", "user.email=c@example.org",
        "commit", "--quiet", "-am", "Review een week later")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ['PATH']}", "CI": "true",
           "GITHUB_STEP_SUMMARY": str(summary)}

    steps = run_steps(workflow["jobs"]["validate"], repo, "pull_request", env, {"base_ref": "main"})

    assert [code for _, code, _ in steps] == [0, 0, 0], steps
    assert "geen fouten" in steps[0][2]
    assert "dinsdag 25 november 2025" in summary.read_text(encoding="utf-8")
    assert (repo / "site" / "arkade-noord" / "reviews" / "review-regenboog.pdf").is_file()


def test_the_fuzz_workflow_runs_the_fuzz_test_and_only_that():
    workflow = yaml.safe_load((WORKFLOWS / "fuzz.yml").read_text(encoding="utf-8"))
    assert {"schedule", "workflow_dispatch"} <= set(workflow[True])  # YAML reads `on:` as True
    runs = [step["run"] for step in workflow["jobs"]["fuzz"]["steps"] if "run" in step]
    assert runs[0] == 'pip install ".[test]"'
    command = shlex.split(runs[-1])
    assert command[:3] == ["python", "-m", "pytest"]
    collected = subprocess.run([sys.executable, *command[1:], "--collect-only", "-q"], cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
    tests = [line for line in collected.stdout.splitlines() if "::" in line]
    assert tests == ["tests/test_hostile_text.py::test_hostile_text_fuzz"], collected.stdout


def test_this_repositorys_workflows_pass_actionlint_and_shellcheck():
    linter = shutil.which("actionlint", path=f"{TOOLS}{os.pathsep}{os.environ['PATH']}")
    if linter is None:
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is missing (pip install '.[test]' installs it)")
        pytest.skip("actionlint is not installed (pip install '.[test]')")
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    done = subprocess.run([linter, *files], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_the_release_workflow_builds_checks_and_tries_the_wheel_before_publishing(tmp_path):
    workflow = yaml.safe_load((WORKFLOWS / "release.yml").read_text(encoding="utf-8"))
    assert workflow[True] == {"push": {"tags": ["v*"]}}
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert publish["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert all("timeout-minutes" in job for job in workflow["jobs"].values())
    repo = tmp_path / "repo"
    copy_working_tree(repo)
    env = {**os.environ, "PATH": f"{TOOLS}{os.pathsep}{os.environ['PATH']}", "CI": "true",
           "RUNNER_TEMP": str(tmp_path / "runner")}
    env.pop("PYTHONPATH", None)
    (tmp_path / "runner").mkdir()

    steps = run_steps(workflow["jobs"]["build"], repo, "push", env, {"ref_name": f"v{__version__}"})

    assert [code for _, code, _ in steps] == [0] * 5, steps
    assert "PASSED" in steps[2][2]  # twine check, for both files
    assert sorted(path.name for path in (repo / "dist").iterdir()) == [
        f"handbook_gen-{__version__}-py3-none-any.whl", f"handbook_gen-{__version__}.tar.gz"]
    assert (tmp_path / "runner/release-check/board/site/mijn-cirkel/index.html").is_file()


def test_the_release_refuses_a_tag_that_is_not_the_version(tmp_path):
    workflow = yaml.safe_load((WORKFLOWS / "release.yml").read_text(encoding="utf-8"))
    [check] = [step for step in workflow["jobs"]["build"]["steps"] if "TAG" in step.get("env", {})]
    env = {**os.environ, "TAG": "v9.9.9"}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", check["run"]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"does not match __version__ {__version__}" in done.stdout
    env["TAG"] = f"v{__version__}"
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", check["run"]], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr  # and CHANGELOG.md has its section


def copy_working_tree(target: Path) -> None:
    """The files git knows or would add (not ignored), as they are now: what a tag would hold."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
