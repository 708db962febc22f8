"""Line vocabulary of web pages, in the languages the crawler meets: short lines that are page furniture wherever
they stand (labels, calls to action, like/share buttons), metadata labels and paywall prompts at a story's end, and
the headings that open the page's list of other stories (end markers). extract/content.py drops the first three
kinds and stops the body at an end marker. Generic web vocabulary only: no site's own wording.
"""

from __future__ import annotations

import re

# Label-led lines of metadata at the end of a story: "Tags: a, b, c", "Filed under …".
LABEL_LINE = re.compile(r"^(?:(?:tags?|tagged(?: with)?|topics?|filed under|categor(?:y|ies)|posted in|"
                        r"keywords)\b\s*:?|"
                        # the same labels in other languages, only with their colon ("Themen wie …" is a sentence)
                        r"(?:kategorien?|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|themen|cat(?:é|e)gories?|"
                        r"(?:é|e)tiquettes|mots[- ]cl(?:é|e)s|categor(?:í|i)as?|etiquetas|categorie|etichette|"
                        r"palavras[- ]chave)\s*:|"
                        # view counters ("Aufrufe: 1120 | Hinzugefügt von: …")
                        r"(?:aufrufe|views|hits|vues|visitas|zugriffe)\s*:\s*\d)",
                        re.IGNORECASE)
# Subscription prompts that stand where a paywalled story stops.
PAYWALL_LINE = re.compile(
    r"^(?:already (?:a |an )?(?:subscriber|member|registered)|(?:get|enjoy) unlimited (?:digital )?access|"
    r"(?:log|sign) in to (?:continue|read|keep reading)|(?:subscribe|register) (?:now )?to (?:continue|read|keep)|"
    r"to continue reading|this (?:article|story|content) is (?:only )?(?:for|available to|exclusive to) "
    r"(?:our )?(?:subscribers|members)|you have reached your (?:free )?(?:article )?limit)",
    re.IGNORECASE,
)
# What the page says about itself inside a story's box, found anywhere in a paragraph of under NOTICE_MAX characters:
# calls to action (newsletter sign-up, the outlet's app, paywall prompts), placeholders of blocked embeds that ask
# for consent, opinion disclaimers, download links with their file size, and captions that end in a © credit.
NOTICE_MAX = 300
_SIGN_UP = (r"\b(?:sign(?:ing)? up|subscribe\b|abonnier|abonnez|anmelden|melden sie sich|inscri(?:vez|re|bete)|"
            r"suscr[ií]b(?:ete|ase|irse)|assin(?:e|ar)\b|iscriv(?:iti|ersi))")
_CONSENT = r"\b(?:einverständnis|einwilligung|zustimm\w*|consent\w*|consentement|consentimiento)\b"
_THIRD_PARTY = (r"\b(?:twitter|youtube|instagram|facebook|tiktok|vimeo|drittanbieter\w*|third[- ]party|"
                r"externe\w* inhalt\w*)\b")
_LOAD = (r"\b(?:lad\w*|geladen|anzeig\w*|angezeigt|verbindung|load\w*|display\w*|shown?|charger|afficher|"
         r"cargar|mostrar)\b")
