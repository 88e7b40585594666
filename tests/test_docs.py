"""The documentation in the repository: the circle-file reference is generated and current, and
the README points at what a user and a new developer need."""

from __future__ import annotations

import re

from handbook_gen.cli import parser
from handbook_gen.circle.reference import reference
from helpers import ROOT


def test_circle_format_reference_is_current():
    written = (ROOT / "docs/circle-format.md").read_text(encoding="utf-8")
    assert written == reference(), "docs/circle-format.md is stale: handbook-gen schema --format markdown > docs/circle-format.md"


def test_reference_has_a_row_for_every_key_of_the_schema():
    text = reference()
    for key in ("format", "school_year", "peer_reviewers", "schoolcoaches", "preparation", "workshop",
                "audience", "cancelled", "study_days", "reviewed_before", "show_email", "site_url"):
        assert re.search(rf"^\| `{key}` \|", text, re.MULTILINE), key


def test_readme_links_resolve_and_name_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)", readme):
        assert (ROOT / target).exists(), target
    assert "docs/circle-format.md" in readme and "docs/architecture.md" in readme
    commands = parser()._subparsers._group_actions[0].choices
    for command in commands:
        assert f"handbook-gen {command}" in readme, command
    assert "../shared" not in readme and "design.md" not in readme.replace("docs/architecture.md", "")
