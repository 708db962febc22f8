"""Bylines: split "By A and B, Reuters" into credited names and tell people from organisations.

A name is an organisation (byline yes, authors no) when it is a wire agency, the publisher itself, or a desk
("News Desk", "Staff", "Bureau"), or when structured data types it as an Organization.

One idea, kept whole: the grammar of a credit line (its leads, separators, tails and what a name looks like); the
patterns are read together, and each rule is written against the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newscrawl.extract.agencies import AGENCY_ALTERNATION, agency_spelling, normalise_agency
from newscrawl.extract.outletnames import names_outlet, same_name
from newscrawl.extract.text import clean_text

# The words attribution.py treats as desks, plus the usual organisational nouns of bylines.
DESK = re.compile(r"\b(desk|bureau|staff|team|news service|newsroom|correspondents?|editorial|editors?|"
                  r"reporters?|contributors?|agenc(?:y|ies)|wire|wires|media|news|press|online|digital|web|"
                  r"international|network|magazine|times|today|post|journal|daily|tribune|herald|group|inc|ltd|llc|"
                  r"corporation|company|tv|radio|channel|institute|ministry|ministries|department|admin|gmbh|verlag|"
                  r"redaktion|rédaction|redacción|redazione|copyright|webteam|foundation|stiftung|verein)\b",
                  re.IGNORECASE)
_LEAD = re.compile(r"^[\s|,;:·•–—-]*(?:(?:written|posted|published|reported|story|text|words|compiled|edited|report|"
                   r"analysis|opinion|commentary|interview|review|photos?|video)\s+)?by\b"
                   r"\s*:?\s*", re.IGNORECASE)
# Separators between names; the conjunctions only in lower case ("Bruce Y. Lee" is one name), and a full stop only
# after a word ("Finian Cunningham. Sputnik" is two credits, "Bruce Y. Lee" one).
# The same lead in other languages; case-sensitive so that names such as "Di Wang" stay whole.
# Indonesian's "Oleh" is also a Ukrainian first name: read as the lead in lower case or before a colon only. Arabic's
# "بقلم" ("by the pen of") has no capital after it to check.
# Arabic's leads before a colon: "بقلم" (by the pen of), "حوار" (interview), "كتب"/"كتبت" (wrote), "إعداد" (prepared
# by), "تقرير" (report).
ARABIC_LEADS = "بقلم|حوار|كتبت|كتب|إعداد|تقرير"
_FOREIGN_LEAD = re.compile(r"^(?:(?:von|Von|VON|por|Por|POR|par|Par|PAR|di|door|Door|av|af|oleh)\s+(?=[A-ZÀ-ÝА-Я])|"
                           rf"(?:Oleh|OLEH|{ARABIC_LEADS})\s*:\s*|بقلم\s+)")
# A label in front of the names ("Autor: …", "Interview: …", "Pressemitteilung von …"; the lower-case "von" only,
# "Charles De Gaulle" keeps his name), and a job title in front of a name ("Rechtsanwalt Dennis Roe").
# A field label printed without a colon before the name (Drupal's "Author" field__label) is a label too.
_LABEL_LEAD = re.compile(r"^(?:(?i:author|authors|autor(?:/|\*|:|_)in(?:nen)?|autor(?:in|en|innen)?|auteurs?|"
                         r"autore|text|texte|текст|автор|авторы|interview|reportage|redaktion|words|credit|penulis|yazar|"
                         r"författare|forfatter|kirjoittaja)\s*:|[\w-]+\s+(?:von|by|par)\s+(?=[A-ZÀ-Ý])|"
                         r"(?:Authors?|Autor(?:in|en)?|Auteurs?|Autore)\s+(?=[A-ZÀ-Ý]))\s*")
_GERMAN_ROLES = (r"Rechtsanwalt|Rechtsanwältin|Redakteur|Redakteurin|Journalist|Journalistin|Korrespondent|"
                 r"Korrespondentin|Reporter|Reporterin|Chefredakteur|Chefredakteurin|Kolumnist|Kolumnistin|"
                 r"Gastautor|Gastautorin|Experte|Expertin")
# German writes an outlet or subject into the title as a compound: "FOCUS-Online-Experte", "SPIEGEL-Korrespondent".
_ROLE_LEAD = re.compile(rf"^(?:(?:[\w-]+-)?(?:{_GERMAN_ROLES})|Maître|Me)\s+(?=[A-ZÀ-Ý])")
# An interview's credit names both people: "Richard David Precht im Gespräch mit Karin Fischer". A list's last name
# may follow a comma and "and" (the serial comma: "Jane Roe, John Doe, and Ann Lee").
_SPLIT = re.compile(r"\s*(?:,|;|\||/|&)(?:\s*(?:and|AND|und|et|y|e)(?=\s))?\s*"
                    r"|\s+(?:and|AND|And|und|et|y|e|im Gespräch mit|in conversation with|en conversation avec)\s+"
                    r"|(?<=[a-z]{2})\.\s+")
# Credentials and suffixes written after a name: not names themselves.
_CREDENTIALS = frozenset({"md", "ms", "ma", "mba", "phd", "ph.d", "rd", "rdn", "rn", "np", "jd", "mph", "cpt", "cfp",
                          "do", "dds", "jr", "sr", "ii", "iii", "esq"})
_EMAIL = re.compile(r"\S+@\S+")
_ROLE_TAIL = re.compile(r"\s*[-–—,|]\s*[^,|]{0,40}?\b(?:writer|editor|reporter|correspondent|columnist|contributor)s?\b"
                        r".*$", re.IGNORECASE)
# "… Updated 3 hours ago", "… Publié le 21 mars", and a stamp's label left without its date ("Élise Moreau Publié le",
# "Andrés Molina | Actualizado": the date sits in an element of its own).
_STAMP_WORDS = (r"updated|published|posted|publié|mis à jour|actualizado|publicado|aktualisiert|veröffentlicht|"
                r"pubblicato|aggiornato|erstellt|geändert")
_TIME_TAIL = re.compile(rf"(?:^|\s+|[,|·•])\s*(?:{_STAMP_WORDS}|on)\b.*\d.*$|"
                        rf"(?:^|\s+|[,|·•])\s*(?:{_STAMP_WORDS})(?:\s+(?:le|am|il|el|on))?\s*:?\s*$", re.IGNORECASE)
_ROLE_END = re.compile(r"\s+(?P<qualifier>(?:senior|chief|staff|special|contributing|associate|business|political|"
                       r"politics|sports?|science|tech|technology|health|foreign|national|investigative|opinion|"
                       r"entertainment|legal|economics|markets|culture|travel|food|news)\s+)?"
                       rf"(?:writer|editor|reporter|correspondent|columnist|contributor|{_GERMAN_ROLES})s?$",
                       re.IGNORECASE)
# A date or time glued to the name by the page layout: "REUTERS 19 NOV 2019", "Jane Doe November 18, 2019 11:03 PM"
_DATE_TAIL = re.compile(r"\s+(?:\d{1,2}\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,4}"
                        r"(?:st|nd|rd|th)?\b.*$|"
                        r"\s+\d{4}-\d{2}-\d{2}.*$|\s+\d{1,2}/\d{1,2}/\d{2,4}.*$|\s+/\s+\d+\s+\w+\s+ago.*$|"
                        r"\s+/\s+\d+\s+(?:minutes?|hours?|days?|weeks?)\b.*$|"
                        # "Jörn Mecher am 08.12.2022" (German dates are day.month.year), "Suzanne Gamboa 1 day ago",
                        # and Blogger's "Posted by Günter W. Kienitz at 18:52"
                        r"\s+(?:am\s+)?\d{1,2}\.\d{1,2}\.\d{2,4}\b.*$|"
                        r"\s+\d+\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b.*$|"
                        r"\s+(?:at|um)\s+\d{1,2}:\d{2}\b.*$", re.IGNORECASE)
_HANDLE = re.compile(r"\s*@\w+")
# "Jörn Roe am Samstag", "Jane Roe on Monday": the day after a whole name. After one word it is a paper's name
# ("Welt am Sonntag", "Bild am Sonntag", "NZZ am Sonntag").
_WEEKDAY_TAIL = re.compile(r"^(?P<name>[^\W\d_][\w'’.-]*(?:\s+[\w'’.-]+)+?)\s+(?:am|on)\s+"
                           r"(?:(?:Mon|Diens|Donners|Frei|Sams|Sonn)tag|Mittwoch|Sonnabend|"
                           r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\w*\b.*$")
# "Posted by DT in Tagebuch", "By Jane Roe in Washington", "Par Élise Moreau dans Politique": the category or the
# dateline after the name. "in 't" is a Dutch surname's particle (Sophie in 't Veld), not this; German "im" is left
# alone ("Anna Roe im Gespräch mit Karl Doe" names two people).
_PLACE_TAIL = re.compile(r"\s+(?:in|dans|en|em)\s+(?!'t\b)(?=[^\W\d_])(?:[^\W\d_][\w'’.-]*)(?:\W.*)?$")
# "JANIE HAR Associated Press": a name with the agency glued on after it
_TRAILING_AGENCY = re.compile(rf"^(?P<name>.+?)\s+(?:the\s+)?(?P<agency>{AGENCY_ALTERNATION})$", re.IGNORECASE)


@dataclass(frozen=True)
class Credit:
    """One credited name and what it is."""

    name: str
    kind: str
    """"person", "agency" (a wire agency; `name` is its canonical form) or "organisation" (publisher, desk)."""


def strip_byline(text: str | None) -> str:
    """A byline without its "By" lead, e-mail addresses, job titles and trailing time stamps.

    >>> strip_byline("By Jane Doe, Staff Writer | Updated 3:05 p.m. Nov. 19, 2019")
    'Jane Doe'
    >>> strip_byline("Written by: John Roe (john@example.com)")
    'John Roe'
    >>> strip_byline("REUTERS 19 NOV 2019"), strip_byline("Tim Roe - Live Science Contributor 2019-11-19T12:48:14Z")
    ('REUTERS', 'Tim Roe')
    >>> strip_byline("Cat Shu @catshu / 2 days"), strip_byline("Kevin Johnson, USA TODAY Published 6:05 p.m. ET")
    ('Cat Shu', 'Kevin Johnson, USA TODAY')
    >>> strip_byline("Michael Hiltzik Business Columnist"), strip_byline("Von Anna Schmidt"), strip_byline("Di Wang")
    ('Michael Hiltzik', 'Anna Schmidt', 'Di Wang')
    >>> strip_byline("Autorin: Julia Roe"), strip_byline("Pressemitteilung von Karl Roe")
    ('Julia Roe', 'Karl Roe')
    >>> strip_byline("Rechtsanwalt Ed Roe"), strip_byline("Verónica De Vita"), strip_byline("Ursula von der Leyen")
    ('Ed Roe', 'Verónica De Vita', 'Ursula von der Leyen')
    >>> strip_byline("Par Élise Moreau Publié le"), strip_byline("Andrés Molina | Actualizado"), strip_byline("Posted on")
    ('Élise Moreau', 'Andrés Molina', '')
    >>> strip_byline("By Alex Writer"), strip_byline("By Peter Editor")
    ('Alex Writer', 'Peter Editor')
    >>> strip_byline("Autor/in: Korinna Roe"), strip_byline("Текст: Лида Петрова"), strip_byline("SPIEGEL-Reporter Al Roe")
    ('Korinna Roe', 'Лида Петрова', 'Al Roe')
    >>> strip_byline("Jörn Roe am 08.12.2022"), strip_byline("Sue Roe 1 day ago"), strip_byline("Günter Roe at 18:52")
    ('Jörn Roe', 'Sue Roe', 'Günter Roe')
    >>> strip_byline("Jörn Roe am Samstagabend"), strip_byline("Welt am Sonntag")
    ('Jörn Roe', 'Welt am Sonntag')
    >>> strip_byline("By Jane Roe on Monday"), strip_byline("oleh Siti Rahma"), strip_byline("بقلم أحمد علي")
    ('Jane Roe', 'Siti Rahma', 'أحمد علي')
    >>> strip_byline("Oleh: Budi Roe"), strip_byline("Yazar: Ayşe Roe"), strip_byline("Oleh Roe")
    ('Budi Roe', 'Ayşe Roe', 'Oleh Roe')
    >>> strip_byline("حوار: أحمد علي"), strip_byline("كتبت: سارة علي")
    ('أحمد علي', 'سارة علي')
    """
    value = clean_text(text)
    value = _ROLE_LEAD.sub("", _FOREIGN_LEAD.sub("", _LABEL_LEAD.sub("", _LEAD.sub("", value))))
    value = _EMAIL.sub("", value).replace("()", "")
    value = _HANDLE.sub("", _DATE_TAIL.sub("", _TIME_TAIL.sub("", value)))
    value = _without_role_end(_ROLE_TAIL.sub("", value))
    value = _without_place(_WEEKDAY_TAIL.sub(r"\g<name>", value))
    return clean_text(value).strip(" ,;|-–—:·•")


def _without_place(value: str) -> str:
    """The name without a category or place printed after it ("DT in Tagebuch"), when what follows "in" is
    capitalised (a name has no lower-case "in"; a sentence is no byline).

    >>> _without_place("DT in Tagebuch"), _without_place("Jane Roe in Washington, D.C.")
    ('DT', 'Jane Roe')
    >>> _without_place("Sophie in 't Veld"), _without_place("Jo Roe in the news")
    ("Sophie in 't Veld", 'Jo Roe in the news')
    >>> _without_place("Élise Moreau dans Politique"), _without_place("Ana Ruiz en Madrid")
    ('Élise Moreau', 'Ana Ruiz')
    """
    found = _PLACE_TAIL.search(value)
    if found is None or found.start() == 0:
        return value
    tail = found.group(0).split(maxsplit=2)
    return value[:found.start()] if len(tail) > 1 and tail[1][:1].isupper() else value


def _without_role_end(value: str) -> str:
    """The name without a job title printed after it ("Michael Hiltzik Business Columnist"). A bare role word after
    a single name is that person's surname ("Alex Writer", "Peter Editor"): a job title follows a whole name.

    >>> _without_role_end("Jane Doe Reporter"), _without_role_end("Alex Writer"), _without_role_end("Lee Staff Writer")
    ('Jane Doe', 'Alex Writer', 'Lee')
    """
    match = _ROLE_END.search(value)
    if match is None or (match["qualifier"] is None and len(value[:match.start()].split()) < 2):
        return value
    return value[:match.start()]


def split_names(text: str | None) -> list[str]:
    """Names in a byline, in order, without repeats.

    >>> split_names("By Jane Doe and John Roe, Reuters"), split_names("By JANIE HAR Associated Press")
    (['Jane Doe', 'John Roe', 'Reuters'], ['JANIE HAR', 'Associated Press'])
    >>> split_names("Maria Silva e João Souza"), split_names("Ilana Muhlstein, MS, RDN"), split_names("Bruce Y. Lee")
    (['Maria Silva', 'João Souza'], ['Ilana Muhlstein'], ['Bruce Y. Lee'])
    >>> split_names("Anna Roe im Gespräch mit Karl Doe"), split_names("Roe, Jane"), split_names("Joe S.")
    (['Anna Roe', 'Karl Doe'], ['Jane Roe'], ['Joe S.'])
    >>> split_names("Jane Roe, John Doe, and Ann Lee, CNN")
    ['Jane Roe', 'John Doe', 'Ann Lee', 'CNN']
    """
    stripped = strip_byline(text)
    inverted = _inverted_name(stripped)
    if inverted is not None:
        return [inverted]
    seen: dict[str, None] = {}
    for part in _SPLIT.split(stripped):
        part = part.strip(" ,;:()[]").lstrip(".")
        if part.endswith(".") and not _INITIAL_END.search(part):
            part = part.rstrip(".")  # a sentence's full stop, not an initial's ("Joe S.", "R. R.")
        glued = _TRAILING_AGENCY.match(part)
        pieces = [glued["name"], glued["agency"]] if glued and agency_spelling(glued["agency"]) else [part]
        for piece in pieces:
            if piece and any(ch.isalpha() for ch in piece) and piece.lower().rstrip(".") not in _CREDENTIALS:
                seen.setdefault(piece, None)
    return list(seen)


def co_authors(credit: str) -> list[str]:
    """The people one author credit names: "A and B" is two people when every part is a person's full name; else
    the credit whole (an organisation credited as author, "Centre for Science and Environment", stays one name).

    >>> co_authors("Ravi Menon and Sarah Collins"), co_authors("Research and Markets"), co_authors("Ann Lee")
    (['Ravi Menon', 'Sarah Collins'], ['Research and Markets'], ['Ann Lee'])
    >>> co_authors("Centre for Science and Environment"), co_authors("Sarah and Tom Collins")
    (['Centre for Science and Environment'], ['Sarah and Tom Collins'])
    """
    names = split_names(credit)
    if len(names) > 1 and all(len(name.split()) >= 2 and classify(name).kind == "person" for name in names):
        return names
    return [credit]


_INITIAL_END = re.compile(r"(?:^|[\s.])[A-ZÀ-Ý]\.$")
# "Last, First" as catalogues and Dublin Core's creator write a name: a single surname, then one given name (and an
# initial). Two lone words are otherwise two brands, each dropped from authors; an agency, a desk or the publisher
# in either place keeps the comma a separator ("Reuters, Washington", "Redaktion, Berlin").
_INVERTED = re.compile(r"^(?P<last>[A-ZÀ-Ý][\w'’-]+),\s*(?P<first>[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý]\.)?)$")


def _inverted_name(text: str) -> str | None:
    """ "Harm, Robert" → "Robert Harm"; None for anything else.

    >>> _inverted_name("Harm, Robert"), _inverted_name("Doe, Jane A."), _inverted_name("Reuters, Washington")
    ('Robert Harm', 'Jane A. Doe', None)
    >>> _inverted_name("Redaktion, Berlin"), _inverted_name("Jane Doe, John Roe"), _inverted_name("The, AP")
    (None, None, None)
    """
    match = _INVERTED.match(text)
    if match is None or any(normalise_agency(part) or DESK.search(part) or part.lower() == "the"
                            for part in (match["last"], match["first"])):
        return None
    return f"{match['first']} {match['last']}"


def classify(name: str, publisher: str | None = None, schema_type: str | None = None) -> Credit:
    """What a credited name is: an agency, an organisation (publisher, desk, typed Organization) or a person.

    >>> classify("Press Trust of India"), classify("Jane Doe").kind, classify("Metro Desk").kind
    (Credit(name='PTI', kind='agency'), 'person', 'organisation')
    >>> classify("The Hindu", publisher="The Hindu").kind, classify("X Y", schema_type="Organization").kind
    ('organisation', 'organisation')
    >>> classify("JANIE HAR"), classify("LinkNaija").kind
    (Credit(name='Janie Har', kind='person'), 'organisation')
    """
    agency = normalise_agency(name)
    if agency is not None:
        return Credit(agency, "agency")
    if schema_type and schema_type not in ("Person", ""):
        return Credit(name, "organisation")
    if publisher and (same_name(name, publisher) or names_outlet(name, publisher)):
        return Credit(name, "organisation")
    if DESK.search(name) or not looks_like_person(name) or (len(name.split()) == 1 and schema_type != "Person"):
        return Credit(name, "organisation")  # a lone word ("LinkNaija", "admin") is a brand or an account
    return Credit(_title_case_caps(name), "person")


_MC = re.compile(r"\bMc([a-z])")
_CONTROL_WORDS = frozenset({
    "view", "read", "see", "show", "load", "browse", "visit", "follow", "contact", "email", "e-mail", "mail", "message",
    "subscribe", "more", "all", "full", "latest", "recent", "other", "from", "by", "this", "the", "my", "me", "on", "to",
    "profile", "bio", "biography", "page", "author", "author's", "writer", "articles", "article", "stories", "story",
    "posts", "post", "columns", "work", "twitter", "facebook", "linkedin", "instagram", "x",
    "ver", "perfil", "voir", "le", "profil", "plus", "mehr", "vom", "alle", "artikel", "autor", "auteur"})
"""The words of a link or button that points at a writer's page without naming them ("View Profile", "Read More",
"See All Stories", "Voir le profil"): a name made only of these is the page's control, not a person."""


