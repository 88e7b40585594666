"""`handbook-gen init`, the problem reports for CI (GitLab Code Quality, Markdown summary) and
exit code 3 for internal errors: what a board's repository gets, in-process.

The wheel, the written CI files run step by step and pre-commit are in test_package.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from handbook_gen import __version__, cli
from handbook_gen.board.repository import OWNED, README_NEW, RECORD_FILE, digest
from handbook_gen.common.i18n import catalog
from handbook_gen.common.resources import package_dir
from handbook_gen.circle.validate import SCHEMA_PATH, check_file
from helpers import ROOT, run

BROKEN = ROOT / "tests" / "broken"
JS_TOOLS = ROOT / "tests" / "js"
EXPECTED_FILES = {"circles/mijn-cirkel.yaml", "README.md", ".handbook-gen/circle.schema.json", RECORD_FILE,
                  ".github/workflows/handbook.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml",
                  ".vscode/settings.json", ".vscode/extensions.json", ".gitignore"}


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_init_writes_a_complete_repository_and_says_so(tmp_path, capsys):
    code, out, _ = run(["init", str(tmp_path / "bestuur")], capsys)
    board = tmp_path / "bestuur"
    assert code == 0
    assert files_in(board) == EXPECTED_FILES
    for name in EXPECTED_FILES - {RECORD_FILE}:  # the record is init's own, not reported
        assert f"geschreven: {board / name}" in out
    assert "circles/mijn-cirkel.yaml" in out.splitlines()[-1]


def test_the_starter_circle_validates_and_points_at_the_written_schema(tmp_path, capsys):
    assert run(["init", str(tmp_path)], capsys)[0] == 0
    circle = tmp_path / "circles" / "mijn-cirkel.yaml"
    result = check_file(circle)
    assert result.problems == [] and result.circle is not None
    first_line = circle.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../.handbook-gen/circle.schema.json"
    assert (circle.parent / "../.handbook-gen/circle.schema.json").resolve().read_text(
        encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")


def test_editor_settings_map_the_schema_onto_the_circles(tmp_path, capsys):
    run(["init", str(tmp_path)], capsys)
    settings = json.loads((tmp_path / ".vscode/settings.json").read_text(encoding="utf-8"))
    schema, pattern = next(iter(settings["yaml.schemas"].items()))
    assert (tmp_path / schema).is_file() and pattern == ["circles/*.yaml", "circles/*.yml"]
    extensions = json.loads((tmp_path / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]


def test_ci_files_pin_this_version_and_install_what_is_asked(tmp_path, capsys):
    run(["init", str(tmp_path / "a")], capsys)
    run(["init", str(tmp_path / "b"), "--install", 'git+https://git.example/lts/handbook-gen@v1 "x"'], capsys)
    for folder, spec in ((tmp_path / "a", f"handbook-gen=={__version__}"),
                         (tmp_path / "b", 'git+https://git.example/lts/handbook-gen@v1 "x"')):
        github = yaml.safe_load((folder / ".github/workflows/handbook.yml").read_text(encoding="utf-8"))
        gitlab = yaml.safe_load((folder / ".gitlab-ci.yml").read_text(encoding="utf-8"))
        hooks = yaml.safe_load((folder / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
        assert github["env"]["HANDBOOK_GEN"] == spec
        assert gitlab["variables"]["HANDBOOK_GEN"] == spec
        assert hooks["repos"][0]["hooks"][0]["additional_dependencies"] == [spec]


def test_github_workflow_is_private_by_default_and_publishes_only_what_is_asked(tmp_path, capsys):
    run(["init", str(tmp_path)], capsys)
    workflow = yaml.safe_load((tmp_path / ".github/workflows/handbook.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["handbook"]["steps"]
    scripts = " ".join(step.get("run", "") for step in steps)
    assert "validate --format github circles/" in scripts
    assert "build circles/ -o site/ --standalone" in scripts and "SOURCE_DATE_EPOCH" in scripts
    assert "handbook-gen privacy site/feeds/" in scripts
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses.count("actions/upload-artifact") == 2 and "actions/upload-pages-artifact" in uses
    [pages] = [step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert pages["if"] == "steps.publish.outputs.folder != ''"  # only when the publish step says so
    assert workflow["jobs"]["publish"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert workflow["jobs"]["publish"]["if"] == "needs.handbook.outputs.publish != ''"
    assert workflow["permissions"] == {}
    assert workflow["jobs"]["handbook"]["permissions"] == {"contents": "read", "pages": "read"}
    assert workflow["jobs"]["publish"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert {"pull_request", "push"} <= set(workflow[True] if True in workflow else workflow["on"])


def test_gitlab_ci_reports_code_quality_and_publishes_pages(tmp_path, capsys):
    run(["init", str(tmp_path)], capsys)
    gitlab = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["validate"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert gitlab["validate"]["artifacts"]["when"] == "always"
    assert gitlab["pages"]["artifacts"]["paths"] == ["public/"]
    assert "$CI_DEFAULT_BRANCH" in gitlab["pages"]["rules"][0]["if"]
    assert gitlab["feeds"]["rules"][0]["if"].endswith("$HANDBOOK_FEED_SECRET && $HANDBOOK_FEEDS_REPOSITORY")
    assert gitlab["feeds"]["script"][0] == "handbook-gen privacy public/feeds/"
    assert all("timeout" in job for name, job in gitlab.items() if name in ("pages", "feeds"))
    assert gitlab["default"]["timeout"] == "30 minutes"


def test_init_in_english(tmp_path, capsys):
    code, out, _ = run(["init", str(tmp_path), "--lang", "en"], capsys)
    assert code == 0 and "written:" in out
    circle = tmp_path / "circles" / "my-circle.yaml"
    result = check_file(circle)
    assert result.problems == [] and result.circle.language == "en"
    assert "Changing a circle file" in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "Check the circle files" in (tmp_path / ".github/workflows/handbook.yml").read_text(encoding="utf-8")


def test_init_never_overwrites_without_force(tmp_path, capsys):
    (tmp_path / "README.md").write_text("Ons eigen verhaal\n", encoding="utf-8")
    code, out, _ = run(["init", str(tmp_path)], capsys)
    assert code == 0
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "Ons eigen verhaal\n"
    assert f"bestaat al, niet overschreven: {tmp_path / 'README.md'}" in out
    assert "--force" in out
    code, out, _ = run(["init", str(tmp_path), "--force"], capsys)
    assert "Leren tussen Scholen" in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert f"bijgewerkt: {tmp_path / 'README.md'}" in out


def test_update_refreshes_only_what_the_generator_owns(tmp_path, capsys):
    run(["init", str(tmp_path)], capsys)
    circle = tmp_path / "circles" / "mijn-cirkel.yaml"
    circle.write_text(circle.read_text(encoding="utf-8").replace("Cirkel Mijn Cirkel", "Cirkel Noord"),
                      encoding="utf-8")
    (tmp_path / "README.md").write_text("eigen\n", encoding="utf-8")
    for name in OWNED:
        (tmp_path / name).write_text("oud\n", encoding="utf-8")
    code, out, _ = run(["init", str(tmp_path), "--update", "--install", "handbook-gen==9.9"], capsys)
    assert code == 0
    assert "Cirkel Noord" in circle.read_text(encoding="utf-8")
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "eigen\n"
    for name in OWNED:
        assert (tmp_path / name).read_text(encoding="utf-8") != "oud\n", name
        assert f"bijgewerkt: {tmp_path / name}" in out
    assert "handbook-gen==9.9" in (tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8")
    assert files_in(tmp_path) == EXPECTED_FILES | {README_NEW}
    assert f"de nieuwe versie staat ernaast: {tmp_path / README_NEW}" in out


def age(board: Path) -> None:
    """Make a repository as an older handbook-gen wrote it: actions at v4, an older pin, a schema
    without the Dutch editor messages, a .gitignore without the newer lines."""
    workflow = board / ".github/workflows/handbook.yml"
    text = workflow.read_text(encoding="utf-8")
    for action in ("checkout", "setup-python", "cache", "upload-artifact", "deploy-pages"):
        text = re.sub(rf"actions/{action}@v\d+", f"actions/{action}@v4", text)
    text = re.sub(r"\n\s+timeout-minutes: \d+", "", text)
    workflow.write_text(text.replace(f"handbook-gen=={__version__}", "handbook-gen==0.0.9"), encoding="utf-8")
    gitlab = board / ".gitlab-ci.yml"
    gitlab.write_text(gitlab.read_text(encoding="utf-8").replace(f"handbook-gen=={__version__}",
                                                                "handbook-gen==0.0.9"), encoding="utf-8")
    schema = board / ".handbook-gen/circle.schema.json"
    schema.write_text(re.sub(r',\n\s*"(pattern)?[eE]rrorMessage": "[^"]*"', "", schema.read_text(encoding="utf-8")),
                      encoding="utf-8")
    (board / ".gitignore").write_text("site/\npublic/\n# ons eigen\nnotities/\n", encoding="utf-8")


def test_update_brings_an_aged_repository_current_and_keeps_the_coordinators_edits(tmp_path, capsys):
    board = tmp_path / "bestuur"
    run(["init", str(board)], capsys)
    fresh = {name: (board / name).read_text(encoding="utf-8") for name in EXPECTED_FILES}
    age(board)
    assert "errorMessage" not in (board / ".handbook-gen/circle.schema.json").read_text(encoding="utf-8")
    circle = board / "circles/mijn-cirkel.yaml"
    edited = circle.read_text(encoding="utf-8").replace("Cirkel Mijn Cirkel", "Cirkel Noord-Oost")
    circle.write_text(edited, encoding="utf-8")

    code, out, _ = run(["init", str(board), "--update"], capsys)

    assert code == 0
    assert circle.read_text(encoding="utf-8") == edited
    for name in sorted(EXPECTED_FILES - {"circles/mijn-cirkel.yaml", ".gitignore"}):
        assert (board / name).read_text(encoding="utf-8") == fresh[name], name
    assert "actions/checkout v4 → v7" in out and "actions/deploy-pages v4 → v5" in out
    assert f"handbook-gen 0.0.9 → {__version__}" in out
    assert f"bijgewerkt: {board / '.handbook-gen/circle.schema.json'}" in out
    assert f"ongewijzigd: {board / 'README.md'}" in out  # the board had not edited it
    ignored = (board / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ignored[:4] == ["site/", "public/", "# ons eigen", "notities/"]
    assert {"gl-code-quality-report.json", "wijzigingen.md", "handboek-offline.zip"} <= set(ignored)
    assert "+ gl-code-quality-report.json" in out
    assert f"bijgewerkt naar handbook-gen {__version__}" in out.splitlines()[-1]
    record = json.loads((board / RECORD_FILE).read_text(encoding="utf-8"))
    assert record["version"] == __version__ and record["install"] == f"handbook-gen=={__version__}"
    again = run(["init", str(board), "--update"], capsys)[1]
    assert "(0 bestanden gewijzigd)" in again  # a second update finds nothing to do


def test_update_replaces_a_readme_the_board_left_alone_and_not_one_it_edited(tmp_path, capsys):
    board = tmp_path / "bestuur"
    run(["init", str(board), "--lang", "en"], capsys)
    record = json.loads((board / RECORD_FILE).read_text(encoding="utf-8"))
    readme = board / "README.md"
    older = readme.read_text(encoding="utf-8").replace("Changing a circle file", "Changing circle files")
    readme.write_text(older, encoding="utf-8")
    record["files"]["README.md"] = digest(older)  # as an older init wrote it
    (board / RECORD_FILE).write_text(json.dumps(record), encoding="utf-8")
    code, out, _ = run(["init", str(board), "--update"], capsys)
    assert code == 0 and f"updated: {readme}" in out  # English, as the record says
    assert "Changing a circle file" in readme.read_text(encoding="utf-8")
    assert not (board / README_NEW).exists()

    readme.write_text(readme.read_text(encoding="utf-8") + "\nOur own note.\n", encoding="utf-8")
    record = json.loads((board / RECORD_FILE).read_text(encoding="utf-8"))
    record["files"]["README.md"] = digest(older)
    (board / RECORD_FILE).write_text(json.dumps(record), encoding="utf-8")
    code, out, _ = run(["init", str(board), "--update"], capsys)
    assert readme.read_text(encoding="utf-8").endswith("Our own note.\n")
    assert "Changing a circle file" in (board / README_NEW).read_text(encoding="utf-8")
    assert f"README.md was edited by you and stays as it is; the new version is beside it: {board / README_NEW}" in out


def test_update_keeps_a_boards_own_install_spec(tmp_path, capsys):
    run(["init", str(tmp_path), "--install", "git+https://git.example/lts/handbook-gen@v1"], capsys)
    run(["init", str(tmp_path), "--update"], capsys)
    assert "git+https://git.example/lts/handbook-gen@v1" in (tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8")


def test_init_refuses_a_file_as_folder_and_a_bad_circle_id(tmp_path, capsys):
    (tmp_path / "bestand").write_text("x", encoding="utf-8")
    code, _, err = run(["init", str(tmp_path / "bestand")], capsys)
    assert code == 2 and "is een bestand, geen map" in err
    code, _, err = run(["init", str(tmp_path / "b"), "--circle", "Noord Oost"], capsys)
    assert code == 2 and not (tmp_path / "b").exists()


def test_force_and_update_exclude_each_other(tmp_path, capsys):
    code, _, err = run(["init", str(tmp_path), "--force", "--update"], capsys)
    assert code == 2 and "kan niet samen met --force" in err


# --- the README for coordinators --------------------------------------------------------------

README_WORDS = {"nl": ("repository", "branch", "pull request", "merge request", "samenvoegen", "controle", "artefact"),
                "en": ("repository", "branch", "pull request", "merge request", "merge", "check", "artifact")}
README_STEPS = {"nl": ("uitnodiging", "aanpassen in de browser", "voorstellen", "controles lezen",
                       "Wie voegt samen", "na het samenvoegen", "SharePoint of Teams", "Voor de beheerder"),
                "en": ("invitation", "in the browser", "Proposing", "Reading the checks", "Who merges",
                       "after merging", "SharePoint or Teams", "For the administrator")}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_readme_takes_a_coordinator_from_invitation_to_the_handbook_online(language, tmp_path, capsys):
    run(["init", str(tmp_path), "--lang", language], capsys)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    headings = [line for line in readme.splitlines() if line.startswith("## ")]
    for step, heading in zip(README_STEPS[language], headings, strict=True):
        assert step in heading, (step, heading)
    glossary = readme.split("\n## ", 1)[0]
    for word in README_WORDS[language]:
        assert f"**{word}**" in glossary, word  # each explained before it is used
    coordinators = readme.split("\n## ", 1)[1].split("## " + README_STEPS[language][-1])[0]
    for jargon in ("workflow", "schema", "YAML", "CI", "repo "):  # button labels quote GitHub itself
        assert jargon not in coordinators, jargon
    offline = "handboek-offline.zip" if language == "nl" else "handbook-offline.zip"
    for needed in (offline, "index.html", "handboek.pdf" if language == "nl" else "handbook.pdf",
                   "Only Project Members", "HANDBOOK_FEED_SECRET", "HANDBOOK_PUBLISH", "PIP_INDEX_URL",
                   "init --update", "Azure Static Web Apps", "Cloudflare Access"):
        assert needed in readme, needed


# --- the generated CI files, linted as GitHub and GitLab would read them --------------------


def tool(name: str) -> str:
    """A linter from the test extra (beside this Python), or a skip that says how to get it;
    on CI a missing linter fails."""
    found = shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is missing: pip install '.[test]'")
        pytest.skip(f"{name} is not installed: pip install '.[test]'")
    return found


CASES = [("nl", None), ("en", "git+https://git.example/lts/handbook-gen@v1"),
         ("nl", "/home/ict/handbook_gen-0.1.0-py3-none-any.whl")]


@pytest.mark.parametrize(("language", "install"), CASES)
def test_generated_ci_passes_actionlint_shellcheck_and_the_ci_schemas(language, install, tmp_path, capsys):
    args = ["init", str(tmp_path), "--lang", language] + (["--install", install] if install else [])
    assert run(args, capsys)[0] == 0
    workflow, gitlab = tmp_path / ".github/workflows/handbook.yml", tmp_path / ".gitlab-ci.yml"
    env = {**os.environ, "PATH": f"{Path(tool('shellcheck')).parent}{os.pathsep}{os.environ['PATH']}"}
    # actionlint runs shellcheck on every `run:` script when shellcheck is on PATH.
    linted = subprocess.run([tool("actionlint"), "-shellcheck", tool("shellcheck"), str(workflow)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    for path, schema in ((workflow, "vendor.github-workflows"), (gitlab, "vendor.gitlab-ci")):
        checked = subprocess.run([tool("check-jsonschema"), "--builtin-schema", schema, str(path)],
                                 capture_output=True, text=True, timeout=120)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    scripts = gitlab_scripts(yaml.safe_load(gitlab.read_text(encoding="utf-8")))
    shell = subprocess.run([tool("shellcheck"), "--shell=bash", "-"], input=scripts,
                           capture_output=True, text=True, timeout=120)
    assert shell.returncode == 0, shell.stdout + scripts


def gitlab_scripts(config: dict) -> str:
    """Every job's before_script and script as the runner runs them: one bash script each."""
    default = config["default"]["before_script"]
    parts = []
    for name, job in config.items():
        if isinstance(job, dict) and "script" in job:
            lines = job.get("before_script", default) + job["script"]
            parts.append(f"# {name}\n" + "\n".join(lines))
    return "#!/bin/bash\n" + "\n".join(f"job_{i}() {{\n{part}\n}}" for i, part in enumerate(parts)) + "\n"


