"""Python-Markdown extension: a checkbox (☐) never ends a line apart from the word after it.

Forms offer choices as "☐ B ☐ T ☐ G" or "☐ ja ☐ deels ☐ nee"; where a line wraps, an ordinary
space lets the box stay at the end of one line and its word start the next, and on paper nobody
knows which box means what. A non-breaking space after each box keeps the two together, in every
form and in whatever text a later template adds. (Names that must stay whole, such as the
visitors of the visiting schedule, use the `lts-check` class: handbook.css.)

Use it in mkdocs.yml as `markdown_extensions: [handbook_gen.site.checkboxes]`.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

BOX_AND_SPACE = re.compile("☐[ \t]+")


class CheckboxPostprocessor(Postprocessor):
    def run(self, text: str) -> str:
        return BOX_AND_SPACE.sub("☐&nbsp;", text)


class CheckboxExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.postprocessors.register(CheckboxPostprocessor(md), "checkboxes", 5)


def makeExtension(**kwargs) -> CheckboxExtension:  # noqa: N802 (Python-Markdown's name)
    return CheckboxExtension(**kwargs)