def _title_case_caps(name: str) -> str:
    """"JANIE HAR" → "Janie Har" (wire member sites print bylines in capitals); other names as written.

    >>> _title_case_caps("MICHAEL MCDERMOTT"), _title_case_caps("SEAN O'BRIEN"), _title_case_caps("Ann Lee")
    ('Michael McDermott', "Sean O'Brien", 'Ann Lee')
    """
    if not (name.isupper() and len(name) > 4):
        return name
    return _MC.sub(lambda match: "Mc" + match.group(1).upper(), name.title())


def looks_like_person(name: str) -> bool:
    """A plausible personal name: 1–5 words, mostly capitalised (in scripts that have case), no digits or URLs.

    >>> looks_like_person("Jane van der Berg"), looks_like_person("www.example.com"), looks_like_person("Иван Петров")
    (True, False, True)
    >>> looks_like_person("Name *"), looks_like_person("Deutsche Welle (www.dw.com"), looks_like_person("Amts wegen")
    (False, False, False)
    >>> looks_like_person("J. I. da silva"), looks_like_person("Sophie in 't Veld")
    (True, True)
    >>> looks_like_person("View Profile"), looks_like_person("More From Author »"), looks_like_person("Will Page")
    (False, False, True)
    """
    if any(ch.isdigit() for ch in name) or "." in name.replace(". ", " ").rstrip(".") and " " not in name:
        return False
    if any(mark in name for mark in ("*", "(", ")", ":", "@", "www.", "/")):
        return False  # a form label ("Name *"), a link or a caption, not a name
    words = name.split()
    if not 1 <= len(words) <= 5 or "http" in name.lower() or words[0].lower() == "the":
        return False
    if all(word.strip(".,:;!?»›>→…").lower() in _CONTROL_WORDS for word in words if any(map(str.isalpha, word))):
        return False
    cased = [w for w in words if w[0].isalpha() and w[0].lower() != w[0].upper()]
    # Particles are lower-case ("van der", "in 't") and come before the surname: a capitalised word followed by a
    # final lower-case one ("Von Amts wegen", a legal formula) is a phrase, not a name. After a particle, the
    # surname may be in lower case too (a CMS that prints "J. I. da silva").
    ends_lower = len(cased) >= 2 and cased[-1][0].islower() and cased[-2][0].isupper()
    return not cased or sum(w[0].isupper() for w in cased) * 2 >= len(cased) and not ends_lower
