"""Revisit records: "this capture is the same as an earlier one". Replay answers a revisit with that original.

Deduplicating crawlers (Heritrix, wget ``--warc-dedup``, Browsertrix, pywb) write a revisit instead of storing an
unchanged page again, so an archive's newest capture of a page is often a revisit. The original is named by
WARC-Refers-To (its record id: wget, WARC/1.1) or WARC-Refers-To-Target-URI (+ WARC-Refers-To-Date: WARC/1.1,
warcio), or, for writers that give only the payload digest (WARC/1.0's identical-payload-digest profile without
refers-to fields), found by WARC-Payload-Digest among the archive's 200 responses. A revisit whose original is not in the archive cannot be
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
    refers_to: str | None
    """WARC-Refers-To: the original's record id (wget, WARC/1.1)."""
    refers_to_uri: str | None
    refers_to_date: str | None
    payload_digest: str | None


def find_original(revisit: Revisit, captures: Callable[[str], list[E]], by_record_id: Callable[[str], E | None],
                  by_digest: Callable[[str], list[E]]) -> E | None:
    """The capture a revisit stands for, None if it is not in the archive.

    In order of how exactly the revisit names it: by WARC-Refers-To (the original's record id); by
    WARC-Refers-To-Target-URI (and -Date, which names one capture); by payload digest (a capture of the revisit's own
    URL first: one URL captured several times has several payloads, the digest says which); else, for a revisit
    that names nothing (a server-not-modified revisit), the last 200 capture of its own URL."""
    if not revisit.url:
        return None
    if revisit.refers_to and (named := by_record_id(revisit.refers_to.strip())) is not None:
        return named
    if revisit.refers_to_uri:
        candidates = [entry for entry in captures(revisit.refers_to_uri) if entry.status == 200]
        if revisit.refers_to_date:
            candidates = [entry for entry in candidates if same_instant(entry.fetched_at, revisit.refers_to_date)]
        if candidates:
            return candidates[-1]
    if revisit.payload_digest:
        same_payload = by_digest(revisit.payload_digest.strip())
        own = {id(entry) for entry in captures(revisit.url)}
        mine = [entry for entry in same_payload if id(entry) in own]
        if mine or same_payload:
            return (mine or same_payload)[-1]
    if revisit.refers_to or revisit.refers_to_uri or revisit.payload_digest:
        return None  # it names an original, and that one is not here
    own_captures = [entry for entry in captures(revisit.url) if entry.status == 200]
    return own_captures[-1] if own_captures else None


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
