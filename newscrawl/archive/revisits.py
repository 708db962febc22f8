"""Revisit records: "this capture is the same as an earlier one". Replay answers a revisit with that original.

Deduplicating crawlers (Heritrix, wget ``--warc-dedup``, Browsertrix, pywb, warcprox) write a revisit instead of
storing an unchanged page again, so an archive's newest capture of a page is often a revisit. The original is named
by WARC-Refers-To (its record id: wget, WARC/1.1) or WARC-Refers-To-Target-URI (+ WARC-Refers-To-Date: WARC/1.1,
warcio, pywb), or, for writers that give only the payload digest (WARC/1.0's identical-payload-digest profile
without refers-to fields), found by WARC-Payload-Digest among the archive's 200 responses. A revisit whose original
is not in the archive cannot be replayed: it is a counted skip ("revisit-unresolved"), never an error.

Where several captures fit, the one answering is the latest at or before the revisit's own WARC-Date: a revisit
says "unchanged since a capture I saw", so a capture made after it may hold a page the revisit never stood for.
Only when every fitting capture is later (clocks, or an archive assembled out of order) does the nearest later one
answer, and that is reported (``Original.later``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

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
    revisited_at: datetime | None = None
    """The revisit's own WARC-Date (None if unusable): its original is the latest fitting capture up to then."""


@dataclass(frozen=True, slots=True)
class Original(Generic[E]):
    """The capture that answers a revisit."""

    entry: E
    later: bool = False
    """No fitting capture was made at or before the revisit: the nearest later one answered (counted, logged)."""


def find_original(revisit: Revisit, captures: Callable[[str], list[E]], by_record_id: Callable[[str], E | None],
                  by_digest: Callable[[str], list[E]]) -> Original[E] | None:
    """The capture a revisit stands for, None if it is not in the archive.

    In order of how exactly the revisit names it: by WARC-Refers-To (the original's record id); by
    WARC-Refers-To-Target-URI (and -Date, which names one capture); by payload digest (a capture of the revisit's own
    URL first: one URL captured several times has several payloads, the digest says which; ``by_digest`` takes the
    digest as written, in any encoding); else, for a revisit that names nothing (a server-not-modified revisit),
    a 200 capture of its own URL. Among several, the latest at or before the revisit (see the module docstring)."""
    if not revisit.url:
        return None
    if revisit.refers_to and (named := by_record_id(revisit.refers_to.strip())) is not None:
        return Original(named)
    if revisit.refers_to_uri:
        candidates = [entry for entry in captures(revisit.refers_to_uri) if entry.status == 200]
        if revisit.refers_to_date:
            candidates = [entry for entry in candidates if same_instant(entry.fetched_at, revisit.refers_to_date)]
        if candidates:
            return nearest(candidates, revisit.revisited_at)
    if revisit.payload_digest:
        same_payload = by_digest(revisit.payload_digest)
        own = set(captures(revisit.url))  # by value: an index on disk makes a new entry object per lookup
        mine = [entry for entry in same_payload if entry in own]
        if mine or same_payload:
            return nearest(mine or same_payload, revisit.revisited_at)
    if revisit.refers_to or revisit.refers_to_uri or revisit.payload_digest:
        return None  # it names an original, and that one is not here
    own_captures = [entry for entry in captures(revisit.url) if entry.status == 200]
    return nearest(own_captures, revisit.revisited_at) if own_captures else None


def nearest(candidates: list[E], when: datetime | None) -> Original[E]:
    """The latest candidate fetched at or before ``when`` (the last in archive order among equal times), else the
    earliest after it (flagged ``later``); without a usable ``when``, the last in archive order."""
    if when is None:
        return Original(candidates[-1])
    before: E | None = None
    after: E | None = None
    for entry in candidates:
        if entry.fetched_at <= when:
            if before is None or entry.fetched_at >= before.fetched_at:
                before = entry
        elif after is None or entry.fetched_at < after.fetched_at:
            after = entry
    if before is not None:
        return Original(before)
    return Original(after if after is not None else candidates[-1], later=True)


def normalised_digest(declared: str) -> str:
    """One spelling of a WARC digest, ``algorithm:hex``, whatever the writer chose.

    Writers disagree: base32 is the WARC convention (wget, warcio, Heritrix), warcprox writes hex by default,
    either may come in lower case, base32 with or without "=" padding, base64 is allowed, and CDX files carry the
    bare value (sha1 assumed, as CDX does). A value that decodes to no digest of its algorithm's size is returned
    stripped and lower-cased, so that identical spellings still match.
    """
    algorithm, sep, value = declared.strip().partition(":")
    if not sep:
        algorithm, value = "sha1", algorithm
    algorithm = algorithm.strip().lower().replace("-", "")
    value = value.strip()
    try:
        size = hashlib.new(algorithm).digest_size
    except ValueError:
        return f"{algorithm}:{value.lower()}"
    raw = _decoded(value.rstrip("="), size)
    return f"{algorithm}:{raw.hex()}" if raw is not None else f"{algorithm}:{value.lower()}"


def _decoded(value: str, size: int) -> bytes | None:
    """The digest bytes, choosing the encoding by length (for one digest size hex, base32 and base64 differ)."""
    try:
        if len(value) == 2 * size:
            return bytes.fromhex(value)
        if len(value) == math.ceil(size * 8 / 5):
            return base64.b32decode(value.upper() + "=" * (-len(value) % 8))
        if len(value) == math.ceil(size * 4 / 3):
            return base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4),
                                    validate=True)
    except (ValueError, binascii.Error):
        return None
    return None


def payload_digests(payload: bytes) -> Iterable[str]:
    """The payload's digests in ``normalised_digest`` form, for the algorithms writers use: sha1 (the WARC
    default) and sha256."""
    for name in ("sha1", "sha256"):
        yield f"{name}:{hashlib.new(name, payload).hexdigest()}"


def same_instant(fetched_at: datetime, warc_date: str) -> bool:
    try:
        return bool(fetched_at == iso_date_to_datetime(warc_date, tz_aware=True))
    except (ValueError, TypeError):
        return False
