"""Dates as readers see them: "3. März 2021", "12 janvier 2020", "Nov. 19, 2019 5:53 PM", "27.01.2022", "11/19/2019",
"2018年6月18日".

Only absolute dates with a day, a month and a year are read; "vor 4 Stunden", "Monday" or "Oktober 2008" are not a
day and give nothing. Numeric forms are read with sanity: a part above 12 is the day; when both could be the month,
the page's language decides (US English writes month/day, nearly everyone else day/month). Two-digit years are read
only in the dotted and slashed forms (20 → 2020). A clock time right after the date ("8:15 pm", "22:04") is kept, as
a naive wall-clock time: the page's zone is not guessed from a zone abbreviation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from newscrawl.extract.pubdates import PLAUSIBLE_YEARS, PageDate

# Month names and their usual abbreviations, lower case, accents as written and without (pages drop them: "fevrier",
# "Marz"), in the cases dates use ("2 мая", "3 października", "2. května": the genitive). Only names that mean one
# month in every language listed: Croatian is left out, as its "listopad" is October and Polish's November.
_MONTH_NAMES = {
    1: "january jan januar jänner janvier enero ene gennaio gen janeiro januari ianuarie január gener "
       "января январь янв січня stycznia styczeń ledna leden ocak tammikuuta",
    2: "february feb februar février fevrier févr fevr febrero febbraio fevereiro fev februari februarie február "
       "febrer февраля февраль фев лютого lutego luty února únor şubat subat helmikuuta",
    3: "march mar märz marz mär mars marzo março marco maart mrt maret martie március marcius març marc "
       "марта март березня marca marzec března březen mart maaliskuuta",
    4: "april apr avril avr abril abr aprile aprilie április aprilis "
       "апреля апрель апр квітня kwietnia kwiecień dubna duben nisan huhtikuuta",
    5: "may mai mayo maggio mag maio mei maj május majus maig мая май травня maja května květen mayıs mayis "
       "toukokuuta",
    6: "june jun juni juin junio giugno giu junho iunie június junius juny "
       "июня июнь июн червня czerwca czerwiec června červen haziran kesäkuuta",
    7: "july jul juli juillet juil julio luglio lug julho iulie július julius juliol "
       "июля июль июл липня lipca lipiec července červenec temmuz heinäkuuta",
    8: "august aug août aout agosto ago augustus augusti agustus augusztus agost "
       "августа август авг серпня sierpnia sierpień srpna srpen ağustos agustos elokuuta",
    9: "september sep sept septembre septiembre setiembre settembre set setembro septembrie szeptember setembre "
       "сентября сентябрь сен сент вересня września wrzesień září eylül eylul syyskuuta",
    10: "october oct oktober okt octobre octubre ottobre ott outubro out octombrie október "
        "октября октябрь окт жовтня października październik října říjen ekim lokakuuta",
    11: "november nov novembre noviembre novembro noiembrie "
        "ноября ноябрь ноя листопада listopada listopad listopadu kasım kasim marraskuuta",
    12: "december dec dezember dez décembre decembre déc diciembre dic dicembre dezembro desember decembrie "
        "desembre декабря декабрь дек грудня grudnia grudzień prosince prosinec aralık aralik joulukuuta",
}
# Arabic (the Egyptian and Gulf names, the Maghreb's from French, and the Levantine ones, two of them two words each),
# Hindi, and Greek (genitive, with and without accents: headings drop them).
_MORE_MONTH_NAMES = {
    1: "يناير|جانفي|كانون الثاني|जनवरी|ιανουαρίου|ιανουαριου",
    2: "فبراير|فيفري|شباط|फ़रवरी|फ़रवरी|फरवरी|φεβρουαρίου|φεβρουαριου",
    3: "مارس|آذار|मार्च|μαρτίου|μαρτιου",
    4: "أبريل|أفريل|افريل|ابريل|إبريل|نيسان|अप्रैल|απριλίου|απριλιου",
    5: "مايو|ماي|أيار|ايار|मई|μαΐου|μαϊου|μαιου",
    6: "يونيو|جوان|يونيه|حزيران|जून|ιουνίου|ιουνιου",
    7: "يوليو|جويلية|يوليه|تموز|जुलाई|ιουλίου|ιουλιου",
    8: "أغسطس|أوت|اوت|اغسطس|آب|अगस्त|αυγούστου|αυγουστου",
    9: "سبتمبر|أيلول|ايلول|सितंबर|सितम्बर|σεπτεμβρίου|σεπτεμβριου",
    10: "أكتوبر|اكتوبر|تشرين الأول|अक्टूबर|अक्तूबर|οκτωβρίου|οκτωβριου",
    11: "نوفمبر|تشرين الثاني|नवंबर|नवम्बर|νοεμβρίου|νοεμβριου",
    12: "ديسمبر|كانون الأول|दिसंबर|दिसम्बर|δεκεμβρίου|δεκεμβριου",
}
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()} | {
    name: number for number, names in _MORE_MONTH_NAMES.items() for name in names.split("|")}
_DIGITS = {**{start + value: str(value) for start in (0x0660, 0x06F0, 0x0966, 0x09E6, 0xFF10) for value in range(10)},
           0xFF1A: ":"}
"""Arabic-Indic, Persian, Devanagari, Bengali and fullwidth digits (and the fullwidth colon of a Japanese clock) as
ASCII, one character for one, so that a date's place in the text is the same."""
_MONTH = "(?P<month>" + "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True)) + r")\.?"
_CLOCK = (r"(?:\s*(?:,|um|à|a las|alle|at|-|–|\|)?\s*(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?!\d)\s*"
          r"(?P<ampm>[ap]\.?\s?m\.?)?)?")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|º|°)?\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
