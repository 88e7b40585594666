"""The board's CI files run step by step, as GitHub Actions and GitLab CI would run them: the
`run:` steps of the workflow `init` writes, the jobs of its .gitlab-ci.yml whose rules hold. Used
by test_board_github.py, test_board_gitlab.py and test_package.py (the pinned version from a
board's own package index)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from helpers import edit_circle, sh


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


# The board's feed secret, as a board would set it (38 characters).
SECRET = "k7Qw2Zp9Lr4Tx8Vb1Nm6Hs3Jd5Fg0Ca2Ye7Uo9"
