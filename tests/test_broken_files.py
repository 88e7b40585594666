"""Every rule and every refusal: one broken circle file each, in tests/broken/.

Each fixture is the minimal valid circle (tests/circles/minimal.yaml) with one mistake, and says
what the validator must answer in its first lines:

    # expect: error 52:27 reviews[0].reviewers[1] "is de gastschool van deze review"
    # expect: warning 16:3 schools "het programma gaat uit van 4 of 5"
    # expect: error - - "het bestand is leeg"        (a file-level problem: no line, no path)
    # expect: ok                                      (the file must validate without any problem)

severity, the exact line:col, the path the message names (its key), and a fragment of the Dutch
message. The listed problems must be all the problems the file has. Adding a rule means adding
one file here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import ROOT, run

pytestmark = pytest.mark.usefixtures("at_root")  # the command line runs in the top folder
BROKEN = Path("tests/broken")  # relative to ROOT: the file name the messages show
EXPECT = re.compile(r'^# expect: (?P<severity>error|warning) (?P<pos>\d+:\d+|-) (?P<path>\S+) "(?P<fragment>.+)"$')


@dataclass(frozen=True)
class Expected:
    severity: str
    line: int | None
    col: int | None
    path: str  # "" for a file-level problem
    fragment: str

    def prefix(self, file: str) -> str:
        """How the text output starts: file:line:col: severity: path: """
        where = f"{file}:{self.line}:{self.col}" if self.line else file
        return f"{where}: {self.severity}: " + (f"{self.path}: " if self.path else "")


def expectations(path: Path) -> list[Expected]:
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    found: list[Expected] = []
    for line in text.splitlines():
        if line == "# expect: ok":
            return []
        match = EXPECT.match(line)
        if not match:
            break
        pos = match["pos"]
        line_no, col = (int(n) for n in pos.split(":")) if pos != "-" else (None, None)
        found.append(Expected(match["severity"], line_no, col,
                              "" if match["path"] == "-" else match["path"], match["fragment"]))
    return found


FIXTURES = sorted((ROOT / BROKEN).glob("*.yaml"))


def test_every_fixture_says_what_it_expects():
    assert len(FIXTURES) >= 70
    for path in FIXTURES:
        head = path.read_bytes().lstrip(b"\xef\xbb\xbf").splitlines()[0].decode("utf-8", "replace")
        assert head.startswith("# expect: "), f"{path.name}: first line must be '# expect: …'"
        assert head == "# expect: ok" or EXPECT.match(head), f"{path.name}: unreadable expectation {head!r}"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_broken_file(path: Path, capsys):
    file = str(BROKEN / path.name)
    expected = expectations(path)
    code, out, err = run(["validate", file], capsys)

    lines = out.splitlines()
    summary, problem_lines = lines[-1], lines[:-1]
    assert "gecontroleerd" in summary, out
    assert "Traceback" not in out + err
    unmatched = list(problem_lines)
    for want in expected:
        hits = [line for line in unmatched
                if line.startswith(want.prefix(file)) and want.fragment in line]
        assert hits, f"missing: {want.prefix(file)}…{want.fragment}…\ngot:\n{out}"
        unmatched.remove(hits[0])
    assert not unmatched, "problems the fixture does not expect:\n" + "\n".join(unmatched)
    errors = any(want.severity == "error" for want in expected)
    assert code == (1 if errors else 0), out


@pytest.mark.parametrize("path", [p for p in FIXTURES if expectations(p)
                                  and all(e.severity == "warning" for e in expectations(p))],
                         ids=lambda p: p.stem)
def test_strict_turns_warnings_into_errors(path: Path, capsys):
    file = str(BROKEN / path.name)
    assert run(["validate", file], capsys)[0] == 0
    code, out, _ = run(["validate", "--strict", file], capsys)
    assert code == 1
    assert "--strict: waarschuwingen tellen als fouten." in out


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_json_output_agrees(path: Path, capsys):
    file = str(BROKEN / path.name)
    code, out, _ = run(["validate", "--format", "json", file], capsys)
    report = json.loads(out)
    got = sorted((p["severity"], p["line"], p["col"], p["path"]) for p in report["problems"])
    want = sorted((e.severity, e.line, e.col, e.path) for e in expectations(path))
    assert got == want
    assert report["files"] == 1
    assert report["errors"] == sum(e.severity == "error" for e in expectations(path))
    assert report["warnings"] == sum(e.severity == "warning" for e in expectations(path))
    assert all(p["file"] == file and p["message"] and p["code"] for p in report["problems"])


# --- refusals that need a generated file: nothing to hold a '# expect:' line, or too big to commit


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "leeg.yaml"
    path.write_bytes(b"")
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 1
    assert f"{path}: error: het bestand is leeg." in out


def test_only_white_space(tmp_path, capsys):
    path = tmp_path / "leeg.yaml"
    path.write_text("\n   \n\n", encoding="utf-8")
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 1
    assert f"{path}: error: het bestand is leeg." in out


def test_file_over_one_mebibyte(tmp_path, capsys):
    path = tmp_path / "groot.yaml"
    minimal = (ROOT / "tests/circles/minimal.yaml").read_text(encoding="utf-8")
    path.write_text(minimal + "#" * (1024 * 1024) + "\n", encoding="utf-8")
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 1
    assert f"{path}: error: het bestand is groter dan 1 MiB." in out


def test_file_of_exactly_one_mebibyte_is_read(tmp_path, capsys):
    path = tmp_path / "minimal.yaml"
    minimal = (ROOT / "tests/circles/minimal.yaml").read_bytes()
    path.write_bytes(minimal + b"#" * (1024 * 1024 - len(minimal) - 1) + b"\n")
    assert path.stat().st_size == 1024 * 1024
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 0, out


def test_utf16_is_refused_as_binary_or_not_utf8(tmp_path, capsys):
    path = tmp_path / "minimal.yaml"
    path.write_bytes((ROOT / "tests/circles/minimal.yaml").read_text(encoding="utf-8").encode("utf-16"))
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 1
    assert ("geen tekstbestand" in out) or ("geen UTF-8" in out)
    assert f"{path}: error: " in out


def test_unreadable_file_is_a_file_level_problem(tmp_path):
    from handbook_gen.circle.validate import check_file

    folder = tmp_path / "cirkel.yaml"
    folder.mkdir()  # opening it fails: the reader says so instead of raising
    (problem,) = check_file(folder).problems
    assert (problem.severity, problem.code, problem.line, problem.col) == ("error", "file.unreadable", None, None)
    assert problem.file.endswith("cirkel.yaml")