NOTICE_LINE = re.compile(
    # a newsletter named next to a call to sign up ("subscribe", not "subscribers": a story about a newsletter stays)
    rf"\bnewsletter\b.{{0,120}}?{_SIGN_UP}|{_SIGN_UP}.{{0,120}}?\bnewsletter|"
    r"\b(?:sign up|subscribe) (?:here|now|today)\s*[.!:]?\s*$|"
    # the outlet's app: news in an app, or the two app stores named together
    r"\b(?:latest|breaking) (?:news|stories)\b.{0,60}?\bapps?\b|\bapps?\b.{0,60}?\b(?:latest|breaking) news\b|"
    r"\b(?:app store|itunes|google play|play store)\b.{0,20}?\b(?:and|or|und|oder|et|ou|y|e|o)\s+"
    r"(?:app store|itunes|google play|play store)\b|"
    r"\bto (?:view|read|see) (?:the|this) (?:full|whole|entire|rest of the|complete) (?:story|article)\b|"
    r"\balready (?:a |an )?subscriber\b|\b(?:you(?:'|’)re|you are) already (?:a |an )?member\b|"
    r"\bfirst[- ]time subscribers\b|"
    r"\bthis (?:post|article|page) contains (?:affiliate )?(?:links|references)\b|"
    # a blocked embed asking for consent before it loads
    rf"{_CONSENT}.{{0,160}}?{_THIRD_PARTY}.{{0,160}}?{_LOAD}|{_THIRD_PARTY}.{{0,160}}?{_CONSENT}.{{0,160}}?{_LOAD}|"
    rf"{_CONSENT}.{{0,160}}?{_LOAD}.{{0,160}}?{_THIRD_PARTY}|"
    r"\b(?:opinions?|views?) expressed (?:here |in (?:this|these) \w+ )?(?:are|is) (?:those of |solely |the )?"
    r"(?:the )?authors?|gibt (?:die|allein die|nur die) (?:meinung|auffassung) de[sr] (?:autors|autorin|verfasser)|"
    r"n'engagent que (?:leurs?|son|ses) auteurs?|"
    r"(?:\b|(?<=\d))(?:pdf|docx?|xlsx?|pptx?|zip)\b\s*[|(,]?\s*\d+(?:[.,]\d+)?\s*[kmg]i?b\b|"
    r"\b(?:jetzt|hier) spenden\b|\bspenden sie (?:jetzt|hier|online)\b|\bjede (?:kleine )?spende hilft\b|"
    r"\bdonate (?:now|today|here)\b|\bfaites un don\b|"
    r"\bsofern nicht anders (?:angegeben|ausgewiesen|vermerkt)\b|\bunless otherwise (?:stated|noted|indicated)\b"
    r".{0,80}?\blicen[cs]ed\b|"
    r"\b(?:als pdf herunterladen|download (?:as |the )?pdf|télécharger (?:le )?pdf)\b|"
    r"©\s*[^.!?©\d]{1,40}$",
    re.IGNORECASE,
)
# Substrings (lower case) that every NOTICE_LINE match contains one of: the regular expression, slow on long text,
# runs only on paragraphs that have one.
NOTICE_CUES = ("newsletter", "sign up", "subscri", "regist", "app", "itunes", "play store", "full ", "whole ",
               "entire ", "rest of", "complete ", "already", "first", "einverst", "einwillig", "zustimm", "consent",
               "opinion", "view", "meinung", "auffassung", "engagent", "pdf", "doc", "xls", "ppt", "zip", "spende",
               "donate", "un don", "sofern", "unless", "contains", "©")


def is_notice(text: str) -> bool:
    """Whether a paragraph is one of the page's notices (NOTICE_LINE), under NOTICE_MAX characters."""
    if len(text) >= NOTICE_MAX:
        return False
    lowered = text.lower()
    return any(cue in lowered for cue in NOTICE_CUES) and NOTICE_LINE.search(text) is not None


# The outlet's appeal for readers' money, a paragraph of its own (up to APPEAL_MAX characters) in the story's box.
APPEAL_MAX = 700
APPEAL_LINE = re.compile(
    r"\b(?:support (?:our|independent|local|quality) journalism\b.{0,200}?\b(?:contribut|donat|subscri|member)\w*|"
    r"become a (?:member|supporter) today|"
    r"brauchen wir (?:deine|eure|ihre) unterstützung|unterstütze[nt]? (?:sie )?(?:uns|unser(?:e|en)? \w+) mit|"
    r"soutenez (?:notre|le) journalisme|apoya (?:nuestro|el) periodismo|colabore para que|assine o jornal)\b",
    re.IGNORECASE,
)
APPEAL_CUES = ("journalis", "member", "supporter", "unterstütz", "periodismo", "colabore", "assine")


def is_appeal(text: str) -> bool:
    """Whether a paragraph is the outlet's appeal for support (APPEAL_LINE), under APPEAL_MAX characters."""
    if len(text) >= APPEAL_MAX:
        return False
    lowered = text.lower()
    return any(cue in lowered for cue in APPEAL_CUES) and APPEAL_LINE.search(text) is not None


