"""URL normalisation for item URLs."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

_TRACKING = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga)$", re.IGNORECASE)


def clean_url(url: str, base: str | None = None, *, drop_query: bool = False) -> str:
    """Absolute, safely-escaped URL without fragment or tracking parameters (or without any query).

    >>> clean_url("/article/x/1-a?utm_source=t&id=2#c", "https://www.devdiscourse.com/")
    'https://www.devdiscourse.com/article/x/1-a?id=2'
    >>> clean_url("https://example.com/a?amp", drop_query=True)
    'https://example.com/a'
    """
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(safe_url_string(absolute))
    query = "" if drop_query else urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL.

    >>> is_http_url("/img?x"), is_http_url("https://a.b/c")
    (False, True)
    """
    return bool(url) and urlsplit(url or "").scheme in ("http", "https") and bool(urlsplit(url or "").netloc)


def host_of(url: str) -> str:
    """Lower-case host without a leading "www.".

    >>> host_of("https://WWW.Devdiscourse.com/article/x")
    'devdiscourse.com'
    """
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host
