"""Headlines: strip the site name that <title> and og:title append, and pick the headline a page shows."""

from __future__ import annotations

import re

from newscrawl.extract.text import clean_text

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " : ")
# Scripts written without spaces (Chinese, Japanese kana, Thai, Lao, Myanmar, Khmer): each character counts as a word
# when headlines are compared, else a whole headline is one or two "words" and agrees with nothing.
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")


def strip_site_name(title: str | None, site_name: str | None = None) -> str | None:
    """A title without a trailing (or leading) " | Site Name".

    With a known site name only that is removed; without one, a last segment of at most four words is taken to be
    the site's name when the rest is clearly longer.

    >>> strip_site_name("Kim meets Putin | The Hindu", "The Hindu")
    'Kim meets Putin'
    >>> strip_site_name("Reuters - Kim meets Putin in Vladivostok", "Reuters")
    'Kim meets Putin in Vladivostok'
    >>> strip_site_name("Stocks fall as trade doubts creep in - Example News")
    'Stocks fall as trade doubts creep in'
    >>> strip_site_name("Q&A - what next")
    'Q&A - what next'
    """
    value = clean_text(title)
    if not value:
        return None
    if site_name:
        site = clean_text(site_name)
        for sep in _SEPARATORS:
            if value.lower().endswith((sep + site).lower()):
                return value[: -len(sep + site)].strip() or value
            if value.lower().startswith((site + sep).lower()):
                return value[len(site + sep):].strip() or value
    for sep in _SEPARATORS[:4]:
        head, found, tail = value.rpartition(sep)
        if found and len(tail.split()) <= 4 and len(head.split()) >= 2 * len(tail.split()) + 2:
            return head.strip()
    return value


def same_headline(a: str | None, b: str | None) -> bool:
    """True when two headline texts agree word for word, or one is a cut-off start of the other (JSON-LD limits).

    >>> same_headline("Kim meets Putin in Vladivostok", "Kim meets Putin in Vladivostok | Site")
    True
    >>> same_headline("Kim meets Putin", "Putin meets Kim")
    False
    >>> same_headline("短缺药品保供稳价 全力保障临床用药需求", "短缺药品保供稳价 全力保障临床用药需求-新华网")
    True
    """
    words_a, words_b = _WORD.findall((a or "").lower()), _WORD.findall((b or "").lower())
    if not words_a or not words_b:
        return False
    shorter, longer = sorted((words_a, words_b), key=len)
    return len(shorter) >= min(3, len(longer)) and longer[: len(shorter)] == shorter