def test_the_linters_catch_what_the_issue_found(tmp_path):
    """The lint test can fail: an old action, a job without a timeout and SC2155 are reported."""
    workflow = tmp_path / "old.yml"
    workflow.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        '      - run: export SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"\n', encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(tool('shellcheck')).parent}{os.pathsep}{os.environ['PATH']}"}
    linted = subprocess.run([tool("actionlint"), "-shellcheck", tool("shellcheck"), str(workflow)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert linted.returncode == 1
    assert "actions/checkout@v4" in linted.stdout and "SC2155" in linted.stdout, linted.stdout
    assert not re.search(r"timeout-minutes", (package_dir() / "board/github-workflow.yml").read_text(
        encoding="utf-8").split("jobs:")[0])  # timeouts are per job, checked below
    board = yaml.safe_load((package_dir() / "board/github-workflow.yml").read_text(encoding="utf-8")
                           .replace("{{", "").replace("}}", ""))
    assert all("timeout-minutes" in job and "permissions" in job for job in board["jobs"].values())


def publish_decision(tmp_path: Path, *, event: str = "push", ref: str = "refs/heads/main",
                     pages: str | None = "https://bestuur.github.io/handboeken/", **env: str) -> tuple[str, str, str]:
    """The GitHub workflow's "what to publish" step, run alone with a stand-in `gh` that answers
    as GitHub's API does when Pages is on (its address) or off (an error): (output, env, log)."""
    board = tmp_path / "board"
    if not board.exists():
        assert cli.main(["init", str(board)]) == 0
    workflow = yaml.safe_load((board / ".github/workflows/handbook.yml").read_text(encoding="utf-8"))
    [step] = [step for step in workflow["jobs"]["handbook"]["steps"] if step.get("id") == "publish"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    answer = f'echo "{pages}"' if pages else "echo 'HTTP 404: Not Found' >&2; exit 1"
    (bin_dir / "gh").write_text(f"#!/bin/sh\n{answer}\n", encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    outputs, github_env = tmp_path / "output", tmp_path / "env"
    outputs.write_text("", encoding="utf-8")
    github_env.write_text("", encoding="utf-8")
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=board, capture_output=True,
                          text=True, timeout=60, env={
                              "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_EVENT_NAME": event,
                              "GITHUB_REF": ref, "GITHUB_REPOSITORY": "bestuur/handboeken",
                              "GITHUB_OUTPUT": str(outputs), "GITHUB_ENV": str(github_env), **env})
    assert done.returncode == 0, done.stdout + done.stderr
    return outputs.read_text(encoding="utf-8"), github_env.read_text(encoding="utf-8"), done.stdout


def test_github_publishes_nothing_unless_the_board_sets_it_up(tmp_path):
    assert publish_decision(tmp_path) == ("", "", "")
    secret = {"HANDBOOK_FEED_SECRET": "x" * 40}
    assert publish_decision(tmp_path, **secret) == (
        "folder=site/feeds/\n", "HANDBOOK_FEEDS_URL=https://bestuur.github.io/handboeken/\n", "")
    assert publish_decision(tmp_path, HANDBOOK_PUBLISH="site") == (
        "folder=site/\n", "HANDBOOK_FEEDS_URL=https://bestuur.github.io/handboeken/feeds/\n", "")
    output, env, _ = publish_decision(tmp_path, **secret, HANDBOOK_FEEDS_URL="https://agenda.bestuur.nl/")
    assert output == "folder=site/feeds/\n" and env == "HANDBOOK_FEEDS_URL=https://agenda.bestuur.nl/\n"
    # A pull request builds with the addresses but publishes nothing; neither does Pages switched off.
    assert publish_decision(tmp_path, event="pull_request", ref="refs/pull/3/merge", **secret)[0] == ""
    output, env, log = publish_decision(tmp_path, pages=None, **secret)
    assert output == "" and env == "" and log.startswith("::notice::GitHub Pages staat uit")


# --- Dutch editor help -----------------------------------------------------------------------


def nodes_with(schema: dict, keys: tuple[str, ...]):
    """Every schema node (with its path) that has one of `keys`."""
    stack = [("", schema)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            if any(key in node for key in keys):
                yield path, node
            stack.extend((f"{path}/{key}", value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", value) for i, value in enumerate(node))


def test_every_pattern_and_choice_has_a_dutch_message_with_an_example():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    found = list(nodes_with(schema, ("pattern", "enum", "const")))
    assert len(found) >= 14
    for path, node in found:
        message = node.get("patternErrorMessage") if "pattern" in node else node.get("errorMessage")
        assert message and "zoals" in message, path
        assert not re.search(r"\b(the|must|should|value)\b", message), (path, message)  # Dutch


def test_the_generators_own_messages_ignore_the_editor_messages(tmp_path):
    circle = tmp_path / "noord.yaml"
    text = (ROOT / "tests/circles/minimal.yaml").read_text(encoding="utf-8")
    circle.write_text(re.sub(r"(?m)^id: .*$", "id: Cirkel Noord", text, count=1), encoding="utf-8")
    problems = check_file(circle).problems
    messages = [problem.text(catalog("nl")) for problem in problems]
    assert [problem.code for problem in problems] == ["schema.kind.slug"], messages
    assert not any("review-de-zeeerf" in message for message in messages), messages


def lsp_send(process: subprocess.Popen, message: dict) -> None:
    body = json.dumps(message).encode("utf-8")
    process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    process.stdin.flush()


def lsp_receive(process: subprocess.Popen) -> dict:
    length = None
    while (line := process.stdout.readline().decode("ascii")) not in ("\r\n", ""):
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    assert length is not None, "yaml-language-server closed the connection"
    return json.loads(process.stdout.read(length))


def editor_diagnostics(board: Path, circle: Path, text: str) -> list[dict]:
    """What Visual Studio Code's YAML extension shows for `text` as `circle`: yaml-language-server
    over stdio, with the yaml.schemas of the board's .vscode/settings.json."""
    server = JS_TOOLS / "node_modules/yaml-language-server/bin/yaml-language-server"
    if not server.exists() or shutil.which("node") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("yaml-language-server is missing: bash scripts/install-js.sh")
        pytest.skip("yaml-language-server is not installed: bash scripts/install-js.sh")
    vscode = json.loads((board / ".vscode/settings.json").read_text(encoding="utf-8"))
    settings = {"yaml": {"validate": True, "schemaStore": {"enable": False},
                         "schemas": {(board / schema).resolve().as_uri(): globs
                                     for schema, globs in vscode["yaml.schemas"].items()}}}
    process = subprocess.Popen(["node", str(server), "--stdio"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=board)
    timer = threading.Timer(60, process.kill)  # against a hang: a killed server ends the reads
    timer.start()
    try:
        lsp_send(process, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": board.as_uri(),
            "capabilities": {"workspace": {"configuration": True}}}})
        while lsp_receive(process).get("id") != 1:
            pass
        lsp_send(process, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        lsp_send(process, {"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
                           "params": {"settings": settings}})
        lsp_send(process, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": circle.as_uri(), "languageId": "yaml", "version": 1, "text": text}}})
        while True:
            message = lsp_receive(process)
            if message.get("method") == "workspace/configuration":  # the server asks for settings
                answer = [settings.get(item.get("section")) for item in message["params"]["items"]]
                lsp_send(process, {"jsonrpc": "2.0", "id": message["id"], "result": answer})
            elif "id" in message and "method" in message:
                lsp_send(process, {"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif message.get("method") == "textDocument/publishDiagnostics" and message["params"]["diagnostics"]:
                return message["params"]["diagnostics"]
    finally:
        timer.cancel()
        process.kill()
        process.wait()


@pytest.mark.slow
def test_the_editor_explains_mistakes_in_dutch_also_in_a_yml_file(tmp_path, capsys):
    run(["init", str(tmp_path)], capsys)
    starter = (tmp_path / "circles/mijn-cirkel.yaml").read_text(encoding="utf-8")
    text = starter.split("\n", 1)[1]  # no modeline: the .vscode/settings.json mapping must find the schema
    text = text.replace("id: mijn-cirkel", "id: Mijn Cirkel", 1)
    text = re.sub(r"(?m)^(\s+date: )(\d{4})-(\d\d)-(\d\d)$", r"\1\4-\3-\2", text, count=1)
    text = re.sub(r"(?m)^year: \w+", "year: eerste", text, count=1)
    circle = tmp_path / "circles/mijn-cirkel.yml"
    circle.write_text(text, encoding="utf-8")
    (tmp_path / "circles/mijn-cirkel.yaml").unlink()

    messages = [diagnostic["message"] for diagnostic in editor_diagnostics(tmp_path, circle, text)]

    assert any(message.startswith("Een id is kleine letters, cijfers en streepjes") and "review-de-zeeerf" in message
               for message in messages), messages
    assert any(message.startswith("Een datum is jaar-maand-dag") for message in messages), messages
    assert any(message.startswith("Kies build (het eerste jaar") for message in messages), messages
    assert not any("does not match the pattern" in message for message in messages), messages


# --- reports for CI -------------------------------------------------------------------------


def test_gitlab_code_quality_report(capsys):
    code, out, _ = run(["validate", "--format", "gitlab", str(BROKEN / "bad-date.yaml"),
                        str(BROKEN / "public-holiday.yaml")], capsys)
    assert code == 1
    issues = json.loads(out)
    assert {issue["severity"] for issue in issues} == {"major", "minor"}
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert isinstance(issue["description"], str) and issue["description"]
        assert issue["check_name"].startswith("handbook-gen/")
        assert issue["location"]["path"].startswith("tests/broken/")
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    again = json.loads(run(["validate", "--format", "gitlab", str(BROKEN / "bad-date.yaml"),
                            str(BROKEN / "public-holiday.yaml")], capsys)[1])
    assert again == issues  # the same problem keeps its fingerprint between pipelines


def test_gitlab_report_of_a_clean_file_is_an_empty_list(capsys):
    code, out, _ = run(["validate", "--format", "gitlab", "circles"], capsys)
    assert code == 0 and json.loads(out) == []


def test_markdown_report_lists_every_problem_in_a_table(capsys):
    code, out, _ = run(["validate", "--format", "markdown", str(BROKEN)], capsys)
    _, text, _ = run(["validate", str(BROKEN)], capsys)
    assert code == 1
    rows = [line for line in out.splitlines() if line.startswith("| tests/broken/")]
    problems = [line for line in text.splitlines() if ": error: " in line or ": warning: " in line]
    assert len(rows) == len(problems) > 10
    assert all(line.count(" | ") == 2 for line in rows)  # a '|' in a message never adds a cell
    assert out.startswith("### Cirkelbestanden controleren\n")


def test_github_format_also_writes_the_job_summary(tmp_path, monkeypatch, capsys):
    summary = tmp_path / "summary.md"
    summary.write_text("eerder\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(["validate", "--format", "github", str(BROKEN)], capsys)
    assert code == 1
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("eerder\n### Cirkelbestanden controleren")
    assert written.count("\n| tests/broken/") == len(annotations) > 10


# --- internal errors ------------------------------------------------------------------------


def test_a_bug_is_exit_3_with_one_line_and_a_log(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "CRASH_LOG_FOLDER", tmp_path)
    monkeypatch.setattr(cli, "check_files", lambda files: {}["bug"])
    code, out, err = run(["validate", "circles"], capsys)
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "interne fout" in err and str(tmp_path) in err
    assert "Traceback" not in err
    [log] = tmp_path.glob("handbook-gen-error-*.log")
    assert str(log) in err and "KeyError" in log.read_text(encoding="utf-8")


def test_debug_shows_the_traceback(monkeypatch, capsys):
    monkeypatch.setattr(cli, "check_files", lambda files: {}["bug"])
    code, _, err = run(["validate", "circles", "--debug"], capsys)
    assert code == 3
    assert "Traceback" in err and "interne fout" in err.splitlines()[-1]


def test_an_unwritable_output_folder_is_named_without_traceback(tmp_path, capsys):
    blocked = tmp_path / "bestand"
    blocked.write_text("x", encoding="utf-8")
    code, _, err = run(["build", "tests/circles/minimal.yaml", "-o", str(blocked / "site")], capsys)
    assert code == 2
    assert str(blocked) in err and "Traceback" not in err


@pytest.mark.parametrize("language", ["nl", "en"])
def test_new_writes_the_starter_in_the_language_asked(language, tmp_path, capsys):
    code, _, _ = run(["new", "cirkel-zuid", "--dir", str(tmp_path), "--lang", language], capsys)
    assert code == 0
    assert check_file(tmp_path / "cirkel-zuid.yaml").circle.language == language
