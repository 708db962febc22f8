"""The published date of a story: machine dates checked against the date a reader sees next to the headline.

Sources, most reliable first: the Article node's JSON-LD datePublished (then its dateCreated), microdata
datePublished, published-time meta (article:published_time, parsely, sailthru, Dublin Core…), a <time datetime>
in the story (not in page furniture, not labelled as an update), and a date in the URL path (/2021/02/21/).
The visible date is the first day printed below the headline (the byline block, before the body starts), else the
first day printed after a "Published"/"Veröffentlicht"/"Publié" label or in a "By …" line anywhere in the story,
else one printed just above the headline. Dates labelled as updates are never the published date, whether the label
stands before the date ("Updated Nov 20, 2019") or after it with the update's time ("Nov 28, 2013 -- Updated 0203 GMT").

The agreement rule (`choose`):
1. A machine date that falls on the visible day wins: it has the page's time and offset.
2. A machine date one day off is the same moment written in UTC (or another zone) than the page shows: when the
   page prints a clock time, the offset is recovered from the difference; otherwise the visible day is kept, as a
   day.
3. Otherwise the visible date wins: machine dates are often a template's, an import's or an update's.
4. With no visible date, the machine dates vote: the most reliable one, unless at least two others agree on
   another day against it.
Dates in the future (after now, a day of slack for zones) are never a publication date.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from newscrawl.extract.pagelines import Line, headline_indexes
from newscrawl.extract.pubdates import PageDate, parse_page_date
from newscrawl.extract.textdates import TextDate, find_dates

_UPDATED = re.compile(r"\b(?:updated?|modified|last edited|edited|aktualisiert|geändert|letzte änderung|"
                      r"zuletzt|mis à jour|modifié|actualizado|actualización|aggiornato|atualizado|bijgewerkt)\b",
                      re.IGNORECASE)
_PUBLISHED = re.compile(r"\b(?:published|posted|released|written|veröffentlicht|erschienen|publiziert|publié|"
                        r"mise? en ligne|stand|publicado|publicada|pubblicato|gepubliceerd|datum|date|fecha|data)\b|"
                        r"^\s*(?:by|von|par|por|door|di|posted by|written by|autor|auteur|author)\b",
                        re.IGNORECASE)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/-]|\.\w+$|$)")
BEFORE_HEADLINE = 3  # lines above the headline that may carry its date ("08.11.2021 | Topic", a date header)
AFTER_HEADLINE = 15  # lines below it that may (standfirst, byline, date, share bar)
PROSE_WORDS = 12  # words besides its dates that make a line prose rather than a date or byline line
_WORDS = re.compile(r"[^\W\d_]{2,}")
SHORT_LINE = 160  # characters: longer lines are prose, whose dates are the story's subject
BODY_LINES = 2  # long lines after the headline that mean the body has begun
LABEL_WORDS = 4  # words at most of a field's label printed in a block of its own ("Date de publication")


@dataclass(frozen=True)
class Candidate:
    """A machine date and where it came from ("jsonld", "microdata", "meta", "time", "url")."""

    source: str
    date: PageDate


def url_date(url: str) -> PageDate | None:
    """The day in a URL path such as /2021/02/21/slug or /2021-02-21/.

    >>> url_date("https://a.b/news/2021/02/21/kim-meets-putin").iso(), url_date("https://a.b/2021/02/slug")
    ('2021-02-21', None)
    """
    match = _URL_DATE.search(url.split("?", 1)[0])
    return parse_page_date("-".join(f"{int(part):02d}" for part in match.groups())) if match else None


def updated_label(text: str, date: TextDate, previous_end: int) -> bool:
    """Whether the words just before a date label it as an update ("Updated 3:27 am, Nov 20, 2019").

    >>> line = "Published Nov 19, 2019 | Updated Nov 20, 2019"
    >>> [updated_label(line, d, 0 if i == 0 else 21) for i, d in enumerate(find_dates(line))]
    [False, True]
    """
    lead = text[previous_end:date.start]
    updated = list(_UPDATED.finditer(lead))
    published = list(_PUBLISHED.finditer(lead))
    return bool(updated) and (not published or published[-1].start() < updated[-1].start())


# "November 28, 2013 -- Updated 0203 GMT": an update label and a clock time after a day printed without a time or a
# published label, no other day between: the time is that day's, so the day is the update's.
_UPDATED_AFTER = re.compile(rf"\s*[-–—|,(]+\s*{_UPDATED.pattern}\s*(?:at|um|à|a las|alle)?\s*\d{{1,2}}[:.h]?\d{{2}}(?!\d)",
                            re.IGNORECASE)


def updated_after(text: str, date: TextDate, next_start: int) -> bool:
    """Whether an update label and a clock time follow a date (before the next date): the date is the update's.

    >>> line = "November 28, 2013 -- Updated 0203 GMT (1003 HKT)"
    >>> updated_after(line, find_dates(line)[0], len(line))
    True
    >>> line = "Published Nov 19, 2019 | Updated Nov 20, 2019"
    >>> updated_after(line, find_dates(line)[0], find_dates(line)[1].start)
    False
    >>> line = "Pubblicato il 19/03/2025 - Aggiornato alle 16:20"
    >>> updated_after(line, find_dates(line)[0], len(line))
    False
    """
    if not date.date.day_only or _PUBLISHED.search(text, 0, date.start):
        return False  # "Pubblicato il 19/03/2025 alle 14:05 - Aggiornato alle 16:20": published, then updated
    return bool(_UPDATED_AFTER.match(text, date.end, next_start))


def _dates_in(line: Line, language: str | None, near: date | None = None) -> list[PageDate]:
    """The days a date or byline line prints, update dates left out; none from a line of prose (a standfirst's
    "On 3 March 2020, …" is the story's subject, not its date)."""
    found, previous_end, rest = [], 0, line.text
    printed_dates = find_dates(line.text, language, near)
    for index, printed in enumerate(printed_dates):
        next_start = printed_dates[index + 1].start if index + 1 < len(printed_dates) else len(line.text)
        if not updated_label(line.text, printed, previous_end) and not updated_after(line.text, printed, next_start):
            found.append(printed.date)
        previous_end = printed.end
    for printed in reversed(printed_dates):
        rest = rest[:printed.start] + " " + rest[printed.end:]
    if len(_WORDS.findall(rest)) > PROSE_WORDS and not _PUBLISHED.search(line.text):
        return []
    return found


@dataclass(frozen=True)
class Shown:
    """A date printed on the page, and whether it stands above the headline (where a site's header also prints
    today's date, so it is trusted only when machine dates agree or there are none)."""

    date: PageDate
    above: bool = False


def visible_dates(lines: list[Line], title: str | None, language: str | None,
                  near: date | None = None) -> list[Shown]:
    """The published days a reader may take for the story's, most telling first: the first one below each display
    of the headline (in the byline block, before the body starts), the first after a published label or in a
    byline line anywhere in the story, and the nearest just above the headline. `near` (a machine date) gives the
    year to a day printed without one."""
    tops = headline_indexes(lines, title)
    found: list[Shown] = []
    for top in tops:
        lead = find_dates(lines[top].text, language)[:1]  # "23.01.2022 - Headline": the date printed in front
        if lead and lead[0].start == 0:
            found.append(Shown(lead[0].date))
            continue
        long_lines = 0
        for line in lines[top + 1:top + AFTER_HEADLINE + 1]:
            if len(line.text) > SHORT_LINE:
                long_lines += 1
                if long_lines >= BODY_LINES:
                    break
            elif dates := _dates_in(line, language, near):
                found.append(Shown(dates[0]))
                break
    start = tops[0] if tops else 0
    found += [Shown(d) for d in itertools.islice(_labelled_dates(lines, start, language, near), 1)]
    for top in tops[:1]:
        above = (d for line in reversed(lines[max(0, top - BEFORE_HEADLINE):top]) if len(line.text) <= SHORT_LINE
                 for d in _dates_in(line, language, near)[:1])
        found += [Shown(d, above=True) for d in itertools.islice(above, 1)]
    return found


def _labelled_dates(lines: list[Line], start: int, language: str | None, near: date | None) -> Iterator[PageDate]:
    """The first day of each short line from `start` on that carries a published label; a label standing alone
    ("Mise en ligne", "Published:"), as credit lists and definition lists print it, labels the line after it."""
    for index in range(start, len(lines)):
        line = lines[index]
        if len(line.text) > SHORT_LINE or not _PUBLISHED.search(line.text):
            continue
        dates = _dates_in(line, language, near)
        if not dates and _is_label(line.text) and index + 1 < len(lines):
            dates = _dates_in(lines[index + 1], language, near)
        yield from dates[:1]


def _is_label(text: str) -> bool:
    """A few words and no digits: a field's label, not a line that prints something.

    >>> _is_label("Mise en ligne"), _is_label("Published:"), _is_label("Published by Jane Roe in Politics today")
    (True, True, False)
    """
    return not any(char.isdigit() for char in text) and len(_WORDS.findall(text)) <= LABEL_WORDS


def _offset_between(shown: datetime, machine: PageDate) -> timezone | None:
    """The offset that turns a machine moment into the clock time the page prints, if it is a real offset."""
    if machine.offset is None or machine.day_only:
        return None
    offset = machine.value.replace(tzinfo=machine.offset).utcoffset() or timedelta(0)
    utc = machine.value.replace(second=0) - offset
    delta = shown - utc
    if abs(delta) > timedelta(hours=14) or delta % timedelta(minutes=15):
        return None
    return timezone(delta)


def choose(machine: list[Candidate], shown: list[Shown], now: datetime | None = None) -> PageDate | None:
    """The published date by the agreement rule in the module docstring (machine dates in reliability order, shown
    dates as visible_dates lists them)."""
    limit = (now or datetime.now(timezone.utc)).replace(tzinfo=None) + timedelta(days=1)
    machine = [c for c in machine if c.date.value <= limit]
    shown = [s for s in shown if s.date.value <= limit]
    agreeing = [s for s in shown if any(abs((c.date.value.date() - s.date.value.date()).days) <= 1 for c in machine)]
    trusted = [s for s in shown if not s.above or not machine]
    candidates = agreeing or trusted
    if not candidates:
        return _vote(machine)
    pick = candidates[0]
    visible = pick.date
    day = visible.value.date()
    # a machine date of the day only (the URL's /2025/03/19/) does not take the clock time off a visible date
    same_day = [c for c in machine if c.date.value.date() == day and (visible.day_only or not c.date.day_only)]
    if same_day:
        return same_day[0].date
    if not visible.day_only:
        for candidate in machine:
            if abs((candidate.date.value.date() - day).days) == 1:
                offset = _offset_between(visible.value, candidate.date)
                if offset is not None:
                    return PageDate(visible.value, offset)
    return visible


def _vote(machine: list[Candidate]) -> PageDate | None:
    if not machine:
        return None
    days = Counter(day for _, day in {(c.source, c.date.value.date()) for c in machine})  # a source votes once
    first = machine[0]
    best, votes = days.most_common(1)[0]
    if best != first.date.value.date() and votes >= 2 and votes > days[first.date.value.date()]:
        return next(c.date for c in machine if c.date.value.date() == best)
    return first.date