# Short lines that are page furniture wherever they appear (labels, calls to action, ad slots).
FURNITURE_LINE = re.compile(
    r"^(?:advertisement|advertisment|adverti[sz]ing|ad|sponsored(?: content)?|story continues below.*|"
    r"continue reading.*|read more.*|read also.*|also read.*|related.*|recommended.*|see also.*|more from .*|"
    r"share(?: this)?(?: article| story| on .*)?|tweet|email|print|comments?|\d+ comments?|follow us.*|"
    r"sign up.*|subscribe.*|click here.*|listen to (?:this|the) (?:article|story).*|loading.*|skip .*|"
    r"image|photo|video|getty images|watch:?.*|(?:photo|image) (?:credit|source):.*|back to top|top|permalink|"
    r"permalien|kommentieren|kommentare geschlossen|gefällt mir|teilen|externer inhalt|partager|commenter|"
    # "Auch auf example.de": the heading of links to the site's other pages
    r"(?:auch|mehr) (?:auf|bei) [\w.-]+\.[a-z]{2,12}|(?:also|more) on [\w.-]+\.[a-z]{2,12}|"
    r"(?:aussi|plus) sur [\w.-]+\.[a-z]{2,12}|"
    # the same in the other languages of the corpus the extractor was measured on
    r"lesen sie (?:auch|mehr).*|(?:das )?könnte sie (?:auch )?interessieren.*|lire aussi.*|à lire aussi.*|"
    r"lea también.*|leer también.*|leia também.*|leggi anche.*|anzeige(?:\s*[-–:|].*)?|werbung|publicité|"
    r"partager (?:cet|l')article|artikel teilen|diesen artikel teilen|kontakt|contact|explore further|"
    r"(?:gefällt mir|like|j'aime)(?: (?:lade|loading|chargement)[.…\s]*)?|"
    r"weitere (?:informationen|infos)(?: (?:unter|auf|bei) (?:www\.|https?://)\S+)?|quellen(?:angaben)?|bildquellen?|"
    r"bildnachweise?|"
    r"zusatzinformationen|mehr informationen|further information|plus d'informations|"
    r"(?:zuletzt |last )?(?:aktualisiert|updated|mis à jour|actualizado|atualizado)(?: am| on| le| el| em)?\s*:?\s*"
    r"\d[\d.:/,-]*(?:\s+[\w.:/,-]+){0,3}|"  # a date and time, no sentence ("Updated 2 p.m.: police said …")
    # picture credits standing alone (the caption they belong to is dropped with its figure)
    r"(?:fotos?|photos?|bild(?:er)?|titelbild|bildquellen?|(?:photo |image )?credits?|crédits? photo|"
    r"quellen?(?:angaben)?)\s*:.*|©.*|.*/\s*getty images)$",
    re.IGNORECASE,
)


# Headings that open the page's list of other stories, in the languages we have met; the story ends there.
END_MARKER = re.compile(
    r"^(?:related(?: articles| stories| posts| news| content| coverage)|you (?:may|might) (?:also )?(?:like|enjoy)|"
    r"more (?:stories|news|articles)(?: from .*)?|recommended(?: for you| stories| articles)?|"
    r"(?:most )?popular(?: stories| articles| posts| now)?|trending(?: now| stories)?|top stories|latest news|"
    r"(?:leave|post) a (?:comment|reply)|\d* ?comments?|"
    r"você (?:pode|também pode) gostar.*|mais lidas|notícias relacionadas|artigos relacionados|te puede interesar|"
    r"noticias relacionadas|lo más leído|weitere artikel|das könnte sie auch interessieren|sur le même sujet|"
    r"articoli correlati|похожие (?:статьи|новости|записи)|самые популярные.*|関連記事|관련기사|"
    r"about the author|über den autor|sobre (?:la firma|el autor|la autora)|sull'autore|over de auteur|"
    r"auch interessant|schon gelesen\??|zum weiterlesen|"
    r"weitere beiträge(?: .*)?|ähnliche (?:beiträge|artikel)|à propos de l'auteur|dans la même rubrique|"
    r"mehr zum thema(?: .*)?|(?:articles|audios|vidéos)(?: et (?:articles|audios|vidéos))? sur le "
    r"(?:même )?sujet|"
    # a comment section's heading: its count or its call, in the languages we have met
    r"\d+ ?(?:kommentare?|commentaires?|comentarios?|commenti|commento|reacties|reacciones)|"
    r"kommentare|commentaires|comentarios|commenti|reacties|reacciones|"
    r"(?:schreib(?:e|en sie)?|hinterlasse) einen kommentar|laisser un commentaire|deja un comentario)"
    r"\s*[:.…]*$",
    re.IGNORECASE,
)
# "Read also" and its kin are left out on purpose: outlets put those boxes in the middle of a story too.