# "19 November 2019", "3. März 2021", "21 de abril de 2022", "le 15 septembre 2009", "2 d'abril de 2024"
_DAY_MONTH_YEAR = re.compile(rf"(?<![\w.]){_DAY}\s*(?:de\s+|d['’]\s*)?{_MONTH}(?![^\W\d_])\s*[,،]?\s*(?:de\s+|del\s+)?"
                             rf"{_YEAR}{_CLOCK}", re.IGNORECASE)
# "Nov. 19, 2019", "November 18 2019"
_MONTH_DAY_YEAR = re.compile(rf"(?<!\w){_MONTH}(?![^\W\d_])\s*{_DAY}(?!\d)\s*,?\s*{_YEAR}{_CLOCK}", re.IGNORECASE)
# "2018-09-16", "2019/11/19", "2023-11-07 15:03:30", "2024. 5. 2." (Korean, Hungarian)
_YEAR_FIRST = re.compile(r"(?<![\d.])(?P<year>(?:19|20)\d{2})(?P<sep>[-/]|\.\s?)(?P<month>[01]?\d)(?P=sep)"
                         r"(?P<day>[0-3]?\d)(?![\d])\.?" + _CLOCK)
# "2024. május 2.", "2024 May 2" (Hungarian; some English styles)
_YEAR_MONTH_DAY = re.compile(rf"(?<![\d.]){_YEAR}\.?\s*{_MONTH}(?![^\W\d_])\s*{_DAY}(?!\d){_CLOCK}", re.IGNORECASE)
# "2018年6月18日 10:01", "2023年11月17日" (Chinese, Japanese), "2019년 8월 20일" (Korean)
_YEAR_MONTH_DAY_SIGNS = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*[年년]\s*(?P<month>[01]?\d)\s*[月월]\s*"
                                   r"(?P<day>[0-3]?\d)\s*[日일]" + _CLOCK)
# "27.01.2022", "4. 2. 2022", "11/19/2019", "14/01/20"
# "Posted Nov 18, 8:19 PM": no year; read only with a clock time and a nearby date to take the year from
_MONTH_DAY_CLOCK = re.compile(rf"(?<!\w){_MONTH}(?![^\W\d_])\s*{_DAY}(?!\d)\s*,?\s*(?:at\s+)?"
                              r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?!\d)\s*(?P<ampm>[ap]\.?\s?m\.?)?",
                              re.IGNORECASE)
_NUMERIC = re.compile(r"(?<![\d.,/])(?<!\d\.\s)(?P<first>[0-3]?\d)(?P<sep>[./-])\s?(?P<second>[01]?\d)(?P=sep)\s?"
                      r"(?P<year>(?:19|20)?\d{2})(?![\d]|[./:-]\d)" + _CLOCK)
_NUMERIC_SLASHED = re.compile(r"(?<![\d.,/])(?P<first>[01]?\d)/(?P<second>[0-3]?\d)/(?P<year>(?:19|20)?\d{2})(?![\d/])"
                              + _CLOCK)


@dataclass(frozen=True)
class TextDate:
    """A date found in a line of text, and where."""

    date: PageDate
    start: int
    end: int


