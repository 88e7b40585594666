"""The site stage: one circle's Markdown pages -> a published, offline handbook.

Each handbook is rendered in-process by the chosen site engine (engine.py; MkDocs by default) into
a staging folder next to the published one, finished by our own steps (postprocess.py, pdf/),
and swapped in whole only when the build succeeded, so a failed build never touches what readers
already have. A hash of every input is stored in the built folder; when it
matches, the circle is not built again.

The per-circle MkDocs config is plain YAML that inherits the project's base mkdocs.yml
(`INHERIT:`), so every engine that reads `mkdocs.yml` builds the same folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import lru_cache
from pathlib import Path, PurePosixPath

import yaml

from handbook_gen import __version__
from handbook_gen.pdf import book
from handbook_gen.common import output
from handbook_gen.common import processes
from handbook_gen.site import paths
from handbook_gen.pdf import printer as pdf
from handbook_gen.site import postprocess
from handbook_gen.site import staging
from handbook_gen.engines.engine import DEFAULT, EngineError, get_engine
from handbook_gen.common.freshness import SHARED_FOLDER, read_stamp, site_fingerprint, write_stamp
from handbook_gen.common.i18n import LANGUAGES
from handbook_gen.common.resources import resource
from handbook_gen.circle.validate import is_slug
from handbook_gen.common.errors import HandbookError


class SiteError(HandbookError):
    """A handbook could not be built; the message is meant for the user, without a traceback."""


# --- The handbook of one circle --------------------------------------------------------------

def build_handbook(circle_id: str, site_name: str, language: str, docs: dict[str, str | bytes],
                   nav: list, out_dir: Path, shared_assets: bool = False,
                   about: dict | None = None, pdfs: bool = True,
                   pdf_store: Path | None = None, engine: str = DEFAULT,
                   cover: book.Cover | None = None, pdf_workers: int = 1) -> bool:
    """Build `out_dir/<circle_id>/`; True when built, False when skipped as unchanged.

    With `shared_assets` the handbook links to the theme assets in `out_dir/assets/` (see
    postprocess), else it carries its own copy. `engine`: which site engine renders the pages.
    `pdfs`: the PDFs of the built pages (see pdf/); a PDF whose pages did not change is taken
    from the published handbook, or from `pdf_store`, where the handbooks of one build share
    theirs. With `cover` the PDFs include the whole handbook as one book (see book.py), which
    says this of its circle. `pdf_workers`: how many processes lay out the PDFs. `about` is kept
    in the handbook's stamp: what a later build needs to know of it without reading the circle
    again (see `stamp`).
    Raises SiteError when the build fails; the published folder is then left as it was.
    """
    _check_arguments(circle_id, language, docs)
    out_dir = Path(out_dir).resolve()  # MkDocs reads a relative site_dir from the config's folder
    target = out_dir / circle_id
    output.check_ownership(out_dir, [circle_id], shared_assets=False)  # build.build checked it first
    if out_dir.is_dir():
        staging.remove_stale(out_dir, circle_id)
    project = site_fingerprint(shared_assets)
    try:
        renderer = get_engine(engine)
    except EngineError as error:
        raise SiteError(str(error)) from None
    digest = inputs_digest(circle_id, site_name, language, docs, nav, project, shared_assets, pdfs,
                           renderer.version, cover)
    previous = read_stamp(target)
    if previous.get("inputs") == digest:
        if about is not None and previous.get("about") != about:
            write_stamp(target, {**previous, "about": about})  # same pages, new source key
        return False
    out_dir.mkdir(parents=True, exist_ok=True)
    # The work folder sits in out_dir, so the final renames stay on one file system.
    with staging.work_folder(out_dir, circle_id) as work:
        config_file = _write_sources(work, site_name, language, docs, nav)
        built = work / "site"
        stamp = {"inputs": digest, "about": about, "generator": f"handbook-gen {__version__}",
                 "engine": renderer.version}
        try:
            renderer.render(config_file, built, project)
            postprocess.finish(built, renderer, _shared_names(renderer, project) if shared_assets else None)
            if pdfs:
                stamp.update(_write_pdfs(built, docs, nav, language, out_dir, shared_assets, target,
                                         previous, pdf_store, cover, pdf_workers))
        except (EngineError, pdf.PdfError) as error:
            raise SiteError(str(error)) from None
        write_stamp(built, stamp)
        try:
            staging.swap_in(built, target, work / "old")
        except OSError as error:
            if output.is_write_error(error):
                raise  # an output problem (exit 2), not this circle's
            raise SiteError(f"could not publish {target}: {error.strerror or error}") from None
    return True


@lru_cache(maxsize=4)
def _shared_names(renderer, project: str) -> frozenset[str]:
    """The engine's theme assets (once per process and site fingerprint: `serve` sees a new one)."""
    return frozenset(renderer.theme_assets())


