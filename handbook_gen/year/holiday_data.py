"""Dutch public and school holidays, from the `holidays` package, kept on disk once read.

Importing `holidays` loads every country it knows, which is most of the time a `validate` takes;
a school year's holidays are the same every time for one installed `holidays`, so they are
cached per installation (its version file's size and time) in ~/.cache/handbook-gen/holidays.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from handbook_gen.common.files import write_atomically
from handbook_gen.common.resources import cache_dir


@lru_cache(maxsize=64)
def public(years: tuple[int, ...], language: str) -> dict[date, str]:
    """The public holidays of the Netherlands in these years, named in `language`."""
    return _cached(("public", years, language), lambda holidays: holidays.NL(years=years, language=language))


@lru_cache(maxsize=64)
def school(region: str, years: tuple[int, ...], language: str) -> dict[date, str]:
    """The school holidays of a region (noord, midden, zuid) in these years."""
    return _cached(("school", region, years, language), lambda holidays: holidays.NL(
        subdiv=region.capitalize(), categories=("school",), years=years, language=language))


def _cached(question: tuple, ask) -> dict[date, str]:
    path = cache_dir("holidays") / f"{hashlib.sha256(repr((_installed(), question)).encode()).hexdigest()[:24]}.json"
    try:
        return {date.fromisoformat(day): name
                for day, name in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        pass
    import holidays

    found = dict(ask(holidays))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps({day.isoformat(): name for day, name in sorted(found.items())}))
    except OSError:
        pass  # a cache that cannot be written only costs time
    return found


@lru_cache(maxsize=1)
def _installed() -> str:
    """Which `holidays` is installed, without importing it: a new release is a new answer."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return "missing"
    version_file = Path(spec.origin).with_name("version.py")
    stat = version_file.stat()
    return f"{version_file}:{stat.st_size}:{stat.st_mtime_ns}"

