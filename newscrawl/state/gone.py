"""When an article page found gone is asked for again, and how long it is remembered: the NEWSCRAWL_GONE_* settings.

A gone page (HTTP 500 on every try: Devdiscourse's answer for a NewsId unknown or unpublished) is skipped for a
retry time after the run that found it gone: NEWSCRAWL_GONE_RETRY_HOURS after the first such run, multiplied by
NEWSCRAWL_GONE_RETRY_FACTOR for each later run that finds it gone again, at most NEWSCRAWL_GONE_RETRY_MAX_HOURS; a
page no run finds gone for NEWSCRAWL_GONE_KEPT_DAYS is forgotten. One frozen value read from the settings once, so
the SQLite state, its Redis twin and `newscrawl status` count with the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

RETRY_HOURS_SETTING = "NEWSCRAWL_GONE_RETRY_HOURS"
RETRY_FACTOR_SETTING = "NEWSCRAWL_GONE_RETRY_FACTOR"
RETRY_MAX_HOURS_SETTING = "NEWSCRAWL_GONE_RETRY_MAX_HOURS"
KEPT_DAYS_SETTING = "NEWSCRAWL_GONE_KEPT_DAYS"


class BadGoneSetting(ValueError):
    """A NEWSCRAWL_GONE_* setting that cannot be used; the message is one line naming the setting and its value."""


@dataclass(frozen=True)
class GoneSchedule:
    first_retry: timedelta = timedelta(hours=1)
    """Least time after the run that first found a page gone before it is asked again (a young article's hourly
    revisit: a cached sitemap naming it costs one request an hour, not two at every 15-minute run)."""
    factor: float = 2.0
    """The retry time is multiplied by this for each later run that finds the page gone again (1: never grows)."""
    max_retry: timedelta = timedelta(days=1)
    """The retry time grows no longer than this: an article published after all is found within a day."""
    kept: timedelta = timedelta(days=30)
    """A page no run found gone for this long is forgotten: asked for as new if a source ever names it again."""

    def retry(self, times: int) -> timedelta:
        """How long after its last try a page found gone by `times` runs (since it first was) is not asked again.

        >>> [str(GoneSchedule().retry(n)) for n in (1, 2, 3, 6, 20)]
        ['1:00:00', '2:00:00', '4:00:00', '1 day, 0:00:00', '1 day, 0:00:00']
        >>> str(GoneSchedule(first_retry=timedelta(minutes=30), factor=3).retry(3))
        '4:30:00'
        """
        if self.first_retry >= self.max_retry:
            return self.max_retry
        # the exponent is bounded where the product passes the cap: a page gone for a thousand runs overflows nothing
        steps = min(max(times, 1) - 1, 64)
        seconds = self.first_retry.total_seconds()
        for _ in range(steps):
            seconds *= self.factor
            if seconds >= self.max_retry.total_seconds():
                return self.max_retry
        return timedelta(seconds=seconds)

    @classmethod
    def from_settings(cls, settings: Any) -> GoneSchedule:
        """The schedule the settings give (defaults for those not set); BadGoneSetting for a value that is not a
        number, or one that makes no schedule (a negative time, a factor below 1, a cap below the first retry)."""
        default = cls()
        first = _number(settings, RETRY_HOURS_SETTING, default.first_retry / timedelta(hours=1), "a number of "
                        "hours, 0 or more (0: a gone page is asked again at the next run)", minimum=0)
        factor = _number(settings, RETRY_FACTOR_SETTING, default.factor, "a number, 1 or more (1: the retry time "
                         "never grows)", minimum=1)
        cap = _number(settings, RETRY_MAX_HOURS_SETTING, default.max_retry / timedelta(hours=1),
                      f"a number of hours, at least {RETRY_HOURS_SETTING} ({first:g})", minimum=first)
        kept = _number(settings, KEPT_DAYS_SETTING, default.kept / timedelta(days=1), "a number of days above 0, "
                       f"and at least {RETRY_MAX_HOURS_SETTING} ({cap:g} hours), or a page is forgotten before it "
                       "is asked again", minimum=max(cap / 24, 0), above=True)
        return cls(timedelta(hours=first), factor, timedelta(hours=cap), timedelta(days=kept))


def _number(settings: Any, name: str, default: float, expected: str, *, minimum: float,
            above: bool = False) -> float:
    raw = settings.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value < minimum or (above and value <= 0):
        raise BadGoneSetting(f"bad setting {name}={raw!r}: expected {expected}")
    return value
