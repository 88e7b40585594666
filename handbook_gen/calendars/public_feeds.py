"""Feeds at secret addresses: the circles' calendars for a public host, apart from the handbook.

Outlook on the web, new Outlook and Google Calendar fetch a subscribed calendar from their own
servers and cannot sign in, so a feed behind a login (SharePoint, Teams, an intranet, a private
Pages site) cannot be subscribed to. The answer Google, Outlook and Magister give is a public
HTTPS address with a long random part that only those given the link know. Here that part is a
token derived from a secret the board keeps (HANDBOOK_FEED_SECRET) and the feed's id:

- `token` = HMAC-SHA256(secret, circle id + feed id), 160 bits in base32: no name or e-mail address
  in any address, the same secret gives the same addresses, a new secret gives all new ones;
- the feeds folder holds nothing but `<token>.ics` files and a marker (MARK) that proves the
  folder is ours; each build writes it whole and swaps it in at once, so the files of an old
  secret, a removed circle or a renamed person disappear with the next publish;
- with --shard, a folder holds the feeds of the shard's circles only, and the marker is the same
  in every shard: the shards' folders copied together are the folder of all circles.

What the public copy leaves out (e-mail, phone numbers, names on request) is calendars.Redaction.
The handbook (private) lists the addresses; its stamp keeps each circle's files and their
hashes, so a build that finds a handbook current copies its feeds from the published folder.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from handbook_gen.site import paths
from handbook_gen.site import staging
from handbook_gen.common.errors import HandbookError

if TYPE_CHECKING:  # calendars loads icalendar: only a build that renders needs it
    from handbook_gen.calendars.feeds import Feed

SECRET_ENV = "HANDBOOK_FEED_SECRET"
URL_ENV = "HANDBOOK_FEEDS_URL"
MIN_SECRET = 32  # characters: secrets.token_urlsafe(32) gives 43
FOLDER = "feeds"  # the default feeds folder, inside the output folder
MARK = ".handbook-gen-feeds"  # in the feeds folder: a build may replace it whole
MARK_TEXT = ("This folder is written by handbook-gen (public calendar feeds). Every build replaces "
             "it whole.\n")
TOKEN_BYTES = 20  # 160 bits


class FeedsError(HandbookError):
    """A setting or folder that makes public feeds impossible: `code` and `params` name a text
    under feeds.errors in the locale files."""

    def __init__(self, code: str, **params):
        super().__init__(code, f"feeds.errors.{code}", **params)
        self.code = code


@dataclass(frozen=True)
class PublicFeeds:
    """Where the feeds at secret addresses go and how their addresses are made."""

    secret: str = field(repr=False)
    url: str  # the public host's base address, ending with "/"

    def token(self, circle_id: str, feed: Feed) -> str:
        message = f"{circle_id}\n{paths.feed_name(feed.file)}".encode("utf-8")
        digest = hmac.new(self.secret.encode("utf-8"), message, hashlib.sha256).digest()
        return base64.b32encode(digest[:TOKEN_BYTES]).decode("ascii").lower()

    def file(self, circle_id: str, feed: Feed) -> str:
        """'<token>.ics': the feed's name in the feeds folder."""
        return f"{self.token(circle_id, feed)}.ics"

    def address(self, circle_id: str, feed: Feed) -> str:
        return self.url + self.file(circle_id, feed)

    def fingerprint(self) -> str:
        """What the source key holds of these settings: never the secret itself."""
        check = hmac.new(self.secret.encode("utf-8"), b"handbook-gen source key",
                         hashlib.sha256).hexdigest()[:32]
        return f"{check} {self.url}"


def from_settings(url: str | None, environ: Mapping[str, str] = os.environ) -> PublicFeeds | None:
    """The public feeds the build makes: None without a secret; FeedsError for a secret that is
    too short or a missing or wrong public address."""
    secret = environ.get(SECRET_ENV, "")
    if not secret.strip():
        return None
    if len(secret.strip()) < MIN_SECRET:
        raise FeedsError("short_secret", env=SECRET_ENV, minimum=MIN_SECRET, length=len(secret.strip()))
    url = (url or environ.get(URL_ENV, "")).strip()
    if not url:
        raise FeedsError("no_url", env=URL_ENV)
    if not url.lower().startswith(("https://", "http://")) or len(url.split("://", 1)[1]) < 1:
        raise FeedsError("bad_url", url=url)
    return PublicFeeds(secret.strip(), url if url.endswith("/") else url + "/")


# --- The folder ----------------------------------------------------------------------------

def ours(folder: Path) -> bool:
    """A folder we may replace: it does not exist, or it is empty, or it has our marker."""
    folder = Path(folder)
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    return (folder / MARK).is_file() or not any(folder.iterdir())


def check_folder(folder: Path) -> None:
    if not ours(folder):
        raise FeedsError("not_ours", path=folder, mark=MARK)


def hashes(files: Mapping[str, bytes]) -> dict[str, str]:
    """What a handbook's stamp keeps of its circle's public feeds: file -> sha256."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def present(folder: Path, kept: Mapping[str, str]) -> bool:
    """True when the folder holds each of these files with these hashes."""
    for name, digest in kept.items():
        try:
            if hashlib.sha256((Path(folder) / name).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def publish(folder: Path, new: Mapping[str, bytes], kept: Iterable[str] = ()) -> None:
    """Replace the feeds folder whole: the `new` files, and the `kept` ones copied from the
    folder as it is (the feeds of circles not built again). Written aside and swapped in at once."""
    folder = Path(folder).absolute()
    check_folder(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work_name = f"{folder.name}~feeds"  # no circle id has a "~": never another build's folder
    staging.remove_stale(folder.parent, work_name)
    with staging.work_folder(folder.parent, work_name) as work:
        fresh = work / "feeds"
        fresh.mkdir()
        for name in sorted(kept):
            shutil.copyfile(folder / name, fresh / name)
        for name, data in sorted(new.items()):
            (fresh / name).write_bytes(data)
        (fresh / MARK).write_text(MARK_TEXT, encoding="utf-8")
        staging.swap_in(fresh, folder, work / "old")


def remove(folder: Path) -> bool:
    """Take away a feeds folder of ours (a build without a secret: its feeds would no longer
    be updated). True when there was one."""
    folder = Path(folder)
    if not (folder.is_dir() and (folder / MARK).is_file()):
        return False
    gone = folder.with_name(f".{folder.name}~feeds.removed")
    shutil.rmtree(gone, ignore_errors=True)
    os.replace(folder, gone)
    shutil.rmtree(gone, ignore_errors=True)
    return True
