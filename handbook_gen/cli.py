"""The command line: the only place that prints and exits.

Exit codes: 0 success (warnings allowed unless --strict), 1 the input has errors, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date, timedelta
from pathlib import Path

from . import __version__
from .i18n import LANGUAGES, catalog
from .problems import ERROR, WARNING, Problem
from .reproducible import source_date
from .validate import SCHEMA_PATH, Checked, check_file

DEFAULT_CIRCLES = Path("circles")
SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def circle_files(paths: list[Path], language: str) -> list[Path]:
    """The .yaml files named, and those directly inside the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not inside:
                raise UsageError(catalog(language).message("cli.no_files", path=path))
            found.extend(inside)
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(catalog(language).message("cli.not_found", path=path))
    return list(dict.fromkeys(found))


def check_all(files: list[Path]) -> list[Checked]:
    """Check every file, then the rule across files: circle ids are unique in one build."""
    results = [check_file(path) for path in files]
    owners: dict[str, Checked] = {}
    for result in results:
        if result.circle is None:
            continue
        first = owners.setdefault(result.circle.id, result)
        if first is not result:
            line, col = result.positions.of_value(("id",))
            result.problems.append(Problem(ERROR, "rules.duplicate_circle", result.file, line, col,
                                           ("id",), {"id": result.circle.id, "other": first.file}))
            result.circle = None
    return results


# --- output -------------------------------------------------------------------------------


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def format_problem(problem: Problem, language: str, style: str) -> str:
    texts = catalog(language)
    if style == "github":
        where = f"{problem.where}: " if problem.where else ""
        props = [f"file={_github_escape(problem.file, True)}"]
        props += [f"{name}={value}" for name, value in (("line", problem.line), ("col", problem.col)) if value]
        return f"::{problem.severity} {','.join(props)}::{_github_escape(where + problem.text(texts))}"
    return problem.render(texts)


def report(results: list[Checked], style: str, language: str | None, strict: bool) -> int:
    problems = [(p, language or r.language) for r in results for p in r.problems]
    errors = sum(p.severity == ERROR for p, _ in problems)
    warnings = sum(p.severity == WARNING for p, _ in problems)
    if style == "json":
        rows = [{"file": p.file, "line": p.line, "col": p.col, "severity": p.severity,
                 "code": p.code, "path": p.where, "message": p.text(catalog(lang))}
                for p, lang in problems]
        print(json.dumps({"files": len(results), "errors": errors, "warnings": warnings,
                          "problems": rows}, ensure_ascii=False, indent=2))
    else:
        for problem, lang in problems:
            print(format_problem(problem, lang, style))
        texts = catalog(language or (results[0].language if results else "nl"))
        key = "cli.summary_errors" if errors or (strict and warnings) else "cli.summary_ok"
        summary = texts.message(key, files=len(results), errors=errors, warnings=warnings)
        if strict and warnings:
            summary += " " + texts.message("cli.strict")
        print(summary, file=sys.stderr if style == "github" else sys.stdout)
    return EXIT_INPUT if errors or (strict and warnings) else EXIT_OK


# --- commands -----------------------------------------------------------------------------


def cmd_validate(args) -> int:
    files = circle_files(args.paths or [DEFAULT_CIRCLES], args.lang or "nl")
    return report(check_all(files), args.format, args.lang, args.strict)


def cmd_schema(args) -> int:
    sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return EXIT_OK


# Starter dates: (month, day on or after which, weekday 0=Monday) - chosen clear of the school
# holidays and public holidays of every region, and of Wednesday afternoons for review days.
STARTER_DATES = {
    "startworkshop": (9, 22, 0), "opleidingsdag": (10, 1, 2), "preparation_a": (11, 3, 1),
    "review_a": (11, 17, 1), "workshop_a": (12, 8, 1), "tracking": (2, 2, 2),
    "verdieping": (3, 9, 0), "review_d": (3, 19, 3), "evaluatie": (5, 18, 2),
    "integratie": (6, 10, 2),
}


def starter_text(circle_id: str, today: date) -> str:
    """The starter circle for the school year that today falls in (or, in July, the next)."""
    first_year = today.year if today.month >= 7 else today.year - 1
    dates = {}
    for name, (month, day, weekday) in STARTER_DATES.items():
        earliest = date(first_year if month >= 8 else first_year + 1, month, day)
        dates[name] = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
    from jinja2 import Environment, PackageLoader, StrictUndefined  # only `new` needs Jinja2

    template = Environment(loader=PackageLoader("handbook_gen", "."), keep_trailing_newline=True,
                           undefined=StrictUndefined).get_template("starter.yaml")
    return template.render(id=circle_id, title=circle_id.replace("-", " ").title(),
                           first_year=first_year, dates=dates, letters="abcde")


