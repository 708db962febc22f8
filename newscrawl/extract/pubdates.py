"""Publication dates as pages write them (ISO 8601, RFC 2822, a few numeric forms) → ISO 8601 strings.

The rule for offsets, in order: a date keeps the offset it is written with; a date written without one takes the
offset the same page uses in its other machine dates (sites write all their dates in one zone); a date for which the
page gives no offset at all stays naive ("2019-11-19T08:57:40", or "2019-11-19" for a day) — we never guess a zone.
Note that ValidationPipeline requires an offset, so it drops items whose only date is naive (counted as
MalformedField); the parser output keeps the naive value so that the fact is visible.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

_ISO = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?\s*"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2}|[+-]\d{2}(?!\d)| ?UTC| ?GMT)?)?"
)
PLAUSIBLE_YEARS = range(1990, 2100)  # "0001-01-01" and "1970-01-01" are placeholders of empty CMS fields
_SLASHED = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


@dataclass(frozen=True)
class PageDate:
    """A date read from the page: wall-clock value and its offset (None when the page did not write one)."""

    value: datetime
    offset: tzinfo | None
    day_only: bool = False

    def iso(self, fallback: tzinfo | None = None) -> str:
        """ISO 8601 with the date's own offset, else `fallback`, else naive (or just the day).

        >>> PageDate(datetime(2019, 11, 19, 8, 57), None).iso(timezone(timedelta(hours=1)))
        '2019-11-19T08:57:00+01:00'
        >>> PageDate(datetime(2019, 11, 19), None, day_only=True).iso()
        '2019-11-19'
        """
        zone = self.offset or (None if self.day_only else fallback)
        if zone is None:
            return self.value.date().isoformat() if self.day_only else self.value.replace(microsecond=0).isoformat()
        return self.value.replace(tzinfo=zone, microsecond=0).isoformat()


def parse_page_date(raw: str | None) -> PageDate | None:
    """Read one machine date; None when it is not a date we can read or not a plausible publication year.

    >>> parse_page_date("0001-01-01T00:00:00+00:00") is None
    True
    """
    found = _parse(raw)
    return found if found is not None and found.value.year in PLAUSIBLE_YEARS else None


def _parse(raw: str | None) -> PageDate | None:
    """Read one machine date; None when it is not a date we can read.

    >>> parse_page_date("2019-11-19T08:57:40.123+0100").iso()
    '2019-11-19T08:57:40+01:00'
    >>> parse_page_date("2019-11-19T07:23:12Z").iso()
    '2019-11-19T07:23:12+00:00'
    >>> parse_page_date("Tue, 19 Nov 2019 08:57:40 GMT").iso()
    '2019-11-19T08:57:40+00:00'
    >>> parse_page_date("2019/11/19 08:57").iso(), parse_page_date("yesterday")
    ('2019-11-19T08:57:00', None)
    """
    text = (raw or "").strip()
    if not text:
        return None
    match = _ISO.search(text)
    if match:
        return _from_iso(match)
    slashed = _SLASHED.match(text)
    if slashed:
        year, month, day, hour, minute, second = (int(p) if p else 0 for p in slashed.groups())
        try:
            return PageDate(datetime(year, month, day, hour, minute, second), None, day_only=slashed.group(4) is None)
        except ValueError:
            return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 2822 "-0000" means "zone unknown"; parsedate_to_datetime returns a naive value for it.
    return PageDate(parsed.replace(tzinfo=None), parsed.tzinfo)


def _from_iso(match: re.Match[str]) -> PageDate | None:
    try:
        day = date.fromisoformat(match.group("date"))
    except ValueError:
        return None
    clock = match.group("time")
    if clock is None:
        return PageDate(datetime(day.year, day.month, day.day), None, day_only=True)
    pieces = [int(p) for p in clock.split(":")] + [0]
    try:
        value = datetime(day.year, day.month, day.day, pieces[0], pieces[1], pieces[2])
    except ValueError:
        return None
    return PageDate(value, _zone(match.group("zone")))


def _zone(text: str | None) -> tzinfo | None:
    """Offset from "Z", "UTC", "+05:30", "+0530" or "+05".

    >>> _zone("+0530"), _zone(" GMT"), _zone(None)
    (datetime.timezone(datetime.timedelta(seconds=19800)), datetime.timezone.utc, None)
    """
    if not text:
        return None
    text = text.strip()
    if text in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def page_offset(dates: Iterable[PageDate | None]) -> tzinfo | None:
    """The offset of the first date that has one: the zone a page writes its dates in."""
    return next((d.offset for d in dates if d is not None and d.offset is not None), None)
