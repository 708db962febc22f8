"""Page furniture: the parts of an HTML page that are never article text, found by tag, visibility and class names.

The main-content extractor (extract/content.py) works on a pruned *copy* of the page: `prune()` removes scripts,
navigation, hidden elements and containers whose class/id names them as comments, sharing bars, related-story
lists, newsletter boxes and the like. The name patterns are generic web vocabulary, not site knowledge: no site,
domain or page is special-cased here (see README, "Other outlets", on how the extractor was measured).
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml.html import HtmlElement

# Elements whose content is never article text. <form> is not here: ASP.NET pages wrap the whole page in one;
# <head> neither: libxml2 puts the whole page in <head> when a body tag shows up in it early.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "button", "select", "input", "textarea", "label",
    "video", "audio", "object", "embed", "canvas", "map", "dialog", "menu", "nav", "aside", "title", "link", "meta",
    "amp-ad", "amp-analytics", "amp-sidebar", "amp-social-share", "amp-iframe",
})
# What the lightest prune (prune(light=True)) drops: elements that never hold readable text at all. <noscript> is
# not among them: some pages put the whole page there for readers without JavaScript (and an empty shell outside).
NEVER_TEXT_TAGS = frozenset({"script", "style", "template", "svg", "title", "link", "meta", "canvas",
                             "amp-analytics", "amp-ad",
                             "rt", "rp"})  # ruby annotations: the reading of the base text above it, not text
# Landmark roles with the same meaning as the tags above.
DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "menu",
                        "menubar", "toolbar", "tablist", "alert", "alertdialog"})

# Class/id words of furniture. Matched against each class/id split on "-", "_" and camelCase, so "share" matches
# "article-share-bar" and "socialShare" but not "shared" or "sharepoint".
NEGATIVE_WORDS = frozenset({
    "comment", "comments", "disqus", "respond", "reply", "replies",
    "share", "sharing", "sharebar", "social", "socials", "sociallinks", "addthis", "sharethis",
    "related", "recommended", "recommendations", "recirc", "recirculation", "outbrain", "taboola", "zergnet",
    "promo", "promotion", "newsletter", "subscribe", "subscription", "signup",
    "advert", "advertisement", "advertising", "ad", "ads", "adslot", "adunit", "dfp", "gpt", "sponsor",
    "sponsored", "banner", "sidebar", "widget", "widgets", "footer", "masthead", "breadcrumb", "breadcrumbs",
    "nav", "navbar", "navigation", "menu", "popup", "modal", "overlay", "cookie", "cookies", "consent", "gdpr",
    "trending", "popular", "mostread", "most", "readmore", "moreon", "more", "next", "prev", "previous",
    "pagination", "pager", "tags", "tag", "taglist", "topics", "keywords", "bio", "author", "authors", "byline",
    "dateline", "timestamp", "meta", "toolbar", "tools", "print", "email", "rss", "follow", "skip", "jump",
    "caption", "credit", "credits",
    "disclaimer", "copyright", "login", "signin", "register", "account", "search", "cta", "teaser", "teasers",
    "carousel", "slider", "headline", "title", "header", "rating", "vote", "poll",
    "aside", "legend", "legende", "like", "likes",  # a class named after <aside>; picture legends
})
# Negative words that name a place in the layout, not a kind of furniture: page builders and themes call the boxes
# of the story itself "widget", "header" (an article's header holds its standfirst), "slider" or "tab-menu". Such a
# box is pruned only when it holds no prose (LAYOUT_PROSE_MIN characters of low-link paragraphs).
LAYOUT_WORDS = frozenset({"widget", "widgets", "sidebar", "header", "masthead", "slider", "carousel", "menu",
                          "teaser", "teasers", "more", "meta", "tools", "toolbar", "banner"})
LAYOUT_PROSE_MIN = 400
# Layout words that, after an article word, name a part of the article itself ("article-header" holds its
# standfirst, "post-teaser" its intro), not furniture about it.
_PLACE_WORDS = LAYOUT_WORDS - {"meta", "tools", "toolbar", "menu"}
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Class/id words of reader comments: pruned whatever else the name says ("comment-body", "comments-area post"),
# unless the element holds the headline (then the word is a state flag on a wrapper, "single comments-open").
COMMENT_WORDS = frozenset({"comment", "comments", "commentlist", "disqus", "respond", "replies",
                           "kommentar", "kommentare", "commentaire", "commentaires", "comentario", "comentarios",
                           "commenti", "reacties"})
# Words that mark a container as the article itself; they protect it from the negative words above
# ("article-meta" is furniture, "post-content comments-open" is the body).
POSITIVE_WORDS = frozenset({
    "article", "articlebody", "body", "content", "entry", "main", "post", "story", "storybody", "prose", "richtext",
})
_BODY_PARTS = frozenset({"body", "content", "text"})
_BODY_OWNERS = frozenset({"post", "article", "entry", "story", "news", "blog"})
BODY_MIN_CHARS = 300
_WORD_SPLIT = re.compile(r"[-_\s:./]+|(?<=[a-z])(?=[A-Z])")
# Whole class tokens that hide an element everywhere ("hidden-xs" only hides it on phones, so it is not here).
HIDDEN_CLASSES = frozenset({"hidden", "hide", "d-none", "sr-only", "visually-hidden", "screen-reader-text",
                            "visuallyhidden", "invisible"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Elements this big (characters of text) are never pruned by name: a name only marks small furniture boxes.
MAX_PRUNE_SHARE = 0.5
PICTURE_WORDS = frozenset({"image", "images", "img", "photo", "photos", "picture", "pic", "bild", "foto", "fotos"})
PICTURE_MAX_CAPTION = 300  # characters: text of a picture box beyond a long caption is a story set beside a photo
AUTHOR_BOX_TAGS = frozenset({"div", "section", "aside", "footer", "figure", "dl", "table"})


def name_words(element: HtmlElement) -> frozenset[str]:
    """Lower-cased words of the element's class and id, split at -, _ and camelCase humps.

    >>> from lxml.html import fragment_fromstring as f
    >>> sorted(name_words(f('<div class="article-shareBar js_x" id="main_Col"></div>')))
    ['article', 'bar', 'col', 'js', 'main', 'share', 'x']
    """
    names = element.get("class"), element.get("id")
    return _split_words(f"{names[0] or ''} {names[1] or ''}") if names[0] or names[1] else _NO_WORDS


_NO_WORDS: frozenset[str] = frozenset()


@lru_cache(maxsize=8192)
def _split_words(raw: str) -> frozenset[str]:
    """The words of a class/id string; cached, since a page repeats the same few class strings many times."""
    return frozenset(word.lower() for word in _WORD_SPLIT.split(raw) if word)


def _furniture_words(names: HtmlElement | str) -> frozenset[str]:
    """The negative words among an element's class/id words (or among the words of a class string)."""
    return (name_words(names) if not isinstance(names, str) else _split_words(names)) & NEGATIVE_WORDS