def find_dates(text: str, language: str | None = None, near: date | None = None) -> list[TextDate]:
    """Every readable day in `text`, in order of appearance. With `near` (a machine date of the page), a day
    printed without a year but with a clock time ("Posted Nov 18, 8:19 PM") takes the year that puts it closest.

    >>> [d.date.iso() for d in find_dates("Von Anna Roe, 3. März 2021, 14:05 Uhr")]
    ['2021-03-03T14:05:00']
    >>> [d.date.iso() for d in find_dates("par Florence Audier , le 15 septembre 2009")]
    ['2009-09-15']
    >>> [d.date.iso() for d in find_dates("Nov. 19, 2019 5:53 PM")], [d.date.iso() for d in find_dates("11/19/2019")]
    (['2019-11-19T17:53:00'], ['2019-11-19'])
    >>> [d.date.iso() for d in find_dates("05/03/2022", "en-US")], [d.date.iso() for d in find_dates("05/03/2022", "de")]
    (['2022-05-03'], ['2022-03-05'])
    >>> find_dates("vor 4 Stunden"), find_dates("Oktober 2008"), find_dates("Call 459-5382 or 10.5.3")
    ([], [], [])
    >>> [d.date.iso() for d in find_dates("Posted Dec 31, 11:30 PM", near=date(2020, 1, 1))]
    ['2019-12-31T23:30:00']
    >>> [d.date.iso() for d in find_dates("Stand: 11/01/2021", "de", near=date(2021, 11, 1))]
    ['2021-11-01']
    >>> [d.date.iso() for s in ("2018年6月18日 10:01 発信地", "2019년 8월 20일") for d in find_dates(s)]
    ['2018-06-18T10:01:00', '2019-08-20']
    """
    text = text.translate(_DIGITS)
    found: list[TextDate] = []
    taken: list[tuple[int, int]] = []
    patterns = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _YEAR_FIRST, _YEAR_MONTH_DAY, _YEAR_MONTH_DAY_SIGNS,
                _NUMERIC_SLASHED, _NUMERIC)
    for pattern in patterns + ((_MONTH_DAY_CLOCK,) if near is not None else ()):
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            value = _read(match, language, near=near) if pattern is not _MONTH_DAY_CLOCK else _yearless(match, near)
            if value is not None:
                found.append(TextDate(value, match.start(), match.end()))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


def _yearless(match: re.Match[str], near: date | None) -> PageDate | None:
    """A day and time printed without a year, in the year (of `near`'s, the one before or after) closest to it."""
    if near is None:
        return None
    options = []
    for year in (near.year - 1, near.year, near.year + 1):
        found = _read(match, None, year)
        if found is not None:
            options.append(found)
    return min(options, key=lambda d: abs(d.value.date() - near), default=None)


def _read(match: re.Match[str], language: str | None, year_given: int | None = None,
          near: date | None = None) -> PageDate | None:
    parts = match.groupdict()
    year = year_given if year_given is not None else int(parts["year"])
    year = year + 2000 if year < 100 else year
    if parts.get("first") is not None:
        first, second = int(parts["first"]), int(parts["second"])
        month_first = match.re is _NUMERIC_SLASHED and first <= 12 and (second > 12 or _writes_month_first(language))
        if first <= 12 and second <= 12 and first != second and near is not None:
            # 11/01/2021 is both readings: the one that agrees with the page's machine date
            month_first = abs(_day_or(year, first, second, near) - near) < abs(_day_or(year, second, first, near)
                                                                                - near)
        day, month = (second, first) if month_first else (first, second)
    else:
        day = int(parts["day"])
        month = MONTHS[parts["month"].lower()] if not parts["month"].isdigit() else int(parts["month"])
    if year not in PLAUSIBLE_YEARS:
        return None
    hour = minute = 0
    has_clock = parts.get("hour") is not None
    if has_clock:
        hour, minute = int(parts["hour"]), int(parts["minute"])
        ampm = (parts.get("ampm") or "").lower()
        if ampm.startswith("p") and hour < 12:
            hour += 12
        elif ampm.startswith("a") and hour == 12:
            hour = 0
    try:
        value = datetime(year, month, day, hour, minute)
    except ValueError:
        return None
    return PageDate(value, None, day_only=not has_clock)


def _day_or(year: int, month: int, day: int, fallback: date) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        return fallback.replace(year=fallback.year + 100)  # impossible: never the closer reading


def _writes_month_first(language: str | None) -> bool:
    """US English (and an English page that does not say which) writes 11/19/2019; others write day first."""
    lang = (language or "").lower().replace("_", "-")
    return lang in ("en", "en-us") or lang.startswith("en-us")
