"""pre-commit as a board uses it: this repository's hook (`pre-commit try-repo`) and the config
`init` writes, both run with the installed wheel. Slow: pre-commit installs the tool for real."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from helpers import ROOT, edit_circle, sh


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
