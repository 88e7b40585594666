"""This repository's own GitHub workflows, step by step: the circle files' checks (circles.yml)
run on a pull request in a clone, and the weekly fuzz job (fuzz.yml) selects the fuzz test.
(The workflows `init` writes for a board are tested in test_package.py, with the wheel.)"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from helpers import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
TOOLS = Path(sys.executable).parent  # where pip put handbook-gen for this checkout


def run_steps(job: dict, repo: Path, event: str, env: dict, context: dict) -> list[tuple[str, int, str]]:
    """Every `run:` step as Actions would on `event` (`uses:` steps are GitHub's own), with the
    `${{ github.x }}` in its env taken from `context`: (step, exit code, output). The install
    step is what this checkout's set-up already did."""
    done = []
    for step in job["steps"]:
        if "run" not in step or step["run"].startswith("pip install"):
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
