"""`handbook-gen init`, the problem reports for CI (GitLab Code Quality, Markdown summary) and
exit code 3 for internal errors: what a board's repository gets, in-process.

The wheel, the written CI files run step by step and pre-commit are in test_package.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from handbook_gen import __version__, cli
from handbook_gen.board import OWNED
from handbook_gen.validate import SCHEMA_PATH, check_file
from helpers import ROOT, run

BROKEN = ROOT / "tests" / "broken"
EXPECTED_FILES = {"circles/mijn-cirkel.yaml", "README.md", ".handbook-gen/circle.schema.json",
                  ".github/workflows/handbook.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml",
                  ".vscode/settings.json", ".vscode/extensions.json", ".gitignore"}


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_init_writes_a_complete_repository_and_says_so(tmp_path, capsys):
    code, out, _ = run(["init", str(tmp_path / "bestuur")], capsys)
    board = tmp_path / "bestuur"
    assert code == 0
    assert files_in(board) == EXPECTED_FILES
    for name in EXPECTED_FILES:
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
    assert (tmp_path / schema).is_file() and pattern == "circles/*.yaml"
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


def test_github_workflow_validates_builds_uploads_and_publishes(tmp_path, capsys):
    run(["init", str(tmp_path)], capsys)
    workflow = yaml.safe_load((tmp_path / ".github/workflows/handbook.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["handbook"]["steps"]
    scripts = " ".join(step.get("run", "") for step in steps)
    assert "validate --format github circles/" in scripts
    assert "build circles/" in scripts and "SOURCE_DATE_EPOCH" in scripts
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert "actions/upload-artifact" in uses and "actions/upload-pages-artifact" in uses
    assert workflow["jobs"]["publish"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert "HANDBOOK_PUBLISH != 'artifact'" in workflow["jobs"]["publish"]["if"]
    assert {"pull_request", "push"} <= set(workflow[True] if True in workflow else workflow["on"])


def test_gitlab_ci_reports_code_quality_and_publishes_pages(tmp_path, capsys):
    run(["init", str(tmp_path)], capsys)
    gitlab = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    assert gitlab["validate"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert gitlab["validate"]["artifacts"]["when"] == "always"
    assert gitlab["pages"]["artifacts"]["paths"] == ["public/"]
    assert "$CI_DEFAULT_BRANCH" in gitlab["pages"]["rules"][0]["if"]


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
    assert files_in(tmp_path) == EXPECTED_FILES


def test_init_refuses_a_file_as_folder_and_a_bad_circle_id(tmp_path, capsys):
    (tmp_path / "bestand").write_text("x", encoding="utf-8")
    code, _, err = run(["init", str(tmp_path / "bestand")], capsys)
    assert code == 2 and "is een bestand, geen map" in err
    code, _, err = run(["init", str(tmp_path / "b"), "--circle", "Noord Oost"], capsys)
    assert code == 2 and not (tmp_path / "b").exists()


def test_force_and_update_exclude_each_other(tmp_path, capsys):
    code, _, err = run(["init", str(tmp_path), "--force", "--update"], capsys)
    assert code == 2 and "kan niet samen met --force" in err


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
