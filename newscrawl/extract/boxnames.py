"""What a box's class and id say about it: furniture ("social-share", "post-meta"), the article itself
("entry-content", itemprop=articleBody), reader comments or a picture.

Names are read as web authors write them: split at "-", "_" and camelCase humps, a furniture word split in two
joined again ("news-letter"), a word written as one cut in two ("entryfooter"), and the last marked word of each
class or id taken as its head ("article-share-bar" is a share bar). extract/furniture.py prunes by these readings,
extract/pagelines.py uses the same split. Generic web vocabulary only: no site's class names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

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
# box is pruned only when it holds no prose (LAYOUT_PROSE_MIN characters of low-link paragraphs). Page builders' modules
# of a heading and its text ("headline-with-text", "title-paragraph") are named for their heading: such a box with
# prose is the story, one without (a title bar, a label and a link) is furniture.
LAYOUT_WORDS = frozenset({"widget", "widgets", "sidebar", "header", "masthead", "slider", "carousel", "menu",
                          "teaser", "teasers", "more", "meta", "tools", "toolbar", "banner", "headline", "title"})
# Layout words that, after an article word, name a part of the article itself ("article-header" holds its
# standfirst, "post-teaser" its intro), not furniture about it; "article-title" is still the title's box.
_PLACE_WORDS = LAYOUT_WORDS - {"meta", "tools", "toolbar", "menu", "headline", "title"}
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
# Furniture words that, right before an article word, make it another article or an action on one ("next-post",
# "related-article", "share-story", "like-post").
_OTHER_ARTICLES = frozenset({"related", "recommended", "next", "prev", "previous", "popular", "trending", "mostread",
                             "like", "likes", "share", "sharing", "sponsored", "promo", "promotion"})
_ARTICLE_WORDS = frozenset({"article", "post", "story", "entry"})
_BODY_PARTS = frozenset({"body", "content", "text"})
_BODY_OWNERS = frozenset({"post", "article", "entry", "story", "news", "blog"})
_WORD_SPLIT = re.compile(r"[-_\s:./]+|(?<=[a-z])(?=[A-Z])")
PICTURE_WORDS = frozenset({"image", "images", "img", "photo", "photos", "picture", "pic", "bild", "foto", "fotos"})


def name_words(element: etree._Element) -> frozenset[str]:
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


def furniture_words(names: etree._Element | str) -> frozenset[str]:
    """The negative words among an element's class/id words (or among the words of a class string)."""
    return (name_words(names) if not isinstance(names, str) else _split_words(names)) & NEGATIVE_WORDS


def is_furniture_name(element: etree._Element) -> bool:
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
    >>> _head("next-post-link"), _head("like-post-wrapper"), _head("single-post")
    ('negative', 'negative', 'positive')
    """
    words = _joined([part for w in _WORD_SPLIT.split(token) if w for part in _compound(w.lower())])
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word in POSITIVE_WORDS:
            if word in _ARTICLE_WORDS and index and words[index - 1] in _OTHER_ARTICLES:
                return "negative"  # "next-post", "related-article", "like-post-wrapper": another article, or an
                # action on this one, not the article
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


def is_body_name(element: etree._Element) -> bool:
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
