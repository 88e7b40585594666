"""Files written whole or not at all: the one way the generator replaces a file in place.

A reader (a web server, a coordinator opening the handbook, a second build) never sees half a
file, and two writers never share a temporary name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMPORARY = ".hg-tmp"  # the suffix of every temporary file a build writes in the output

_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once, at import: the mode an ordinary write would give a file


def write_atomically(target: Path, data: bytes | str) -> None:
    """Write `target` whole or not at all, through a temporary file with a unique name beside
    it (two writers never share one), removed if writing fails."""
    target = Path(target)
    if isinstance(data, str):
        data = data.encode("utf-8")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMPORARY,
                                             dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes it user-only; a web server reads it
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
