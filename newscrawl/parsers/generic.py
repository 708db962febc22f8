"""Any news page without an outlet parser: structured data first, then a main-content extractor for the body.

Used by the `news` spider as the fallback of the registry (parsers/__init__.py: parser_for_url_or_generic). Sources,
most reliable first, each written out in its field method: JSON-LD (NewsArticle, Article, BlogPosting… incl.
@graph and @id references), microdata (itemprop), OpenGraph/article:* meta, Dublin Core and other common meta,
rel=author and byline elements, <time datetime>. Nothing here knows any particular site.

Conventions of this parser (README, "Other outlets"):
- `outlet` is the site's host without "www." ("nytimes.com"); provenance.parser says "generic".
- Dates keep the offset they are written with; a naive date borrows the page's own offset from its other dates,
  else stays naive (extract/pubdates.py); no zone is ever guessed.
- A credited name that is a wire agency goes to `agencies`, the publisher or a desk only to `byline`; `authors`
  holds people.
- The body comes from extract/content.py, guided by the page's JSON-LD articleBody and microdata
  `itemprop="articleBody"` when it has them.

One idea, kept whole: the generic parser, one small method per field; `parse()` is its table of contents.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any
from urllib.parse import urljoin, urlsplit

from newscrawl.extract.agencies import byline_agencies, dateline_city
from newscrawl.extract.authorlinks import linked_byline
from newscrawl.extract.bylines import byline_text, headline_text, line_byline
from newscrawl.extract.content import extract_story
from newscrawl.extract.furniture import is_hidden
from newscrawl.extract.lead import trim_lead
from newscrawl.extract.outletnames import in_capitals, outlet_tail
from newscrawl.extract.people import Credit, classify, split_names, strip_byline
from newscrawl.extract.pagelines import Line, byline_line, in_card, in_chrome, page_lines
from newscrawl.extract.pubdates import PageDate, page_offset, parse_page_date
from newscrawl.extract.published import Candidate, choose, url_date, visible_dates
from newscrawl.extract.structured import (LISTING_TYPES, Entity, LinkedData, image_url, itemprop_values, keywords,
                                          microdata_article)
from newscrawl.extract.textdates import find_dates
from newscrawl.extract.text import clean_or_none, clean_text, join_paragraphs, split_list, unescape_text
from newscrawl.extract.titles import begins_site_segment, choose_title, repeats, same_headline
from newscrawl.extract.urls import clean_url, host_of, is_http_url, names_another_site, relative_to_folder
from newscrawl.items import Article
from newscrawl.parsers.base import ArticleParser, Page, text_nodes

# Meta names (lower-case) holding dates, most specific first. JSON-LD and microdata come before all of them.
PUBLISHED_META = ("article:published_time", "og:published_time", "article:published", "datepublished",
                  "pubdate", "publishdate", "publish-date", "publish_date", "published-date", "parsely-pub-date",
                  "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.created", "date")
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "dc.date.modified",
                 "last-modified", "lastmod")
AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "parsely-author", "sailthru.author")
# schema.org story types that are not plain news, → article_type
ARTICLE_KINDS = {"OpinionNewsArticle": "opinion", "ReviewNewsArticle": "review", "Review": "review",
                 "AnalysisNewsArticle": "analysis", "BackgroundNewsArticle": "background",
                 "LiveBlogPosting": "live-blog", "BlogPosting": "blog", "SatiricalArticle": "satire"}
MIN_UNTYPED_BODY = 300  # characters of body an untyped page needs to count as an article (a short notice, a wiki
# stub or a brief counts: losing a real page costs more than emitting a short one, which is flagged no_date)
LISTING_CARDS = 4  # <article> elements on a page without structured data that make it a listing
LISTING_HEADLINES = 8  # … or linked h2–h4 headlines
LISTING_MAX_BODY = 1500  # characters: a page of cards with more text of its own than this is an article with links
LISTING_TEASER_SHARE = 0.5  # … and only when at least this share of its body is the cards' own teaser text
TEASER_MAX_CHARS = 1000  # a card is a short box (headline, dek, date); a longer one is a section of the page's text
_WORD = re.compile(r"\w+")
_COMMON_WORDS = frozenset({"the", "der", "die", "das", "les", "www", "com", "net", "org", "news", "online", "blog"})
_UPDATE_MARK = re.compile(r"updat|modif", re.IGNORECASE)  # a <time> marked as the update time
_ARTICLE_PATH = re.compile(r"\d{4,}|[^/]*[-_][^/]*[-_][^/]*$|[^/]+-[^/]+\.(?:s?html?|php|aspx?)$")
_CMS_POST_PATH = re.compile(r"/(?:archives|node)/\d+$")
_BIO_SENTENCE = re.compile(r"\b[a-z]+(?:\s+[a-z][\w-]*){4}")  # five words in lower case: prose, not a credit


def _classified(entities: list[Entity], publisher: str | None, site: str = "") -> dict[tuple[str, str], Credit]:
    """Credits by (kind, lower-cased name), in order; untyped and Person strings are split ("A and B").

    In "Jane Roe, Business Insider" a name after a person that shares a word with the publisher or the site's host
    ("SPIEGEL ONLINE" / "Der Spiegel", businessinsider.com) is the outlet, not a second person; so is a name in
    capitals after one written in mixed case ("Kevin McCoy, USA TODAY"), whatever outlet it names."""
    credits: dict[tuple[str, str], Credit] = {}
    outlet_words = _outlet_words(publisher, site)
    for entity in entities:
        if entity.schema_type in ("", "Person"):
            names = [part for name in split_names(entity.name) for part in (outlet_tail(name, publisher) or (name,))]
        else:
            names = [strip_byline(entity.name)]
        after_person = after_mixed_case_person = False
        for name in filter(None, names):
            credit = classify(name, publisher, entity.schema_type)
            if credit.kind == "person" and (after_person and _shares_word(name, outlet_words, site)
                                            or after_mixed_case_person and in_capitals(name)):
                credit = Credit(name, "organisation")
            after_person = after_person or credit.kind == "person"
            after_mixed_case_person = after_mixed_case_person or credit.kind == "person" and not in_capitals(name)
            credits.setdefault((credit.kind, credit.name.lower()), credit)
    return credits


def _outlet_words(publisher: str | None, site: str) -> set[str]:
    return {w for w in re.findall(r"[^\W\d_]{3,}", f"{publisher or ''} {site}".lower())} - _COMMON_WORDS


def _outlet_named_beside_people(credits: dict[tuple[str, str], Credit], publisher: str | None,
                                site: str) -> dict[tuple[str, str], Credit]:
    """The credits with a "person" named like the outlet made an organisation when someone else is credited too:
    one field names the house ("creator": "DER SPIEGEL" on spiegel.de), another the writer. Without another
    person the name stays a person (a writer whose surname is the site's name, on the writer's own site)."""
    outlet_words = _outlet_words(publisher, site)
    outlet_like = {key for key, credit in credits.items()
                   if credit.kind == "person" and _shares_word(credit.name, outlet_words, site)}
    if not outlet_like or not any(c.kind == "person" and k not in outlet_like for k, c in credits.items()):
        return credits
    kept: dict[tuple[str, str], Credit] = {}
    for key, credit in credits.items():
        if key in outlet_like:
            credit = Credit(credit.name, "organisation")
        kept.setdefault((credit.kind, credit.name.lower()), credit)
    return kept


def _shares_word(name: str, outlet_words: set[str], host: str) -> bool:
    words = {w for w in re.findall(r"[^\W\d_]{3,}", name.lower())} - _COMMON_WORDS
    squashed = re.sub(r"[^\w]", "", name.lower())
    return bool(words & outlet_words) or (len(squashed) >= 5 and squashed in host.replace(".", "").lower())


def _printed_date(raw: str) -> PageDate | None:
    """A machine field holding a date as people write it ("10.12.2022, 07:00:03"): read like visible text."""
    found = find_dates(raw) if len(raw) <= 40 else []
    return found[0].date if found else None


def _without_shorter_forms(credits: list[Credit]) -> list[Credit]:
    """People without a shorter spelling of another credited person ("Troy Smith" beside "Troy L. Smith")."""
    people = [set(c.name.lower().replace(".", " ").split()) for c in credits if c.kind == "person"]
    return [c for c in credits
            if c.kind != "person" or not any(set(c.name.lower().replace(".", " ").split()) < other for other in people)]


def looks_like_article_url(url: str) -> bool:
    """A URL whose path (or query) names one item: a long number, or a slug of three or more words.

    >>> looks_like_article_url("https://a.b/news/2019/11/kim-meets-putin"), looks_like_article_url("https://a.b/news/")
    (True, False)
    >>> looks_like_article_url("https://a.b/news/view.html?idx=8576"), looks_like_article_url("https://a.b/dieta-x.html")
    (True, True)

    A CMS's own id forms name one post whatever its number: WordPress's `?p=87` and "Numeric" `/archives/482`,
    Drupal's `/node/734`.

    >>> [looks_like_article_url(f"https://a.b{u}") for u in ("/?p=87", "/archives/482/", "/node/734", "/node/", "/p/7")]
    [True, True, True, False, False]
    """
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return bool(_ARTICLE_PATH.search(path) or _CMS_POST_PATH.search(path) or re.search(r"=\d{3,}", parts.query)
                or re.search(r"(?:^|&)p=\d+(?:&|$)", parts.query))


class GenericParser(ArticleParser):
    name = "generic"
    domains = ()  # the fallback for every domain; never registered for one
    version = "40"

    # [class*=…] already takes .byline, .article-byline, .author and .author-name: naming them too selected no more
    # and made each element of a page answer four more predicates (half of this lookup's time on real pages).
    _byline_selector = '[itemprop~="author"], [rel~="author"], [class*="byline"], [class*="author"], [class*="autor"]'
    # hAtom's abbr.published[title] (older blog templates: Blogger, WordPress themes) is the same machine date.
    _time_selector = ("article time[datetime], time[pubdate][datetime], [itemprop~='datePublished'][datetime], "
                      ".hentry abbr.published[title]")
    _updated_selector = "time.updated[datetime], .hentry abbr.updated[title]"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.ld = LinkedData(page.ld)
        self.node: dict[str, Any] = self.ld.article() or {}
        self.microdata = microdata_article(page.selector)

    # ---- identity ---------------------------------------------------------------------------------------------
    def canonical_url(self) -> str:
        """rel=canonical, else og:url, else the response URL; relative links resolved, tracking parameters gone.

        A link to another site is not this page's URL: a syndicated copy (MSN, a partner paper, a wire's client)
        names the original as canonical, and an item under the original's URL and outlet would carry the copy's
        text. The copy keeps its own URL; its link stays in provenance.canonical_url, and lineage's story_id joins
        the copies of one story."""
        for candidate in (self.page.canonical, self.page.meta.get("og:url")):
            # A link relative to the page's own folder ("../../www.outlet.example/story.html") is a saving tool's
            # rewrite (PyWebCopy, wget -k, HTTrack) pointing at its local copy; sites write absolute or root paths.
            if candidate and not relative_to_folder(candidate):
                absolute = urljoin(self.page.url, candidate)
                # A canonical pointing at the home page from a deeper page is a template bug, not the article.
                if is_http_url(absolute) and (urlsplit(absolute).path.strip("/") or
                                              not urlsplit(self.page.url).path.strip("/")) \
                        and not names_another_site(self.page.url, absolute):
                    return clean_url(absolute)
        return clean_url(self.page.url)

    def publisher(self) -> str | None:
        names = self.ld.entities(self.node.get("publisher"))
        return (names[0].name if names else None) or clean_or_none(self.page.meta.get("og:site_name"))

    def publisher_is_person(self) -> bool:
        """A personal site names its author as publisher (schema.org allows a Person; Yoast's "site represents a
        person"): a credit equal to it is that person, not the outlet."""
        names = self.ld.entities(self.node.get("publisher"))
        return bool(names) and names[0].schema_type == "Person"

    # ---- headline ---------------------------------------------------------------------------------------------
    def micro(self, name: str) -> str | None:
        """First value of an itemprop in the page's Article microdata."""
        values = itemprop_values(self.microdata, name) if self.microdata is not None else []
        return values[0] if values else None

    def title(self) -> str | None:
        """The headline as shown, by agreement of <h1>s and machine titles (extract/titles.py: choose_title)."""
        return self.headline

    @cached_property
    def headline(self) -> str | None:
        headline = self.ld.text(self.node, "headline") or self.ld.text(self.node, "name") or self.micro("headline")
        og_title = self.page.meta.get("og:title") or self.page.meta.get("twitter:title")
        raw_title = clean_text(self.page.text("title"))
        site_names = [self.publisher(), self.page.meta.get("og:site_name"), self.page.meta.get("application-name"),
                      host_of(self.page.url)]
        # <h1>s a reader sees: not hidden ("Navigation und Service" for screen readers), not in nav or a masthead;
        # without a byline set inside them, their lines apart (extract/bylines.py)
        h1s = [headline_text(node.root) for node in self.page.selector.css("h1")[:8] if not in_chrome(node.root)]
        return choose_title([h for h in h1s if h][:5], [headline, og_title, raw_title], site_names,
                            [og_title, raw_title])

    def subtitle(self, title: str | None, shown_above: list[str], lead: str) -> str | None:
        """The dek: a structured one, or a description — shown above the body, or at least not repeating it."""
        dek = self.ld.text(self.node, "alternativeHeadline") or self.micro("alternativeHeadline")
        description = (self.ld.text(self.node, "description") or self.page.meta.get("og:description")
                       or self.page.meta.get("description"))
        for candidate in (dek, clean_or_none(description)):
            if candidate and (any(same_headline(candidate, line) for line in shown_above) or self.shown(candidate)):
                return candidate
            # A description that repeats the headline or the lead paragraphs is not a standfirst.
            if candidate and not same_headline(candidate, title) and not repeats(candidate, lead):
                return candidate
        return None

    def shown(self, text: str) -> bool:
        """Whether a paragraph or subheading of the page reads exactly `text` (a standfirst printed on the page)."""
        words = _WORD.findall(text.lower())
        return any(_WORD.findall(clean_text(" ".join(text_nodes(node))).lower()) == words
                   for tag in ("p", "h2", "h3") for node in self.page.elements(tag))  # any order: a yes or no

    # ---- body -------------------------------------------------------------------------------------------------
    def paragraphs(self, title: str | None) -> tuple[list[str], list[str]]:
        """(body paragraphs, the lines trimmed off above them: headline, standfirst, byline, date)."""
        hint = self.ld.text(self.node, "articleBody")
        known = [title, self.ld.text(self.node, "alternativeHeadline"), self.micro("alternativeHeadline")]
        descriptions = [self.ld.text(self.node, "description"), self.page.meta.get("og:description"),
                        self.page.meta.get("description")]
        names = [entity.name for entity in self.ld.entities(self.node.get("author"))]
        names += [name for name in split_names(self.visible_byline()) if len(name) > 3]
        # A description is trimmed only above the story's box: inside, it is the first paragraph the CMS copied.
        extracted, above = extract_story(self.page.selector.root, hint, title)
        body = trim_lead(extracted, known, names, descriptions, above)
        return body, extracted[: len(extracted) - len(body)]

    # ---- dates ------------------------------------------------------------------------------------------------
    def _raw_dates(self, ld_key: str, meta_keys: tuple[str, ...]) -> list[tuple[str, str]]:
        """(source, raw value) of each machine date of one kind, most reliable first."""
        raw = [("jsonld", self.ld.text(self.node, ld_key))]
        if ld_key == "datePublished":
            raw.append(("jsonld", self.ld.text(self.node, "dateCreated")))
        raw += [("microdata", v) for v in (itemprop_values(self.microdata, ld_key) if self.microdata is not None
                                           else [])]
        raw += [("meta", self.page.meta.get(key)) for key in meta_keys]
        if ld_key == "datePublished":
            times = [node for node in self.page.selector.css(self._time_selector)
                     if not in_chrome(node.root) and not _UPDATE_MARK.search(" ".join(node.root.attrib.values()))]
        else:  # WordPress and hAtom themes print the last edit beside the publication: <time class="updated">
            times = [node for node in self.page.selector.css(self._updated_selector) if not in_chrome(node.root)]
        raw += [("time", node.attrib.get("datetime") or node.attrib.get("title")) for node in times[:1]]
        return [(source, value) for source, value in raw if value]

    def dates(self, title: str | None = None) -> tuple[str | None, str | None]:
        """(published_at, modified_at): machine dates checked against the visible one (extract/published.py);
        naive machine dates take the page's offset from its other dates."""
        published = [Candidate(source, d) for source, raw in self._raw_dates("datePublished", PUBLISHED_META)
                     if (d := parse_page_date(raw) or _printed_date(raw)) is not None]
        if (from_url := url_date(self.page.url)) is not None:
            published.append(Candidate("url", from_url))
        modified = [parse_page_date(raw) for _, raw in self._raw_dates("dateModified", MODIFIED_META)]
        offset = page_offset([*(c.date for c in published), *modified])
        near = published[0].date.value.date() if published else None
        shown = visible_dates(self.lines, title or self.title(), self.page.language, near)
        chosen = choose(published, shown)
        if chosen is not None and not any(chosen is s.date for s in shown):
            published_at: str | None = chosen.iso(offset)
        else:
            published_at = chosen.iso() if chosen else None
        first_modified = next((d for d in modified if d is not None), None)
        return published_at, first_modified.iso(offset) if first_modified else None

    # ---- credits ------------------------------------------------------------------------------------------------
    @cached_property
    def lines(self) -> list[Line]:
        """The page's visible lines without furniture (extract/pagelines.py), read once for dates and bylines."""
        return page_lines(self.page.selector.root)

    def visible_byline(self) -> str | None:
        """A "By …" line below the headline, else an author/byline element (not one of a comment form or list)."""
        return self.shown_byline

    @cached_property
    def shown_byline(self) -> str | None:
        # Each byline read by its markup: not the place printed beside the names (extract/bylines.py)
        publisher = None if self.publisher_is_person() else self.publisher()
        line = byline_line(self.lines, self.title())
        # Names printed only as links to the writers' pages (extract/authorlinks.py) are the byline when no "By"
        # line comes before them: the credit nearest below the headline is the story's, one further down a card's.
        linked = linked_byline(self.lines, self.title())
        if linked and (line is None or linked[0] < next(i for i, shown in enumerate(self.lines) if shown is line)):
            return ", ".join(linked[1])
        if line and (text := strip_byline(line_byline(line.text, line.element, is_hidden, publisher))):
            return text
        # Not the credit of another story's card in a list ("Auch interessant": a headline link and its author).
        nodes = [node for node in self.page.selector.css(self._byline_selector)[:12]
                 if not in_chrome(node.root) and not in_card(node.root)]
        # An author box holds the name and a bio ("Martin is a full-stack engineer…"); its name element, also an
        # author node, is the byline. A box with no such element keeps its text.
        boxed: str | None = None
        for node in nodes[:6]:  # text for screen readers only ("Author ", "Posted on ") is not the byline
            text = strip_byline(byline_text(node.root, is_hidden, publisher))
            if text and len(text) <= 120:
                if not _BIO_SENTENCE.search(text):
                    return text
                boxed = boxed or text
        return boxed

    def credits(self) -> tuple[list[Credit], str | None]:
        """Every credited name, classified, and the byline as shown (or built from the names).

        Structured data names people reliably; the visible byline adds the names it lacks (its text is often cut
        or glued to dates, so names overlapping a structured one are skipped) and its agencies and desks.
        """
        publisher = None if self.publisher_is_person() else self.publisher()
        entities: list[Entity] = []
        for key in ("author", "creator", "sourceOrganization"):
            entities += self.ld.entities(self.node.get(key))
        if self.microdata is not None:
            entities += [Entity(v) for v in itemprop_values(self.microdata, "author")]
        # A meta author that is the site part of the <title> ("Post - Anna Roe Dogs") is the site's owner, written
        # into every page's template: a byline the page shows names the writer, this names the house.
        entities += [Entity(self.page.meta[key]) for key in AUTHOR_META
                     if self.page.meta.get(key) and not is_http_url(self.page.meta[key])
                     and not begins_site_segment(self.page.meta[key], self.page.text("title"))]
        # A structured person the page never names is a stale or hidden field (a CMS account, a former editor):
        # the credit a reader sees is the one kept. Checked by surname, which bylines never drop.
        page_text = " ".join(line.text for line in self.lines).lower()
        site = host_of(self.page.url) or ""
        credits = {key: credit for key, credit in _classified(entities, publisher, site).items()
                   if credit.kind != "person" or credit.name.split()[-1].lower() in page_text}
        shown = self.visible_byline()
        if shown:
            # A visible name joins unless it shares a word with a structured one (then it is the same person, often
            # cut or doubled by the layout: "Louise Matsaki s", "Sean Martin Sean Martin").
            known = {word.lower() for c in credits.values() if c.kind == "person" for word in c.name.split()}
            for visible_key, credit in _classified([Entity(shown)], publisher, site).items():
                if credit.kind != "person" or not known & {word.lower() for word in credit.name.split()}:
                    credits.setdefault(visible_key, credit)
        credits = _outlet_named_beside_people(credits, publisher, site)
        byline = shown or ", ".join(c.name for c in credits.values()) or None
        return _without_shorter_forms(list(credits.values())), byline

    # ---- media and classification --------------------------------------------------------------------------
    def image(self) -> tuple[str | None, str | None]:
        ld_image = self.ld.resolve(self.node.get("image"))
        candidates = [self.page.meta.get("og:image"), image_url(ld_image), self.page.meta.get("twitter:image")]
        if self.microdata is not None:
            candidates += itemprop_values(self.microdata, "image")[:1]
        src = next((c for c in candidates if c and not c.startswith("data:")), None)
        url = urljoin(self.page.url, src) if src else None
        caption = ld_image.get("caption") if isinstance(ld_image, dict) else None
        return (url if is_http_url(url) else None), clean_or_none(caption if isinstance(caption, str) else None)

    def tags(self) -> list[str]:
        found = (keywords(self.node.get("keywords")) or split_list(self.page.meta.get("news_keywords"))
                 or split_list(self.page.meta.get("keywords"))
                 or split_list(",".join(self.page.selector.css('meta[property="article:tag"]::attr(content)').getall())))
        cleaned = (unescape_text(t) for t in found)  # some CMSs escape twice
        return [t for t in cleaned if any(ch.isalpha() for ch in t) and not t.startswith("@")]  # "@post-id:1" is no tag

    def sector(self) -> str | None:
        return self.ld.text(self.node, "articleSection") or clean_or_none(self.page.meta.get("article:section"))

    def language(self) -> str | None:
        value = self.page.language or self.ld.text(self.node, "inLanguage")
        return value.replace("_", "-") if value else None

    def article_type(self) -> str:
        kinds = [ARTICLE_KINDS[t] for t in sorted(self.ld.types()) if t in ARTICLE_KINDS]
        return kinds[0] if kinds else "news"

    def view(self) -> str:
        html = self.page.selector.css("html")
        return "amp" if html and ("amp" in html[0].attrib or "⚡" in html[0].attrib) else "desktop"

    def paywalled(self) -> bool | None:
        value = self.node.get("isAccessibleForFree")
        if value is None:
            return None
        return str(value).strip().lower() in ("false", "no", "0")

    def is_article(self, body: str, published: str | None) -> bool:
        """Whether the page carries an article; when not, `not_article_reason` says why (NOT_ARTICLE_REASONS)."""
        self.not_article_reason = self.not_article(body, published)
        return self.not_article_reason is None

    def not_article(self, body: str, published: str | None = None) -> str | None:
        """Why the page is no article, or None: structured data or og:type say "article" and there is text, or an
        untyped page reads like one (a story's worth of text, and not a page of story cards: home, section, tag)."""
        parts = urlsplit(self.page.url)
        if not parts.path.strip("/") and not parts.query:
            return "home_page"  # a site's home page (a root URL with a query, "/?p=5031", names one post)
        if self.node or self.microdata is not None or self.page.meta.get("og:type", "").lower() == "article":
            return None if body or self.paywalled() else "no_body"
        if len(body) < MIN_UNTYPED_BODY and not (body and published and looks_like_article_url(self.page.url)):
            return "short_body"  # a short text under a URL naming one item, with its own date, is a brief
        if self.ld.types() & LISTING_TYPES and len(body) < LISTING_MAX_BODY:
            return "listing_type"  # the page says it is a collection and has little text of its own
        if (len(body) < LISTING_MAX_BODY and self.looks_like_listing()
                and self.teaser_share(body) >= LISTING_TEASER_SHARE):
            return "listing_cards"  # story cards, and the text we found is their teasers: a section or tag page
        # An untyped page with a story's worth of text is kept: dates and URL shapes only said how sure we are,
        # and a page we are unsure of is emitted and flagged (no_date), never silently lost.
        return None

    def _cards(self) -> tuple[list[Any], list[Any]]:
        """(<article> elements, linked h2–h4 headlines) outside the page chrome."""
        # Cards in an <aside>, <nav> or <footer> are the page's links to other stories, not its own content.
        outside_chrome = "[not(ancestor::aside or ancestor::nav or ancestor::footer)]"
        linked_headlines = self.page.selector.xpath(
            f"//*[self::h2 or self::h3 or self::h4]{outside_chrome}[.//a[string-length(normalize-space(.)) >= 15]]")
        return self.page.selector.xpath(f"//article{outside_chrome}"), linked_headlines

    def looks_like_listing(self) -> bool:
        """Many story cards or many linked headlines: a home, section or tag page."""
        cards, linked_headlines = self._cards()
        return len(cards) >= LISTING_CARDS or len(linked_headlines) >= LISTING_HEADLINES

    def teaser_share(self, body: str) -> float:
        """The share of `body` that is the text of story cards: a linked headline's box, or an <article> that links
        away. A listing's "body" is its teasers; a page whose own text stands outside its cards (a company page with
        "<article>" content blocks, an article followed by a row of linked headlines) is no listing."""
        cards, linked_headlines = self._cards()
        boxes = [card for card in cards if card.xpath(".//a[string-length(normalize-space(.)) >= 15]")]
        boxes += [parent for heading in linked_headlines for parent in heading.xpath("..")]
        texts = [text for text in (" ".join(_WORD.findall(" ".join(box.css("::text").getall()))) for box in boxes)
                 if len(text) <= TEASER_MAX_CHARS]
        paragraphs = [" ".join(_WORD.findall(line)) for line in body.split("\n")]
        teaser = sum(len(line) for line in paragraphs if line and any(line in text for text in texts))
        return teaser / max(sum(map(len, paragraphs)), 1)

    # ---- table of contents -----------------------------------------------------------------------------------
    def parse(self) -> Article | None:
        title = self.title()
        paragraphs, shown_above = self.paragraphs(title)
        body = join_paragraphs(paragraphs)
        published_at, modified_at = self.dates(title)
        if not title:
            self.not_article_reason = "no_title"
            return None
        if not self.is_article(body, published_at):
            return None
        url = self.canonical_url()
        credits, byline = self.credits()
        agencies = [c.name for c in credits if c.kind == "agency"]
        agencies += [a for a in byline_agencies(byline) if a not in agencies]
        image_url_, image_caption = self.image()
        return Article(
            url=url,
            outlet=host_of(url),
            title=title,
            subtitle=self.subtitle(title, shown_above, " ".join(paragraphs[:2])),
            body=body,
            published_at=published_at,
            modified_at=modified_at,
            byline=byline,
            authors=[c.name for c in credits if c.kind == "person"],
            dateline=dateline_city(paragraphs[0]) if paragraphs else None,
            agencies=agencies,
            image_url=image_url_,
            image_caption=image_caption,
            sector=self.sector(),
            tags=self.tags(),
            article_type=self.article_type(),
            language=self.language(),
            view=self.view(),
            paywalled=self.paywalled(),
        )

