"""The one way the generator makes a Jinja2 environment: templates from one folder, every unknown
name an error (a typo in a template fails the build, never prints an empty string), and HTML
escaped unless the templates write plain text (YAML, Markdown handled by its own filters)."""

from __future__ import annotations

from pathlib import Path

import jinja2


def environment(folder: Path, *, html: bool = True, **options) -> jinja2.Environment:
    """An environment for the templates in `folder`; `options` as jinja2.Environment takes them
    (trim_blocks, keep_trailing_newline, finalize, extensions)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=html,
                              undefined=jinja2.StrictUndefined, **options)
