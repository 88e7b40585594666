"""Problems as text for the places they are read: a terminal, GitHub, GitLab, a Markdown summary.

Each function returns text and prints nothing; the command line decides where it goes.
"""

from __future__ import annotations

import hashlib
import json

from handbook_gen.common.i18n import Catalog, catalog
from handbook_gen.circle.problems import ERROR, WARNING, Problem

# (problem, the language its message is written in)
Reported = tuple[Problem, str]

# GitLab's scale is info, minor, major, critical, blocker: an error blocks the merge request's
# purpose (the handbook is not built), a warning does not.
GITLAB_SEVERITY = {ERROR: "major", WARNING: "minor"}


def counts(problems: list[Reported]) -> tuple[int, int]:
    return (sum(p.severity == ERROR for p, _ in problems),
            sum(p.severity == WARNING for p, _ in problems))


def summary(problems: list[Reported], files: int, texts: Catalog, strict: bool) -> str:
    """'2 bestanden gecontroleerd: 1 fout, 0 waarschuwingen.'"""
    errors, warnings = counts(problems)
    key = "cli.summary_errors" if errors or (strict and warnings) else "cli.summary_ok"
    line = texts.message(key, files=texts.count(files, "file"), errors=texts.count(errors, "error"),
                         warnings=texts.count(warnings, "warning"))
    return line + (" " + texts.message("cli.strict") if strict and warnings else "")


def text_line(problem: Problem, language: str) -> str:
    """circles/noord.yaml:14:7: error: schools[2].peer_reviewers: …"""
    return problem.render(catalog(language))


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github_line(problem: Problem, language: str) -> str:
    """A workflow command that GitHub shows as an annotation on the line."""
    where = f"{problem.where}: " if problem.where else ""
    props = [f"file={_github_escape(problem.file, True)}"]
    props += [f"{name}={value}" for name, value in (("line", problem.line), ("col", problem.col)) if value]
    message = _github_escape(where + problem.text(catalog(language)))
    return f"::{problem.severity} {','.join(props)}::{message}"


def json_report(problems: list[Reported], files: int) -> str:
    errors, warnings = counts(problems)
    rows = [{"file": p.file, "line": p.line, "col": p.col, "severity": p.severity, "code": p.code,
             "path": p.where, "message": p.text(catalog(language))} for p, language in problems]
    return json.dumps({"files": files, "errors": errors, "warnings": warnings, "problems": rows},
                      ensure_ascii=False, indent=2)


def gitlab_report(problems: list[Reported]) -> str:
    """A GitLab Code Quality report: the merge request shows each problem on its line."""
    issues = []
    for problem, language in problems:
        where = f"{problem.where}: " if problem.where else ""
        description = where + problem.text(catalog(language))
        issues.append({
            "description": description,
            "check_name": f"handbook-gen/{problem.code}",
            # Unique per problem and stable between pipelines for the same problem.
            "fingerprint": hashlib.sha256("\0".join(
                [problem.file, str(problem.line), str(problem.col), problem.code, description]
            ).encode("utf-8")).hexdigest(),
            "severity": GITLAB_SEVERITY[problem.severity],
            "location": {"path": problem.file, "lines": {"begin": problem.line or 1}},
        })
    return json.dumps(issues, ensure_ascii=False, indent=2)


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, no '|' that ends the cell, no HTML."""
    text = " ".join(str(text).split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace("`", "\\`")


def markdown_report(problems: list[Reported], files: int, texts: Catalog, strict: bool) -> str:
    """Every problem in one table, for a job summary (GitHub shows only 10 annotations a step)."""
    lines = [f"### {texts.message('report.title')}", "", summary(problems, files, texts, strict), ""]
    if problems:
        header = [texts.message(f"report.{column}") for column in ("place", "severity", "message")]
        lines += ["| " + " | ".join(header) + " |", "| --- | --- | --- |"]
        for problem, language in problems:
            where = f"{problem.where}: " if problem.where else ""
            severity = texts.message(f"report.{problem.severity}")
            lines.append(f"| {_cell(problem.location())} | {severity} | "
                         f"{_cell(where + problem.text(catalog(language)))} |")
    return "\n".join(lines) + "\n"
