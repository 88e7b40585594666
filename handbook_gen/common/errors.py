"""The one base of the generator's own errors: a failure the user can act on, said in one line.

Every stage raises a subclass (SourceError, EngineError, PdfError, SiteError, OutputError, …);
the command line turns them into a message and an exit code, never a traceback.
"""

from __future__ import annotations


class HandbookError(Exception):
    """A failure said in one line. With `key` (a catalog key such as "feeds.errors.short_secret")
    its text comes from the locale files, in the reader's language (`text`); without, it is the
    message it was made with."""

    def __init__(self, message: str = "", key: str | None = None, **params):
        super().__init__(message or key or "")
        self.key = key
        self.params = params

    def text(self, texts) -> str:
        """The message in the language of `texts` (a common.i18n.Catalog)."""
        return texts.text(self.key, **self.params) if self.key else str(self)
