"""The command line: the only place that prints and exits.

Exit codes: 0 success (warnings allowed unless --strict), 1 the input has errors, 2 wrong usage
(or a folder that cannot be read or written), 3 an internal error: a bug, never the input's fault.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import traceback
from datetime import date
from pathlib import Path

from handbook_gen import __version__
from handbook_gen.common import reports
from handbook_gen.common.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog
from handbook_gen.circle.problems import ERROR, one_line
from handbook_gen.common.reproducible import epoch_text, source_date
from handbook_gen.circle.starter import schema_reference, starter_text
from handbook_gen.circle.validate import SCHEMA_PATH, Checked, check_files, is_slug
from handbook_gen.common.errors import HandbookError

DEFAULT_CIRCLES = Path("circles")
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
CRASH_LOG_FOLDER = Path(tempfile.gettempdir())  # handbook-gen-error-<random>.log, user-only


class UsageError(HandbookError):
    pass


def circle_files(paths: list[Path], language: str) -> list[Path]:
    """The .yaml files named, and those directly inside the folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and not p.is_dir())
            if not inside:
                raise UsageError(catalog(language).message("cli.no_files", path=path))
            found.extend(inside)
        elif path.exists():
            found.append(path)
        else:
            raise UsageError(catalog(language).message("cli.not_found", path=path))
    return list(dict.fromkeys(found))


# --- output -------------------------------------------------------------------------------

FORMATS = ("text", "github", "gitlab", "markdown", "json")


def report(results: list[Checked], style: str, language: str | None, strict: bool) -> int:
    """Print the problems of every file in one format; the exit code they make."""
    problems = [(p, language or r.language) for r in results for p in r.problems]
    texts = catalog(language or (results[0].language if results else DEFAULT_LANGUAGE))
    if style == "json":
        print(reports.json_report(problems, len(results)))
    elif style == "gitlab":
        print(reports.gitlab_report(problems))
    elif style == "markdown":
        print(reports.markdown_report(problems, len(results), texts, strict), end="")
    else:
        line = reports.github_line if style == "github" else reports.text_line
        for problem, lang in problems:
            print(line(problem, lang))
        print(reports.summary(problems, len(results), texts, strict),
              file=sys.stderr if style == "github" else sys.stdout)
        if style == "github":
            _add_to_job_summary(reports.markdown_report(problems, len(results), texts, strict))
    errors, warnings = reports.counts(problems)
    return EXIT_INPUT if errors or (strict and warnings) else EXIT_OK


def _add_to_job_summary(markdown: str) -> None:
    """In GitHub Actions, every problem also goes to the job summary: annotations stop at 10."""
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")


# --- commands -----------------------------------------------------------------------------


def cmd_validate(args) -> int:
    files = circle_files(args.paths or [DEFAULT_CIRCLES], args.lang or DEFAULT_LANGUAGE)
    return report(check_files(files), args.format, args.lang, args.strict)


def cmd_schema(args) -> int:
    if args.format == "markdown":
        from handbook_gen.circle.reference import reference

        print(reference(), end="")
    else:
        sys.stdout.write(SCHEMA_PATH.read_text(encoding="utf-8"))
    return EXIT_OK


