"""How much unpacking may write: the NEWSCRAWL_UNPACK_* settings, and the budget of each archive they give.

A WACZ, ZIP or tar file from an untrusted place may be a decompression bomb (a few MB of zeros that unpack to many
GB). Pages and WARCs compress 3–20 times; a bomb thousands of times. So an archive given to a replay (alone, or
found in a folder given) may unpack to NEWSCRAWL_UNPACK_MAX_RATIO times its own size, and at least
NEWSCRAWL_UNPACK_MIN_BYTES, everything nested in it included: a ZIP of ZIPs shares its budget with them, or each
level could write its own floor again. A member that would pass it is not extracted, one damaged-input line naming
it, and costs only itself. The sizes are the ones the members declare, which zipfile and tarfile do not read past.
Archives inside archives are unpacked NEWSCRAWL_UNPACK_MAX_DEPTH levels deep, the archive given being the first
(nested.py).

The settings are read where a replay's path is unpacked (unpack.replay_root), which is before the crawl starts:
from the crawl command's settings when it checks the -a arguments (commands/checks.py, where a bad value is one
usage line), from the crawler's when the spider reads them again, and for `newscrawl verify` and `newscrawl
reparse` from the project's with their own -s over them, as a crawl's -s is (cli.py): what a crawl given `-s
NEWSCRAWL_UNPACK_MAX_RATIO=1000` unpacked, they unpack when given it too. The limits are part of every unpacked
folder's cache key: a folder made under other limits is another folder, so raising them unpacks what they refused
before, and the archive index kept for a folder (indexcache.py, one per path) is never one built under others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MAX_RATIO_SETTING = "NEWSCRAWL_UNPACK_MAX_RATIO"
MIN_BYTES_SETTING = "NEWSCRAWL_UNPACK_MIN_BYTES"
MAX_DEPTH_SETTING = "NEWSCRAWL_UNPACK_MAX_DEPTH"
UNPACK_SETTINGS = (MAX_RATIO_SETTING, MIN_BYTES_SETTING, MAX_DEPTH_SETTING)


class BadUnpackSetting(ValueError):
    """A NEWSCRAWL_UNPACK_* setting that cannot be used; the message is one line naming the setting and its value."""


@dataclass(frozen=True)
class UnpackLimits:
    max_ratio: float = 100
    """How many times its own size an archive may unpack to (beyond min_bytes)."""
    min_bytes: int = 1 << 30
    """What an archive may always unpack to, however small it is: a 1 KB ZIP of a 1 MB page is no bomb."""
    max_depth: int = 3
    """Levels of archives unpacked: 1 the archive given, 2 an archive in it, 3 one in that (nested.py)."""

    @classmethod
    def from_settings(cls, settings: Any) -> UnpackLimits:
        """The limits the settings give (defaults for those not set); BadUnpackSetting for a value that is not a
        number, a ratio not above 0, a byte count that is not a whole number, 0 or more, or a depth that is not a
        whole number, 1 or more."""
        default = cls()
        ratio = _setting(settings, MAX_RATIO_SETTING, default.max_ratio)
        if not (isinstance(ratio, float) and math.isfinite(ratio) and ratio > 0):
            raise BadUnpackSetting(f"bad setting {MAX_RATIO_SETTING}={settings.get(MAX_RATIO_SETTING)!r}: expected "
                                   "a number above 0 (how many times its own size an archive may unpack to)")
        floor = _setting(settings, MIN_BYTES_SETTING, default.min_bytes)
        if not (isinstance(floor, float) and floor.is_integer() and floor >= 0):
            raise BadUnpackSetting(f"bad setting {MIN_BYTES_SETTING}={settings.get(MIN_BYTES_SETTING)!r}: expected "
                                   "a whole number of bytes, 0 or more (what any archive may unpack to)")
        depth = _setting(settings, MAX_DEPTH_SETTING, default.max_depth)
        if not (isinstance(depth, float) and depth.is_integer() and depth >= 1):
            raise BadUnpackSetting(f"bad setting {MAX_DEPTH_SETTING}={settings.get(MAX_DEPTH_SETTING)!r}: expected "
                                   "a whole number, 1 or more (levels of archives in archives unpacked; 1: only the "
                                   "archive given)")
        return cls(ratio, int(floor), int(depth))

    @property
    def key(self) -> str:
        """The limits in an unpacked folder's cache key (module docstring)."""
        # the ratio as a float: 100 (the default) and 100.0 (the setting read) are one limit, so one folder
        return f"ratio {float(self.max_ratio)!r}, at least {self.min_bytes}, depth {self.max_depth}"

    def described(self) -> str:
        """The limits as a refusal names them, with the settings that raise them."""
        return (f"{self.max_ratio:g} times its size ({MAX_RATIO_SETTING}), at least {_size(self.min_bytes)} "
                f"({MIN_BYTES_SETTING})")


def _setting(settings: Any, name: str, default: float) -> float | None:
    """The setting as a number, the default when it is not set, None when it is no number."""
    raw = settings.get(name)
    if raw is None or raw == "":
        return float(default)
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _size(count: int) -> str:
    """
    >>> _size(1 << 30), _size(1 << 20), _size(1000)
    ('1 GiB', '1 MiB', '1000 bytes')
    """
    for unit, shift in (("GiB", 30), ("MiB", 20)):
        if count and count % (1 << shift) == 0:
            return f"{count >> shift} {unit}"
    return f"{count} bytes"


class Budget:
    """What an archive given (alone, or in a folder given) may still unpack to, with everything nested in it: the
    limits times its size. Each member that fits is taken from it; one that does not is refused (refusal)."""

    def __init__(self, limits: UnpackLimits, size: int) -> None:
        self.limits = limits
        self.left = max(limits.min_bytes, int(limits.max_ratio * size))

    def take(self, size: int) -> bool:
        """Whether a member of `size` bytes may be written; if so, it is taken from what is left."""
        if size > self.left:
            return False
        self.left -= size
        return True

    def refusal(self, size: int) -> str:
        """Why a member of `size` bytes was not written, for its damaged-input line."""
        return (f"not extracted: {size} bytes, more than the archive may unpack to ({self.limits.described()}): a "
                "decompression bomb, or an archive to unpack by hand or with higher limits")
