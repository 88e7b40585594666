"""The command line as a coordinator and a CI workflow meet it: exit codes, output formats,
languages, `new` and `schema`, and no traceback ever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from jsonschema import Draft202012Validator

from handbook_gen import cli
from handbook_gen.circle.model import SchoolYear
from handbook_gen.circle.starter import starter_text
from handbook_gen.circle.source import read
from handbook_gen.circle.validate import check_file
from helpers import MINIMAL, ROOT, run, write

pytestmark = pytest.mark.usefixtures("at_root")  # the command line runs in the top folder
BROKEN = ROOT / "tests/broken"


def minimal(**replace: str) -> str:
    text = MINIMAL.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


# --- exit codes ---------------------------------------------------------------------------


def test_example_circles_validate_cleanly(capsys):
    code, out, _ = run(["validate", "--strict", "circles"], capsys)
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith(f"{len(list((ROOT / 'circles').glob('*.yaml')))} bestanden gecontroleerd: geen fouten, 0 waarschuwingen")


def test_minimal_circle_has_no_problem_at_all():
    result = check_file(MINIMAL)
    assert result.problems == []
    assert result.circle is not None


def test_default_path_is_the_circles_folder(capsys):
    code, out, _ = run(["validate"], capsys)
    assert code == 0
    assert "geen fouten" in out


@pytest.mark.parametrize("argv", [
    ["validate", "--bogus"],
    ["validate", "--format", "xml", "circles"],
    ["frobnicate"],
    [],
    ["--lang", "fr", "validate"],
    ["validate", "does/not/exist.yaml"],
    ["validate", "tests/__no_such_folder__"],
])
def test_wrong_usage_exits_2(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    assert "Traceback" not in out + err
    assert err.strip(), "a usage error says what is wrong"


def test_nonexistent_path_names_it(capsys):
    code, _, err = run(["validate", "nergens/cirkel.yaml"], capsys)
    assert code == 2
    assert "nergens/cirkel.yaml bestaat niet." in err


def test_folder_without_circle_files_is_usage(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    code, _, err = run(["validate", str(tmp_path)], capsys)
    assert code == 2
    assert "geen cirkelbestanden (.yaml) gevonden" in err


def test_errors_exit_1_warnings_exit_0(capsys):
    assert run(["validate", "tests/broken/reviewer-is-host.yaml"], capsys)[0] == 1
    assert run(["validate", "tests/broken/weekend.yaml"], capsys)[0] == 0
    assert run(["validate", "--strict", "tests/broken/weekend.yaml"], capsys)[0] == 1


def test_one_broken_file_among_good_ones_fails_the_run(capsys):
    code, out, _ = run(["validate", "circles", "tests/broken/reviewer-is-host.yaml"], capsys)
    assert code == 1
    assert out.strip().splitlines()[-1].startswith("3 bestanden gecontroleerd: 1 fout,")


# --- circle ids across files ----------------------------------------------------------------


def test_circle_ids_are_unique_across_files(tmp_path, capsys):
    write(tmp_path, "minimal.yaml", minimal())
    write(tmp_path, "tweede.yaml", minimal())  # same id 'minimal'
    code, out, _ = run(["validate", str(tmp_path)], capsys)
    assert code == 1
    second = tmp_path / "tweede.yaml"
    assert f"{second}:2:5: error: id: de cirkel-id 'minimal' wordt ook gebruikt in {tmp_path / 'minimal.yaml'}." in out
    assert f"{second}:2:5: warning: id: het bestand heet 'tweede.yaml'" in out
    assert f"{tmp_path / 'minimal.yaml'}:" not in out  # the first owner of the id is fine


def test_the_same_file_named_twice_is_checked_once(capsys):
    code, out, _ = run(["validate", "tests/circles/minimal.yaml", "tests/circles"], capsys)
    assert code == 0, out
    files = len(list((ROOT / "tests" / "circles").glob("*.yaml")))  # minimal.yaml among them
    assert out.strip().splitlines()[-1].startswith(f"{files} bestanden gecontroleerd")
    assert "minimal.yaml" not in out  # no problem, and not named twice


# --- output formats ---------------------------------------------------------------------------


def test_text_format_matches_the_design(capsys):
    code, out, _ = run(["validate", "tests/broken/no-peer-reviewers.yaml"], capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "tests/broken/no-peer-reviewers.yaml:30:21: error: schools[2].peer_reviewers: elke school "
        "heeft minstens één peer reviewer nodig (een schoolleider). Voeg onder 'peer_reviewers:' "
        "een regel '- name: …' toe.")


def test_github_format_annotates_errors_and_warnings(capsys):
    code, out, err = run(["validate", "--format", "github", "tests/broken/reviewer-is-host.yaml",
                          "tests/broken/weekend.yaml", "tests/broken/only-comments.yaml"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines == [
        "::error file=tests/broken/reviewer-is-host.yaml,line=52,col=27::reviews[0].reviewers[1]: "
        "'school-a' is de gastschool van deze review en kan niet ook reviewer zijn. Haal 'school-a' "
        "weg uit 'reviewers'.",
        "::warning file=tests/broken/weekend.yaml,line=43,col=11::trainings[0].date: 'Opleidingsdag' "
        "valt in het weekend (zaterdag 11 oktober 2025). Klopt de datum?",
        "::error file=tests/broken/only-comments.yaml::het bestand is leeg. Begin met "
        "'handbook-gen new <id>' voor een ingevuld voorbeeld.",
    ]
    assert "gecontroleerd" in err  # the summary stays out of the annotations


def test_github_format_keeps_one_annotation_per_line(tmp_path, capsys):
    # A message whose value holds a line break and a '%' must not break the workflow command.
    path = write(tmp_path, "minimal.yaml", minimal(**{"name: Cirkel Test": 'name: "100%\\nCirkel"'}))
    code, out, _ = run(["validate", "--format", "github", str(path)], capsys)
    assert code == 1
    assert len(out.splitlines()) == 1
    assert out.startswith(f"::error file={path},line=3,col=7::name: ")
    assert "100%25" in out


def test_json_format_for_tools(capsys):
    code, out, _ = run(["validate", "--format", "json", "tests/broken/lead-not-reviewer.yaml",
                        "tests/broken/study-day.yaml"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["files"] == 2 and report["errors"] == 1 and report["warnings"] == 1
    first = report["problems"][0]
    assert first == {
        "file": "tests/broken/lead-not-reviewer.yaml", "line": 53, "col": 11, "severity": "error",
        "code": "rules.lead_not_reviewer", "path": "reviews[0].lead",
        "message": "'school-d' is geen van de reviewers van deze review (school-b, school-c). De "
                   "voorzitter ('lead') komt van een van de bezoekende scholen.",
    }
    assert report["problems"][1]["severity"] == "warning"


def test_json_format_of_a_clean_run(capsys):
    code, out, _ = run(["validate", "--format", "json", "tests/circles/minimal.yaml"], capsys)
    assert code == 0
    assert json.loads(out) == {"files": 1, "errors": 0, "warnings": 0, "problems": []}


def test_json_file_level_problem_has_null_position(tmp_path, capsys):
    (tmp_path / "leeg.yaml").write_text("# alleen uitleg\n", encoding="utf-8")
    code, out, _ = run(["validate", "--format", "json", str(tmp_path / "leeg.yaml")], capsys)
    assert code == 1
    (problem,) = json.loads(out)["problems"]
    assert problem["line"] is None and problem["col"] is None and problem["path"] == ""


# --- languages --------------------------------------------------------------------------------


def test_lang_en(capsys):
    code, out, _ = run(["--lang", "en", "validate", "tests/broken/reviewer-is-host.yaml"], capsys)
    assert code == 1
    assert ("tests/broken/reviewer-is-host.yaml:52:27: error: reviews[0].reviewers[1]: 'school-a' "
            "hosts this review and cannot also be a reviewer.") in out
    assert "1 file checked: 1 error, 0 warnings." in out


def test_circle_in_english_gets_english_messages(tmp_path, capsys):
    path = write(tmp_path, "minimal.yaml", minimal(**{"year: build\n": "year: build\nlanguage: en\n",
                                                      "date: 2025-10-08": "date: 2025-10-11"}))
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 0
    assert "'Opleidingsdag' falls on a weekend (Saturday, 11 October 2025). Is the date right?" in out
    assert "1 file checked: no errors, 1 warning." in out


def test_english_circle_with_schema_errors_still_speaks_english(tmp_path, capsys):
    path = write(tmp_path, "minimal.yaml", minimal(**{"year: build\n": "year: bouw\nlanguage: en\n"}))
    code, out, _ = run(["validate", str(path)], capsys)
    assert code == 1
    assert "'bouw' is not a valid value here. Choose from: build, embed." in out


def test_lang_nl_overrides_an_english_circle(tmp_path, capsys):
    path = write(tmp_path, "minimal.yaml", minimal(**{"year: build\n": "year: bouw\nlanguage: en\n"}))
    code, out, _ = run(["--lang", "nl", "validate", str(path)], capsys)
    assert code == 1
    assert "'bouw' is hier geen geldige waarde" in out


def test_every_fixture_has_an_english_message_too(capsys):
    # Both locale files must know every message code a fixture produces.
    code, out, err = run(["--lang", "en", "validate", "--format", "json", str(BROKEN)], capsys)
    assert code == 1
    problems = json.loads(out)["problems"]
    assert len(problems) >= 70
    assert all(p["message"] and "{" not in p["message"] for p in problems)


def test_locale_files_have_the_same_keys():
    import yaml

    def keys(node, prefix=""):
        if isinstance(node, dict):
            return {k for key, value in node.items() for k in keys(value, f"{prefix}{key}.")}
        return {prefix}

    nl = yaml.safe_load((ROOT / "handbook_gen/locale/nl/messages.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((ROOT / "handbook_gen/locale/en/messages.yaml").read_text(encoding="utf-8"))
    assert keys(nl) == keys(en)


def test_a_number_goes_with_its_noun_in_both_languages():
    """No "bestand(en)": one file is "1 bestand", none or more take the plural."""
    from handbook_gen.common.i18n import catalog
    dutch, english = catalog("nl"), catalog("en")
    assert [dutch.count(n, "file") for n in (0, 1, 2)] == ["0 bestanden", "1 bestand", "2 bestanden"]
    assert dutch.count(1, "warning") == "1 waarschuwing" and dutch.count(3, "place") == "3 plekken"
    assert [english.count(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    nouns = {language: set(catalog(language).get("counts")) for language in ("nl", "en")}
    assert nouns["nl"] == nouns["en"]


# --- no traceback ever ------------------------------------------------------------------------


def test_no_traceback_reaches_a_user(tmp_path):
    """The real program, as a separate process, over every broken file and a few nasty ones."""
    (tmp_path / "leeg.yaml").write_bytes(b"")
    (tmp_path / "utf16.yaml").write_bytes(MINIMAL.read_text(encoding="utf-8").encode("utf-16"))
    (tmp_path / "groot.yaml").write_bytes(b"a: 1\n" + b"#" * (1024 * 1024 + 10))
    (tmp_path / "scalar.yaml").write_text("gewoon wat tekst\n", encoding="utf-8")
    (tmp_path / "null.yaml").write_text("~\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("[]\n", encoding="utf-8")
    (tmp_path / "dir.yaml").mkdir()  # a folder with a circle-file name
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for extra in ([], ["--format", "github"], ["--format", "json"], ["--strict"]):
        done = subprocess.run([sys.executable, "-m", "handbook_gen", "--lang", "en", "validate", *extra,
                               str(BROKEN), str(tmp_path)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
        assert done.returncode == 1


# --- new --------------------------------------------------------------------------------------


def test_new_writes_a_starter_that_validates(tmp_path, capsys):
    code, out, _ = run(["new", "cirkel-zuid", "--dir", str(tmp_path)], capsys)
    assert code == 0, out
    written = tmp_path / "cirkel-zuid.yaml"
    assert written.is_file()
    assert str(written) in out
    code, out, _ = run(["validate", "--strict", str(written)], capsys)
    assert code == 0, out
    circle = check_file(written).circle
    assert circle.id == "cirkel-zuid"
    first = date.today().year if date.today().month >= 7 else date.today().year - 1
    assert circle.school_year == SchoolYear(first, first + 1)


@pytest.mark.parametrize("today", [date(2025, 1, 15), date(2025, 6, 30), date(2025, 7, 1),
                                   date(2025, 9, 1), date(2026, 3, 3), date(2027, 12, 31),
                                   date(2028, 7, 31), date(2031, 2, 28)])
def test_starter_validates_in_every_school_year(today, tmp_path):
    path = write(tmp_path, "mijn-cirkel.yaml", starter_text("mijn-cirkel", today))
    result = check_file(path)
    assert [p for p in result.problems] == [], [(p.code, p.line, p.params) for p in result.problems]
    assert result.circle.school_year.first_day <= min(e.date for e in result.circle.trainings)


def test_new_refuses_an_existing_file(tmp_path, capsys):
    (tmp_path / "cirkel-zuid.yaml").write_text("bestaat al", encoding="utf-8")
    code, _, err = run(["new", "cirkel-zuid", "--dir", str(tmp_path)], capsys)
    assert code == 2
    assert "bestaat al" in err
    assert (tmp_path / "cirkel-zuid.yaml").read_text(encoding="utf-8") == "bestaat al"


@pytest.mark.parametrize("bad", ["Cirkel Zuid", "ab", "zuid-", "zuid--noord", "x" * 61, "1zuid"])
def test_new_refuses_an_id_that_is_no_slug(bad, tmp_path, capsys):
    code, _, err = run(["new", bad, "--dir", str(tmp_path)], capsys)
    assert code == 2
    assert "geen geldige id" in err
    assert list(tmp_path.iterdir()) == []


# --- schema -----------------------------------------------------------------------------------


def test_schema_prints_valid_draft_2020_12(capsys):
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    for path in sorted((ROOT / "circles").glob("*.yaml")) + [MINIMAL]:
        document, problems = read(path)
        assert problems == []
        data = {k: v for k, v in document.data.items() if v is not None}
        assert list(Draft202012Validator(schema).iter_errors(data)) == [], path


def test_schema_refuses_what_the_validator_refuses(capsys):
    run(["schema"], capsys)
    validator = Draft202012Validator(json.loads(cli.SCHEMA_PATH.read_text(encoding="utf-8")))
    document, _ = read(BROKEN / "no-peer-reviewers.yaml")
    assert [e.validator for e in validator.iter_errors(document.data)] == ["minItems"]


def test_every_problem_names_the_file_the_same_way(capsys):
    """Date warnings too: an absolute path inside the working folder is shown relative to it, as
    GitHub annotations need (they are matched against the repository's file names)."""
    code, out, _ = run(["validate", "--format", "github", str(ROOT / "tests/broken/public-holiday.yaml"),
                        str(ROOT / "tests/broken/file-name-mismatch.yaml")], capsys)
    assert code == 0
    files = {line.split("file=", 1)[1].split(",", 1)[0] for line in out.splitlines()}
    assert files == {"tests/broken/public-holiday.yaml", "tests/broken/file-name-mismatch.yaml"}
