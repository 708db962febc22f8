"""Devdiscourse (www.devdiscourse.com) article pages: desktop (both template revisions), AMP and mobile/LiveBlog.

Site facts: shared/devdiscourse/STRUCTURE.md; every field function below names the section (§) whose rule it
implements, and the fields come in the order the page shows them (§2.1 head, §2.3 body skeleton). The package:
  __init__.py  DevdiscourseParser: the fields, in page order, and parse() as their table of contents
  views.py     which template rendered the page (desktop, AMP, mobile), where its containers are (byline block,
               body, breadcrumb) and which article it is (canonical URL, NewsId, label: §2.1, §2.4)
  site.py      site facts as data (source links, wire sources, placeholders, blog kinds, text patterns)
  byline.py    reading the byline block's pieces; image.py the lead image; body.py what in a body is not story
  liveblog.py  a live blog's updates, from the JSON pages the spider fetches after its page (§3.2)
Quirks handled here:
- Only the first <article> of the page is the story; the sidebar and JS-appended "next articles" are not (§2.5).
- Machine dates carry IST digits with the *server's* offset, which may be +00:00: trust the digits, attach IST, and
  cross-check with the visible "Created:" minute (§2.6).
- The NewsArticle JSON-LD is invalid JSON (unquoted description); Page.ld repairs it (§2.2).
- Revision a3af7e3 has no `div.metadata`: the byline div is found by its "Updated:" span (§0).
- The dateline span is lower-case in the HTML and title-cased by CSS (`text-capitalize`), so we apply that too.
- The template's disclaimer sentences and "(With inputs from …)" notes are data, not body (the note rules, §2.8);
  badge rows, ads and the AI card inside body containers are skipped by structure (body.is_body_furniture).
- Editors' inline "Also Read: <link>" promos inside the body text (any case and wrapping) are not story text:
  dropped from the body by structure (the whole block is the label plus its links), their links kept in `related`.
- An AI-generated cover image is flagged only by its caption sentence (§2.9); BoilerplatePipeline moves it.
- The mobile body ends with "READ MORE ON :" / "COUNTRY :" badge rows (§3.2): left out by label and place, whatever
  their markup; countries come from the COUNTRY row (the byline shows the first only). Live updates: liveblog.py.
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from newscrawl.extract.blocks import element_of, has_class
from newscrawl.extract.countries import is_country
from newscrawl.extract.dates import IST, iso, parse_dmy_hm, same_minute, wall_clock
from newscrawl.extract.text import clean_or_none, clean_text, join_paragraphs, split_list
from newscrawl.items import Article
from newscrawl.parsers.devdiscourse.body import COUNTRY_BADGES, badge_values, related_links, story_paragraphs
from newscrawl.parsers.devdiscourse.byline import (blog_authors, plain_dateline_span, source_of_link,
                                                   split_amp_source, title_case_css)
from newscrawl.parsers.devdiscourse.image import original_image_url, site_image_src, split_caption
from newscrawl.parsers.devdiscourse.site import (BLOG_SUBTYPES, CREATED, NEWS_COUNTRY_IN_SCRIPT, PRESS_RELEASE_SOURCES,
                                                 SECTOR_IN_SCRIPT, SECTOR_NAMES, SYNDICATED_SOURCES, UPDATED)
from newscrawl.parsers.devdiscourse.views import DevdiscourseViews

__all__ = ["DevdiscourseParser"]

# The AMP blog's "FIRST PUBLISHED ON" box (§3.1), any case: compiled once, run on each `div.ad` element.
_FIRST_PUBLISHED = etree.XPath(
    ".//text()[contains(translate(., 'FIRSTPUBLISHED', 'firstpublished'), 'first published')]", smart_strings=False)


class DevdiscourseParser(DevdiscourseViews):
    name = "devdiscourse"
    domains = ("devdiscourse.com",)
    version = "7"
    # Every Devdiscourse article has these (the template always renders them); datelines and images are missing
    # from blogs and some desk stories, so a drop below half means the layout moved, not the news.
    expected_coverage: ClassVar[dict[str, float]] = {"title": 0.98, "body": 0.98, "published_at": 0.98,
                                                     "byline": 0.95, "dateline": 0.5, "image_url": 0.5}

    _country_selector = "section.left-section ul.pull-left li.fg-orange"

    # ---- the breadcrumb: sector and type (§2.3, §2.4 sector and type/subtype, §3.3) -----------------------------
    def sector(self, root: Selector) -> str | None:
        """§2.4 sector: the breadcrumb's `/news/{sector}` crumb; AMP's `ul.sector` (§3.1); else the inline script's
        `_sector` id list, first id named by §1.3 (the mobile view's crumbs name the label, not the sector, §3.2)."""
        for text, href in self.breadcrumb(root):
            # /news/All is the mobile view's crumb for an unlabelled (agency-wire) story, not a sector (§3.2)
            path = urlsplit(href).path.rstrip("/").lower()  # a saved copy (wget -k, a browser) makes links absolute
            if path.startswith("/news/") and path != "/news/all" and text:
                return text
        if self.view() == "amp" and (shown := self.page.text('ul.sector li a[href^="/news/"], ul.sector li', root)):
            return shown
        ids = split_list(found.group(1)) if (found := SECTOR_IN_SCRIPT.search(self.page.html)) else []
        return SECTOR_NAMES.get(ids[0]) if ids else None

    def article_type(self, root: Selector, source: str | None) -> str:
        """news, press-release, live-blog, or the blog SubType (blog, opinion, interview, column, …; §3.3, §4)."""
        if source in PRESS_RELEASE_SOURCES:
            return "press-release"
        view = self.view()
        has_author = bool(self.author(self.metadata(root)))
        crumbs = self.breadcrumb(root)
        kind = (crumbs[1][0] if len(crumbs) > 1 else "").strip().lower()
        if not kind:
            ld_crumbs = self.page.ld_node("BreadcrumbList") or {}
            items = ld_crumbs.get("itemListElement") or []
            kind = next((str(i.get("name")) for i in items if isinstance(i, dict) and i.get("position") == 2),
                        "").strip().lower()
        if view == "mobile":
            # The mobile view's second crumb is "News" for news and "Live Blogs" otherwise; it is also served for
            # any article at /mobilearticle/{id}/{edition}, so "LIVE" on the page alone proves nothing; without a
            # crumb, an /article/ URL does: that route serves this view for LiveBlogs only (§3.2).
            if kind == "live blogs" or (not kind and urlsplit(self.page.url).path.lower().startswith("/article/")):
                return "blog" if has_author else "live-blog"
            return "news" if kind == "news" else ("blog" if has_author else "news")
        if kind in BLOG_SUBTYPES:
            return kind
        if self.page.ld_node("LiveBlogPosting"):  # AMP's LiveBlog items (§3.1)
            return "live-blog"
        headline = str((self.page.ld_node("NewsArticle", "Article") or {}).get("headline", ""))
        if headline.startswith("Opinion: "):  # SubType Opinion, the one the headline shows (§3.3)
            return "opinion"
        if has_author or any(_FIRST_PUBLISHED(element_of(ad)) for ad in self.page.select("div.ad")):
            return "blog"
        return "news"  # a second crumb such as "Sports" (Category 15, §4) is a section, not a type

    # ---- headline (§2.4 title, subtitle) -------------------------------------------------------------------------
    def title(self, root: Selector) -> str | None:
        """`h1.title`, else og:title minus its " | {Label}", else the JSON-LD headline minus "Opinion: " (§2.4)."""
        og_title = self.page.meta.get("og:title", "")
        ld = self.page.ld_node("NewsArticle", "Article")
        return (
            self.page.text("h1.title", root)
            or clean_or_none(og_title.rsplit(" | ", 1)[0] if og_title else None)
            or clean_or_none(re.sub(r"^Opinion: ", "", str((ld or {}).get("headline", ""))).rsplit(" | ", 1)[0])
        )

    def subtitle(self, root: Selector) -> str | None:
        """`h2.sub-title`, else (desktop) the description unless it is the "Read more about …" stand-in (§2.4)."""
        description = self.page.meta.get("description", "")
        fallback = None if description.startswith("Read more about ") else clean_or_none(description)
        return self.page.text("h2.sub-title, h2.subtitle", root) or (fallback if self.view() == "desktop" else None)

    # ---- the byline block: source, author, dateline, dates (§2.4, §2.6, §2.7) -----------------------------------
    def source_link(self, meta: Selector | None) -> tuple[str | None, str | None]:
        """(byline text, Source it stands for) from the first non-author link of the byline block (§2.4)."""
        return source_of_link(meta) if meta is not None else (None, None)

    def author(self, meta: Selector | None) -> str | None:
        """§2.4 author (blogs): the AuthorArticles link."""
        if meta is None:
            return None
        return self._once("author", meta, lambda: self.page.text('a[href*="AuthorArticles"]', meta))

    def dateline(self, meta: Selector | None) -> str | None:
        """§2.4 dateline city (`SourceUrl`, title-cased by CSS); AMP's source line (§3.1); mobile spans (§3.2)."""
        if meta is None:
            return None
        view = self.view()
        if view == "amp":
            city = self._amp_source_line(meta)[0]
        elif view == "mobile":
            # "{city} {first country}", each only when the article has it: one lone name may be the country
            spans = [clean_text(" ".join(s.css("::text").getall())) for s in meta.css("span.text-capitalize")]
            city = spans[0] if spans else None
            if len(spans) == 1 and city and (is_country(city) or city.casefold() in {
                    c.casefold() for c in self._mobile_country_badges(self.root())}):
                city = None
        else:
            city = self.page.text("span.text-capitalize", meta) or plain_dateline_span(meta)
        if not city or "/" in city or "." in city.split()[-1]:
            return None  # blogs store a first-published URL in the same field (§3.3)
        return title_case_css(city)

    def _amp_source_line(self, meta: Selector) -> tuple[str | None, list[str]]:
        """(city, countries) from AMP's `p.source` (§3.1; byline.split_amp_source)."""
        return self._once("amp_source", meta, lambda: split_amp_source(" ".join(self.page.strings("::text", meta))))

    def _date_block(self, root: Selector) -> str:
        """The text around the visible "Created:"/"Updated:" dates (read once for both)."""
        meta = self.metadata(root)  # compared with None: a Selector's truth value serialises its whole subtree
        return self._once("date_block", root, lambda: " ".join(self.page.strings(
            "div.metadata ::text, div.meta ::text, div.news-date ::text", root)) or " ".join(
            self.page.strings("::text", meta if meta is not None else root)))

    def _date(self, root: Selector, visible_re: re.Pattern[str], machine_key: str) -> str | None:
        """§2.6: the visible IST minute and the machine date's IST digits, cross-checked; mobile trusts the head."""
        block = self._date_block(root)
        match = visible_re.search(block)
        visible = parse_dmy_hm(match.group(1), IST) if match else None
        ld = self.page.ld_node("NewsArticle", "Article") or {}
        machine = wall_clock(self.page.meta.get(machine_key.lower()) or str(ld.get(machine_key, "")), IST)
        if self.view() == "mobile":
            # The mobile view prints the server's local clock labelled IST (§3.2); the head's IST digits win.
            chosen = machine or visible
        elif visible and machine:
            chosen = machine if same_minute(machine, visible) else visible
        else:
            chosen = visible or machine
        return iso(chosen) if chosen else None

    def published_at(self, root: Selector) -> str | None:
        return self._date(root, CREATED, "datePublished")  # Created = PublishedOn (§0, §2.6)

    def modified_at(self, root: Selector) -> str | None:
        return self._date(root, UPDATED, "dateModified")  # Updated = ModifiedOn (§0, §2.6)

    # ---- the lead image (§2.4 image, image caption+credit; §3.1, §3.2) ----------------------------------------
    def image(self, root: Selector) -> tuple[str | None, str | None]:
        """(original image URL, caption text incl. credit) of the lead image; (None, None) for a placeholder."""
        view = self.view()
        if view == "amp":
            sources = [self.page.attr("amp-img.full-bottom", "src", root)]
            caption = self.page.text("p.img-caption small, p.img-caption", root)
        elif view == "mobile":
            sources = [self.page.attr("div.article-image-container img", name, root) for name in ("src", "data-src")]
            caption = self.page.text("div.article-image-container ~ p.meta, p.meta", root)
        else:
            figures = [f for f in self.page.select("figure.figure", root) if not has_class(element_of(f), "hidden")]
            if not figures:
                return None, None
            sources = [self.page.attr("img", name, figures[0]) for name in ("data-src", "src")]
            caption = self.page.text("figcaption.fig-caption, figcaption", figures[0])
        src = site_image_src(sources, self.page.meta.get("og:image"))
        url = original_image_url(src) if src else None
        return (url, caption) if url else (None, None)

    # ---- countries (§2.4 countries; AMP §3.1, mobile badges §3.2) ---------------------------------------------
    def _mobile_country_badges(self, root: Selector) -> list[str]:
        """The "COUNTRY :" badges under the mobile body (the byline block shows only the first country, §3.2)."""
        container = self.body_container(root)  # inside it, only the badge rows at its end (body.badge_values)
        return badge_values(element_of(root), COUNTRY_BADGES, element_of(container) if container is not None else None)

    def countries(self, root: Selector) -> list[str]:
        countries = self.page.texts(self._country_selector, root)
        if not countries and self.view() == "amp":
            meta = self.metadata(root)
            countries = self._amp_source_line(meta)[1] if meta is not None else []
        if not countries and self.view() == "mobile":
            countries = self._mobile_country_badges(root)
        if not countries:
            match = NEWS_COUNTRY_IN_SCRIPT.search(self.page.html)
            countries = split_list(match.group(1)) if match else []
        return [c for c in (clean_text(c) for c in countries) if c]

    # ---- the body and its inline promos (§2.4 body, §2.5, §2.8; §3.1, §3.2) -------------------------------------
    def body(self, root: Selector) -> str:
        container = self.body_container(root)
        if container is None:
            return ""
        return join_paragraphs(story_paragraphs(element_of(container), badge_rows=self.view() == "mobile"))

    def related(self, root: Selector) -> list[str]:
        """Links of the editors' inline "Also Read" promos in the body (dropped from the body text), absolute."""
        container = self.body_container(root)
        return related_links(element_of(container), self.page.url) if container is not None else []

    # ---- tags: news_keywords, else the "READ MORE ON:" links after the body (§2.4 tags) ------------------------
    def tags(self, root: Selector) -> list[str]:
        return split_list(self.page.meta.get("news_keywords") or self.page.meta.get("keywords")) or split_list(
            ",".join(self.page.texts('a.tag[href^="/news?tag="], a.tag', root)))

    # ---- table of contents ---------------------------------------------------------------------------------------
    def parse(self) -> Article | None:
        view = self.view()
        if view is None:
            return None  # listing, tag, error or other non-article page
        root = self.root()
        title = self.title(root)
        if not title:
            return None
        url = self.canonical_url()
        meta = self.metadata(root)
        byline, source = self.source_link(meta)
        if view == "mobile":
            # The mobile byline link is hard-coded "Devdiscourse News Desk" (§3.2); the head's article:author
            # (same _Layout) still names the real Source, which decides syndication.
            source = self.page.meta.get("article:author") or source
        author = self.author(meta)
        image_url, caption = self.image(root)
        image_caption, image_credit = split_caption(caption, view)
        countries = self.countries(root)
        return Article(
            url=url,
            outlet=self.name,
            outlet_id=self.news_id(url),
            label=self.label(url),
            title=title,
            subtitle=self.subtitle(root),
            body=self.body(root),
            published_at=self.published_at(root),
            modified_at=self.modified_at(root),
            byline=author or byline,
            authors=blog_authors(author),
            dateline=self.dateline(meta),
            syndicated=source in SYNDICATED_SOURCES,
            # the desktop/AMP byline names a wire Source itself (AttributionPipeline reads it there); the mobile
            # byline does not, so the wire it came from is recorded here
            agencies=[source] if view == "mobile" and source in SYNDICATED_SOURCES else [],
            image_url=image_url,
            image_caption=image_caption,
            image_credit=image_credit,
            country=", ".join(countries) or None,
            countries=countries,
            sector=self.sector(root),
            tags=self.tags(root),
            related=self.related(root),
            article_type=self.article_type(root, source),
            language=self.page.language,
            view=view,
        )
