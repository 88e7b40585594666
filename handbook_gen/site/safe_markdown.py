"""Python-Markdown extension: no link or image may point to a script, no text takes quadratic time.

The pages stage already escapes every value from a circle file; this is the second line of
defence, for whatever slips through (a template mistake, a new Markdown extension). After all
other tree processing it removes `href` and `src` attributes whose scheme is not http, https,
mailto or webcal (relative links have no scheme and stay), and any `on…` event attribute, which
attr_list could otherwise set.

Python-Markdown's inline stage copies a whole text again for every piece of markup it takes, so a
text costs (its marks) x (its length). A text with more marks than MARKS_PER_TEXT (no real
paragraph has a thousand) is therefore kept as written: its signs show, its entities still work.

Use it in mkdocs.yml as `markdown_extensions: [handbook_gen.site.safe_markdown]`, or in Python as
`markdown.Markdown(extensions=[SafeLinksExtension()])`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.inlinepatterns import HtmlInlineProcessor
from markdown.treeprocessors import Treeprocessor, UnescapeTreeprocessor
from markdown.util import AtomicString

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "webcal"})
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "cite", "data",
                  "xlink:href")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def scheme(url: str) -> str | None:
    """The scheme as a browser reads it: controls and white space dropped, lower-cased."""
    cleaned = "".join(ch for ch in url if ord(ch) > 32 and ord(ch) != 127)
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def is_safe(url: str) -> bool:
    found = scheme(url)
    return found is None or found in SAFE_SCHEMES


class SafeLinksTreeprocessor(Treeprocessor):
    def __init__(self, md: Markdown):
        super().__init__(md)
        # Attribute values may still hold Markdown's escape placeholders; read them unescaped.
        self._unescape = UnescapeTreeprocessor(md).unescape

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name, value in list(element.attrib.items()):
                if name.lower().startswith("on"):
                    del element.attrib[name]
                elif name.lower() in URL_ATTRIBUTES and not is_safe(self._unescape(value)):
                    del element.attrib[name]


# Every inline piece of Python-Markdown (and of the extensions we use) starts with one of these
# signs or is a line break (two spaces, then a new line): their count bounds the number of pieces.
MARK_SIGNS = "*_`\\[<&"
MARKS_PER_TEXT = 1000


def too_many_marks(text: str | None) -> bool:
    if not text or isinstance(text, AtomicString) or len(text) <= MARKS_PER_TEXT:
        return False
    return sum(text.count(sign) for sign in MARK_SIGNS) + text.count("  \n") > MARKS_PER_TEXT


class ManyMarksTreeprocessor(Treeprocessor):
    """Texts with more marks than MARKS_PER_TEXT become atomic: the inline stage leaves them."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if too_many_marks(element.text):
                element.text = AtomicString(element.text)
            if too_many_marks(element.tail):
                element.tail = AtomicString(element.tail)


# A run of numeric character references and the plain text between them (letters, digits, spaces
# and signs that mean nothing to Markdown or HTML), as the pages stage escapes every circle value.
_REFERENCE_RUN = (r"(&\#[0-9]+;(?:(?:[^\W_]|[ ,;?%@€'’‘.:/\-])*&\#[0-9]+;)*)")


class ReferenceRunProcessor(HtmlInlineProcessor):
    """A whole run of character references kept as one piece of HTML, as Python-Markdown keeps
    one reference. Python-Markdown searches a paragraph again from its start after every piece it
    takes: one piece per escaped character made an escaped value quadratic in its length."""


class SafeLinksExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Priority below 'unescape' (0), so attr_list (8), toc (5) and the rest have run first.
        md.treeprocessors.register(SafeLinksTreeprocessor(md), "safe_links", -10)
        # Just before 'inline' (20), after the blocks (tables, lists, admonitions) are split up.
        md.treeprocessors.register(ManyMarksTreeprocessor(md), "many_marks", 21)
        # Just before 'entity' (80): after code, escapes, links and raw HTML have had their turn.
        md.inlinePatterns.register(ReferenceRunProcessor(_REFERENCE_RUN, md), "reference_run", 85)


def makeExtension(**kwargs) -> SafeLinksExtension:  # noqa: N802 (Python-Markdown's name)
    return SafeLinksExtension(**kwargs)