def cmd_new(args) -> int:
    texts = catalog(args.lang or "nl")
    if not SLUG.match(args.id) or not 3 <= len(args.id) <= 60:
        raise UsageError(texts.message("schema.kind.slug", found=args.id))
    target = args.dir / f"{args.id}.yaml"
    if target.exists():
        raise UsageError(texts.message("cli.new_exists", path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(starter_text(args.id, date.today()), encoding="utf-8")
    print(texts.message("cli.new_written", path=target))
    return EXIT_OK


def check_epoch(language: str | None) -> None:
    """Builds stamp pages and calendars with SOURCE_DATE_EPOCH: a malformed one is refused."""
    try:
        source_date()
    except ValueError:
        value = os.environ["SOURCE_DATE_EPOCH"]
        raise UsageError(catalog(language or "nl").message("cli.bad_epoch", value=value)) from None


def cmd_build(args) -> int:
    from .build import build  # the site stage pulls in MkDocs: load it only when building

    check_epoch(args.lang)

    files = circle_files(args.paths or [DEFAULT_CIRCLES], args.lang or "nl")
    results = check_all(files)
    status = report([r for r in results if r.problems], args.format, args.lang, args.strict) \
        if any(r.problems for r in results) else EXIT_OK
    if status != EXIT_OK:
        return status
    return build([r.circle for r in results], args.output, args.jobs, args.lang)


def cmd_serve(args) -> int:
    from .preview import Outcome, Preview  # pulls in MkDocs, like build

    texts = catalog(args.lang or "nl")
    paths = args.paths or [DEFAULT_CIRCLES]
    circle_files(paths, args.lang or "nl")  # a wrong path is a usage error, before serving
    check_epoch(args.lang)

    def check(files: list[Path]) -> Outcome:
        results = check_all(files)
        status = report(results, "text", args.lang, strict=False)
        messages = [format_problem(p, args.lang or r.language, "text") for r in results for p in r.problems]
        language = args.lang or (results[0].language if results else "nl")
        return Outcome([r.circle for r in results] if status == EXIT_OK else None, messages, language)

    def announce(updated: bool, language: str) -> None:
        key = "cli.preview_updated" if updated else "cli.preview_kept"
        print(catalog(language).message(key, url=preview.url), flush=True)

    try:
        preview = Preview(paths, check, announce, args.port)
    except OSError as error:
        raise UsageError(texts.message("cli.port_busy", port=args.port, reason=error.strerror)) from None
    print(texts.message("cli.serving", url=preview.url), flush=True)
    preview.run()
    print(texts.message("cli.preview_stopped"), flush=True)
    return EXIT_OK


def port_number(text: str) -> int:
    """--port: a number the server can listen on, refused by argparse otherwise."""
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(catalog().message("cli.bad_port", value=text))  # before --lang is known
    return int(text)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="handbook-gen", description=(
        "Handboeken, formulieren en agenda's voor Leren tussen Scholen-cirkels."))
    main.add_argument("--version", action="version", version=f"handbook-gen {__version__}")
    main.add_argument("--lang", choices=LANGUAGES, help="taal van de meldingen (standaard: die van de cirkel)")
    # --lang is also accepted after the command; SUPPRESS keeps a value given before it.
    language = argparse.ArgumentParser(add_help=False)
    language.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", parents=[language], help="controleer cirkelbestanden")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    validate.add_argument("--strict", action="store_true", help="waarschuwingen tellen als fouten")
    validate.add_argument("--format", choices=("text", "github", "json"), default="text")
    validate.set_defaults(run=cmd_validate)

    build = commands.add_parser("build", parents=[language], help="bouw de handboeken en agenda's")
    build.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    build.add_argument("-o", "--output", type=Path, default=Path("site"), metavar="DIR")
    build.add_argument("--strict", action="store_true", help="waarschuwingen tellen als fouten")
    build.add_argument("--jobs", type=int, default=1, metavar="N")
    build.add_argument("--format", choices=("text", "github", "json"), default="text")
    build.set_defaults(run=cmd_build)

    new = commands.add_parser("new", parents=[language], help="schrijf een ingevuld startbestand circles/ID.yaml")
    new.add_argument("id")
    new.add_argument("--dir", type=Path, default=DEFAULT_CIRCLES, help=argparse.SUPPRESS)
    new.set_defaults(run=cmd_new)

    serve = commands.add_parser("serve", parents=[language],
                                help="bekijk de handboeken in de browser terwijl je het cirkelbestand bewerkt")
    serve.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    serve.add_argument("--port", type=port_number, default=8000, help="standaard: 8000")
    serve.set_defaults(run=cmd_serve)

    schema = commands.add_parser("schema", parents=[language], help="druk het JSON Schema van het cirkelbestand af")
    schema.set_defaults(run=cmd_schema)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"handbook-gen: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
