"""The GitHub workflow `init` writes, every `run:` step in order (tests/board_ci.py), in the
board's repository with the installed wheel: on a pull request, on a broken circle, and with the
board's feed secret. Slow: the wheel is built and installed once per run (conftest.py)."""

from __future__ import annotations

import re
import zipfile

import pytest

from board_ci import SECRET, move_first_review, run_github_job
from helpers import edit_circle

pytestmark = pytest.mark.slow


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


def test_github_workflow_with_a_feed_secret_checks_the_feeds(board, user_env):
    context = {"secrets.HANDBOOK_FEED_SECRET": SECRET, "vars.HANDBOOK_FEEDS_URL": "https://feeds.example.org/lts/"}
    steps, output, _ = run_github_job(board, user_env, "push", context)
    assert [code for _, code in steps] == [0] * 6, output
    assert ("Privacycontrole van de agenda's", 0) in steps
    assert any((board / "site/feeds").rglob("*.ics")), output
    # GitHub Pages is not reachable here: nothing is published, and the run says why.
    assert "::notice::GitHub Pages staat uit" in output
    assert not (board.parent / "runner/output").read_text(encoding="utf-8")
