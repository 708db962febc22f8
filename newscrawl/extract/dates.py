"""Date parsing into ISO 8601 strings with the offset the site means."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

IST = timezone(timedelta(hours=5, minutes=30), "IST")

_DIGITS = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?")


def iso(dt: datetime) -> str:
    """ISO 8601 to the second, with offset.

    >>> iso(datetime(2025, 3, 21, 19, 7, tzinfo=IST))
    '2025-03-21T19:07:00+05:30'
    """
    return dt.replace(microsecond=0).isoformat()


def wall_clock(value: str | None, tz: tzinfo) -> datetime | None:
    """Read the wall-clock digits of an ISO-like string and attach `tz`, ignoring any offset it claims.

    Devdiscourse prints IST digits followed by the *server's* offset, which may be +00:00 (STRUCTURE.md §2.6), so
    only the digits can be trusted.

    >>> iso(wall_clock("2025-03-21T19:07:12+00:00", IST))
    '2025-03-21T19:07:12+05:30'
    >>> wall_clock("yesterday", IST) is None
    True
    """
    match = _DIGITS.search(value or "")
    if not match:
        return None
    year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
    second = int(match.group(6) or 0)
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:  # impossible values such as 31-02 or 25:00
        return None


def parse_dmy_hm(value: str | None, tz: tzinfo) -> datetime | None:
    """Parse "dd-MM-yyyy HH:mm" (Devdiscourse's visible dates) in `tz`.

    >>> iso(parse_dmy_hm("21-03-2025 19:07", IST))
    '2025-03-21T19:07:00+05:30'
    >>> parse_dmy_hm("32-03-2025 19:07", IST) is None
    True
    """
    match = re.search(r"(\d{1,2})-(\d{1,2})-(\d{4})\s+(\d{1,2}):(\d{2})", value or "")
    if not match:
        return None
    day, month, year, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


def parse_utc_naive(value: str | None) -> datetime | None:
    """Parse an ISO timestamp that has no offset but is UTC (ASP.NET JSON APIs).

    >>> iso(parse_utc_naive("2025-03-21T13:37:05.123"))
    '2025-03-21T13:37:05+00:00'
    """
    return wall_clock(value, timezone.utc)


def parse_iso(value: str | None, naive: tzinfo | None = None) -> datetime | None:
    """Parse an ISO 8601 timestamp with its own offset (naive → None, as its zone is unknown, unless `naive` names
    the zone to read it in).

    >>> iso(parse_iso("2025-03-21T19:07:12+05:30"))
    '2025-03-21T19:07:12+05:30'
    >>> parse_iso("2025-03-21T19:07:12") is None, iso(parse_iso("2025-03-21", naive=timezone.utc))
    (True, '2025-03-21T00:00:00+00:00')
    """
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None and naive is not None:
        return parsed.replace(tzinfo=naive)
    return parsed if parsed.tzinfo else None


def same_minute(a: datetime, b: datetime) -> bool:
    """True when two times agree to the minute (used to cross-check machine vs visible dates)."""
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def utc_now_iso() -> str:
    """Current UTC time, ISO 8601 with microseconds."""
    return datetime.now(timezone.utc).isoformat()