def repeats(summary: str | None, text: str) -> bool:
    """True when most of a summary's word triples occur in `text` (a meta description cut from the lead).

    >>> repeats("Kim met Putin on Friday, officials said.", "SEOUL (Reuters) - Kim met Putin on Friday, officials said.")
    True
    >>> repeats("The summit ends a decade of estrangement.", "SEOUL (Reuters) - Kim met Putin on Friday.")
    False
    """
    words, body = _WORD.findall((summary or "").lower()), _WORD.findall(text.lower())
    triples = {tuple(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    found = {tuple(body[i:i + 3]) for i in range(max(1, len(body) - 2))}
    return bool(words) and len(triples & found) >= 0.6 * len(triples)


_DATE_LEAD = re.compile(r"^\s*(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2})\s*[|:–—-]\s*")
MIN_HEADLINE_WORDS = 3  # an <h1> shorter than this may be a label ("About us", a topic); it needs a machine title


def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").lower())


def within(part: str | None, whole: str | None) -> bool:
    """True when `part`'s words run unbroken inside `whole` (a headline inside "Kicker: Headline | Site").

    >>> within("Mit allen Wassern gewaschen", "Tanz in der Lokremise: Mit allen Wassern gewaschen")
    True
    >>> within("Tanz", "Tanz x")
    False
    """
    small, big = words(part), words(whole)
    if len(small) < min(MIN_HEADLINE_WORDS, len(big)) or len(small) > len(big):
        return False
    return any(big[i:i + len(small)] == small for i in range(len(big) - len(small) + 1))


def drop_date_lead(title: str | None) -> str | None:
    """A title without a date written in front of it ("08.11.2021 | Fachtag …"): the date is the page's date.

    >>> drop_date_lead("23.01.2022 - Wierer darf jubeln"), drop_date_lead("2022: ein Jahr")
    ('Wierer darf jubeln', '2022: ein Jahr')
    """
    if not title:
        return title
    rest = _DATE_LEAD.sub("", title, count=1)
    return rest if rest.strip() else title


def is_site_segment(text: str, titles: list[str | None]) -> bool:
    """True when `text` is the last " | "-separated segment of a page title: the site's name ("Post - The Blog").

    >>> is_site_segment("The Example Blog", ["Leader spotlight: Erin Roe - The Example Blog"])
    True
    """
    for title in titles:
        for sep in _SEPARATORS:
            head, found, tail = clean_text(title).rpartition(sep)
            # a site's name is short: "Site | A long headline" ends with the headline, not the site
            if found and words(tail) == words(text) and len(words(tail)) <= max(4, len(words(head)) - 1):
                return True
    return False


def begins_site_segment(name: str, title: str | None) -> bool:
    """True when the title's site part is `name` ("Post - Wines in Leeds - Tapas") or begins with it ("Post - Anna
    Roe Dogs"): a meta author written so is the site's owner, set for every page, not the story's writer.

    >>> begins_site_segment("Anna Roe", "Snow - Anna Roe Dogs"), begins_site_segment("Wines - Tapas", "Rioja - Wines - Tapas")
    (True, True)
    """
    cleaned, wanted, whole = clean_text(title).casefold(), words(name), clean_text(name).casefold()
    for sep in _SEPARATORS:
        head, found, tail = cleaned.rpartition(sep)
        if wanted and (head and words(tail)[:len(wanted)] == wanted
                       or cleaned.endswith(sep + whole) and len(cleaned) > len(sep + whole)):
            return True
    return False


def choose_title(h1s: list[str], machine: list[str | None], site_names: list[str | None],
                 raw_titles: tuple[str | None, ...] | list[str | None] = ()) -> str | None:
    """The headline a reader sees, by agreement between the page's <h1>s and its machine titles (JSON-LD headline,
    og:title, <title>, most reliable first; the site's name is stripped here, `site_names[0]` being the publisher).
    An <h1> printed on several lines (at a <br> or a block: extract/bylines.py, headline_text) has them joined by
    newlines.

    An <h1> that is the site's name (og:site_name, the host, the site segment of <title>, a blog's name opening
    "Blog: Post") is never the headline.
    1. An <h1> that a machine title confirms (same start, or found whole inside it: "Kicker: Headline") is the one.
       An <h1> that ends with a machine title ("Topline Headline", the topline in its own span) gives that title;
       one whose first lines are a machine title exactly gives those lines (a byline or dek printed on a line of its
       own inside the <h1> made the whole read as a longer headline).
    1b. An <h1> that no machine title confirms, whose first lines are most of one's start, gives those lines: the
       <h1> holds a byline on its own line, the machine title a short tail of its own (a picture credit).
    2. Else the page's only <h1>, when it has at least three words: machine titles are often SEO rewordings or
       shortenings of the headline the page prints (with several unconfirmed <h1>s, none is trusted).
    3. Else the first machine title, else the first <h1>.

    >>> choose_title(["Example Times", "Kim meets Putin in Vladivostok"], ["Kim meets Putin in Vladivostok"], [])
    'Kim meets Putin in Vladivostok'
    >>> choose_title(["The Disappearance of John Ford"], ["The Resurrection of a Writer"], ["Example Mag"])
    'The Disappearance of John Ford'
    >>> choose_title(["Example Mag"], ["Kim meets Putin"], ["Example Mag"])
    'Kim meets Putin'
    >>> choose_title(["About us"], ["Who we are"], [])
    'Who we are'
    >>> choose_title(["Hochwasser in Heilbronn Neckar-Pegel steigt weiter"], ["Neckar-Pegel steigt weiter"], [])
    'Neckar-Pegel steigt weiter'
    >>> choose_title(["Kim meets Putin in Vladivostok Example Times"], ["Kim meets Putin in Vladivostok"],
    ...              ["Example Times"])
    'Kim meets Putin in Vladivostok'
    >>> choose_title(["Kim meets Putin in Vladivostok\\n12.03.2019 · Jane Roe"], ["Kim meets Putin in Vladivostok"],
    ...              [])
    'Kim meets Putin in Vladivostok'
    >>> choose_title(["Kim meets Putin in Vladivostok\\nSenior editor Jane Roe"],
    ...              ["Kim meets Putin in Vladivostok (with video)"], [])
    'Kim meets Putin in Vladivostok'

    """
    lines = {" ".join(h.split("\n")): h.split("\n") for h in h1s if h}
    h1s = [" ".join(h.split("\n")) for h in h1s if h]
    sites = {" ".join(words(s)) for s in site_names if s}
    site_h1s = [h for h in h1s
                if h and (_names_site(words(h), sites, raw_titles) or _blog_name(h, raw_titles, machine))]
    sites |= {" ".join(words(h)) for h in site_h1s}
    known = [_site_stripped(drop_date_lead(t) or t, sites, site_names[0] if site_names else None)
             for t in machine if t]
    # A line ending in a colon is a label ("Sie sind hier:"), not a headline.
    h1s = [drop_date_lead(h) or h for h in h1s if h and h not in site_h1s and not h.rstrip().endswith(":")]
    for h1 in h1s:
        if any(same_headline(h1, title) or within(h1, title) for title in known):
            shown = _without_site(h1, sites)  # "Headline | SITE.NET" printed as the <h1>
            if any(words(shown) == words(title) for title in known):
                return shown
            # "Headline Site Name": the logo's link printed inside the <h1>, after the headline
            for title in known:
                size = len(words(title))
                rest = words(h1)[size:]
                if words(h1)[:size] == words(title) and rest and _names_site(rest, sites, raw_titles):
                    return title
            return _leading_lines(lines.get(h1, []), known, machine, exact=True) or h1
    for h1 in h1s:
        if (head := _leading_lines(lines.get(h1, []), known, machine, exact=False)) is not None:
            return head
    for h1 in h1s:  # "Topline Headline" printed as one <h1> (a kicker in its own span): the titles name the headline
        for title in known:
            size = len(words(title))
            if len(words(h1)) > size >= MIN_HEADLINE_WORDS and words(h1)[-size:] == words(title):
                return title
    if len(h1s) == 1 and len(words(h1s[0])) >= MIN_HEADLINE_WORDS:
        return h1s[0]
    return known[0] if known else (h1s[0] if h1s else None)


def _leading_lines(lines: list[str], titles: list[str], machine: list[str | None], *, exact: bool) -> str | None:
    """The first lines of a several-line <h1> that a machine title names: exactly, or (not `exact`) as at least
    two thirds of the title's start, so that a title adding a short tail confirms them and one going on with a
    different second half does not. The lines left out must appear in no machine title: a kicker on the first
    line ("Series name<br>Headline") is left with the headline when a title names the headline too.

    >>> _leading_lines(["Kim meets Putin", "in Vladivostok"], ["Kim meets Putin in a summit"], [], exact=False)
    >>> _leading_lines(["Series name", "Kim meets Putin"], ["Series name"], ["Kim meets Putin | Site"], exact=True)
    """
    for size in range(len(lines) - 1, 0, -1):
        head, rest = " ".join(lines[:size]), words(" ".join(lines[size:]))
        if any(_runs_inside(rest, words(title)) for title in machine):
            continue
        for title in titles:
            if words(head) == words(title) or not exact and same_headline(head, title) and \
                    3 * len(words(head)) >= 2 * len(words(title)):
                return head
    return None


def _runs_inside(part: list[str], whole: list[str]) -> bool:
    return bool(part) and any(whole[i:i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def _names_site(text_words: list[str], sites: set[str], raw_titles: tuple[str | None, ...] | list[str | None]
                ) -> bool:
    """Whether these words (an <h1>'s, or those left after a headline in it) name the site: one of its names, or the
    last segment of its <title>."""
    joined = " ".join(text_words)
    return joined in sites or is_site_segment(joined, list(raw_titles))


def _blog_name(h1: str, raw_titles: tuple[str | None, ...] | list[str | None], machine: list[str | None]) -> bool:
    """An <h1> that opens the page title as "Blog Name: Post title", where another machine title is the post's
    title: the blog's name (Blogger's layout prints it as the page's <h1>, the post's title below in an <h3>).

    >>> _blog_name("Birds of the Delta", ["Birds of the Delta: First swallows"], ["First swallows"])
    True
    """
    for title in raw_titles:
        head, found, tail = clean_text(title or "").partition(": ")
        if found and words(head) == words(h1) and any(
                other and other != title and same_headline(tail, other) for other in machine):
            return True
    return False


def _site_stripped(title: str, sites: set[str], site: str | None) -> str:
    """A title without the site's name: a segment naming it, else what strip_site_name takes for one."""
    bare = _without_site(title, sites)
    return bare if bare != title else (strip_site_name(title, site) or title)


# A site segment ending in its host name ("FASSETTE.NET", "Prachatai Prachatai.com"), read as printed: as words,
# "Lagen-Pyramide mit GA2 - SWIM.DE" (a headline, a separator, then the host) ended in a host too.
_HOST = re.compile(r"(?:\S+ ){0,3}(?:www\.)?(?:[\w-]+\.)+(?:com|net|org|de|fr|io|co|uk|info|news|at|ch|it|es|nl|eu|in|"
                   r"ru|pl|br|au|ca|us|tv|me)", re.IGNORECASE)


def _is_host(segment: str) -> bool:
    """A segment that is a site's name ending in its host, and holds no other segment."""
    return bool(_HOST.fullmatch(segment.strip())) and not any(sep in segment for sep in _SEPARATORS)


def _without_site(title: str, sites: set[str]) -> str:
    """A title without a first or last segment that is one of the site's names (or written as a host name).

    >>> _without_site("Schwimmen | Lagen-Pyramide mit GA2 - SWIM.DE", set()), _without_site("Kim - FASSETTE.NET", set())
    ('Schwimmen | Lagen-Pyramide mit GA2', 'Kim')
    >>> _without_site("Kim meets Putin | Example News Example.com", set())
    'Kim meets Putin'

    """
    for sep in _SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if found and head.strip() and (" ".join(words(tail)) in sites or _is_host(tail)):
            return head.strip()
        head, found, tail = title.partition(sep)
        if found and tail.strip() and " ".join(words(head)) in sites:
            return tail.strip()
    return title
