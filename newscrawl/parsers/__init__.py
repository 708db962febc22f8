"""The parser registry: one line per outlet. tests/test_registry.py checks every module here is listed."""

from __future__ import annotations

from newscrawl.extract.urls import host_of
from newscrawl.parsers.base import ArticleParser, Page, ParseError
from newscrawl.parsers.devdiscourse import DevdiscourseParser

PARSERS: tuple[type[ArticleParser], ...] = (
    DevdiscourseParser,
)

__all__ = ["PARSERS", "ArticleParser", "Page", "ParseError", "parser_by_name", "parser_for_url"]


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
