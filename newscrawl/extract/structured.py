"""Reading a page's own structured data: JSON-LD article nodes (incl. @graph and @id references) and microdata.

Values come back as plain strings and lists; choosing between sources is the parser's job (parsers/generic.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parsel import Selector

from newscrawl.extract.jsonld import node_types
from newscrawl.extract.text import clean_text, split_list

# schema.org types of a story; the first found with a headline wins (WebPage is not here: every page is one).
ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "ReviewNewsArticle", "BackgroundNewsArticle", "AskPublicNewsArticle", "SatiricalArticle", "BlogPosting",
    "LiveBlogPosting", "SocialMediaPosting", "TechArticle", "ScholarlyArticle", "Report", "Review",
})
# Page types that say "this is not one story".
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage", "WebSite", "ProfilePage"})


@dataclass(frozen=True)
class Entity:
    """A name from structured data and its schema.org type ("" when the data gives only a string)."""

    name: str
    schema_type: str = ""


class LinkedData:
    """The JSON-LD nodes of a page with @id lookup, and helpers that read values the way schema.org allows them."""

    def __init__(self, nodes: list[dict[str, Any]]) -> None:
        self.nodes = nodes
        self.by_id = {str(n["@id"]): n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}

    def resolve(self, value: Any) -> Any:
        """A node for an {"@id": …} reference when the page defines it elsewhere, else the value itself."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and str(value.get("@id")) in self.by_id:
            return self.by_id[str(value["@id"])]
        return value

    def article(self) -> dict[str, Any] | None:
        """The story's node: an Article-type node, preferring one with a headline and a date."""
        candidates = [n for n in self.nodes if node_types(n) & ARTICLE_TYPES]
        candidates.sort(key=lambda n: (not n.get("headline"), not n.get("datePublished")))
        return candidates[0] if candidates else None

    def types(self) -> set[str]:
        found: set[str] = set()
        for node in self.nodes:
            found |= node_types(node)
        return found

    def entities(self, value: Any) -> list[Entity]:
        """Names from an author/publisher/creator value: a string, a node, an @id reference or a list of those."""
        found: list[Entity] = []
        for item in value if isinstance(value, list) else [value]:
            item = self.resolve(item)
            if isinstance(item, str) and clean_text(item):
                found.append(Entity(clean_text(item)))
            elif isinstance(item, dict):
                name = text(item.get("name")) or text(item.get("alternateName"))
                if name:
                    kinds = node_types(item)
                    kind = "Person" if "Person" in kinds else next(iter(sorted(kinds)), "")
                    found.append(Entity(name, kind))
        return found

    def text(self, node: dict[str, Any] | None, key: str) -> str | None:
        return text(self.resolve((node or {}).get(key)))


def text(value: Any) -> str | None:
    """A plain string from a JSON-LD value: a string, {"@value"/"name": …}, or the first of a list."""
    if isinstance(value, list):
        return next((t for t in (text(v) for v in value) if t), None)
    if isinstance(value, dict):
        return text(value.get("@value") or value.get("name"))
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return clean_text(str(value)) or None
    return None


def image_url(value: Any) -> str | None:
    """URL of an image value: a URL string, an ImageObject (url/contentUrl) or the first of a list."""
    if isinstance(value, list):
        return next((u for u in (image_url(v) for v in value) if u), None)
    if isinstance(value, dict):
        return image_url(value.get("url") or value.get("contentUrl"))
    return value.strip() if isinstance(value, str) and value.strip() else None


def keywords(value: Any) -> list[str]:
    """Keywords as a list, from a comma-separated string or a list.

    >>> keywords("Korea, Russia"), keywords(["a", "b, c"])
    (['Korea', 'Russia'], ['a', 'b', 'c'])
    """
    if isinstance(value, list):
        return split_list(",".join(str(v) for v in value if isinstance(v, (str, int))))
    return split_list(value) if isinstance(value, str) else []


# ---- microdata -----------------------------------------------------------------------------------------------
def microdata_article(selector: Selector) -> Selector | None:
    """The first itemscope typed as an Article (schema.org/NewsArticle, …), or None."""
    for scope in selector.css("[itemscope][itemtype]"):
        types = {t.rstrip("/").rsplit("/", 1)[-1] for t in (scope.attrib.get("itemtype") or "").split()}
        if types & ARTICLE_TYPES:
            return scope
    return None


def itemprop_values(scope: Selector, name: str) -> list[str]:
    """Values of an itemprop inside a scope, read as microdata defines (content, datetime, href/src, else text); an
    <abbr title> gives its title, the machine form by the microformats' abbr pattern (Blogger's datePublished)."""
    values: list[str] = []
    for node in scope.css(f'[itemprop~="{name}"]'):
        attrib = node.attrib
        if "itemscope" in attrib:
            inner = node.css('[itemprop~="name"]')
            value = attrib.get("content") or (_node_text(inner[0]) if inner else _node_text(node))
        else:
            tag = node.root.tag
            value = (attrib.get("content") or attrib.get("datetime") or
                     (attrib.get("href") or attrib.get("src") if tag in ("a", "link", "img", "meta") else None) or
                     (attrib.get("title") if tag == "abbr" else None) or _node_text(node))
        value = clean_text(value)
        if value:
            values.append(value)
    return values


def _node_text(node: Selector) -> str:
    return clean_text(" ".join(node.css("::text").getall()))
