"""Python-Markdown extension: each table cell carries its column's heading as `data-label`.

On a phone (390 px) a table of four or six columns does not fit: Material then puts it in a box
that scrolls sideways, and the columns on the right are easy to miss. handbook.css instead shows
each row as a small block under a media query, every cell preceded by its column's heading, which
it reads from this attribute (`td[data-label]::before { content: attr(data-label) }`). So the
labels are in the HTML itself: no script, and the same on file:// and offline.

A heading meant for screen readers only (`<span class="lts-visually-hidden">`, the "value" column
of a facts table) gives no label: its cells speak for themselves. The raw HTML of a heading is
still in Markdown's stash while tree processors run, so it is looked up there.

Use it in mkdocs.yml as `markdown_extensions: [handbook_gen.site.table_labels]`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE

HIDDEN_OPEN = re.compile(r"<span\b[^>]*\bclass=\"[^\"]*\blts-visually-hidden\b")


class TableLabelsTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for table in root.iter("table"):
            headings = [self._label(th) for th in table.findall("./thead/tr/th")]
            for row in table.findall("./tbody/tr"):
                for cell, label in zip(row.findall("./td"), headings):
                    if label:
                        cell.set("data-label", label)

    def _label(self, heading: etree.Element) -> str:
        """The visible text of a column heading: its text without screen-reader-only spans."""
        visible, hidden = [], 0
        for piece in heading.itertext():
            for index, part in enumerate(HTML_PLACEHOLDER_RE.split(piece)):
                if index % 2 == 0:  # text between placeholders
                    if not hidden:
                        visible.append(part)
                    continue
                raw = self._stashed(int(part))
                if hidden:  # inside a hidden span: count nested spans until it closes
                    hidden += raw.startswith("<span") - raw.startswith("</span")
                elif HIDDEN_OPEN.match(raw):
                    hidden = 1
        return " ".join("".join(visible).split())

    def _stashed(self, index: int) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        block = blocks[index] if index < len(blocks) else ""
        return block if isinstance(block, str) else ""


class TableLabelsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After 'inline' (20), so headings are parsed text; before 'unescape' (0).
        md.treeprocessors.register(TableLabelsTreeprocessor(md), "table_labels", 5)


def makeExtension(**kwargs) -> TableLabelsExtension:  # noqa: N802 (Python-Markdown's name)
    return TableLabelsExtension(**kwargs)
