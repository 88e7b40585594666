"""argparse's own messages (usage, wrong choices, missing and unknown arguments) speak the
user's language: Dutch unless --lang en is given, like every other message of the tool."""

from __future__ import annotations

import argparse

import pytest

from helpers import run


@pytest.mark.parametrize("argv, dutch", [
    ([], "deze argumenten ontbreken: COMMAND"),
    (["bouw"], "ongeldige keuze: 'bouw' (kies uit 'validate', 'build'"),
    (["validate", "--bogus"], "onbekende argumenten: --bogus"),
    (["validate", "--format", "xml"], "bij --format: ongeldige keuze: 'xml'"),
    (["build", "-o"], "bij -o/--output: verwacht één waarde"),
    (["--lang", "fr", "validate"], "ongeldige keuze: 'fr'"),
    (["init", ".", "--force", "--update"], "bij --update: kan niet samen met --force"),
])
def test_argparse_speaks_dutch(argv, dutch, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("gebruik: handbook-gen"), err
    assert ": fout: " in err and dutch in err, err
    for english in ("usage:", "error:", "invalid choice", "required", "unrecognized", "expected"):
        assert english not in err


def test_help_headings_are_dutch(capsys):
    code, out, _ = run(["build", "--help"], capsys)
    assert code == 0
    assert out.startswith("gebruik: ") and "opties:" in out and "toon deze hulp en stop" in out


@pytest.mark.parametrize("argv", [["--lang", "en", "validate", "--bogus"], ["--lang=en", "bouw"]])
def test_argparse_speaks_english_when_asked(argv, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2
    assert err.startswith("usage: handbook-gen") and ": error: " in err


def test_argparse_is_left_as_it_was(capsys):
    """Only the tool's own parsing is translated: a program that imports it keeps English."""
    run(["bouw"], capsys)
    assert argparse._("usage: ") == "usage: "
