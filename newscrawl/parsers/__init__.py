"""The parser registry: one line per outlet. tests/test_registry.py checks every module here is listed."""

from __future__ import annotations

from newscrawl.extract.urls import host_of
from newscrawl.parsers.base import ArticleParser, Page, ParseError
from newscrawl.parsers.devdiscourse import DevdiscourseParser
from newscrawl.parsers.generic import GenericParser

PARSERS: tuple[type[ArticleParser], ...] = (
    DevdiscourseParser,
    GenericParser,  # domains=(): never chosen by domain, only as FALLBACK
)
FALLBACK: type[ArticleParser] = GenericParser
"""Parser for pages of domains no outlet parser claims (the `news` spider's fallback)."""

__all__ = ["FALLBACK", "PARSERS", "ArticleParser", "Page", "ParseError", "parser_by_name", "parser_for_url",
           "parser_for_url_or_generic"]


def parser_by_name(name: str) -> type[ArticleParser]:
    """The parser registered under `name`; KeyError names the known ones."""
    for parser in PARSERS:
        if parser.name == name:
            return parser
    raise KeyError(f"no parser named {name!r}; known: {', '.join(p.name for p in PARSERS)}")


def parser_for_url(url: str) -> type[ArticleParser] | None:
    """The parser whose domains cover the URL's host (a subdomain matches its parent), or None."""
    host = host_of(url)
    for parser in PARSERS:
        if any(host == domain or host.endswith("." + domain) for domain in parser.domains):
            return parser
    return None


def parser_for_url_or_generic(url: str) -> type[ArticleParser]:
    """The outlet parser for the URL's domain, else the structured-data-first GenericParser."""
    return parser_for_url(url) or FALLBACK
