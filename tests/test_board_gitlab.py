"""The .gitlab-ci.yml `init` writes, its jobs stage by stage (tests/board_ci.py), in the board's
repository with the installed wheel: a merge request, the default branch publishing Pages, a
broken circle, and the feeds published to a public project with the board's secret. Slow: the
wheel is built and installed once per run (conftest.py)."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from board_ci import (DEFAULT_BRANCH, MERGE_REQUEST, SECRET, move_first_review,
                      run_gitlab_pipeline)
from helpers import edit_circle, sh

pytestmark = pytest.mark.slow


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


def test_gitlab_pipeline_with_a_feed_secret_publishes_the_feeds_to_the_public_project(board, user_env, tmp_path):
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