def is_hidden(element: HtmlElement) -> bool:
    """Hidden by the `hidden` attribute, aria-hidden, an inline display:none style or a hiding class."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if HIDDEN_CLASSES.intersection((element.get("class") or "").split()):
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def is_furniture_name(element: HtmlElement) -> bool:
    """True when a class/id names furniture and none names the article.

    Each class or id is read as a compound whose last marked word is its head, as web authors name components
    ("article-share-bar" is the article's share bar, "post-meta" the post's metadata, "comments-content" the
    content of the comments box): the article words in front of a furniture word only say whose furniture it is.

    >>> from lxml.html import fragment_fromstring as f
    >>> is_furniture_name(f('<div class="social-share"></div>')), is_furniture_name(f('<div class="post-content"></div>'))
    (True, False)
    >>> is_furniture_name(f('<div class="article-share-bar"></div>'))
    True
    >>> is_furniture_name(f('<div class="post-content comments-open"></div>'))
    False
    """
    names = element.get("class"), element.get("id")
    return (names[0] or names[1]) is not None and _names_furniture(f"{names[0] or ''} {names[1] or ''}")


@lru_cache(maxsize=8192)
def _names_furniture(raw: str) -> bool:
    heads = {_head(token) for token in raw.split()}
    return "negative" in heads and "positive" not in heads


def _head(token: str) -> str | None:
    """"negative" or "positive" by the last word of a class/id token that names furniture or the article, else None.

    >>> _head("entryfooter"), _head("post-content"), _head("article-header"), _head("news-letter-section")
    ('negative', 'positive', 'positive', 'negative')
    """
    words = _joined([part for w in _WORD_SPLIT.split(token) if w for part in _compound(w.lower())])
    for word in reversed(words):
        if word in POSITIVE_WORDS:
            return "positive"
        if word in NEGATIVE_WORDS:
            if word in _PLACE_WORDS and POSITIVE_WORDS.intersection(words):
                return "positive"  # "article-header", "post-teaser": the article's own header or intro box
            return "negative"
    return None


def _joined(words: list[str]) -> list[str]:
    """Words with a furniture word that the name split in two joined again ("news-letter", "side_bar", "readMore")."""
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] + word in NEGATIVE_WORDS:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


@lru_cache(maxsize=8192)
def _compound(word: str) -> tuple[str, ...]:
    """A word written as one ("entryfooter", "postmeta") cut into its article word and its furniture word."""
    if len(word) < 6 or word in NEGATIVE_WORDS or word in POSITIVE_WORDS:
        return (word,)
    for positive in POSITIVE_WORDS:
        if word.startswith(positive) and word[len(positive):] in NEGATIVE_WORDS:
            return (positive, word[len(positive):])
    return (word,)


def is_body_name(element: HtmlElement) -> bool:
    """True for the usual names of an article-body container ("post-body", "entry-content", itemprop=articleBody).

    >>> from lxml.html import fragment_fromstring as f
    >>> is_body_name(f('<div class="post-body entry"></div>')), is_body_name(f('<div class="body"></div>'))
    (True, False)
    """
    if element.get("itemprop") == "articleBody":
        return True
    words = name_words(element)
    return bool(words & _BODY_PARTS and words & _BODY_OWNERS) or bool(words & {"articlebody", "storybody",
                                                                              "postbody", "entrycontent"})


def _holds_body(element: HtmlElement) -> bool:
    """Whether a furniture-named box holds a named article body with real text (Blogger's "widget Blog")."""
    return any(is_body_name(d) and _text_length(d) >= BODY_MIN_CHARS for d in element.iterdescendants()
               if isinstance(d.tag, str))


def _prose_chars(element: HtmlElement) -> int:
    """Characters of the element's paragraphs that read as prose: 80 characters or more, under a quarter links."""
    total = 0
    for paragraph in element.iter("p"):
        length = _text_length(paragraph)
        if length >= 80 and sum(map(_text_length, paragraph.iter("a"))) < 0.25 * length:
            total += length
    return total


def _text_length(element: HtmlElement) -> int:
    return len("".join(element.itertext()))


def prune(root: HtmlElement, by_name: bool = True, light: bool = False) -> HtmlElement:
    """Remove furniture from `root` in place and return it: tags, landmark roles, hidden and furniture-named boxes.

    Name-based removal spares <body>, <main>, <article> and any element holding more than MAX_PRUNE_SHARE of the
    page's text, so a misleading class on a big wrapper ("page-with-sidebar") cannot delete the story.
    `by_name=False` is the light pruning of the fallback pass (content.py): tags and hidden boxes only, for pages
    whose story sits in a box named like furniture ("widget", "sidebar-content", a theme's component names).
    `light=True` removes only what never holds text (scripts, styles): the last resort for markup that puts the
    story inside a landmark or a hidden wrapper (an unclosed <header role=banner> that libxml2 nests the whole page
    in, a wrapper hidden until a script runs), where both other prunes leave nothing.
    """
    doomed: list[HtmlElement] = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            doomed.append(element)  # comments and processing instructions
        elif tag in NEVER_TEXT_TAGS or (not light and (tag in DROP_TAGS
                                                       or (element.get("role") or "").lower() in DROP_ROLES)):
            doomed.append(element)
    _remove(doomed)
    if light:
        return root
    total = max(_text_length(root), 1)
    doomed = []
    for element in root.iter():
        if element.tag in ("html", "body", "main", "article"):
            continue
        if by_name and COMMENT_WORDS & name_words(element) and element.find(".//h1") is None:
            doomed.append(element)
        elif by_name and _is_page_footer(element) and _text_length(element) <= MAX_PRUNE_SHARE * total:
            doomed.append(element)
        elif by_name and _is_author_box(element):
            doomed.append(element)
        elif by_name and _is_picture_box(element):
            doomed.append(element)
        elif is_hidden(element):
            doomed.append(element)  # what the reader never sees is not the story, whatever it holds
        elif by_name and is_furniture_name(element):
            if element.tag in ("p", "li", "h1"):
                continue  # a paragraph's own class is styling ("tag-line"), not a furniture box; the <h1> named
                # "headline" is the headline, which content.lead_in() starts from
            if element.tag in HEADINGS and not _furniture_words(element.get("class") or ""):
                continue  # a heading's id is an anchor made from its text ("nav-what-comes-next"), not a box name
            if _furniture_words(element) <= LAYOUT_WORDS and _prose_chars(element) >= LAYOUT_PROSE_MIN:
                continue  # a layout box ("widget", "header") that holds paragraphs of prose holds the story
            if _text_length(element) <= MAX_PRUNE_SHARE * total and not _holds_body(element):
                doomed.append(element)
    _remove(doomed, keep_headline=True)
    return root


def _is_page_footer(element: HtmlElement) -> bool:
    """The site's <footer> (links, imprint, the site's own blurb); an <article>'s own <footer> holds its byline and
    notes and stays, as in extract/pagelines.py."""
    return element.tag == "footer" and not any(a.tag in ("article", "main") for a in element.iterancestors())


def _is_author_box(element: HtmlElement) -> bool:
    """A box marked up as the author (schema.org itemprop=author on a block): the author's portrait and bio. The
    byline is read from the page itself (extract/pagelines.py), not from this pruned copy."""
    return element.tag in AUTHOR_BOX_TAGS and "author" in (element.get("itemprop") or "").split()


def _is_picture_box(element: HtmlElement) -> bool:
    """A box named as a picture ("image-box", "photo-wrap") that holds an image and no more text than a caption:
    a <figure> written in <div>s, whose text is the caption and credit (content.py drops those of a <figure>)."""
    if element.tag in ("p", "li", "h1", "a", "span") or not PICTURE_WORDS & name_words(element):
        return False
    if element.find(".//img") is None and element.find(".//picture") is None:
        return False
    return _text_length(element) <= PICTURE_MAX_CAPTION and element.find(".//h1") is None


def _remove(elements: list[HtmlElement], keep_headline: bool = False) -> None:
    """Drop elements but keep each one's tail text (it belongs to the parent).

    With `keep_headline`, an <h1> inside a dropped box stays where the box stood: a furniture-named box around the
    headline ("title-rating-wrapper", "article-header-tools") goes, the headline content.lead_in() starts from does not.
    """
    for element in elements:
        parent = element.getparent()
        if parent is None:
            continue
        headline = element.find(".//h1") if keep_headline else None
        if headline is not None and parent is not None:
            headline.tail = None
            element.addprevious(headline)
        if element.tail and element.tail.strip():
            previous = element.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)