def cmd_new(args) -> int:
    texts = catalog(args.lang)
    if not is_slug(args.id):
        raise UsageError(texts.message("schema.kind.slug", found=args.id))
    target = args.dir / f"{args.id}.yaml"
    if target.exists():
        raise UsageError(texts.message("cli.new_exists", path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    text = starter_text(args.id, date.today(), args.lang or DEFAULT_LANGUAGE, schema_reference(target.parent))
    target.write_text(text, encoding="utf-8")
    print(texts.message("cli.new_written", path=target))
    return EXIT_OK


def cmd_init(args) -> int:
    from handbook_gen.board import repository as board  # only init needs the repository templates

    record = board.read_record(args.dir) if args.update else {}
    language = args.lang or (record.get("language") if record.get("language") in LANGUAGES else DEFAULT_LANGUAGE)
    texts = catalog(language)
    circle_id = args.circle or board.DEFAULT_CIRCLE[language]
    if not is_slug(circle_id):
        raise UsageError(texts.message("schema.kind.slug", found=circle_id))
    if args.dir.exists() and not args.dir.is_dir():
        raise UsageError(texts.message("init.not_a_folder", path=args.dir))
    install = args.install or (board.install_for_update(record) if args.update else board.DEFAULT_INSTALL)
    files = board.repository_files(language, install, circle_id, date.today())
    written = board.write_repository(args.dir, files, language=language, install=install,
                                     force=args.force, update=args.update)
    for item in written:
        print(texts.message(f"init.{item.outcome}", path=item.path, readme=args.dir / board.README))
        for change in item.changes:
            print(f"    {change}")
    kept = sum(item.outcome == "kept" for item in written)
    if args.update:
        changed = sum(item.outcome in ("written", "replaced", "readme_beside") for item in written)
        print(texts.message("init.update_done", folder=args.dir, version=__version__, changed=changed))
        return EXIT_OK
    print(texts.message("init.done", folder=args.dir, circle=circle_id))
    if kept:
        print(texts.message("init.kept_hint"))
    return EXIT_OK


def check_epoch(language: str | None) -> None:
    """Builds stamp pages and calendars with SOURCE_DATE_EPOCH: a malformed one is refused."""
    try:
        source_date()
    except ValueError:
        value = epoch_text()
        raise UsageError(catalog(language).message("cli.bad_epoch", value=value)) from None


def cmd_build(args) -> int:
    from handbook_gen import build  # light: MkDocs & co. are loaded only when a circle is built
    from handbook_gen.calendars import public_feeds
    from handbook_gen.common.freshness import Settings

    check_epoch(args.lang)
    files = circle_files(args.paths or [DEFAULT_CIRCLES], args.lang or DEFAULT_LANGUAGE)
    with output_problems(args.lang):
        from handbook_gen.common.output import check_destination

        check_destination(args.output, [*(args.paths or [DEFAULT_CIRCLES]), *files])
    public, feeds_dir = public_feed_settings(args, files)
    settings = Settings(shared_assets=not args.standalone, use_history=not args.no_history,
                        pdfs=not args.no_pdf, public_feeds=public,
                        engine=require_engine(args.engine, args.lang))
    plan = build.plan(files, args.output, settings, feeds_dir)
    if any(r.problems for r in plan.results):
        status = report([r for r in plan.results if r.problems], args.format, args.lang, args.strict)
        if status != EXIT_OK:
            return status
    had_feeds = feeds_dir.is_dir() and (feeds_dir / public_feeds.MARK).is_file()
    with output_problems(args.lang):
        outcomes = build.run(plan, args.output, settings, args.jobs or build.default_workers(),
                             args.shard, feeds_dir, on_wait=lambda folder: waiting_for(folder, args.lang))
    status = print_outcomes(outcomes, args.output, args.lang)
    print_feeds(feeds_dir, public is not None, had_feeds, args.lang)
    return status


# --- feeds at secret addresses (public_feeds.py) ------------------------------------------

def public_feed_settings(args, files: list[Path]):
    """HANDBOOK_FEED_SECRET, --feeds-url (or HANDBOOK_FEEDS_URL) and --feeds-out, checked before
    anything is built: (PublicFeeds or None, the feeds folder). A problem is a usage error."""
    from handbook_gen.calendars.public_feeds import FOLDER, FeedsError, check_folder, from_settings

    texts = catalog(args.lang)
    feeds_dir = args.feeds_out or args.output / FOLDER
    try:
        public = from_settings(args.feeds_url)
        if public:
            check_folder(feeds_dir)
    except FeedsError as error:
        raise UsageError(error.text(texts)) from None
    inside = feeds_dir.resolve().relative_to(args.output.resolve()).parts \
        if feeds_dir.resolve().is_relative_to(args.output.resolve()) else ()
    if public and inside and inside[0] in {path.stem for path in files}:
        raise UsageError(texts.text("feeds.errors.feeds_in_circle", path=feeds_dir))
    if public and args.output.resolve().is_relative_to(feeds_dir.resolve()):
        # Each build replaces the feeds folder whole: the handbooks would go with it.
        raise UsageError(texts.text("feeds.errors.site_in_feeds", path=feeds_dir, output=args.output))
    return public, feeds_dir


def print_feeds(feeds_dir: Path, public: bool, had_feeds: bool, language: str | None) -> None:
    texts = catalog(language)
    if public and feeds_dir.is_dir():
        count = sum(1 for path in feeds_dir.glob("*.ics"))
        print(texts.text("feeds.written", files=texts.count(count, "file"), path=feeds_dir))
    elif had_feeds and not feeds_dir.exists():
        print(texts.text("feeds.removed", path=feeds_dir), file=sys.stderr)


def cmd_privacy(args) -> int:
    from handbook_gen.calendars.privacy import Known, scan

    texts = catalog(args.lang)
    for path in args.paths:
        if not path.exists():
            raise UsageError(texts.message("cli.not_found", path=path))
    if not args.circles.is_dir() or not any(args.circles.glob("*.y*ml")):
        raise UsageError(texts.text("feeds.privacy.no_circles", path=args.circles))
    results = check_files(circle_files([args.circles], args.lang or DEFAULT_LANGUAGE))
    if any(r.circle is None for r in results):  # what to look for is unknown: the errors first
        return report([r for r in results if r.circle is None], "text", args.lang, strict=False)
    known = Known.of((r.file, r.circle) for r in results)
    findings = scan(args.paths, known)
    for found in findings:
        key = f"path_{found.kind}" if found.line == 0 else found.kind
        place = found.file if found.line == 0 else f"{found.file}:{found.line}:{found.column}"
        print(f"{place}: {texts.text(f'feeds.privacy.{key}', circle=found.circle)}")
    if findings:
        print(texts.text("feeds.privacy.found", places=texts.count(len(findings), "place")), file=sys.stderr)
        return EXIT_INPUT
    files = sum(1 for path in args.paths for p in ([path] if path.is_file() else path.rglob("*"))
                if p.is_file())
    print(texts.text("feeds.privacy.clean", files=texts.count(files, "file")))
    return EXIT_OK


@contextlib.contextmanager
def output_problems(language: str | None):
    """An output folder that cannot be used as asked (see output.OutputError): exit 2."""
    from handbook_gen.common.output import OutputError

    try:
        yield
    except OutputError as error:
        raise UsageError(error.text(catalog(language))) from None


def waiting_for(folder: Path, language: str | None) -> None:
    """Another build writes into the same output folder: this one waits for it, and says so."""
    print(f"handbook-gen: {catalog(language).message('output.waiting', path=folder)}",
          file=sys.stderr, flush=True)


def output_folder(text: str) -> Path:
    """-o: a folder name; an empty one ("-o $UNSET") would quietly mean the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError(catalog().message("output.empty"))
    return Path(text)


def require_engine(name: str, language: str | None) -> str:
    """--engine: a site engine that is installed; one line and exit 2 otherwise (see engine.py)."""
    from handbook_gen.engines.engine import EngineError, check_installed

    try:
        check_installed(name)
    except EngineError as error:
        raise UsageError(error.text(catalog(language))) from None
    return name


def add_engine_option(command: argparse.ArgumentParser) -> None:
    from handbook_gen.engines.engine import DEFAULT, ENGINES, EXPERIMENTAL

    command.add_argument("--engine", choices=ENGINES, default=DEFAULT,
                         help=f"site-engine (standaard: {DEFAULT}; experimenteel: {', '.join(EXPERIMENTAL)})")


def print_outcomes(outcomes, out_dir: Path, language: str | None) -> int:
    texts = catalog(language)
    for outcome in outcomes:
        if outcome.shallow:
            print(texts.message("build.shallow", id=outcome.circle_id), file=sys.stderr)
        line = texts.message(f"build.{outcome.state}", id=outcome.circle_id,
                             path=out_dir / outcome.circle_id, error=outcome.error)
        print(line, file=sys.stderr if outcome.error else sys.stdout)
    return EXIT_INTERNAL if any(o.state == "failed" for o in outcomes) else EXIT_OK


def cmd_serve(args) -> int:
    from handbook_gen.site.preview import Checks, Preview

    texts = catalog(args.lang)
    paths = args.paths or [DEFAULT_CIRCLES]
    circle_files(paths, args.lang or DEFAULT_LANGUAGE)  # a wrong path is a usage error, before serving
    check_epoch(args.lang)

    def check(files: list[Path]) -> Checks:
        results = check_files(files)
        status = report(results, "text", args.lang, strict=False)
        messages = [reports.text_line(p, args.lang or r.language) for r in results for p in r.problems]
        language = args.lang or (results[0].language if results else DEFAULT_LANGUAGE)
        return Checks(results if status == EXIT_OK else None, messages, language)

    def announce(outcomes: list | None, language: str) -> None:
        failures = [outcome for outcome in outcomes or [] if outcome.state == "failed"]
        print_outcomes(failures, preview.folder, language)  # why a circle did not build
        key = "cli.preview_updated" if outcomes and not failures else "cli.preview_kept"
        print(catalog(language).message(key, url=preview.url), flush=True)

    engine = require_engine(args.engine, args.lang)
    try:
        preview = Preview(paths, check, announce, args.port, engine)
    except OSError as error:
        raise UsageError(texts.message("cli.port_busy", port=args.port, reason=error.strerror)) from None
    print(texts.message("cli.serving", url=preview.url), flush=True)
    preview.run()
    print(texts.message("cli.preview_stopped"), flush=True)
    return EXIT_OK


def positive_number(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(catalog().message("cli.bad_jobs", value=text))
    return int(text)


def shard(text: str):
    from handbook_gen.build import Shard

    number, _, count = text.partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
        raise argparse.ArgumentTypeError(catalog().message("cli.bad_shard", value=text))
    return Shard(int(number), int(count))


def port_number(text: str) -> int:
    """--port: a number the server can listen on, refused by argparse otherwise."""
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(catalog().message("cli.bad_port", value=text))  # before --lang is known
    return int(text)


def cmd_diff(args) -> int:
    from dataclasses import replace

    from handbook_gen.changes import diff_report
    from handbook_gen.changes.diff import compare
    from handbook_gen.changes.versions import VersionError, file_pair, git_pairs

    texts = catalog(args.lang)
    check_epoch(args.lang)  # the feeds are compared as they would be built
    try:
        if args.base is not None:
            pairs = git_pairs(args.base, args.paths or [DEFAULT_CIRCLES])
        elif len(args.paths) == 2:
            pairs = [file_pair(*args.paths)]
        else:
            raise VersionError("two_files")
    except VersionError as error:
        raise UsageError(texts.text(f"diff.errors.{error.code}", **error.params)) from None
    broken = [replace(checked, problems=[p for p in checked.problems if p.severity == ERROR])
              for pair in pairs for checked in (pair.old, pair.new) if checked and checked.circle is None]
    if broken:  # the errors, as validate prints them, and no diff
        fence = "```\n" if args.format == "markdown" else ""  # keeps the lines apart in a summary
        print(fence, end="")
        status = report(broken, "json" if args.format == "json" else "text", args.lang, strict=False)
        print(fence, end="")
        return status
    groups = [(pair, compare(pair.old, pair.new)) for pair in pairs]
    render = {"text": diff_report.text, "markdown": diff_report.markdown, "json": diff_report.as_json}
    print(render[args.format](groups, args.lang))
    changed = any(changes for _, changes in groups)
    return EXIT_INPUT if args.exit_code and changed else EXIT_OK


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="handbook-gen", description=(
        "Handboeken, formulieren en agenda's voor Leren tussen Scholen-cirkels."))
    main.add_argument("--version", action="version", version=f"handbook-gen {__version__}")
    main.add_argument("--lang", choices=LANGUAGES, help="taal van de meldingen (standaard: die van de cirkel)")
    main.add_argument("--debug", action="store_true", help="toon bij een interne fout de volledige traceback")
    # --lang and --debug are also accepted after the command; SUPPRESS keeps a value given before it.
    language = argparse.ArgumentParser(add_help=False)
    language.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    language.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", parents=[language], help="controleer cirkelbestanden")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    validate.add_argument("--strict", action="store_true", help="waarschuwingen tellen als fouten")
    validate.add_argument("--format", choices=FORMATS, default="text",
                          help="text, github (annotaties), gitlab (Code Quality), markdown of json")
    validate.set_defaults(run=cmd_validate)

    build = commands.add_parser("build", parents=[language], help="bouw de handboeken en agenda's")
    build.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    build.add_argument("-o", "--output", type=output_folder, default=Path("site"), metavar="DIR")
    build.add_argument("--strict", action="store_true", help="waarschuwingen tellen als fouten")
    build.add_argument("--jobs", type=positive_number, default=None, metavar="N",
                       help="zoveel cirkels tegelijk (standaard: het aantal processorkernen)")
    build.add_argument("--shard", type=shard, metavar="K/N",
                       help="bouw alleen deel K van N (voor een CI-matrix; voeg de mappen daarna samen)")
    build.add_argument("--standalone", action="store_true",
                       help="elk handboek met zijn eigen kopie van het thema (om een map los te kopiëren)")
    build.add_argument("--no-pdf", action="store_true",
                       help="zonder de pdf's (reviewdagmappen, formulieren): veel sneller, voor een snelle controle")
    build.add_argument("--format", choices=FORMATS, default="text")
    add_engine_option(build)
    build.add_argument("--no-history", action="store_true",
                       help="lees de git-geschiedenis van de cirkelbestanden niet (SEQUENCE in de agenda's)")
    build.add_argument("--feeds-out", type=Path, metavar="DIR", help=(
        "met HANDBOOK_FEED_SECRET: de map voor de agenda's op geheime adressen (standaard: feeds/ "
        "in de uitvoermap); alleen die map hoort op de openbare server"))
    build.add_argument("--feeds-url", metavar="URL", help=(
        "met HANDBOOK_FEED_SECRET: het adres waar die map openbaar staat, bijv. "
        "https://bestuur.github.io/agendas/ (of HANDBOOK_FEEDS_URL)"))
    build.set_defaults(run=cmd_build)

    privacy = commands.add_parser("privacy", parents=[language], help=(
        "controleer vóór het publiceren dat bestanden geen e-mailadressen, telefoonnummers of "
        "(als de cirkel dat vraagt) namen bevatten"))
    privacy.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    privacy.add_argument("--circles", type=Path, default=DEFAULT_CIRCLES, metavar="DIR",
                         help="de map met de cirkelbestanden (standaard circles/)")
    privacy.set_defaults(run=cmd_privacy)

    new = commands.add_parser("new", parents=[language], help="schrijf een ingevuld startbestand circles/ID.yaml")
    new.add_argument("id")
    new.add_argument("--dir", type=Path, default=DEFAULT_CIRCLES, help=argparse.SUPPRESS)
    new.set_defaults(run=cmd_new)

    serve = commands.add_parser("serve", parents=[language],
                                help="bekijk de handboeken in de browser terwijl je het cirkelbestand bewerkt")
    serve.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    serve.add_argument("--port", type=port_number, default=8000, help="standaard: 8000")
    add_engine_option(serve)
    serve.set_defaults(run=cmd_serve)

    init = commands.add_parser("init", parents=[language],
                               help="maak een repository voor een bestuur: cirkels, CI voor GitHub en GitLab, editorhulp")
    init.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR")
    init.add_argument("--circle", metavar="ID", help="id van de voorbeeldcirkel (standaard mijn-cirkel)")
    init.add_argument("--install", metavar="SPEC",
                      help="wat CI installeert (standaard handbook-gen==<deze versie>; ook een git-URL of wheel)")
    overwrite = init.add_mutually_exclusive_group()
    overwrite.add_argument("--force", action="store_true", help="overschrijf bestaande bestanden")
    overwrite.add_argument("--update", action="store_true",
                           help="werk schema, CI- en editorbestanden bij naar deze versie; cirkels blijven, een aangepaste README ook")
    init.set_defaults(run=cmd_init)

    diff = commands.add_parser("diff", parents=[language], help=(
        "wat een wijziging voor de mensen betekent: OUD.yaml NIEUW.yaml, of --base REF [PATH...]"))
    diff.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    diff.add_argument("--base", metavar="REF", help="vergelijk met deze git-versie (bijv. origin/main)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument("--exit-code", action="store_true", help="exitcode 1 als er iets verandert")
    diff.set_defaults(run=cmd_diff)

    schema = commands.add_parser("schema", parents=[language], help="druk het JSON Schema van het cirkelbestand af")
    schema.add_argument("--format", choices=("json", "markdown"), default="json",
                        help="json (voor editors) of markdown (de naslag van het cirkelbestand)")
    schema.set_defaults(run=cmd_schema)
    return main


# argparse's own texts (Python 3.11's msgids) -> their key under messages.argparse.
ARGPARSE_TEXTS = {
    "usage: ": "usage", "%(prog)s: error: %(message)s\n": "error",
    "argument %(argument_name)s: %(message)s": "argument",
    "ambiguous option: %(option)s could match %(matches)s": "ambiguous",
    "can't open '%(filename)s': %(error)s": "cannot_open",
    "expected at least one argument": "at_least_one", "expected at most one argument": "at_most_one",
    "expected one argument": "one", "expected %s argument": "count_one",
    "expected %s arguments": "count_many", "ignored explicit argument %r": "ignored",
    "invalid %(type)s value: %(value)r": "invalid_type",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "not allowed with argument %s": "not_allowed", "one of the arguments %s is required": "one_required",
    "options": "options", "positional arguments": "positionals", "show this help message and exit": "help",
    "the following arguments are required: %s": "required", "unrecognized arguments: %s": "unrecognized",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "unknown_parser",
}


@contextlib.contextmanager
def argparse_language(argv: list[str]):
    """argparse's messages (usage, errors, help headings) in the user's language: --lang if
    given, else Dutch. argparse looks its texts up through its module's gettext functions."""
    language = DEFAULT_LANGUAGE
    for index, word in enumerate(argv):
        if word == "--lang" and index + 1 < len(argv):
            language = argv[index + 1]
        elif word.startswith("--lang="):
            language = word.partition("=")[2]
    texts = catalog(language).get("messages.argparse")

    def translate(message: str) -> str:
        key = ARGPARSE_TEXTS.get(message)
        return texts[key] if key else message

    saved = argparse._, argparse.ngettext
    argparse._ = translate
    argparse.ngettext = lambda singular, plural, count: translate(singular if count == 1 else plural)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def main(argv: list[str] | None = None) -> int:
    with argparse_language(sys.argv[1:] if argv is None else argv):
        args = parser().parse_args(argv)
    texts = catalog(args.lang)
    try:
        return args.run(args)
    except UsageError as error:
        print(f"handbook-gen: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the one place that turns a bug into exit 3
        if isinstance(error, OSError) and error.filename and error.strerror:
            # A folder that cannot be read or written (-o on a read-only share): say which.
            message = texts.message("cli.os_error", path=error.filename, reason=error.strerror)
            print(f"handbook-gen: {message}", file=sys.stderr)
            return EXIT_USAGE
        return internal_error(error, args.debug, texts)


def internal_error(error: Exception, debug: bool, texts) -> int:
    """A bug: one line that says so and where the details are; the traceback with --debug."""
    details = "".join(traceback.format_exception(error))
    if debug:
        sys.stderr.write(details)
        where = "--debug"
    else:
        try:
            where = str(write_crash_log(f"handbook-gen {__version__}\n{details}"))
        except OSError:
            where = "--debug"
    summary = one_line(f"{type(error).__name__}: {error}")[:200]
    print(f"handbook-gen: {texts.message('cli.internal', error=summary, details=where)}", file=sys.stderr)
    return EXIT_INTERNAL


def write_crash_log(details: str) -> Path:
    """A new file of its own in the temporary folder: a unique name, created exclusively (never
    through a symlink someone put there), readable by this user only (a traceback can show
    names from a circle file)."""
    descriptor, name = tempfile.mkstemp(prefix="handbook-gen-error-", suffix=".log",
                                        dir=CRASH_LOG_FOLDER)  # O_EXCL | O_NOFOLLOW, mode 0600
    with os.fdopen(descriptor, "w", encoding="utf-8") as log:
        log.write(details)
    return Path(name)