def pdf_plan(docs: dict) -> dict[str, list[str]]:
    """Which pages each PDF prints, in order: a page names the PDFs it is part of and its place
    in each in its front matter (`pdfs: {reviews/r1.pdf: 2}`, see pages.py)."""
    places: dict[str, list[tuple[int, str]]] = {}
    for source, text in docs.items():
        if not (source.endswith(".md") and isinstance(text, str) and text.startswith("---\n")):
            continue
        front = text[4:text.find("\n---", 3)]
        if "pdfs:" not in front:
            continue
        for name, place in (yaml.safe_load(front) or {}).get("pdfs", {}).items():
            places.setdefault(name, []).append((place, source))
    return {name: [source for _, source in sorted(pages)] for name, pages in places.items()}


def _write_pdfs(built: Path, docs: dict, nav: list, language: str, out_dir: Path,
                shared_assets: bool, published: Path, previous: dict, pdf_store: Path | None,
                cover: book.Cover | None, workers: int) -> dict:
    """The stamp's "pdfs" and "book": the PDFs of the plan, and the book when there is a cover.
    With more than one worker they are laid out in worker processes, the book beside the others."""
    book_args = (built, nav, cover, language, out_dir, shared_assets, published, previous.get("book"))
    with processes.pool(workers) if workers > 1 else contextlib.nullcontext() as pool:
        book_job = pool.submit(_write_book, *book_args) if pool and cover is not None else None
        made = {"pdfs": pdf.write_pdfs(built, pdf_plan(docs), language,
                                       out_dir / SHARED_FOLDER if shared_assets else None,
                                       previous=published, previous_keys=previous.get("pdfs"),
                                       store=pdf_store, pool=pool)}
        if cover is not None:
            made["book"] = book_job.result() if book_job else _write_book(*book_args)
    return made


def _write_book(built: Path, nav: list, cover: book.Cover, language: str, out_dir: Path,
                shared_assets: bool, published: Path, previous_keys) -> dict[str, str]:
    """The whole-handbook PDF, copied from the published handbook when its key is the same."""
    name = paths.book_pdf(language)
    known = previous_keys.get(name) if isinstance(previous_keys, dict) else None  # a damaged stamp
    return book.write_book(built, nav, cover, language,
                           out_dir / SHARED_FOLDER if shared_assets else None,
                           previous=published, previous_key=known)


def _check_arguments(circle_id: str, language: str, docs: dict) -> None:
    # Validation guarantees these; checked again because they become paths on disk.
    if not is_slug(circle_id):
        raise SiteError(f"not a valid circle id for a folder name: {circle_id!r}")
    if language not in LANGUAGES:
        raise SiteError(f"unknown language {language!r} (expected one of {', '.join(LANGUAGES)})")
    for name in docs:
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or "\\" in name or not path.parts:
            raise SiteError(f"page path outside the handbook: {name!r}")


def inputs_digest(circle_id: str, site_name: str, language: str, docs: dict[str, str | bytes],
                  nav: list, project: str, shared_assets: bool, pdfs: bool,
                  engine: str = "", cover: book.Cover | None = None) -> str:
    """SHA-256 over everything the built handbook depends on: its pages and the site stage
    (the engine among it: its name and version, as in the stamp)."""
    sha = hashlib.sha256()
    header = {"id": circle_id, "site_name": site_name, "language": language, "nav": nav,
              "project": project, "shared_assets": shared_assets, "pdfs": pdfs, "engine": engine}
    if pdfs and cover is not None:  # the book's cover, its texts and where its links point
        header["book"] = book.fingerprint(cover, language)
    sha.update(json.dumps(header, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for name in sorted(docs):
        content = docs[name]
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        sha.update(f"\0{name}\0{len(data)}\0".encode("utf-8"))
        sha.update(data)
    return sha.hexdigest()


def _write_sources(work: Path, site_name: str, language: str, docs: dict, nav: list) -> Path:
    """The docs folder and a per-circle mkdocs.yml inheriting the base config; returns its path."""
    docs_dir = work / "docs"
    for name, content in sorted(docs.items()):
        path = docs_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="\n")
        else:
            path.write_bytes(content)
    config = {
        "INHERIT": str(resource("mkdocs.yml")),
        "site_name": site_name,
        "docs_dir": "docs",
        "nav": nav,
        # INHERIT merges the theme section; the custom_dir of the base config is relative to
        # the base file, which MkDocs would read relative to this file instead.
        "theme": {"name": "material", "custom_dir": str(resource("theme")), "language": language},
    }
    config_file = work / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    return config_file
