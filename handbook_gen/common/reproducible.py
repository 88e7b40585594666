"""The one clock the output may read: SOURCE_DATE_EPOCH (reproducible-builds.org).

Pages and calendars never look at the wall clock, so the same inputs give the same bytes.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone


def epoch_text() -> str:
    """SOURCE_DATE_EPOCH as given (trimmed; empty when unset): what fingerprints and keys hold."""
    return os.environ.get("SOURCE_DATE_EPOCH", "").strip()


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH as a UTC datetime; None when unset. A malformed value is an error."""
    epoch = epoch_text()
    if not epoch:
        return None
    if not epoch.isdigit():
        raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}")
    return datetime.fromtimestamp(int(epoch), timezone.utc)
