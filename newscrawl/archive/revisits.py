"""Revisit records: "this capture is the same as an earlier one". Replay answers a revisit with that original.

Deduplicating crawlers (Heritrix, wget ``--warc-dedup``, Browsertrix, pywb) write a revisit instead of storing an
unchanged page again, so an archive's newest capture of a page is often a revisit. The original is named by
WARC-Refers-To-Target-URI (+ WARC-Refers-To-Date when given: WARC/1.1, wget, warcio), or, for writers that give only
the payload digest (WARC/1.0's identical-payload-digest profile without refers-to fields), found by
WARC-Payload-Digest among the archive's 200 responses. A revisit whose original is not in the archive cannot be
replayed: it is a counted skip ("revisit-unresolved"), never an error.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from warcio.timeutils import iso_date_to_datetime


class Capture(Protocol):
    """What resolution needs of an index entry (warc.IndexEntry)."""

    @property
    def status(self) -> int: ...
    @property
    def fetched_at(self) -> datetime: ...


E = TypeVar("E", bound=Capture)


@dataclass(frozen=True, slots=True)
class Revisit:
    """A `revisit` record, by its own position, naming its original by URI and date or by payload digest."""

    url: str
    file: str
    offset: int
    refers_to_uri: str | None
    refers_to_date: str | None
    payload_digest: str | None


def find_original(revisit: Revisit, captures: Callable[[str], list[E]],
                  by_digest: Callable[[str], E | None]) -> E | None:
    """The capture a revisit stands for: by refers-to URI (and date), else by payload digest; None if absent.

    Among several captures of the URI the last one that is not later than the revisit's refers-to date wins (the
    date must match exactly when given: it names one capture)."""
    if not revisit.url:
        return None
    target = revisit.refers_to_uri or revisit.url
    candidates = [entry for entry in captures(target) if entry.status == 200]
    if revisit.refers_to_date:
        candidates = [entry for entry in candidates if same_instant(entry.fetched_at, revisit.refers_to_date)]
    if candidates:
        return candidates[-1]
    return by_digest(revisit.payload_digest.strip()) if revisit.payload_digest else None


def payload_digests(payload: bytes) -> Iterable[str]:
    """WARC-Payload-Digest forms a writer may have recorded for this payload: sha1 (base32, the WARC default;
    also base16) and sha256 (base32, base16)."""
    for name in ("sha1", "sha256"):
        digest = hashlib.new(name, payload).digest()
        yield f"{name}:{base64.b32encode(digest).decode('ascii')}"
        yield f"{name}:{digest.hex()}"


def same_instant(fetched_at: datetime, warc_date: str) -> bool:
    try:
        return bool(fetched_at == iso_date_to_datetime(warc_date, tz_aware=True))
    except (ValueError, TypeError):
        return False
